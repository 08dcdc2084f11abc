import type { Kysely } from 'kysely';

// Session Stats: the viewer's time zone on their profile, time in the waiting
// room (recorded from this migration on: rows before it have none, and what
// attendance rows mean does not change), recordings (none are made yet; the
// overview and the session page read this table), instructors' Excused marks
// kept as a history, the statistics' own settings, and the indexes that keep
// the overview, a session and a course report fast over a million attendance rows.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').addColumn('time_zone', 'text').execute();

  await db.schema
    .createTable('waiting_room_visits')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('room_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('user_email', 'text')
    .addColumn('arrived_at', 'bigint', (c) => c.notNull())
    // Set when the session started with them waiting: they were admitted into it.
    .addColumn('live_session_id', 'text', (c) => c.references('live_sessions.id').onDelete('cascade'))
    .addColumn('admitted_at', 'bigint')
    .addColumn('left_at', 'bigint')
    .execute();
  await db.schema.createIndex('waiting_room_visits_room_open').on('waiting_room_visits').columns(['room_id', 'live_session_id']).execute();
  await db.schema.createIndex('waiting_room_visits_session').on('waiting_room_visits').columns(['live_session_id', 'user_id']).execute();
  await db.schema.createIndex('waiting_room_visits_arrived').on('waiting_room_visits').column('arrived_at').execute();

  await db.schema
    .createTable('recordings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('live_session_id', 'text', (c) => c.notNull().references('live_sessions.id').onDelete('cascade'))
    .addColumn('room_id', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('ended_at', 'bigint')
    // Where it plays from: a file of the data folder or a Kaltura entry, once recordings exist.
    .addColumn('storage_key', 'text')
    .addColumn('kaltura_entry_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('recordings_session').on('recordings').column('live_session_id').execute();

  await db.schema
    .createTable('attendance_excusals')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('live_session_id', 'text', (c) => c.notNull().references('live_sessions.id').onDelete('cascade'))
    // The change's place in the session's history: changes made within one millisecond keep their order.
    .addColumn('sequence', 'integer', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    // 1: excused from then on; 0: the excuse withdrawn.
    .addColumn('excused', 'integer', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('changed_by', 'text', (c) => c.notNull())
    .addColumn('changed_by_name', 'text', (c) => c.notNull())
    .addColumn('changed_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('attendance_excusals_session').on('attendance_excusals').columns(['live_session_id', 'sequence']).unique().execute();

  await db.schema
    .createTable('stats_settings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  // An ended session's figures, counted once when an overview first needs them (enrolment as it was then).
  await db.schema
    .createTable('live_session_summaries')
    .addColumn('live_session_id', 'text', (c) => c.primaryKey().references('live_sessions.id').onDelete('cascade'))
    .addColumn('students', 'integer', (c) => c.notNull())
    .addColumn('enrolled', 'integer', (c) => c.notNull())
    .addColumn('enrolled_attended', 'integer', (c) => c.notNull())
    .addColumn('computed_at', 'bigint', (c) => c.notNull())
    .execute();

  // The overview: sessions by start time, for everyone or for some rooms.
  await db.schema.createIndex('live_sessions_started').on('live_sessions').columns(['started_at', 'id']).execute();
  await db.schema.createIndex('live_sessions_room_started').on('live_sessions').columns(['room_id', 'started_at']).execute();
  // Per-session aggregates (students, instructors) read the index alone, never the rows.
  await db.schema.createIndex('attendance_session_role_user').on('attendance').columns(['live_session_id', 'role', 'user_id', 'joined_at', 'left_at']).execute();
  // Distinct students over a long range: one look per person ("did they attend any session of it?").
  await db.schema.createIndex('attendance_user_role_session').on('attendance').columns(['user_id', 'role', 'live_session_id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('attendance_user_role_session').execute();
  await db.schema.dropTable('live_session_summaries').execute();
  await db.schema.dropIndex('attendance_session_role_user').execute();
  await db.schema.dropIndex('live_sessions_room_started').execute();
  await db.schema.dropIndex('live_sessions_started').execute();
  await db.schema.dropTable('stats_settings').execute();
  await db.schema.dropTable('attendance_excusals').execute();
  await db.schema.dropTable('recordings').execute();
  await db.schema.dropTable('waiting_room_visits').execute();
  await db.schema.alterTable('users').dropColumn('time_zone').execute();
}
