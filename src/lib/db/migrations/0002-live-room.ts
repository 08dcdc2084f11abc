import type { Kysely } from 'kysely';

// The live room: who ended a session and why, a room's own capacity, attendance
// intervals, the session's chat and the people an instructor removed.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('live_sessions').addColumn('ended_by', 'text').execute();
  await db.schema.alterTable('live_sessions').addColumn('end_reason', 'text').execute();
  await db.schema.alterTable('rooms').addColumn('capacity', 'integer').execute();

  await db.schema
    .createTable('attendance')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('live_session_id', 'text', (c) => c.notNull().references('live_sessions.id').onDelete('cascade'))
    .addColumn('room_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('user_email', 'text')
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('joined_at', 'bigint', (c) => c.notNull())
    .addColumn('left_at', 'bigint')
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('attendance_session_user').on('attendance').columns(['live_session_id', 'user_id']).execute();
  await db.schema.createIndex('attendance_open').on('attendance').column('left_at').execute();

  await db.schema
    .createTable('chat_messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('live_session_id', 'text', (c) => c.notNull().references('live_sessions.id').onDelete('cascade'))
    .addColumn('room_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'bigint', (c) => c.notNull())
    .addColumn('deleted_at', 'bigint')
    .addColumn('deleted_by', 'text')
    .execute();
  await db.schema.createIndex('chat_messages_session_sent').on('chat_messages').columns(['live_session_id', 'sent_at']).execute();

  // A removal holds until the instructor allows the person back or the session ends;
  // it can happen in the waiting room, before any session exists.
  await db.schema
    .createTable('room_removals')
    .addColumn('room_id', 'text', (c) => c.notNull().references('rooms.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('live_session_id', 'text')
    .addColumn('removed_by', 'text', (c) => c.notNull())
    .addColumn('removed_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('room_removals_pk', ['room_id', 'user_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('room_removals').execute();
  await db.schema.dropTable('chat_messages').execute();
  await db.schema.dropTable('attendance').execute();
  await db.schema.alterTable('rooms').dropColumn('capacity').execute();
  await db.schema.alterTable('live_sessions').dropColumn('end_reason').execute();
  await db.schema.alterTable('live_sessions').dropColumn('ended_by').execute();
}
