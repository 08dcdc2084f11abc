/**
 * Builders for the recording processing tests: a bare migrated database (SQLite in a temp folder, or a
 * PostgreSQL schema of its own), and a room with a finished recording and its queued job.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createDatabase, migrateToLatest, type Db } from '../../src/lib/db/database.ts';
import type { RecordingJobKind, RecordingState } from '../../src/lib/db/schema.ts';
import type { TestDatabase } from './test-databases.ts';
import { insertRecordingJobRow, insertRecordingRow, insertRoomRow } from './room-rows.ts';

export interface BareDatabase {
  db: Db;
  dataDir: string;
  close(): Promise<void>;
}

/** A migrated database with nothing running on it. */
export async function openBareDatabase(database: TestDatabase): Promise<BareDatabase> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'live-rooms-processing-'));
  if (database === 'SQLite') {
    const db = createDatabase({ url: null, dataDir });
    await migrateToLatest(db);
    return { db, dataDir, close: async () => (await db.destroy(), rmSync(dataDir, { recursive: true, force: true })) };
  }
  const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await admin.connect();
  const schema = `live_rooms_test_${randomBytes(4).toString('hex')}`;
  await admin.query(`CREATE SCHEMA ${schema}`);
  const url = new URL(process.env.TEST_DATABASE_URL!);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const db = createDatabase({ url: url.toString(), dataDir });
  await migrateToLatest(db);
  return {
    db,
    dataDir,
    async close() {
      await db.destroy();
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface FinishedRecording {
  roomId: string;
  recordingId: string;
  jobId: string;
}

export interface RecordingOptions {
  roomKind?: 'course' | 'channel' | 'private';
  channelId?: number | null;
  state?: RecordingState;
  rawFolder?: string | null;
  jobKind?: RecordingJobKind;
  /** No job row (the caller adds its own). */
  withoutJob?: boolean;
  now?: number;
}

/** A room with an ended live session and a recording queued for processing, as the room leaves it. */
export async function addFinishedRecording(db: Db, options: RecordingOptions = {}): Promise<FinishedRecording> {
  const now = options.now ?? 1_000_000;
  const roomId = `room-${randomUUID()}`;
  const sessionId = `session-${randomUUID()}`;
  const recordingId = `rec-${randomUUID()}`;
  const jobId = `job-${randomUUID()}`;
  await insertRoomRow(db, { id: roomId, kind: options.roomKind ?? 'course', name: 'Biology 101', channel_id: options.channelId ?? null, created_at: now });
  await db.insertInto('live_sessions').values({ id: sessionId, room_id: roomId, started_by: 'teacher', started_at: now - 60_000, ended_at: now }).execute();
  await insertRecordingRow(db, {
    id: recordingId,
    live_session_id: sessionId,
    room_id: roomId,
    title: 'Biology 101',
    started_at: now - 60_000,
    ended_at: now,
    state: options.state ?? 'queued',
    recorded_by: 'teacher',
    recorded_by_name: 'Teacher',
    recorded_seconds: 60,
    finish_reason: 'stopped',
    raw_folder: options.rawFolder === undefined ? `recordings/raw/${recordingId}` : options.rawFolder,
    duration_ms: null,
    size_bytes: null,
    failure_reason: null,
    publish_state: null,
    publish_status: null,
    updated_at: now,
    version: 1,
  });
  if (!options.withoutJob) await insertRecordingJobRow(db, { id: jobId, recording_id: recordingId, kind: options.jobKind ?? 'process', next_attempt_at: now, created_at: now });
  return { roomId, recordingId, jobId };
}

export function jobRow(db: Db, jobId: string) {
  return db.selectFrom('recording_jobs').selectAll().where('id', '=', jobId).executeTakeFirstOrThrow();
}

/** The recording's first job once the job runner has taken it (an attempt counted), or as it is after `limitMs`. */
export async function jobTakenOrNot(db: Db, recordingId: string, limitMs = 10_000) {
  const jobOf = async () => (await db.selectFrom('recording_jobs').selectAll().where('recording_id', '=', recordingId).execute())[0]!;
  const until = Date.now() + limitMs;
  let job = await jobOf();
  while (job.attempts === 0 && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    job = await jobOf();
  }
  return job;
}

export function recordingRow(db: Db, recordingId: string) {
  return db.selectFrom('recordings').selectAll().where('id', '=', recordingId).executeTakeFirstOrThrow();
}

export const RECORDING_FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'recordings');
export const NEEDS_MEDIA_TOOLS = 'These tests need janus-pp-rec and ffmpeg (`apt-get install -y janus-tools ffmpeg`; CI does this in .ci/run).';

/** Whether janus-pp-rec, ffmpeg and ffprobe can be run here. */
export function mediaToolsInstalled(): boolean {
  return ['janus-pp-rec', 'ffmpeg', 'ffprobe'].every((tool) => !spawnSync(tool, ['--help'], { stdio: 'ignore' }).error);
}

/** Copies a fixture scenario's .mjr files where the media server writes them: `<dataDir>/recordings/raw/<id>/`. */
export function placeRawFiles(dataDir: string, recordingId: string, scenario: string | null): string {
  const folder = path.join(dataDir, 'recordings', 'raw', recordingId);
  mkdirSync(folder, { recursive: true });
  if (scenario) cpSync(path.join(RECORDING_FIXTURES, scenario), folder, { recursive: true });
  return folder;
}

/** A stand-in for ffmpeg that misbehaves on the composition (the run with -filter_complex) as `mode` says, else runs ffmpeg. */
export function fakeFfmpeg(folder: string): { path: string; mode(mode: 'pass' | 'fail-once' | 'fail-always' | 'hang-once'): void; hangingPid(): number | null } {
  mkdirSync(folder, { recursive: true });
  const script = path.join(folder, 'ffmpeg');
  writeFileSync(
    script,
    `#!/bin/sh
dir=${JSON.stringify(folder)}
case "$*" in
  *filter_complex*)
    mode=$(cat "$dir/mode" 2>/dev/null)
    for last in "$@"; do :; done
    case "$mode" in
      fail-once) echo pass > "$dir/mode"; echo partial > "$last"; echo "fake encoder failure" >&2; exit 1;;
      fail-always) echo partial > "$last"; echo "fake encoder failure" >&2; exit 1;;
      hang-once) echo pass > "$dir/mode"; echo partial > "$last"; echo $$ > "$dir/hanging"; exec sleep 300;;
    esac;;
esac
exec ffmpeg "$@"
`,
    { mode: 0o700 },
  );
  const mode = (value: string) => writeFileSync(path.join(folder, 'mode'), value);
  mode('pass');
  return {
    path: script,
    mode,
    hangingPid: () => (existsSync(path.join(folder, 'hanging')) ? Number(readFileSync(path.join(folder, 'hanging'), 'utf8')) : null),
  };
}

/** Every file under the recordings folder, relative to it (what a processing leaves behind). */
export function filesUnderRecordings(dataDir: string): string[] {
  const root = path.join(dataDir, 'recordings');
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((name) => statSync(path.join(root, name)).isFile()).sort();
}
