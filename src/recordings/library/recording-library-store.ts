/**
 * The recordings library's SQL: a session's recordings with their jobs, one
 * recording, and the changes people make to them (rename, delete, Retry,
 * release) plus administrators' grants of hours. Every change of a recording
 * is conditional on the version the person saw (and, for state changes, on the
 * state it moves from) and bumps the version, so two people, or a person and
 * the job runner, never both move it.
 */
import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Db } from '../../lib/db/database.ts';
import type { RecordingsTable, RecordingJobKind, RecordingJobState, RecordingPublishState, RecordingState } from '../../lib/db/schema.ts';

export interface RecordingJob {
  kind: RecordingJobKind;
  state: RecordingJobState;
  progress: number;
  attempts: number;
  lastError: string | null;
}

export interface RecordingRecord {
  id: string;
  liveSessionId: string;
  roomId: string;
  title: string;
  state: RecordingState;
  publishState: RecordingPublishState | null;
  publishStatus: string | null;
  startedAt: number;
  endedAt: number | null;
  recordedBy: string | null;
  recordedByName: string | null;
  recordedSeconds: number;
  durationMs: number | null;
  sizeBytes: number | null;
  storageKey: string | null;
  rawFolder: string | null;
  kalturaEntryId: string | null;
  failureReason: string | null;
  version: number;
  jobs: RecordingJob[];
}

export interface RecordingGrant {
  id: string;
  seconds: number;
  note: string | null;
  grantedByName: string;
  grantedAt: number;
}

/** States in which the media server or the job runner may still be writing the recording's files. */
const BUSY_STATES: readonly RecordingState[] = ['recording', 'paused', 'processing'];

export function createRecordingLibraryStore(db: Db) {
  async function withJobs(rows: RecordingRow[]): Promise<RecordingRecord[]> {
    if (rows.length === 0) return [];
    const jobs = await db.selectFrom('recording_jobs').select(['recording_id', 'kind', 'state', 'progress', 'attempts', 'last_error']).where('recording_id', 'in', rows.map((row) => row.id)).orderBy('kind').execute();
    return rows.map((row) => toRecord(row, jobs.filter((job) => job.recording_id === row.id)));
  }

  return {
    async forSession(sessionId: string): Promise<RecordingRecord[]> {
      return withJobs(await db.selectFrom('recordings').selectAll().where('live_session_id', '=', sessionId).orderBy('started_at').orderBy('id').execute());
    },

    async find(id: string): Promise<RecordingRecord | null> {
      const row = await db.selectFrom('recordings').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? (await withJobs([row]))[0]! : null;
    },

    async rename(id: string, version: number, title: string, now: number): Promise<boolean> {
      const result = await db
        .updateTable('recordings')
        .set((eb) => ({ title, updated_at: now, version: eb('version', '+', 1) }))
        .where('id', '=', id)
        .where('version', '=', version)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /**
     * Deletes the recording and its jobs on the version the person saw, unless something may still
     * be writing its files (recording, processing, a running job). Answers the paths to remove.
     */
    async remove(id: string, version: number): Promise<{ storageKey: string | null; rawFolder: string | null } | null> {
      return db.transaction().execute(async (trx) => {
        const row = await trx
          .deleteFrom('recordings')
          .where('id', '=', id)
          .where('version', '=', version)
          .where('state', 'not in', BUSY_STATES)
          .where((eb) => eb.not(eb.exists(eb.selectFrom('recording_jobs').select('id').where('recording_id', '=', id).where('state', '=', 'running'))))
          .returning(['storage_key', 'raw_folder'])
          .executeTakeFirst();
        if (!row) return null;
        // The cascade would do it; spelled out so that no job row outlives its recording on any database.
        await trx.deleteFrom('recording_jobs').where('recording_id', '=', id).execute();
        return { storageKey: row.storage_key, rawFolder: row.raw_folder };
      });
    },

    /** An administrator's Retry: the failed job queued again from scratch, and the recording out of its failed state. */
    async retry(id: string, version: number, kind: RecordingJobKind, now: number): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        const moved = await trx
          .updateTable('recordings')
          .set(kind === 'process' ? { state: 'queued', failure_reason: null } : { publish_state: 'pending' })
          .set((eb) => ({ updated_at: now, version: eb('version', '+', 1) }))
          .where('id', '=', id)
          .where('version', '=', version)
          .where(kind === 'process' ? 'state' : 'publish_state', '=', 'failed')
          .executeTakeFirst();
        if (Number(moved.numUpdatedRows) !== 1) return false;
        const job = await trx
          .updateTable('recording_jobs')
          .set({ state: 'queued', attempts: 0, next_attempt_at: now, progress: 0, last_error: null, claimed_by: null, heartbeat_at: null, updated_at: now })
          .where('recording_id', '=', id)
          .where('kind', '=', kind)
          .where('state', '=', 'failed')
          .executeTakeFirst();
        if (Number(job.numUpdatedRows) === 1) return true;
        // A failed recording whose job row is gone (or never was): queue a fresh one.
        await queueJob(trx, id, kind, now);
        return true;
      });
    },

    /** An administrator releases a recording kept over quota: it is processed like any other. */
    async release(id: string, version: number, now: number): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        const moved = await trx
          .updateTable('recordings')
          .set((eb) => ({ state: 'queued' as const, updated_at: now, version: eb('version', '+', 1) }))
          .where('id', '=', id)
          .where('version', '=', version)
          .where('state', '=', 'over_quota')
          .executeTakeFirst();
        if (Number(moved.numUpdatedRows) !== 1) return false;
        await queueJob(trx, id, 'process', now);
        return true;
      });
    },

    async grants(roomId: string): Promise<RecordingGrant[]> {
      const rows = await db.selectFrom('recording_grants').selectAll().where('room_id', '=', roomId).orderBy('granted_at', 'desc').orderBy('id').execute();
      return rows.map((row) => ({ id: row.id, seconds: Number(row.seconds), note: row.note, grantedByName: row.granted_by_name, grantedAt: Number(row.granted_at) }));
    },

    async addGrant(grant: { roomId: string; seconds: number; note: string | null; grantedBy: string; grantedByName: string; grantedAt: number }): Promise<void> {
      await db
        .insertInto('recording_grants')
        .values({ id: randomUUID(), room_id: grant.roomId, seconds: grant.seconds, note: grant.note, granted_by: grant.grantedBy, granted_by_name: grant.grantedByName, granted_at: grant.grantedAt })
        .execute();
    },

    async findRoom(roomId: string): Promise<{ id: string; name: string } | null> {
      return (await db.selectFrom('rooms').select(['id', 'name']).where('id', '=', roomId).executeTakeFirst()) ?? null;
    },
  };
}

export type RecordingLibraryStore = ReturnType<typeof createRecordingLibraryStore>;

/** A job of this kind queued now: the existing row (one per recording and kind) reset, or a new one. */
async function queueJob(trx: Db, recordingId: string, kind: RecordingJobKind, now: number): Promise<void> {
  await trx
    .insertInto('recording_jobs')
    .values({ id: randomUUID(), recording_id: recordingId, kind, state: 'queued', attempts: 0, next_attempt_at: now, progress: 0, last_error: null, claimed_by: null, heartbeat_at: null, created_at: now, updated_at: now })
    .onConflict((oc) => oc.columns(['recording_id', 'kind']).doUpdateSet({ state: 'queued', attempts: 0, next_attempt_at: now, progress: 0, last_error: null, claimed_by: null, heartbeat_at: null, updated_at: now }))
    .execute();
}

type RecordingRow = Selectable<RecordingsTable>;

function toRecord(row: RecordingRow, jobs: Array<{ kind: RecordingJobKind; state: RecordingJobState; progress: number; attempts: number; last_error: string | null }>): RecordingRecord {
  const optionalNumber = (value: number | null) => (value === null ? null : Number(value));
  return {
    id: row.id,
    liveSessionId: row.live_session_id,
    roomId: row.room_id,
    title: row.title,
    state: row.state,
    publishState: row.publish_state,
    publishStatus: row.publish_status,
    startedAt: Number(row.started_at),
    endedAt: optionalNumber(row.ended_at),
    recordedBy: row.recorded_by,
    recordedByName: row.recorded_by_name,
    recordedSeconds: Number(row.recorded_seconds),
    durationMs: optionalNumber(row.duration_ms),
    sizeBytes: optionalNumber(row.size_bytes),
    storageKey: row.storage_key,
    rawFolder: row.raw_folder,
    kalturaEntryId: row.kaltura_entry_id,
    failureReason: row.failure_reason,
    version: Number(row.version),
    jobs: jobs.map((job) => ({ kind: job.kind, state: job.state, progress: Number(job.progress), attempts: Number(job.attempts), lastError: job.last_error })),
  };
}
