/**
 * Builders for the publishing tests: a small MP4 made with ffmpeg, and a room
 * with an ended session and a processed recording of it, ready to publish.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Db } from '../../src/lib/db/database.ts';
import type { RecordingJob } from '../../src/recordings/processing/job-runner.ts';
import { insertRecordingRow, insertRoomRow } from './room-rows.ts';

export const SESSION_START = Date.UTC(2026, 11, 4, 13, 30);
export const VIDEO_KEY = 'recordings/published.mp4';

/** A second of test pattern and tone, H.264 and AAC, as processing makes them; kept at VIDEO_KEY in the data folder. */
export function makeVideo(dataDir: string): Buffer {
  const file = path.join(dataDir, VIDEO_KEY);
  mkdirSync(path.dirname(file), { recursive: true });
  execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=duration=1:size=160x120:rate=10', '-f', 'lavfi', '-i', 'sine=duration=1', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', '-movflags', '+faststart', file]);
  return readFileSync(file);
}

export interface ReadyRoom {
  kind: 'channel' | 'course' | 'private';
  channelId?: number | null;
  name?: string;
  recordedBy?: string;
}

/** A room, its ended session and a processed recording of it (the file at VIDEO_KEY), publish_state pending. */
export async function insertReadyRecording(db: Db, room: ReadyRoom, sizeBytes: number): Promise<string> {
  const roomId = randomUUID();
  const sessionId = randomUUID();
  const recordingId = randomUUID();
  const now = Date.now();
  await insertRoomRow(db, { id: roomId, kind: room.kind, name: room.name ?? `Physics ${roomId.slice(0, 4)}`, channel_id: room.channelId ?? null, created_at: now });
  await db.insertInto('live_sessions').values({ id: sessionId, room_id: roomId, started_by: 'mediaspace:maria.manager', started_at: SESSION_START, ended_at: SESSION_START + 60_000, ended_by: null, end_reason: null }).execute();
  await insertRecordingRow(db, {
    id: recordingId,
    live_session_id: sessionId,
    room_id: roomId,
    started_at: SESSION_START,
    ended_at: SESSION_START + 60_000,
    storage_key: VIDEO_KEY,
    created_at: now,
    state: 'ready',
    recorded_by: room.recordedBy ?? 'mediaspace:maria.manager',
    size_bytes: sizeBytes,
    publish_state: 'pending',
    updated_at: now,
  });
  return recordingId;
}

export function jobFor(recordingId: string): RecordingJob {
  return { id: `job-${recordingId}`, recordingId, kind: 'publish', attempts: 1, progress: 0 };
}
