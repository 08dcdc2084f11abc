import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chooseLayout, composeRecording, tilesFor } from '../../../src/recordings/processing/composition.ts';
import { listRawStreams, type MediaTrack } from '../../../src/recordings/processing/raw-recording.ts';

function track(overrides: Partial<MediaTrack> & Pick<MediaTrack, 'publisher' | 'kind'>): MediaTrack {
  const participant = overrides.participant ?? overrides.publisher.replace(/-(camera|screen)$/, '');
  return { file: `${overrides.publisher}.mjr`, path: `converted/${overrides.publisher}-${overrides.kind}-${overrides.offsetMs ?? 0}`, participant, source: overrides.publisher.endsWith('screen') ? 'screen' : 'camera', offsetMs: 0, durationMs: 10_000, speechMs: 0, ...overrides };
}

const lane = (publisher: string, source: 'camera' | 'screen' = 'camera', videoMs = 10_000) => ({ publisher, participant: publisher.split('-')[0]!, source, segments: [], videoMs });

describe('recording composition', () => {
  describe('listRawStreams', () => {
    it("groups Janus's files per publisher from their names, the room's and Janus's own, leaving data and other files out", () => {
      const folder = mkdtempSync(path.join(tmpdir(), 'raw-names-'));
      try {
        for (const name of [
          'p7-camera-1700000000000-audio-0.mjr',
          'p7-camera-1700000000000-video-1.mjr',
          'p7-camera-1700000099000-video-1.mjr',
          'p7-screen-1700000001000-video-0.mjr',
          'videoroom-1234-user-555-1700000000000000-video-0.mjr',
          'videoroom-1234-user-555-1700000000000000-data-2.mjr',
          'notes.txt',
        ]) writeFileSync(path.join(folder, name), '');
        expect(listRawStreams(folder).map(({ file, ...rest }) => rest)).to.deep.equal([
          { publisher: 'p7-camera', participant: 'p7', source: 'camera', kind: 'audio' },
          { publisher: 'p7-camera', participant: 'p7', source: 'camera', kind: 'video' },
          { publisher: 'p7-camera', participant: 'p7', source: 'camera', kind: 'video' },
          { publisher: 'p7-screen', participant: 'p7', source: 'screen', kind: 'video' },
          { publisher: 'user-555', participant: 'user-555', source: 'camera', kind: 'video' },
        ]);
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    });
  });

  describe('chooseLayout', () => {
    it('puts the screen share large with the main speaker camera beside it', () => {
      const speech = new Map([['bob', 5000], ['ada', 200]]);
      const placed = chooseLayout([lane('ada-camera'), lane('bob-camera'), lane('ada-screen', 'screen')], speech);
      expect(placed.map(({ lane: shown, tile }) => [shown.publisher, tile])).to.deep.equal([
        ['ada-screen', { x: 0, y: 0, w: 960, h: 720 }],
        ['bob-camera', { x: 960, y: 0, w: 320, h: 240 }],
      ]);
    });

    it('shows only the cameras of people who spoke, the one who spoke most large; everyone when nobody spoke', () => {
      const speech = new Map([['ada', 1500], ['cy', 9000], ['bob', 100]]);
      const placed = chooseLayout([lane('ada-camera'), lane('bob-camera'), lane('cy-camera')], speech);
      expect(placed.map(({ lane: shown }) => shown.publisher)).to.deep.equal(['cy-camera', 'ada-camera']);
      expect(placed[0]!.tile).to.deep.equal({ x: 0, y: 0, w: 960, h: 720 });
      expect(chooseLayout([lane('ada-camera'), lane('bob-camera', 'camera', 20_000)], new Map()).map(({ lane: shown }) => shown.publisher)).to.deep.equal(['bob-camera', 'ada-camera']);
    });
  });

  describe('tilesFor', () => {
    it('keeps every tile inside 1280x720, without overlaps, with even sizes, for 1 to 16 cameras', () => {
      for (let count = 1; count <= 16; count++) {
        const tiles = tilesFor(count);
        expect(tiles).to.have.length(count);
        for (const [n, tile] of tiles.entries()) {
          expect(tile.x + tile.w).to.be.at.most(1280);
          expect(tile.y + tile.h).to.be.at.most(720);
          expect(tile.w % 2 + tile.h % 2).to.equal(0);
          for (const other of tiles.slice(n + 1)) {
            const apart = tile.x + tile.w <= other.x || other.x + other.w <= tile.x || tile.y + tile.h <= other.y || other.y + other.h <= tile.y;
            expect(apart, `${count} cameras: ${JSON.stringify(tile)} overlaps ${JSON.stringify(other)}`).to.equal(true);
          }
        }
      }
    });
  });

  describe('composeRecording', () => {
    it('delays each voice to its offset, pads each picture with black before it, and lasts until the last stream ends', () => {
      const tracks = [
        track({ publisher: 'ada-camera', kind: 'audio', speechMs: 9000 }),
        track({ publisher: 'ada-camera', kind: 'video' }),
        track({ publisher: 'bob-camera', kind: 'audio', offsetMs: 4000, speechMs: 3000 }),
        track({ publisher: 'bob-camera', kind: 'video', offsetMs: 4000, durationMs: 12_000 }),
      ];
      const { args, durationMs } = composeRecording(tracks, '/out/x.mp4');
      expect(durationMs).to.equal(16_000);
      const graph = args[args.indexOf('-filter_complex') + 1]!;
      expect(graph).to.include('[2:a]aresample=48000:async=1:first_pts=0,adelay=delays=4000:all=1[a1]');
      expect(graph).to.include('amix=inputs=2:duration=longest');
      expect(graph).to.match(/\[3:v\]setpts=PTS-STARTPTS,fps=25,scale=320:240.*tpad=start_duration=4\.000/);
      expect(graph).to.include('xstack=inputs=2:layout=0_0|960_0:fill=black');
      expect(args.slice(-3)).to.deep.equal(['-progress', 'pipe:1', '/out/x.mp4']);
      expect(args).to.include.members(['libx264', 'aac', '+faststart']);
    });

    it("joins a publisher's segments (a pause and a resume) with black for the pause", () => {
      const tracks = [
        track({ publisher: 'ada-camera', kind: 'video', durationMs: 5000 }),
        track({ publisher: 'ada-camera', kind: 'video', offsetMs: 8000, durationMs: 5000 }),
      ];
      const graph = composeRecording(tracks, '/out/x.mp4').args.find((arg) => arg.includes('concat'))!;
      expect(graph).to.include('tpad=start_duration=0.000:color=black[v0s0]');
      expect(graph).to.include('tpad=start_duration=3.000:color=black[v0s1]');
      expect(graph).to.include('[v0s0][v0s1]concat=n=2:v=1:a=0');
      expect(graph).to.include('anullsrc');
    });
  });
});
