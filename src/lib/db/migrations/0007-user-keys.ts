import { sql, type Kysely } from 'kysely';

// MediaSpace users and backend accounts in two id spaces (src/identity/user-keys.ts):
// a MediaSpace user's row was keyed by their bare Kaltura user id, which an
// administrator of Kaltura chooses, so a Kaltura user named after a backend
// account's id was that account. Every MediaSpace user's row, and everything that
// names them, moves to the key `mediaspace:<Kaltura user id>`. Backend accounts
// keep their ids. A row that a MediaSpace launch already overwrote (source still
// 'backend') cannot be told apart and stays the account's; the sessions that
// came from MediaSpace move to the MediaSpace key, so they no longer are the account.
//
// Parent rows are copied under their new key, children re-pointed, then the old
// parents deleted: course_members, invitations and password_resets reference
// users.id (ON DELETE CASCADE), and PostgreSQL cannot defer those checks.

const PREFIX = 'mediaspace:';

/** Every column that names a person by their users.id (module settings name their author in words, kept as written). */
const REFERENCES: ReadonlyArray<readonly [table: string, column: string]> = [
  ['course_members', 'user_id'],
  ['rooms', 'owner_user_id'],
  ['rooms', 'updated_by'],
  ['live_sessions', 'started_by'],
  ['live_sessions', 'ended_by'],
  ['attendance', 'user_id'],
  ['chat_messages', 'user_id'],
  ['chat_messages', 'deleted_by'],
  ['room_removals', 'user_id'],
  ['room_removals', 'removed_by'],
  ['room_passes', 'user_id'],
  ['invitations', 'user_id'],
  ['invitations', 'invited_by'],
  ['password_resets', 'user_id'],
  ['plan_licences', 'updated_by'],
  ['stored_images', 'created_by'],
  ['folders', 'created_by'],
  ['files', 'uploaded_by'],
  ['branding', 'updated_by'],
];

const USER_COLUMNS = [
  'name', 'email', 'mediaspace_role', 'source', 'first_seen_at', 'last_seen_at', 'backend_role', 'email_normalized',
  'password_hash', 'display_name', 'language', 'picture_image_id', 'status', 'deactivated_at', 'version',
] as const;

type Direction = { from: 'bare' | 'keyed' };

export async function up(db: Kysely<unknown>): Promise<void> {
  await inOneTransaction(db, (trx) => moveMediaSpaceUsers(trx, { from: 'bare' }));
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await inOneTransaction(db, (trx) => moveMediaSpaceUsers(trx, { from: 'keyed' }));
}

async function moveMediaSpaceUsers(db: Kysely<unknown>, { from }: Direction): Promise<void> {
  const moving = sql.table('migration_0007_moving');
  // Which ids move: the bare ones going up, the keyed ones coming down (substr: case-sensitive on both databases).
  const picked = (column: ReturnType<typeof sql.ref>) => {
    const keyed = sql`substr(${column}, 1, ${sql.lit(PREFIX.length)}) = ${sql.lit(PREFIX)}`;
    return from === 'bare' ? sql`not (${keyed})` : keyed;
  };
  // from 'bare': 'mediaspace:' || id; from 'keyed': the id without its prefix.
  const renamed = (column: ReturnType<typeof sql.ref>) => (from === 'bare' ? sql`${sql.lit(PREFIX)} || ${column}` : sql`substr(${column}, ${sql.lit(PREFIX.length + 1)})`);

  await sql`create table ${moving} (id text primary key)`.execute(db);
  await sql`insert into ${moving} (id) select id from users where source = 'mediaspace' and ${picked(sql.ref('id'))}`.execute(db);

  const columns = sql.join(USER_COLUMNS.map((column) => sql.ref(column)));
  await sql`insert into users (id, ${columns}) select ${renamed(sql.ref('id'))}, ${columns} from users where id in (select id from ${moving})`.execute(db);
  for (const [table, column] of REFERENCES) {
    const ref = sql.ref(column);
    await sql`update ${sql.table(table)} set ${ref} = ${renamed(ref)} where ${ref} in (select id from ${moving})`.execute(db);
  }
  // Sessions say where they came from: every session from MediaSpace moves, whoever's row its id named.
  await sql`update auth_sessions set user_id = ${renamed(sql.ref('user_id'))} where source = 'mediaspace' and ${picked(sql.ref('user_id'))}`.execute(db);
  await sql`delete from users where id in (select id from ${moving})`.execute(db);
  await sql`drop table ${moving}`.execute(db);
}

/** PostgreSQL runs every migration in a transaction already; SQLite's migrator does not. */
async function inOneTransaction(db: Kysely<unknown>, work: (trx: Kysely<unknown>) => Promise<void>): Promise<void> {
  if (db.isTransaction) return work(db);
  await db.transaction().execute(work);
}
