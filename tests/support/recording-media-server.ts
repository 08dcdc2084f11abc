/**
 * A media server for recording tests without Janus: it records (writes a
 * stand-in raw file into the folder it is given), says what it was asked, can
 * refuse, and can "die" as Janus does (reset listeners hear `lost`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ChosenMediaServer } from '../../src/media/choose-media-server.ts';
import { MediaServerError, type MediaReset, type MediaServer } from '../../src/media/media-server.ts';
import { createUnavailableMediaServer } from '../../src/media/unavailable-media-server.ts';

export interface RecordingMediaServer {
  chosen: ChosenMediaServer;
  /** What it was asked, in order: `start <roomId> <folder>`, `stop <roomId>`. */
  calls: string[];
  /** The next startRecording fails as an unreachable media server would. */
  failNextStart(): void;
  /** The media server dies: its rooms (every one, or those named, as one Janus of several), and their recordings, are gone. */
  lose(roomIds?: MediaReset['roomIds']): void;
}

export function recordingMediaServer(): RecordingMediaServer {
  const calls: string[] = [];
  const listeners = new Set<(reset: MediaReset) => void>();
  let failNext = false;
  const server: MediaServer = {
    ...createUnavailableMediaServer(),
    records: true,
    async startRecording(roomId, folder) {
      if (failNext) {
        failNext = false;
        throw new MediaServerError('unavailable', 'the media room is not open');
      }
      calls.push(`start ${roomId} ${folder}`);
      mkdirSync(folder, { recursive: true });
      writeFileSync(path.join(folder, `videoroom-${calls.length}-audio.mjr`), 'raw');
    },
    async stopRecording(roomId) {
      calls.push(`stop ${roomId}`);
    },
    onReset(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return {
    chosen: { server, supervisedPid: () => undefined, kill: () => undefined, stop: async () => undefined },
    calls,
    failNextStart: () => void (failNext = true),
    lose: (roomIds: MediaReset['roomIds'] = 'every') => listeners.forEach((listener) => listener({ phase: 'lost', roomIds })),
  };
}
