/**
 * Runs the recordings' background work (`recording_jobs`): processing the raw
 * streams into one MP4, publishing it to Kaltura. Jobs live in the database, so
 * they survive a restart: this instance polls for due jobs, claims each with a
 * conditional update (two instances never run one job), runs at most
 * `concurrency` at a time, says it is alive (heartbeat) while it runs them, and
 * takes over jobs whose instance stopped saying so. A failure another attempt
 * can help is retried with exponential backoff up to `maxAttempts`; any other
 * ends the job as failed, with a reason a person can read.
 *
 * Stopping aborts the running work (handlers kill their child processes and
 * remove their temporary files) and gives the jobs back, queued, so the next
 * start resumes them at once.
 */
import { randomUUID } from 'node:crypto';
import type { Scheduler, ScheduledTask } from '../../lib/clock/scheduler.ts';
import type { RecordingJobKind } from '../../lib/db/schema.ts';
import type { Logger } from '../../lib/logger/logger.ts';
import type { RecordingJob, RecordingJobStore } from './job-store.ts';

export type { RecordingJob } from './job-store.ts';

/**
 * A job's failure. `reason` is a key of a translation file (`namespace:key`): what people are told, in their
 * language, where the recording is shown; the cause (a tool's output) is for the logs and `last_error`.
 */
abstract class JobError extends Error {
  readonly reason: string;
  constructor(reason: string, detail?: string, options?: { cause?: unknown }) {
    super(detail ?? reason, options);
    this.reason = reason;
  }
}

/** Another attempt can help (a tool that failed, a disk that was full for a moment). */
export class RetryableJobError extends JobError {
  override name = 'RetryableJobError';
}

/** Another attempt cannot help (no media to process, corrupt input). */
export class PermanentJobError extends JobError {
  override name = 'PermanentJobError';
}

export interface RecordingJobHandler {
  kind: RecordingJobKind;
  /**
   * Does the job's work, calling `report` with its progress (0 to 100). `signal` aborts when the runner stops or
   * loses its claim: end child processes, remove temporary files, and reject.
   */
  run(job: RecordingJob, report: (progress: number) => Promise<void>, signal: AbortSignal): Promise<void>;
  /** The job failed for good (no attempt left, or nothing another attempt can change): mark what it was for. */
  failed?(job: RecordingJob, reason: string): Promise<void>;
}

export interface RecordingJobRunnerOptions {
  store: RecordingJobStore;
  handlers: readonly RecordingJobHandler[];
  scheduler: Scheduler;
  logger: Logger;
  /** Jobs run at once on this instance. */
  concurrency: number;
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** The wait before the second attempt; it doubles for each one after. */
  retryBaseMs: number;
  heartbeatMs: number;
  /** A running job whose heartbeat is older than this is taken over (its instance is gone). */
  staleMs: number;
  pollMs: number;
  instanceId?: string;
}

/** Used when a job was interrupted too often (its instance died while running it, again and again). */
export const INTERRUPTED_REASON = 'recordings-processing:failure.interrupted';
const UNEXPECTED_REASON = 'recordings-processing:failure.unexpected';
const MAX_ERROR_LENGTH = 2000;

interface RunningJob {
  job: RecordingJob;
  controller: AbortController;
  done: Promise<void>;
}

export class RecordingJobRunner {
  readonly instanceId: string;
  readonly #options: RecordingJobRunnerOptions;
  readonly #handlers: Map<RecordingJobKind, RecordingJobHandler>;
  readonly #running = new Map<string, RunningJob>();
  #pollTask: ScheduledTask | null = null;
  #pollDueAt = 0;
  #pollAgain = false;
  readonly #retryTasks = new Set<ScheduledTask>();
  #heartbeatTask: ScheduledTask | null = null;
  #polling: Promise<void> | null = null;
  #started = false;

  constructor(options: RecordingJobRunnerOptions) {
    this.#options = options;
    this.instanceId = options.instanceId ?? randomUUID();
    this.#handlers = new Map(options.handlers.map((handler) => [handler.kind, handler]));
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#schedulePoll(0);
    this.#scheduleHeartbeat();
  }

  /** Looks for due jobs now (a recording that just finished need not wait for the next poll). */
  poke(): void {
    if (this.#started) this.#pollNow();
  }

  /** Jobs running on this instance now. */
  runningCount(): number {
    return this.#running.size;
  }

  /** Waits until the jobs running now have ended (tests; a clean shutdown after `stop`). */
  async idle(): Promise<void> {
    while (this.#polling || this.#running.size > 0) {
      await this.#polling;
      await Promise.all([...this.#running.values()].map((running) => running.done));
    }
  }

  /** Stops polling, aborts the running jobs and gives them back, queued, for the next start (here or elsewhere). */
  async stop(): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    this.#pollTask?.cancel();
    this.#pollTask = null;
    this.#heartbeatTask?.cancel();
    for (const task of this.#retryTasks) task.cancel();
    this.#retryTasks.clear();
    await this.#polling;
    for (const running of this.#running.values()) running.controller.abort(new Error('the service is stopping'));
    await this.idle();
  }

  /** One round: claims due jobs up to the free places and starts them; answers once they are started. */
  async poll(): Promise<void> {
    if (this.#polling) {
      // Asked again while a round reads: that round may have read before the reason for asking.
      this.#pollAgain = true;
      return this.#polling;
    }
    this.#polling = (async () => {
      do {
        this.#pollAgain = false;
        await this.#claimDue();
      } while (this.#pollAgain && this.#started);
    })().finally(() => (this.#polling = null));
    return this.#polling;
  }

  async #claimDue(): Promise<void> {
    const { store, scheduler, concurrency, staleMs } = this.#options;
    const free = concurrency - this.#running.size;
    if (!this.#started || free <= 0) return;
    const now = scheduler.now();
    const rows = await store.claimable([...this.#handlers.keys()], now, now - staleMs, free * 2);
    for (const row of rows) {
      if (!this.#started || this.#running.size >= concurrency) break;
      if (this.#running.has(row.id)) continue;
      const job = await store.claim(row, this.instanceId, scheduler.now(), scheduler.now() - staleMs);
      if (job) this.#begin(job);
    }
  }

  #begin(job: RecordingJob): void {
    const controller = new AbortController();
    const running: RunningJob = { job, controller, done: Promise.resolve() };
    this.#running.set(job.id, running);
    running.done = this.#run(job, controller.signal)
      .catch((error: unknown) => this.#options.logger.error({ err: error, jobId: job.id }, 'recording job bookkeeping failed'))
      .finally(() => {
        this.#running.delete(job.id);
        // A place is free: the next due job need not wait for the next poll.
        if (this.#started) this.#pollNow();
      });
  }

  async #run(job: RecordingJob, signal: AbortSignal): Promise<void> {
    const { store, scheduler, logger, maxAttempts } = this.#options;
    const handler = this.#handlers.get(job.kind)!;
    if (job.attempts > maxAttempts) {
      // Its instance died while running it every time: something in the job itself brings the process down.
      await this.#fail(handler, job, INTERRUPTED_REASON, 'interrupted on every attempt');
      return;
    }
    let reported = job.progress;
    const report = async (progress: number) => {
      const rounded = Math.max(0, Math.min(100, Math.floor(progress)));
      if (rounded === reported || signal.aborted) return;
      reported = rounded;
      if (!(await store.heartbeat(job.id, this.instanceId, scheduler.now(), rounded))) this.#lost(job);
    };
    logger.info({ jobId: job.id, kind: job.kind, recordingId: job.recordingId, attempt: job.attempts }, 'recording job started');
    try {
      await handler.run(job, report, signal);
    } catch (error) {
      await this.#afterError(handler, job, error, signal);
      return;
    }
    if (await store.finish(job.id, this.instanceId, scheduler.now(), { state: 'done', lastError: null })) {
      logger.info({ jobId: job.id, kind: job.kind, recordingId: job.recordingId }, 'recording job done');
    }
  }

  async #afterError(handler: RecordingJobHandler, job: RecordingJob, error: unknown, signal: AbortSignal): Promise<void> {
    const { store, scheduler, logger, maxAttempts, retryBaseMs } = this.#options;
    if (signal.aborted) {
      // Stopped or taken over: not a failure of the job. Given back when this instance still holds it.
      await store.finish(job.id, this.instanceId, scheduler.now(), { state: 'queued', nextAttemptAt: scheduler.now(), attemptsBack: true });
      logger.info({ jobId: job.id, kind: job.kind }, 'recording job abandoned (stopping), queued again');
      return;
    }
    const detail = describe(error);
    const permanent = error instanceof PermanentJobError;
    if (!permanent && job.attempts < maxAttempts) {
      const nextAttemptAt = scheduler.now() + retryBaseMs * 2 ** (job.attempts - 1);
      await store.finish(job.id, this.instanceId, scheduler.now(), { state: 'queued', nextAttemptAt, lastError: detail });
      logger.warn({ jobId: job.id, kind: job.kind, attempt: job.attempts, retryAt: nextAttemptAt, err: error }, 'recording job failed, will retry');
      this.#scheduleRetry(nextAttemptAt);
      return;
    }
    const reason = error instanceof JobError ? error.reason : UNEXPECTED_REASON;
    if (!(error instanceof JobError)) logger.error({ err: error, jobId: job.id }, 'recording job failed unexpectedly');
    await this.#fail(handler, job, reason, detail);
  }

  async #fail(handler: RecordingJobHandler, job: RecordingJob, reason: string, detail: string): Promise<void> {
    const { store, scheduler, logger } = this.#options;
    // Still ours (not taken over): what the job was for is marked failed first. Should this instance die before the
    // job's own end, the job is taken over and ends the same way; never a failed job over a recording "processing".
    if (!(await store.heartbeat(job.id, this.instanceId, scheduler.now()))) return;
    await handler.failed?.(job, reason);
    if (!(await store.finish(job.id, this.instanceId, scheduler.now(), { state: 'failed', lastError: detail }))) return;
    logger.warn({ jobId: job.id, kind: job.kind, recordingId: job.recordingId, reason, detail }, 'recording job failed');
  }

  /** Another instance took the job over (this one looked dead to it): stop working on it. */
  #lost(job: RecordingJob): void {
    this.#options.logger.warn({ jobId: job.id }, 'recording job claim lost, abandoning it');
    this.#running.get(job.id)?.controller.abort(new Error('claim lost'));
  }

  #heartbeatAll = async (): Promise<void> => {
    const { store, scheduler } = this.#options;
    for (const { job } of this.#running.values()) {
      if (!(await store.heartbeat(job.id, this.instanceId, scheduler.now()))) this.#lost(job);
    }
  };

  #pollNow(): void {
    this.poll().catch((error: unknown) => this.#options.logger.warn({ err: error }, 'polling recording jobs failed'));
  }

  /** Keeps one poll pending, the soonest asked for. */
  #schedulePoll(delayMs: number): void {
    const at = this.#options.scheduler.now() + delayMs;
    if (this.#pollTask && this.#pollDueAt <= at) return;
    this.#pollTask?.cancel();
    this.#pollDueAt = at;
    this.#pollTask = this.#options.scheduler.schedule(delayMs, () => {
      this.#pollTask = null;
      this.poll()
        .catch((error: unknown) => this.#options.logger.warn({ err: error }, 'polling recording jobs failed'))
        .finally(() => {
          if (this.#started) this.#schedulePoll(this.#options.pollMs);
        });
    });
  }

  /** A retry runs when it falls due, whenever the polls come. */
  #scheduleRetry(at: number): void {
    if (!this.#started) return;
    const task = this.#options.scheduler.schedule(Math.max(0, at - this.#options.scheduler.now()), () => {
      this.#retryTasks.delete(task);
      if (this.#started) this.#pollNow();
    });
    this.#retryTasks.add(task);
  }

  #scheduleHeartbeat(): void {
    this.#heartbeatTask = this.#options.scheduler.schedule(this.#options.heartbeatMs, () => {
      this.#heartbeatAll()
        .catch((error: unknown) => this.#options.logger.warn({ err: error }, 'recording job heartbeat failed'))
        .finally(() => {
          if (this.#started) this.#scheduleHeartbeat();
        });
    });
  }
}

function describe(error: unknown): string {
  const text = error instanceof Error ? (error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message) : String(error);
  return text.slice(0, MAX_ERROR_LENGTH);
}
