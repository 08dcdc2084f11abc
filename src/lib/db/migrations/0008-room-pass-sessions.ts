import type { Kysely } from 'kysely';

// A room pass belongs to the module session that launched it (auth_sessions.id,
// the hash): when that session ends (sign-out, deactivation, expiry) the pass
// is refused. channel_id names the channel whose membership granted the pass,
// re-checked with Kaltura while it is used; null: granted otherwise (the owner
// of a private room, a course in the backend). Passes from before this
// migration have no session and are refused: their holders launch again.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('room_passes').addColumn('auth_session_id', 'text').execute();
  await db.schema.alterTable('room_passes').addColumn('channel_id', 'integer').execute();
  await db.schema.createIndex('room_passes_auth_session').on('room_passes').column('auth_session_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('room_passes_auth_session').execute();
  await db.schema.alterTable('room_passes').dropColumn('channel_id').execute();
  await db.schema.alterTable('room_passes').dropColumn('auth_session_id').execute();
}
