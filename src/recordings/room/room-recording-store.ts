/**
 * The database side of recording in the room: the recording's row while it
 * records, the ledger of recorded seconds (appended at each pause, at the end,
 * and at least every minute; the row's recorded_seconds is kept equal to its
 * ledger's sum), and the finish that hands the raw files to processing. Every
 * state change is conditional on the expected previous state and bumps the
 * version, so two instances never both move a recording.
 */
import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Db } from '../../lib/db/database.ts';
import type { Database, RecordingFinishReason } from '../../lib/db/schema.ts';

export interface NewRoomRecording {
  id: string;
  roomId: string;
  liveSessionId: string;
  title: string;
  recordedBy: string;
  recordedByName: string;
  startedAt: number;
}

/** A recording that is recording or paused: what the room needs to carry on after a restart. */
export interface OpenRecording {
  id: string;
  roomId: string;
  liveSessionId: string;
  state: 'recording' | 'paused';
  recordedByName: string;
  startedAt: number;
  recordedSeconds: number;
  updatedAt: number;
}

export interface RecordingFinish {
  /** Seconds recorded since the last ledger row (0 when nothing is left to count). */
  seconds: number;
  reason: RecordingFinishReason;
  endedAt: number;
  /** The raw files, relative to the data folder. */
  rawFolder: string;
  /** Held for an administrator (over the quota): no processing job until they release it. */
  overQuota: boolean;
}

export interface RoomRecordingStore {
  /** Whether the live session already has a recording that is recording or paused. */
  openFor(liveSessionId: string): Promise<OpenRecording | null>;
  listOpen(): Promise<OpenRecording[]>;
  create(recording: NewRoomRecording): Promise<void>;
  /** Appends recorded seconds to the ledger and the recording's total, and moves it to `state` (from the other open state, or the same). */
  meter(id: string, roomId: string, seconds: number, at: number, state: 'recording' | 'paused'): Promise<boolean>;
  /** The last seconds, the end, and the processing job, in one transaction; false if it was no longer open. */
  finish(id: string, roomId: string, finish: RecordingFinish): Promise<boolean>;
}

const OPEN_STATES = ['recording', 'paused'] as const;

export function createRoomRecordingStore(db: Db): RoomRecordingStore {
  const openRows = () =>
    db
      .selectFrom('recordings')
      .select(['id', 'room_id', 'live_session_id', 'state', 'recorded_by_name', 'started_at', 'recorded_seconds', 'updated_at'])
      .where('state', 'in', OPEN_STATES);
  const toOpen = (row: Awaited<ReturnType<ReturnType<typeof openRows>['executeTakeFirstOrThrow']>>): OpenRecording => ({
    id: row.id,
    roomId: row.room_id,
    liveSessionId: row.live_session_id,
    state: row.state as OpenRecording['state'],
    recordedByName: row.recorded_by_name ?? '',
    startedAt: Number(row.started_at),
    recordedSeconds: Number(row.recorded_seconds),
    updatedAt: Number(row.updated_at ?? row.started_at),
  });

  return {
    async openFor(liveSessionId) {
      const row = await openRows().where('live_session_id', '=', liveSessionId).executeTakeFirst();
      return row ? toOpen(row) : null;
    },
    async listOpen() {
      return (await openRows().execute()).map(toOpen);
    },
    async create(recording) {
      await db
        .insertInto('recordings')
        .values({
          id: recording.id,
          live_session_id: recording.liveSessionId,
          room_id: recording.roomId,
          title: recording.title,
          started_at: recording.startedAt,
          ended_at: null,
          storage_key: null,
          kaltura_entry_id: null,
          created_at: recording.startedAt,
          state: 'recording',
          recorded_by: recording.recordedBy,
          recorded_by_name: recording.recordedByName,
          finish_reason: null,
          raw_folder: null,
          duration_ms: null,
          size_bytes: null,
          failure_reason: null,
          publish_state: null,
          publish_status: null,
          updated_at: recording.startedAt,
        })
        .execute();
    },
    meter(id, roomId, seconds, at, state) {
      return db.transaction().execute(async (trx) => {
        const moved = await trx
          .updateTable('recordings')
          .set((eb) => ({ state, recorded_seconds: eb('recorded_seconds', '+', seconds), updated_at: at, version: eb('version', '+', 1) }))
          .where('id', '=', id)
          .where('state', 'in', OPEN_STATES)
          .executeTakeFirst();
        if (Number(moved.numUpdatedRows) !== 1) return false;
        await addToLedger(trx, id, roomId, seconds, at);
        return true;
      });
    },
    finish(id, roomId, finish) {
      return db.transaction().execute(async (trx) => {
        const moved = await trx
          .updateTable('recordings')
          .set((eb) => ({
            state: finish.overQuota ? 'over_quota' : 'queued',
            finish_reason: finish.reason,
            ended_at: finish.endedAt,
            raw_folder: finish.rawFolder,
            recorded_seconds: eb('recorded_seconds', '+', finish.seconds),
            updated_at: finish.endedAt,
            version: eb('version', '+', 1),
          }))
          .where('id', '=', id)
          .where('state', 'in', OPEN_STATES)
          .executeTakeFirst();
        if (Number(moved.numUpdatedRows) !== 1) return false;
        await addToLedger(trx, id, roomId, finish.seconds, finish.endedAt);
        // An over-quota recording waits for an administrator, who releases it into processing (or deletes it).
        if (!finish.overQuota) {
          await trx
            .insertInto('recording_jobs')
            .values({ id: randomUUID(), recording_id: id, kind: 'process', state: 'queued', next_attempt_at: finish.endedAt, last_error: null, claimed_by: null, heartbeat_at: null, created_at: finish.endedAt, updated_at: finish.endedAt })
            .execute();
        }
        return true;
      });
    },
  };
}

/** A ledger row per metering with something to count: a pause right after a resume adds none. */
async function addToLedger(trx: Transaction<Database>, recordingId: string, roomId: string, seconds: number, at: number): Promise<void> {
  if (seconds <= 0) return;
  await trx.insertInto('recording_ledger').values({ id: randomUUID(), room_id: roomId, recording_id: recordingId, seconds, recorded_at: at }).execute();
}
