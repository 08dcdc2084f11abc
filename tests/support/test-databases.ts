/**
 * Integration tests that touch SQL run on SQLite, and on PostgreSQL too when
 * TEST_DATABASE_URL is set: each PostgreSQL server gets a schema of its own,
 * dropped when it stops. Suites that only make sense on PostgreSQL call
 * `skipWithoutPostgres` first.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { deepMerge, type ConfigInput } from '../../src/lib/config/config.ts';
import { startTestServer, type TestServer, type TestServerOptions } from './test-server.ts';

const DATABASE_URL = process.env.TEST_DATABASE_URL;

export type TestDatabase = 'SQLite' | 'PostgreSQL';

export const TEST_DATABASES: readonly TestDatabase[] = ['SQLite', ...(DATABASE_URL ? (['PostgreSQL'] as const) : [])];

/** Skips the suite of a `before` hook, saying how to run it, when there is no PostgreSQL to test on. */
export function skipWithoutPostgres(context: Mocha.Context): void {
  if (DATABASE_URL) return;
  console.warn('    (skipped: set TEST_DATABASE_URL=postgres://… to run the PostgreSQL tests; .ci/run does)');
  context.skip();
}

export async function startTestServerOn(database: TestDatabase, options: TestServerOptions = {}): Promise<TestServer> {
  if (database === 'SQLite') return startTestServer(options);
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  const schema = `live_rooms_test_${randomBytes(4).toString('hex')}`;
  const dropSchema = async () => {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  };
  await admin.query(`CREATE SCHEMA ${schema}`);
  const url = new URL(DATABASE_URL!);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const server = await startTestServer({ ...options, config: deepMerge(options.config ?? {}, { database: { url: url.toString() } }) as ConfigInput }).catch(async (error: unknown) => {
    await dropSchema();
    throw error;
  });
  return {
    ...server,
    async stop() {
      try {
        await server.stop();
      } finally {
        await dropSchema();
      }
    },
  };
}
