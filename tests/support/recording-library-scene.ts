/**
 * Builders for the recordings library's tests: a course with an instructor and
 * a student, an ended session in it, and recordings seeded straight into the
 * database with their files in the data folder (a tiny real MP4 made by ffmpeg
 * when it is installed, else bytes that only range tests read).
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Insertable } from 'kysely';
import type { RecordingJobKind, RecordingJobState, RecordingsTable } from '../../src/lib/db/schema.ts';
import type { RecordingEntryRemover } from '../../src/recordings/library/recording-entry-remover.ts';
import { backendPerson, createCourse, setLicences, type BackendPerson } from './courses.ts';
import { insertRecordingJobRow, insertRecordingRow } from './room-rows.ts';
import type { TestServer } from './test-server.ts';

let video: Buffer | null = null;

/** A one-second 64×64 H.264/AAC MP4 (made once), or 64 KB of patterned bytes without ffmpeg. */
export async function tinyVideo(): Promise<Buffer> {
  if (video) return video;
  const folder = mkdtempSync(path.join(tmpdir(), 'recording-video-'));
  const file = path.join(folder, 'tiny.mp4');
  try {
    await promisify(execFile)('ffmpeg', ['-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=64x64:rate=10', '-f', 'lavfi', '-i', 'sine=frequency=440', '-t', '1', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-movflags', '+faststart', file]);
    video = readFileSync(file);
  } catch {
    video = Buffer.from(Array.from({ length: 65_536 }, (_, index) => index % 251));
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  return video;
}

/** Records which Kaltura entries the library asked to delete; `fail` makes the next request fail. */
export class FakeEntryRemover implements RecordingEntryRemover {
  readonly deleted: string[] = [];
  fail: Error | null = null;

  async deleteEntry(entryId: string): Promise<void> {
    if (this.fail) throw this.fail;
    this.deleted.push(entryId);
  }
}

/** Columns as inserted (generated ones plain). */
type RecordingColumns = Partial<Insertable<RecordingsTable>>;

export interface RecordingSeed extends RecordingColumns {
  /** Writes the final file at recordings/<id>.mp4 and sets storage_key. */
  withFile?: boolean;
  /** Writes raw files at recordings/raw/<id>/ and sets raw_folder. */
  withRaw?: boolean;
  jobs?: Array<{ kind: RecordingJobKind; state: RecordingJobState; progress?: number; attempts?: number; lastError?: string | null }>;
}

export interface RecordingScene {
  admin: BackendPerson;
  teacher: BackendPerson;
  student: BackendPerson;
  otherTeacher: BackendPerson;
  courseId: string;
  sessionId: string;
  addRecording(seed?: RecordingSeed): Promise<string>;
  /** A new ended session in the course. */
  addSession(): Promise<string>;
}

export async function recordingScene(server: TestServer, { licences = true, courseName = 'Recorded course' }: { licences?: boolean; courseName?: string } = {}): Promise<RecordingScene> {
  const admin = await backendPerson(server, 'administrator');
  const teacher = await backendPerson(server, 'instructor', 'Ines Teacher');
  const student = await backendPerson(server, 'student');
  const otherTeacher = await backendPerson(server, 'instructor');
  if (licences) await setLicences(admin.agent, { smart_15: 5 });
  const courseId = await createCourse(admin.agent, { name: courseName, plan: 'smart_15', membersShown: '1', member: [`instructor:${teacher.id}`, `student:${student.id}`] });
  const addSession = async () => {
    const id = randomUUID();
    const now = Date.now();
    await server.db.insertInto('live_sessions').values({ id, room_id: courseId, started_by: teacher.id, started_at: now - 3600_000, ended_at: now - 600_000, ended_by: teacher.id, end_reason: 'ended-by-instructor' }).execute();
    return id;
  };
  const sessionId = await addSession();
  const addRecording = (seed: RecordingSeed = {}) => seedRecording(server, { roomId: courseId, sessionId, recordedBy: teacher }, seed);
  return { admin, teacher, student, otherTeacher, courseId, sessionId, addRecording, addSession };
}

/** A recording of the session seeded into the database, with the files the seed asks for. */
export async function seedRecording(server: TestServer, where: { roomId: string; sessionId: string; recordedBy: { id: string; name: string } }, { withFile = false, withRaw = false, jobs = [], ...row }: RecordingSeed = {}): Promise<string> {
  const id = row.id ?? randomUUID();
  const now = Date.now();
  if (withFile) {
    mkdirSync(path.join(server.dataDir, 'recordings'), { recursive: true });
    writeFileSync(path.join(server.dataDir, 'recordings', `${id}.mp4`), await tinyVideo());
  }
  if (withRaw) {
    mkdirSync(path.join(server.dataDir, 'recordings', 'raw', id), { recursive: true });
    writeFileSync(path.join(server.dataDir, 'recordings', 'raw', id, 'videoroom-1-user-1-video.mjr'), 'raw');
  }
  await insertRecordingRow(server.db, {
    id,
    live_session_id: where.sessionId,
    room_id: where.roomId,
    title: 'Lecture 1',
    started_at: now - 3000_000,
    ended_at: now - 1200_000,
    storage_key: withFile ? `recordings/${id}.mp4` : null,
    created_at: now - 3000_000,
    state: 'ready',
    recorded_by: where.recordedBy.id,
    recorded_by_name: where.recordedBy.name,
    recorded_seconds: 1800,
    raw_folder: withRaw ? `recordings/raw/${id}` : null,
    duration_ms: withFile ? 1000 : null,
    updated_at: now,
    ...row,
  });
  for (const job of jobs) {
    await insertRecordingJobRow(server.db, { id: randomUUID(), recording_id: id, kind: job.kind, state: job.state, attempts: job.attempts ?? 0, next_attempt_at: now + 3600_000, progress: job.progress ?? 0, last_error: job.lastError ?? null, created_at: now });
  }
  return id;
}
