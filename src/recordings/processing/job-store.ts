/**
 * The only code that touches `recording_jobs`. Every change of a job's state is
 * conditional on what the caller last saw (its state and `updated_at`, or its
 * claim), so two instances polling the same database never both run one job.
 */
import type { Db } from '../../lib/db/database.ts';
import type { Selectable } from 'kysely';
import type { RecordingJobKind, RecordingJobsTable } from '../../lib/db/schema.ts';

export interface RecordingJob {
  id: string;
  recordingId: string;
  kind: RecordingJobKind;
  /** Attempts so far, this one included once claimed. */
  attempts: number;
  progress: number;
}

export type JobRow = Pick<Selectable<RecordingJobsTable>, 'id' | 'recording_id' | 'kind' | 'state' | 'attempts' | 'updated_at' | 'progress'>;

export interface JobOutcome {
  state: 'queued' | 'done' | 'failed';
  /** When a queued job may run again. */
  nextAttemptAt?: number;
  lastError?: string | null;
  /** The attempt is given back (work abandoned by a stop, not a failure). */
  attemptsBack?: boolean;
}

export class RecordingJobStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Jobs that may be claimed now: due queued ones, and running ones whose instance stopped saying it is alive. */
  async claimable(kinds: readonly RecordingJobKind[], now: number, staleBefore: number, limit: number): Promise<JobRow[]> {
    if (kinds.length === 0 || limit <= 0) return [];
    return this.#db
      .selectFrom('recording_jobs')
      .select(['id', 'recording_id', 'kind', 'state', 'attempts', 'updated_at', 'progress'])
      .where('kind', 'in', kinds)
      .where((eb) =>
        eb.or([
          eb.and([eb('state', '=', 'queued'), eb('next_attempt_at', '<=', now)]),
          eb.and([eb('state', '=', 'running'), eb.or([eb('heartbeat_at', 'is', null), eb('heartbeat_at', '<', staleBefore)])]),
        ]),
      )
      .orderBy('next_attempt_at')
      .limit(limit)
      .execute();
  }

  /** Takes the job for this instance if nobody changed it since it was read; answers the claimed job or null. */
  async claim(row: JobRow, instanceId: string, now: number, staleBefore: number): Promise<RecordingJob | null> {
    let update = this.#db
      .updateTable('recording_jobs')
      .set({ state: 'running', claimed_by: instanceId, heartbeat_at: now, attempts: row.attempts + 1, updated_at: Math.max(now, row.updated_at + 1) })
      .where('id', '=', row.id)
      .where('state', '=', row.state)
      .where('updated_at', '=', row.updated_at);
    // A heartbeat since the read means its instance is alive after all.
    if (row.state === 'running') update = update.where((eb) => eb.or([eb('heartbeat_at', 'is', null), eb('heartbeat_at', '<', staleBefore)]));
    const result = await update.executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) return null;
    return { id: row.id, recordingId: row.recording_id, kind: row.kind, attempts: row.attempts + 1, progress: row.progress };
  }

  /** Says the claim is alive, with the progress when given; false when the claim was lost (taken over as stale). */
  async heartbeat(jobId: string, instanceId: string, now: number, progress?: number): Promise<boolean> {
    const result = await this.#db
      .updateTable('recording_jobs')
      .set(progress === undefined ? { heartbeat_at: now } : { heartbeat_at: now, progress })
      .where('id', '=', jobId)
      .where('state', '=', 'running')
      .where('claimed_by', '=', instanceId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Ends this instance's claim with an outcome; false when the claim had been lost meanwhile. */
  async finish(jobId: string, instanceId: string, now: number, outcome: JobOutcome): Promise<boolean> {
    const result = await this.#db
      .updateTable('recording_jobs')
      .set((eb) => ({
        state: outcome.state,
        claimed_by: null,
        heartbeat_at: null,
        updated_at: now,
        ...(outcome.state === 'done' ? { progress: 100 } : {}),
        ...(outcome.nextAttemptAt !== undefined ? { next_attempt_at: outcome.nextAttemptAt } : {}),
        ...(outcome.lastError !== undefined ? { last_error: outcome.lastError } : {}),
        ...(outcome.attemptsBack ? { attempts: eb('attempts', '-', 1) } : {}),
      }))
      .where('id', '=', jobId)
      .where('state', '=', 'running')
      .where('claimed_by', '=', instanceId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Queues a job for a recording unless it has one of that kind already (the unique index says so). */
  async enqueue(recordingId: string, kind: RecordingJobKind, id: string, now: number): Promise<void> {
    await this.#db
      .insertInto('recording_jobs')
      .values({ id, recording_id: recordingId, kind, state: 'queued', attempts: 0, next_attempt_at: now, progress: 0, last_error: null, claimed_by: null, heartbeat_at: null, created_at: now, updated_at: now })
      .onConflict((oc) => oc.columns(['recording_id', 'kind']).doNothing())
      .execute();
  }
}
