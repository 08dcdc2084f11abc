/**
 * What publishing reads and writes in the database: the recording with its
 * room and session, and its publish_state. Every change is conditional on the
 * state the caller expects and bumps version and updated_at, so two instances
 * never both move a recording.
 */
import type { Kysely } from 'kysely';
import type { Database, RecordingPublishState } from '../../lib/db/schema.ts';

export interface RecordingToPublish {
  id: string;
  state: string;
  storageKey: string | null;
  sizeBytes: number | null;
  kalturaEntryId: string | null;
  publishState: RecordingPublishState | null;
  recordedBy: string | null;
  roomKind: 'channel' | 'private' | 'course';
  roomName: string;
  channelId: number | null;
  roomOwnerId: string | null;
  sessionStartedAt: number;
}

export interface PublishedChange {
  publishState: RecordingPublishState | null;
  publishStatus?: string | null;
  kalturaEntryId?: string | null;
  failureReason?: string | null;
}

export class PublishStore {
  readonly #db: Kysely<Database>;
  readonly #now: () => number;

  constructor(db: Kysely<Database>, now: () => number) {
    this.#db = db;
    this.#now = now;
  }

  async load(recordingId: string): Promise<RecordingToPublish | null> {
    const row = await this.#db
      .selectFrom('recordings as r')
      .innerJoin('rooms as room', 'room.id', 'r.room_id')
      .innerJoin('live_sessions as s', 's.id', 'r.live_session_id')
      .select([
        'r.id',
        'r.state',
        'r.storage_key',
        'r.size_bytes',
        'r.kaltura_entry_id',
        'r.publish_state',
        'r.recorded_by',
        'room.kind',
        'room.name',
        'room.channel_id',
        'room.owner_user_id',
        's.started_at',
      ])
      .where('r.id', '=', recordingId)
      .executeTakeFirst();
    if (!row) return null;
    return {
      id: row.id,
      state: row.state,
      storageKey: row.storage_key,
      sizeBytes: row.size_bytes === null ? null : Number(row.size_bytes),
      kalturaEntryId: row.kaltura_entry_id,
      publishState: row.publish_state,
      recordedBy: row.recorded_by,
      roomKind: row.kind,
      roomName: row.name,
      channelId: row.channel_id,
      roomOwnerId: row.owner_user_id,
      sessionStartedAt: Number(row.started_at),
    };
  }

  /** Moves publish_state from one of `from` (and the recording still ready); false when it was not there. */
  async move(recordingId: string, from: ReadonlyArray<RecordingPublishState | null>, change: PublishedChange): Promise<boolean> {
    const now = this.#now();
    const known = from.filter((state): state is RecordingPublishState => state !== null);
    const result = await this.#db
      .updateTable('recordings')
      .set((eb) => ({
        publish_state: change.publishState,
        ...(change.publishStatus !== undefined ? { publish_status: change.publishStatus } : {}),
        ...(change.kalturaEntryId !== undefined ? { kaltura_entry_id: change.kalturaEntryId } : {}),
        ...(change.failureReason !== undefined ? { failure_reason: change.failureReason } : {}),
        version: eb('version', '+', 1),
        updated_at: now,
      }))
      .where('id', '=', recordingId)
      .where('state', '=', 'ready')
      .where((eb) => {
        const options = [...(known.length > 0 ? [eb('publish_state', 'in', known)] : []), ...(from.includes(null) ? [eb('publish_state', 'is', null)] : [])];
        return eb.or(options);
      })
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Keeps the entry's id as soon as Kaltura gives it, so that the recording is never looked up by name. */
  async keepEntryId(recordingId: string, entryId: string): Promise<void> {
    await this.#db
      .updateTable('recordings')
      .set((eb) => ({ kaltura_entry_id: entryId, version: eb('version', '+', 1), updated_at: this.#now() }))
      .where('id', '=', recordingId)
      .where((eb) => eb.or([eb('kaltura_entry_id', 'is', null), eb('kaltura_entry_id', '!=', entryId)]))
      .execute();
  }
}
