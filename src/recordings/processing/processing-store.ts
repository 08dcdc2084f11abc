/**
 * The recording rows a processing reads and moves: every change is conditional on the state it expects and
 * bumps `version` and `updated_at`, so a processing never overwrites what someone else did meanwhile (a
 * recording deleted, retried, or moved by another instance).
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../../lib/db/database.ts';
import type { RecordingState, RoomsTable } from '../../lib/db/schema.ts';

export interface RecordingToProcess {
  id: string;
  roomId: string;
  roomKind: RoomsTable['kind'];
  channelId: number | null;
  state: RecordingState;
  rawFolder: string | null;
  recordedSeconds: number;
}

export interface ReadyFile {
  storageKey: string;
  durationMs: number;
  sizeBytes: number;
}

export class ProcessingStore {
  readonly #db: Db;
  readonly #now: () => number;

  constructor(db: Db, now: () => number) {
    this.#db = db;
    this.#now = now;
  }

  async find(recordingId: string): Promise<RecordingToProcess | null> {
    const row = await this.#db
      .selectFrom('recordings')
      .innerJoin('rooms', 'rooms.id', 'recordings.room_id')
      .select(['recordings.id', 'recordings.room_id', 'rooms.kind', 'rooms.channel_id', 'recordings.state', 'recordings.raw_folder', 'recordings.recorded_seconds'])
      .where('recordings.id', '=', recordingId)
      .executeTakeFirst();
    if (!row) return null;
    return { id: row.id, roomId: row.room_id, roomKind: row.kind, channelId: row.channel_id, state: row.state, rawFolder: row.raw_folder, recordedSeconds: row.recorded_seconds };
  }

  /** Moves the recording to processing from one of `from`; false when it is in none of them any more. */
  async startProcessing(recordingId: string, from: readonly RecordingState[]): Promise<boolean> {
    return this.#move(recordingId, from, { state: 'processing', failure_reason: null });
  }

  async markFailed(recordingId: string, reason: string): Promise<boolean> {
    return this.#move(recordingId, ['queued', 'processing'], { state: 'failed', failure_reason: reason });
  }

  /** The final file is in place: remembered before the raw folder goes, so a crash in between loses nothing. */
  async recordFile(recordingId: string, file: ReadyFile): Promise<boolean> {
    return this.#move(recordingId, ['processing'], { storage_key: file.storageKey, duration_ms: file.durationMs, size_bytes: file.sizeBytes });
  }

  /** Ready, its raw folder gone; with a queued publish job in the same transaction when it is to be published. */
  async markReady(recordingId: string, publish: boolean): Promise<boolean> {
    return this.#db.transaction().execute(async (trx) => {
      const now = this.#now();
      const moved = await trx
        .updateTable('recordings')
        .set((eb) => ({ state: 'ready', raw_folder: null, failure_reason: null, ...(publish ? { publish_state: 'pending' as const } : {}), updated_at: now, version: eb('version', '+', 1) }))
        .where('id', '=', recordingId)
        .where('state', '=', 'processing')
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) !== 1) return false;
      if (publish) {
        await trx
          .insertInto('recording_jobs')
          .values({ id: randomUUID(), recording_id: recordingId, kind: 'publish', state: 'queued', attempts: 0, next_attempt_at: now, progress: 0, last_error: null, claimed_by: null, heartbeat_at: null, created_at: now, updated_at: now })
          .onConflict((oc) => oc.columns(['recording_id', 'kind']).doNothing())
          .execute();
      }
      return true;
    });
  }

  async #move(recordingId: string, from: readonly RecordingState[], changes: Record<string, unknown>): Promise<boolean> {
    const result = await this.#db
      .updateTable('recordings')
      .set((eb) => ({ ...changes, updated_at: this.#now(), version: eb('version', '+', 1) }))
      .where('id', '=', recordingId)
      .where('state', 'in', from)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
