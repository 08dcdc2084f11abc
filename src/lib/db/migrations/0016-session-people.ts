import type { Kysely } from 'kysely';

// Session Stats: each person's figures in each ended session, kept when it
// ends (src/stats/session-figures.ts) so a course report reads one small row
// per student and session instead of summing intervals: first entry, last exit,
// time inside, intervals, waiting time, and whether they were an enrolled
// student of the course then (enrolment as at the session: later changes to
// the course do not rewrite it). Enrolled students who never came have a row
// too, with no entry.
//
// Summaries counted before this migration have no people rows: they are
// dropped, and each is counted again with its people the first time a page
// needs it (the lazy path that remains for sessions ended before this).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('live_session_people')
    .addColumn('live_session_id', 'text', (c) => c.notNull().references('live_sessions.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('room_id', 'text', (c) => c.notNull())
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('user_email', 'text')
    // instructor | participant | student (enrolled, never came)
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('enrolled', 'integer', (c) => c.notNull())
    .addColumn('first_entry', 'bigint')
    .addColumn('last_exit', 'bigint')
    .addColumn('total_ms', 'bigint', (c) => c.notNull())
    .addColumn('intervals', 'integer', (c) => c.notNull())
    .addColumn('waiting_ms', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('live_session_people_pk', ['live_session_id', 'user_id'])
    .execute();
  await db.deleteFrom('live_session_summaries' as never).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('live_session_people').execute();
}
