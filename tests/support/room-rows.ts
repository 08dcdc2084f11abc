/**
 * Rows straight into the database, for tests that need a room, a recording or a recording's job and not the
 * service's way of making them: what the test names, and otherwise the plainest row of its kind.
 */
import type { Insertable } from 'kysely';
import type { Db } from '../../src/lib/db/database.ts';
import type { NewRoomRow, RecordingJobsTable, RecordingsTable } from '../../src/lib/db/schema.ts';

/** A plain room outside the plans, created now. */
export async function insertRoomRow(db: Db, room: Pick<NewRoomRow, 'id' | 'kind' | 'name'> & Partial<NewRoomRow>): Promise<void> {
  const now = room.created_at ?? Date.now();
  await db
    .insertInto('rooms')
    .values({ channel_id: null, owner_user_id: null, capacity: null, created_at: now, updated_at: now, summary: null, description: null, plan_id: null, plan_limits: null, image_id: null, updated_by: null, ...room })
    .execute();
}

/** A recording of a session, titled "Recording", without a file or a Kaltura entry, created when it started. */
export async function insertRecordingRow(db: Db, recording: Pick<Insertable<RecordingsTable>, 'id' | 'live_session_id' | 'room_id' | 'started_at'> & Partial<Insertable<RecordingsTable>>): Promise<void> {
  await db
    .insertInto('recordings')
    .values({ title: 'Recording', ended_at: null, storage_key: null, kaltura_entry_id: null, created_at: recording.started_at, ...recording })
    .execute();
}

/** A recording's job, unclaimed: queued with no attempt made and no error unless the test says otherwise, last changed when made. */
export async function insertRecordingJobRow(db: Db, job: Pick<Insertable<RecordingJobsTable>, 'id' | 'recording_id' | 'kind' | 'next_attempt_at' | 'created_at'> & Partial<Insertable<RecordingJobsTable>>): Promise<void> {
  await db
    .insertInto('recording_jobs')
    .values({ state: 'queued', attempts: 0, progress: 0, last_error: null, claimed_by: null, heartbeat_at: null, updated_at: job.created_at, ...job })
    .execute();
}
