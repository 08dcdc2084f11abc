import type { Kysely } from 'kysely';

// Cloud recordings. A recording goes through three stages, each kept here so
// that a restart resumes it: recording in the room (metered in seconds from the
// server's clock, pauses excluded), processing the media server's raw streams
// into one MP4 (a job), publishing that file to Kaltura (another job). Recorded
// time is what a plan sells, so it is kept as a ledger that deleting a recording
// does not touch; administrators add hours to a course as grants.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('recordings')
    // recording | paused | over_quota | queued | processing | ready | failed
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('ready'))
    .execute();
  await db.schema.alterTable('recordings').addColumn('recorded_by', 'text').execute();
  await db.schema.alterTable('recordings').addColumn('recorded_by_name', 'text').execute();
  // Seconds metered while recording, pauses excluded (the ledger holds the same total).
  await db.schema.alterTable('recordings').addColumn('recorded_seconds', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  // Why recording ended: stopped | session_ended | quota | disk_full | media_server_lost
  await db.schema.alterTable('recordings').addColumn('finish_reason', 'text').execute();
  // The media server's raw files, relative to the data folder; removed once the final file is safe.
  await db.schema.alterTable('recordings').addColumn('raw_folder', 'text').execute();
  // The final file (storage_key, from 0010, is its path relative to the data folder).
  await db.schema.alterTable('recordings').addColumn('duration_ms', 'bigint').execute();
  await db.schema.alterTable('recordings').addColumn('size_bytes', 'bigint').execute();
  // A reason a person can read, when state is failed (or publishing failed).
  await db.schema.alterTable('recordings').addColumn('failure_reason', 'text').execute();
  // null (not published, nowhere to publish) | pending | publishing | published | failed
  await db.schema.alterTable('recordings').addColumn('publish_state', 'text').execute();
  // Kaltura's category entry: active, or pending in a moderated channel.
  await db.schema.alterTable('recordings').addColumn('publish_status', 'text').execute();
  await db.schema.alterTable('recordings').addColumn('updated_at', 'bigint').execute();
  await db.schema.alterTable('recordings').addColumn('version', 'integer', (c) => c.notNull().defaultTo(1)).execute();
  await db.schema.createIndex('recordings_room_state').on('recordings').columns(['room_id', 'state']).execute();

  // Recorded seconds per course, appended while recording (at least every minute, and at each
  // pause and stop) so that a crash loses at most a minute and the room and the Plans page agree.
  await db.schema
    .createTable('recording_ledger')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('room_id', 'text', (c) => c.notNull())
    // No foreign key: the time stays counted after the recording is deleted.
    .addColumn('recording_id', 'text', (c) => c.notNull())
    .addColumn('seconds', 'integer', (c) => c.notNull())
    .addColumn('recorded_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('recording_ledger_room').on('recording_ledger').columns(['room_id', 'recorded_at']).execute();
  await db.schema.createIndex('recording_ledger_recording').on('recording_ledger').column('recording_id').execute();

  // Hours an administrator added to a course, on top of its plan's.
  await db.schema
    .createTable('recording_grants')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('room_id', 'text', (c) => c.notNull())
    .addColumn('seconds', 'integer', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('granted_by', 'text', (c) => c.notNull())
    .addColumn('granted_by_name', 'text', (c) => c.notNull())
    .addColumn('granted_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('recording_grants_room').on('recording_grants').column('room_id').execute();

  // Work on a recording that must survive a restart: process (raw streams to one MP4) and publish (to Kaltura).
  await db.schema
    .createTable('recording_jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('recording_id', 'text', (c) => c.notNull().references('recordings.id').onDelete('cascade'))
    // process | publish
    .addColumn('kind', 'text', (c) => c.notNull())
    // queued | running | done | failed (failed: no attempt left; an administrator's Retry queues it again)
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    // 0 to 100
    .addColumn('progress', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    // The instance running it and when it last said so; a stale claim is taken over after a restart.
    .addColumn('claimed_by', 'text')
    .addColumn('heartbeat_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('recording_jobs_one_per_kind').on('recording_jobs').columns(['recording_id', 'kind']).unique().execute();
  await db.schema.createIndex('recording_jobs_due').on('recording_jobs').columns(['state', 'next_attempt_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('recording_jobs').execute();
  await db.schema.dropTable('recording_grants').execute();
  await db.schema.dropTable('recording_ledger').execute();
  await db.schema.dropIndex('recordings_room_state').execute();
  for (const column of ['version', 'updated_at', 'publish_status', 'publish_state', 'failure_reason', 'size_bytes', 'duration_ms', 'raw_folder', 'finish_reason', 'recorded_seconds', 'recorded_by_name', 'recorded_by', 'state']) {
    await db.schema.alterTable('recordings').dropColumn(column).execute();
  }
}
