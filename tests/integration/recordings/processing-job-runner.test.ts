import { expect } from 'chai';
import { createLogger } from '../../../src/lib/logger/logger.ts';
import { PermanentJobError, RecordingJobRunner, RetryableJobError, type RecordingJob, type RecordingJobHandler } from '../../../src/recordings/processing/job-runner.ts';
import { RecordingJobStore } from '../../../src/recordings/processing/job-store.ts';
import { ManualScheduler, eventually } from '../../support/manual-scheduler.ts';
import { addFinishedRecording, jobRow, openBareDatabase, type BareDatabase } from '../../support/processing-scene.ts';
import { TEST_DATABASES } from '../../support/test-databases.ts';

const START = 1_000_000;
const SETTINGS = { concurrency: 2, maxAttempts: 3, retryBaseMs: 60_000, heartbeatMs: 10_000, staleMs: 30_000, pollMs: 5_000 };

/** A handler whose runs the test ends one by one. */
class ControlledHandler implements RecordingJobHandler {
  readonly kind = 'process' as const;
  readonly started: RecordingJob[] = [];
  readonly failures: Array<{ jobId: string; reason: string }> = [];
  readonly aborted: string[] = [];
  running = 0;
  mostAtOnce = 0;
  readonly #endings = new Map<string, { resolve: () => void; reject: (error: unknown) => void }>();
  report: ((progress: number) => Promise<void>) | null = null;

  run(job: RecordingJob, report: (progress: number) => Promise<void>, signal: AbortSignal): Promise<void> {
    this.started.push(job);
    this.report = report;
    this.running++;
    this.mostAtOnce = Math.max(this.mostAtOnce, this.running);
    return new Promise<void>((resolve, reject) => {
      this.#endings.set(job.id, { resolve, reject });
      signal.addEventListener('abort', () => {
        this.aborted.push(job.id);
        reject(signal.reason);
      });
    }).finally(() => this.running--);
  }

  async failed(job: RecordingJob, reason: string): Promise<void> {
    this.failures.push({ jobId: job.id, reason });
  }

  succeed(jobId: string): void {
    this.#endings.get(jobId)!.resolve();
  }

  fail(jobId: string, error: unknown): void {
    this.#endings.get(jobId)!.reject(error);
  }
}

for (const database of TEST_DATABASES) {
  describe(`RecordingJobRunner on ${database}`, function () {
    this.timeout(20_000);
    let bare: BareDatabase;
    let scheduler: ManualScheduler;
    let handler: ControlledHandler;
    const runners: RecordingJobRunner[] = [];

    const startRunner = (overrides: Partial<typeof SETTINGS> = {}, jobHandler: RecordingJobHandler = handler) => {
      const runner = new RecordingJobRunner({ store: new RecordingJobStore(bare.db), handlers: [jobHandler], scheduler, logger: createLogger('silent'), ...SETTINGS, ...overrides });
      runners.push(runner);
      runner.start();
      return runner;
    };
    const started = (count: number) => eventually(() => expect(handler.started).to.have.length(count), 2000);

    beforeEach(async () => {
      bare = await openBareDatabase(database);
      scheduler = new ManualScheduler(START);
      handler = new ControlledHandler();
    });
    afterEach(async () => {
      for (const runner of runners.splice(0)) await runner.stop();
      await bare.close();
    });

    it('runs a due job, records its progress, and marks it done at 100', async () => {
      const { jobId } = await addFinishedRecording(bare.db, { now: START });
      startRunner();
      await scheduler.advance(0);
      await started(1);
      expect(await jobRow(bare.db, jobId)).to.include({ state: 'running', attempts: 1 });
      await handler.report!(42.7);
      expect((await jobRow(bare.db, jobId)).progress).to.equal(42);
      handler.succeed(jobId);
      await eventually(async () => expect(await jobRow(bare.db, jobId)).to.include({ state: 'done', progress: 100, claimed_by: null }), 2000);
    });

    it('runs at most the configured number of jobs at once, and starts the next when one ends', async () => {
      const jobs = await Promise.all([1, 2, 3, 4].map(() => addFinishedRecording(bare.db, { now: START })));
      startRunner({ concurrency: 2 });
      await scheduler.advance(0);
      await started(2);
      await scheduler.advance(SETTINGS.pollMs * 3);
      expect(handler.started).to.have.length(2);
      handler.succeed(handler.started[0]!.id);
      await started(3);
      expect(handler.mostAtOnce).to.equal(2);
      const states = await Promise.all(jobs.map(({ jobId }) => jobRow(bare.db, jobId).then((row) => row.state)));
      expect(states.filter((state) => state === 'running')).to.have.length(2);
    });

    it('never lets two instances run the same job', async () => {
      const { jobId } = await addFinishedRecording(bare.db, { now: START });
      const other = new ControlledHandler();
      startRunner();
      startRunner({}, other);
      await scheduler.advance(0);
      await eventually(() => expect(handler.started.length + other.started.length).to.equal(1), 2000);
      await scheduler.advance(SETTINGS.pollMs * 2);
      expect(handler.started.length + other.started.length).to.equal(1);
      expect((await jobRow(bare.db, jobId)).attempts).to.equal(1);
    });

    it('retries a retryable failure after a backoff that doubles, then succeeds', async () => {
      const { jobId } = await addFinishedRecording(bare.db, { now: START });
      startRunner();
      await scheduler.advance(0);
      await started(1);
      handler.fail(jobId, new RetryableJobError('recordings-processing:failure.encoder', 'ffmpeg exited with code 1'));
      await eventually(async () => expect(await jobRow(bare.db, jobId)).to.include({ state: 'queued', attempts: 1, next_attempt_at: START + 60_000, last_error: 'ffmpeg exited with code 1' }), 2000);
      await scheduler.advance(59_000);
      expect(handler.started).to.have.length(1);
      await scheduler.advance(1_000);
      await started(2);
      handler.fail(jobId, new RetryableJobError('recordings-processing:failure.encoder'));
      await eventually(async () => expect((await jobRow(bare.db, jobId)).next_attempt_at).to.equal(scheduler.now() + 120_000), 2000);
      await scheduler.advance(120_000);
      await started(3);
      handler.succeed(jobId);
      await eventually(async () => expect(await jobRow(bare.db, jobId)).to.include({ state: 'done', attempts: 3, last_error: null }), 2000);
      expect(handler.failures).to.deep.equal([]);
    });

    it('fails the job with its reason once no attempt is left, and at once for a permanent failure', async () => {
      const retried = await addFinishedRecording(bare.db, { now: START });
      const runner = startRunner({ maxAttempts: 2, concurrency: 1 });
      await scheduler.advance(0);
      await started(1);
      handler.fail(retried.jobId, new RetryableJobError('recordings-processing:failure.encoder', 'exit 1'));
      await eventually(async () => expect((await jobRow(bare.db, retried.jobId)).state).to.equal('queued'), 2000);
      await scheduler.advance(60_000);
      await started(2);
      handler.fail(retried.jobId, new RetryableJobError('recordings-processing:failure.encoder', 'exit 1 again'));
      await eventually(async () => expect(await jobRow(bare.db, retried.jobId)).to.include({ state: 'failed', attempts: 2, last_error: 'exit 1 again' }), 2000);
      // The handler marks what the job was for, and the job's row says it failed.
      await eventually(async () => expect(handler.failures).to.deep.equal([{ jobId: retried.jobId, reason: 'recordings-processing:failure.encoder' }]), 2000);

      const hopeless = await addFinishedRecording(bare.db, { now: scheduler.now() });
      runner.poke();
      await started(3);
      handler.fail(hopeless.jobId, new PermanentJobError('recordings-processing:failure.noMedia'));
      await eventually(async () => expect(await jobRow(bare.db, hopeless.jobId)).to.include({ state: 'failed', attempts: 1 }), 2000);
      await eventually(async () => expect(handler.failures[1]).to.deep.equal({ jobId: hopeless.jobId, reason: 'recordings-processing:failure.noMedia' }), 2000);
    });

    it('leaves nothing half-failed when marking what a job was for fails: the job is taken over and fails again, told', async () => {
      const { jobId } = await addFinishedRecording(bare.db, { now: START });
      let told = 0;
      const flaky = Object.assign(handler, {
        async failed(job: RecordingJob, reason: string) {
          // The first time, as if the process died or the database went away while marking the recording.
          if (++told === 1) throw new Error('connection lost');
          handler.failures.push({ jobId: job.id, reason });
        },
      });
      startRunner({ maxAttempts: 1 }, flaky);
      await scheduler.advance(0);
      await started(1);
      handler.fail(jobId, new PermanentJobError('recordings-processing:failure.noMedia'));
      await eventually(() => expect(told).to.equal(1), 2000);
      // Not ended as failed while what it was for is not: still claimed, so another instance takes it over once stale.
      expect(await jobRow(bare.db, jobId)).to.include({ state: 'running' });
      await scheduler.advance(SETTINGS.staleMs + 1);
      const second = startRunner({ maxAttempts: 1 }, flaky);
      await second.poll();
      await eventually(async () => expect(await jobRow(bare.db, jobId)).to.include({ state: 'failed' }), 2000);
      expect(handler.failures).to.deep.equal([{ jobId, reason: 'recordings-processing:failure.interrupted' }]);
    });

    it('gives running work back when stopped, and another instance resumes it at once', async () => {
      const { jobId } = await addFinishedRecording(bare.db, { now: START });
      const first = startRunner();
      await scheduler.advance(0);
      await started(1);
      await first.stop();
      expect(handler.aborted).to.deep.equal([jobId]);
      expect(await jobRow(bare.db, jobId)).to.include({ state: 'queued', attempts: 0, claimed_by: null });

      startRunner();
      await scheduler.advance(0);
      await started(2);
      handler.succeed(jobId);
      await eventually(async () => expect(await jobRow(bare.db, jobId)).to.include({ state: 'done', attempts: 1 }), 2000);
    });

    it('takes over a job whose instance died (its heartbeat went stale), not one still alive', async () => {
      const dead = await addFinishedRecording(bare.db, { now: START });
      const alive = await addFinishedRecording(bare.db, { now: START });
      await bare.db.updateTable('recording_jobs').set({ state: 'running', claimed_by: 'crashed', heartbeat_at: START - 20_000, attempts: 1 }).where('id', '=', dead.jobId).execute();
      await bare.db.updateTable('recording_jobs').set({ state: 'running', claimed_by: 'elsewhere', heartbeat_at: START, attempts: 1 }).where('id', '=', alive.jobId).execute();
      const runner = startRunner();
      await scheduler.advance(0);
      await runner.poll();
      expect(handler.started).to.have.length(0);
      await scheduler.advance(10_001);
      await runner.poll();
      await started(1);
      expect(handler.started[0]!.id).to.equal(dead.jobId);
      expect(await jobRow(bare.db, dead.jobId)).to.include({ state: 'running', attempts: 2 });
      expect(await jobRow(bare.db, alive.jobId)).to.include({ claimed_by: 'elsewhere' });
    });

    it('fails a job interrupted on every attempt instead of running it forever', async () => {
      const { jobId } = await addFinishedRecording(bare.db, { now: START });
      await bare.db.updateTable('recording_jobs').set({ state: 'running', claimed_by: 'crashed', heartbeat_at: START - 60_000, attempts: 3 }).where('id', '=', jobId).execute();
      startRunner();
      await scheduler.advance(0);
      await eventually(async () => expect(await jobRow(bare.db, jobId)).to.include({ state: 'failed' }), 2000);
      expect(handler.started).to.have.length(0);
      expect(handler.failures).to.deep.equal([{ jobId, reason: 'recordings-processing:failure.interrupted' }]);
    });

    it('stops working on a job another instance took over', async () => {
      const { jobId } = await addFinishedRecording(bare.db, { now: START });
      startRunner();
      await scheduler.advance(0);
      await started(1);
      await bare.db.updateTable('recording_jobs').set({ claimed_by: 'someone-else' }).where('id', '=', jobId).execute();
      await scheduler.advance(SETTINGS.heartbeatMs);
      await eventually(() => expect(handler.aborted).to.deep.equal([jobId]), 2000);
      expect(await jobRow(bare.db, jobId)).to.include({ state: 'running', claimed_by: 'someone-else' });
    });
  });
}
