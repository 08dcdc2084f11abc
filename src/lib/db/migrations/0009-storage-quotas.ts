import { sql, type Kysely } from 'kysely';

// Storage quotas: an upload is recorded only if its course and the whole
// organisation stay within their quotas, counted in the transaction that
// records it. The one row here is what that transaction locks first (an
// update of it, which SQLite and PostgreSQL both serialise), so two uploads
// racing for the last bytes of a quota are counted one after the other.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createTable('storage_locks').addColumn('scope', 'text', (c) => c.primaryKey()).execute();
  await sql`insert into storage_locks (scope) values ('files')`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('storage_locks').execute();
}
