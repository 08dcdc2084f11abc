/**
 * One typed query builder over SQLite (default: a file in the data folder)
 * or PostgreSQL (production, `DATABASE_URL`). Stores receive the Kysely
 * instance; nothing else touches SQL.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, Migrator, PostgresAdapter, PostgresDialect, SqliteDialect, sql, type Migration } from 'kysely';
import type { Database } from './schema.ts';
import * as initial from './migrations/0001-initial.ts';
import * as liveRoom from './migrations/0002-live-room.ts';
import * as roomsBackend from './migrations/0003-rooms-backend.ts';
import * as courses from './migrations/0004-courses.ts';
import * as userInvitations from './migrations/0005-users.ts';
import * as files from './migrations/0006-files.ts';
import * as userKeys from './migrations/0007-user-keys.ts';
import * as roomPassSessions from './migrations/0008-room-pass-sessions.ts';
import * as storageQuotas from './migrations/0009-storage-quotas.ts';
import * as sessionStats from './migrations/0010-session-stats.ts';
import * as roomInvitations from './migrations/0011-room-invitations.ts';
import * as organisationName from './migrations/0012-organisation-name.ts';
import * as billing from './migrations/0013-billing.ts';
import * as recordings from './migrations/0014-recordings.ts';
import * as billingContacts from './migrations/0015-billing-contacts.ts';
import * as sessionPeople from './migrations/0016-session-people.ts';

export type Db = Kysely<Database>;

/** Every migration by name, in order; tests step through them (migrations tests). */
export const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-live-room': liveRoom,
  '0003-rooms-backend': roomsBackend,
  '0004-courses': courses,
  '0005-users': userInvitations,
  '0006-files': files,
  '0007-user-keys': userKeys,
  '0008-room-pass-sessions': roomPassSessions,
  '0009-storage-quotas': storageQuotas,
  '0010-session-stats': sessionStats,
  '0011-room-invitations': roomInvitations,
  '0012-organisation-name': organisationName,
  '0013-billing': billing,
  '0014-recordings': recordings,
  '0015-billing-contacts': billingContacts,
  '0016-session-people': sessionPeople,
};

export interface DatabaseOptions {
  url: string | null;
  dataDir: string;
}

export function createDatabase({ url, dataDir }: DatabaseOptions): Db {
  if (url) {
    // bigint columns hold millisecond times; read them back as numbers.
    pg.types.setTypeParser(20, (value) => Number(value));
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 10 }) }) });
  }
  mkdirSync(dataDir, { recursive: true });
  const sqlite = new SQLite(path.join(dataDir, 'live-rooms.sqlite'));
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // SQLite's own lower() folds ASCII only; PostgreSQL's folds every letter. The same queries
  // (case-insensitive search and sorting by name) must find "Élodie" for "élodie" on both.
  sqlite.function('lower', { deterministic: true }, (value: unknown) => (typeof value === 'string' ? value.toLowerCase() : value) as string | null);
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
}

export async function migrateToLatest(db: Db): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS }, migrationTableSchema: await postgresSchemaOf(db) });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((result) => result.status === 'Error');
  if (error || failed) {
    throw new Error(`Database migration ${failed?.migrationName ?? ''} failed: ${(error as Error | undefined)?.message ?? 'unknown error'}`, { cause: error });
  }
}

/**
 * The PostgreSQL schema the connection works in (undefined on SQLite). Kysely's migrator looks
 * for its own tables in every schema unless told which: another schema's migration tables
 * (another application in the database, a parallel test run) would be taken for ours, and the
 * migration would fail on a lock table that is not in our schema.
 */
async function postgresSchemaOf(db: Db): Promise<string | undefined> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return undefined;
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  return rows[0]?.schema;
}

/** SQLite reports a unique violation as SQLITE_CONSTRAINT_UNIQUE/PRIMARYKEY, PostgreSQL as 23505. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
