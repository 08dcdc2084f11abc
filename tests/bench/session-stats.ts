/**
 * `npm run bench -- --only stats`: Session Stats at scale. Seeds the service's
 * SQLite database with 10,000 live sessions in 50 courses over a year, 100
 * attendance intervals each (1,000,000 rows), ten chat lines each and 30
 * enrolled students per course, keeps each session's figures as the service
 * does when a session ends (timing that), then, as an administrator, times the overview
 * of the whole year, one session's page and a course's report (a year, 200
 * sessions), each against the same run's baseline (the profile page: the same
 * sign-in, layout and menu, almost no SQL), and the peak memory of the
 * 1,000,000-row attendance export while it streams. Prints a table and writes
 * the `sessionStats` section of tests/bench/results/latest.json.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import SQLite from 'better-sqlite3';
import { createBackendAccount, signInWithPassword } from '../support/backend-accounts.ts';
import { TestAgent } from '../support/test-agent.ts';
import type { TestServer } from '../support/test-server.ts';
import { startBenchService } from './bench-partner.ts';
import { RESULTS_FILE } from './report.ts';
import { createSessionFigures, type SessionFigures } from '../../src/stats/session-figures.ts';
import { writeSection } from './report.ts';

const COURSES = 50;
const SESSIONS = 10_000;
const INTERVALS_PER_SESSION = 100;
const CHAT_PER_SESSION = 10;
const STUDENTS_PER_COURSE = 30;
const SAMPLES = 30;
const DAY = 86_400_000;

interface Timing {
  p50Ms: number;
  p95Ms: number;
  samples: number;
}

export async function runSessionStatsBench(): Promise<void> {
  console.log('Session Stats: starting the service…');
  const service = await startBenchService({ session: { idleMinutes: 24 * 60 } });
  try {
    const yearStart = Date.UTC(new Date().getUTCFullYear() - 1, 0, 1);
    const seeded = seed(path.join(service.config.dataDir, 'live-rooms.sqlite'), yearStart);
    console.log(`Seeded ${SESSIONS} sessions, ${SESSIONS * INTERVALS_PER_SESSION} attendance rows and ${SESSIONS * CHAT_PER_SESSION} chat lines in ${seeded.seconds} s.`);
    // Before any connection is open: better-sqlite3 holds the event loop while the import is counted.
    const kept = await keepFigures(createSessionFigures(service.running.db), seeded.sessionIds);
    console.log(`Figures kept at a session's end: p50 ${kept.atEnd.p50Ms} ms, p95 ${kept.atEnd.p95Ms} ms; the rest of the import counted as a first read would, in ${kept.importSeconds} s.`);

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
      parameters: { database: 'sqlite', courses: COURSES, sessions: SESSIONS, attendanceRows: SESSIONS * INTERVALS_PER_SESSION, chatLines: SESSIONS * CHAT_PER_SESSION, studentsPerCourse: STUDENTS_PER_COURSE, samples: SAMPLES },
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
    writeSection('sessionStats', figures);
  } finally {
    await service.close();
  }
}

/** Rows straight into SQLite, in one transaction per table: the service's own stores would take minutes for a million. */
function seed(file: string, yearStart: number): { sessionIds: string[]; roomIds: string[]; seconds: number } {
  const started = performance.now();
  const db = new SQLite(file);
  db.pragma('journal_mode = WAL');
  const roomIds = Array.from({ length: COURSES }, () => randomUUID());
  const students = roomIds.map(() => Array.from({ length: STUDENTS_PER_COURSE }, (_, index) => ({ id: `mediaspace:bench-${randomUUID()}`, name: `Student ${index}` })));
  const sessionIds: string[] = [];
  db.transaction(() => {
    const room = db.prepare("insert into rooms (id, kind, name, channel_id, owner_user_id, capacity, created_at, updated_at) values (?, 'private', ?, null, 'bench', null, ?, ?)");
    const user = db.prepare("insert into users (id, name, email, mediaspace_role, source, first_seen_at, last_seen_at) values (?, ?, null, 'viewerRole', 'mediaspace', ?, ?)");
    const member = db.prepare("insert into course_members (room_id, user_id, role, source, added_at) values (?, ?, 'student', 'backend', ?)");
    roomIds.forEach((id, index) => {
      room.run(id, `Course ${String(index + 1).padStart(2, '0')}`, yearStart, yearStart);
      for (const student of students[index]!) {
        user.run(student.id, student.name, yearStart, yearStart);
        member.run(id, student.id, yearStart);
      }
    });
    for (let person = 60; person < INTERVALS_PER_SESSION; person++) user.run(`mediaspace:guest-${person}`, `Guest ${person}`, yearStart, yearStart);
    const session = db.prepare("insert into live_sessions (id, room_id, started_by, started_at, ended_at, ended_by, end_reason) values (?, ?, 'bench', ?, ?, 'bench', 'ended-by-instructor')");
    const interval = db.prepare('insert into attendance (id, live_session_id, room_id, user_id, user_name, user_email, role, joined_at, left_at, last_seen_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    const chat = db.prepare("insert into chat_messages (id, live_session_id, room_id, user_id, user_name, role, text, sent_at, deleted_at, deleted_by) values (?, ?, ?, ?, ?, 'participant', ?, ?, null, null)");
    for (let index = 0; index < SESSIONS; index++) {
      const id = randomUUID();
      sessionIds.push(id);
      const roomIndex = index % COURSES;
      const roomId = roomIds[roomIndex]!;
      const startedAt = yearStart + Math.floor((index / SESSIONS) * 364 * DAY);
      const endedAt = startedAt + 3600_000;
      session.run(id, roomId, startedAt, endedAt);
      interval.run(randomUUID(), id, roomId, 'bench-instructor', 'Ines Instructor', 'ines@bench.test', 'instructor', startedAt, endedAt, endedAt);
      for (let person = 1; person < INTERVALS_PER_SESSION; person++) {
        // Enrolled students, some twice (a rejoin), and guests.
        const student = students[roomIndex]![person % STUDENTS_PER_COURSE]!;
        const userId = person < 60 ? student.id : `mediaspace:guest-${person}`;
        const joinedAt = startedAt + (person % 20) * 60_000;
        interval.run(randomUUID(), id, roomId, userId, person < 60 ? student.name : `Guest ${person}`, null, 'participant', joinedAt, endedAt - (person % 7) * 60_000, endedAt);
      }
      for (let line = 0; line < CHAT_PER_SESSION; line++) chat.run(randomUUID(), id, roomId, students[roomIndex]![line]!.id, students[roomIndex]![line]!.name, `Message ${line}`, startedAt + line * 60_000);
    }
  })();
  db.exec('analyze');
  db.close();
  return { sessionIds, roomIds, seconds: Math.round((performance.now() - started) / 100) / 10 };
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

