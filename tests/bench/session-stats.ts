/**
 * `npm run bench -- --only stats [--database sqlite|postgres|both]`: Session
 * Stats at scale. Seeds the service's database (session-stats-seed.ts: 10,000
 * live sessions in 50 courses over a year, 1,000,000 attendance rows, ten chat
 * lines each, 30 enrolled students per course), keeps each session's figures as
 * the service does when a session ends (timing that), then, as an administrator,
 * times the overview of the whole year, one session's page and a course's
 * report (a year, 200 sessions), each against the same run's baseline (the
 * profile page: the same sign-in, layout and menu, almost no SQL), and the peak
 * memory of the 1,000,000-row attendance export while it streams. PostgreSQL
 * (TEST_DATABASE_URL) gets a schema of its own, dropped at the end. Prints a
 * table per database and writes the `sessionStats` (SQLite) and
 * `sessionStatsPostgres` sections of tests/bench/results/latest.json.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { createBackendAccount, signInWithPassword } from '../support/backend-accounts.ts';
import { TestAgent } from '../support/test-agent.ts';
import type { TestServer } from '../support/test-server.ts';
import { startBenchService, type BenchService } from './bench-partner.ts';
import { createSessionFigures, type SessionFigures } from '../../src/stats/session-figures.ts';
import { writeSection } from './report.ts';
import { SHAPE, seedPostgres, seedSqlite, type Seeded } from './session-stats-seed.ts';

const SAMPLES = 30;
const DAY = 86_400_000;

export type StatsDatabase = 'sqlite' | 'postgres';
export const STATS_DATABASES = ['sqlite', 'postgres', 'both'] as const;

interface Timing {
  p50Ms: number;
  p95Ms: number;
  samples: number;
}

/** Each database in turn, each with its own service, data and baseline. */
export async function runSessionStatsBench(databases: readonly StatsDatabase[] = ['sqlite']): Promise<void> {
  for (const database of databases) {
    if (database === 'sqlite') await benchSqlite();
    else await benchPostgres();
  }
}

async function benchSqlite(): Promise<void> {
  const service = await startBench({});
  try {
    await benchDatabase('sqlite', service, (yearStart) => Promise.resolve(seedSqlite(path.join(service.config.dataDir, 'live-rooms.sqlite'), yearStart)));
  } finally {
    await service.close();
  }
}

async function benchPostgres(): Promise<void> {
  const databaseUrl = process.env.TEST_DATABASE_URL;
  if (!databaseUrl) throw new Error('Session Stats on PostgreSQL needs TEST_DATABASE_URL=postgres://…');
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  const schema = `live_rooms_bench_${randomBytes(4).toString('hex')}`;
  try {
    await admin.query(`CREATE SCHEMA ${schema}`);
    const url = new URL(databaseUrl);
    url.searchParams.set('options', `-c search_path=${schema}`);
    const service = await startBench({ database: { url: url.toString() } });
    try {
      // The kept figures are new rows: analysed, as autovacuum would soon after.
      const analyseFigures = async () => {
        for (const table of ['live_sessions', 'live_session_people']) await admin.query(`ANALYZE ${schema}.${table}`);
      };
      await benchDatabase('postgres', service, (yearStart) => seedPostgres(url.toString(), yearStart), analyseFigures);
    } finally {
      await service.close();
    }
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
}

function startBench(database: { database?: { url: string } }): Promise<BenchService> {
  console.log('Session Stats: starting the service…');
  return startBenchService({ session: { idleMinutes: 24 * 60 }, ...database });
}

async function benchDatabase(database: StatsDatabase, service: BenchService, seed: (yearStart: number) => Promise<Seeded>, afterKeeping?: () => Promise<void>): Promise<void> {
  const yearStart = Date.UTC(new Date().getUTCFullYear() - 1, 0, 1);
  const seeded = await seed(yearStart);
  console.log(`Seeded ${database}: ${SHAPE.sessions} sessions, ${SHAPE.sessions * SHAPE.intervalsPerSession} attendance rows and ${SHAPE.sessions * SHAPE.chatPerSession} chat lines in ${seeded.seconds} s.`);
  // Before any connection is open: better-sqlite3 holds the event loop while the import is counted.
  const kept = await keepFigures(createSessionFigures(service.running.db), seeded.sessionIds);
  console.log(`Figures kept at a session's end: p50 ${kept.atEnd.p50Ms} ms, p95 ${kept.atEnd.p95Ms} ms; the rest of the import counted as a first read would, in ${kept.importSeconds} s.`);
  await afterKeeping?.();

  // What the account and sign-in builders use of a test server: its database and a browser stand-in.
  const server = { db: service.running.db, agent: () => new TestAgent(service.running.url) } as unknown as TestServer;
  const account = await createBackendAccount(server, { role: 'administrator' });
  const admin = await signInWithPassword(server, account.email!);
  const from = new Date(yearStart).toISOString().slice(0, 10);
  const to = new Date(yearStart + 364 * DAY).toISOString().slice(0, 10);
  const get = async (url: string) => {
    const response = await admin.get(url);
    if (response.status !== 200) throw new Error(`${url} answered ${response.status}: ${response.text.slice(0, 200)}`);
  };
  const pick = <T>(items: readonly T[], index: number) => items[(index * 7919) % items.length]!;

  const baseline = await time('baseline', () => get('/backend/profile'));
  const firstOverview = await once(() => get(`/backend/stats?tz=UTC&from=${from}&to=${to}`));
  console.log(`First overview of the year (figures kept already): ${firstOverview} ms.`);
  const overview = await time('overview', () => get(`/backend/stats?tz=UTC&from=${from}&to=${to}`));
  const overviewLastPage = await time('overview, last page', () => get(`/backend/stats?tz=UTC&from=${from}&to=${to}&page=400`));
  const session = await time('one session', (index) => get(`/backend/stats/sessions/${pick(seeded.sessionIds, index)}?tz=UTC`));
  const report = await time('course report', (index) => get(`/backend/stats/courses/${pick(seeded.roomIds, index)}?tz=UTC&from=${from}&to=${to}`));
  console.log('Exporting every interval of the year…');
  const exportRun = await measureExport(service.running.url, `lr_session=${admin.cookie('lr_session')}`, `/backend/stats/attendance.csv?tz=UTC&from=${from}&to=${to}`);

  const figures = {
    timestamp: new Date().toISOString(),
    machine: { cpus: os.cpus().length, node: process.version, loadAverage: os.loadavg().map((load) => Math.round(load * 100) / 100) },
    parameters: { database, courses: SHAPE.courses, sessions: SHAPE.sessions, attendanceRows: SHAPE.sessions * SHAPE.intervalsPerSession, chatLines: SHAPE.sessions * SHAPE.chatPerSession, studentsPerCourse: SHAPE.studentsPerCourse, samples: SAMPLES },
    seedSeconds: seeded.seconds,
    baseline,
    keptAtEnd: kept.atEnd,
    importKeptSeconds: kept.importSeconds,
    firstOverviewMs: firstOverview,
    overview,
    overviewLastPage,
    session,
    report,
    export: exportRun,
  };
  printFigures(figures);
  writeSection(database === 'sqlite' ? 'sessionStats' : 'sessionStatsPostgres', figures);
}

/**
 * What the service does as each session ends (keep its figures), timed on SAMPLES sessions one at a
 * time; the rest of the import is counted in batches, as the first read of sessions without figures does.
 */
async function keepFigures(figures: SessionFigures, sessionIds: readonly string[]): Promise<{ atEnd: Timing; importSeconds: number }> {
  const durations: number[] = [];
  for (const id of sessionIds.slice(0, SAMPLES)) {
    const started = performance.now();
    await figures.keep([id], Date.now());
    durations.push(performance.now() - started);
  }
  const started = performance.now();
  await figures.keep(sessionIds.slice(SAMPLES), Date.now());
  return { atEnd: percentiles(durations), importSeconds: Math.round((performance.now() - started) / 100) / 10 };
}

async function once(request: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await request();
  return Math.round(performance.now() - started);
}

/** p50 and p95 of SAMPLES sequential requests, after three unmeasured ones. */
async function time(name: string, request: (index: number) => Promise<void>): Promise<Timing> {
  console.log(`Timing ${name}…`);
  for (let index = 0; index < 3; index++) await request(index + 1000);
  const durations: number[] = [];
  for (let index = 0; index < SAMPLES; index++) {
    const started = performance.now();
    await request(index);
    durations.push(performance.now() - started);
  }
  return percentiles(durations);
}

function percentiles(durations: number[]): Timing {
  durations.sort((a, b) => a - b);
  const at = (share: number) => Math.round(durations[Math.min(durations.length - 1, Math.ceil(share * durations.length) - 1)]! * 10) / 10;
  return { p50Ms: at(0.5), p95Ms: at(0.95), samples: durations.length };
}

/** Streams the export, discarding it, while sampling the process's memory (the service runs in this process). */
async function measureExport(baseUrl: string, cookie: string, url: string) {
  globalThis.gc?.();
  const before = process.memoryUsage();
  let peakRss = before.rss;
  let peakHeap = before.heapUsed;
  const sampler = setInterval(() => {
    const now = process.memoryUsage();
    peakRss = Math.max(peakRss, now.rss);
    peakHeap = Math.max(peakHeap, now.heapUsed);
  }, 20);
  const started = performance.now();
  const response = await fetch(new URL(url, baseUrl), { headers: { cookie } });
  let bytes = 0;
  let lines = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.byteLength;
    for (const byte of chunk) if (byte === 10) lines++;
  }
  clearInterval(sampler);
  const mb = (value: number) => Math.round((value / 2 ** 20) * 10) / 10;
  return {
    status: response.status,
    rows: lines - 1,
    megabytes: mb(bytes),
    seconds: Math.round((performance.now() - started) / 100) / 10,
    rssBeforeMb: mb(before.rss),
    peakRssMb: mb(peakRss),
    peakRssGrowthMb: mb(peakRss - before.rss),
    peakHeapGrowthMb: mb(peakHeap - before.heapUsed),
  };
}

function printFigures(figures: { baseline: Timing; overview: Timing; overviewLastPage: Timing; session: Timing; report: Timing; export: Awaited<ReturnType<typeof measureExport>> }): void {
  const row = (name: string, timing: Timing) => console.log(`${name.padEnd(34)} p50 ${String(timing.p50Ms).padStart(7)} ms   p95 ${String(timing.p95Ms).padStart(7)} ms`);
  console.log('');
  row('baseline (profile page)', figures.baseline);
  row('overview, a year (10,000 sessions)', figures.overview);
  row('overview, its last page', figures.overviewLastPage);
  row('one session (100 intervals)', figures.session);
  row('course report (200 sessions)', figures.report);
  const exported = figures.export;
  console.log(`export of ${exported.rows} intervals: ${exported.megabytes} MB in ${exported.seconds} s, peak RSS ${exported.peakRssMb} MB (+${exported.peakRssGrowthMb} MB), heap +${exported.peakHeapGrowthMb} MB`);
}

