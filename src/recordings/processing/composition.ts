/**
 * The one video a recording becomes, as ffmpeg arguments: 1280×720 H.264 and AAC in an MP4 with its index at
 * the front (it plays while it downloads). Every voice is mixed (amix); the picture is the screen share when
 * there is one, with the main speaker's camera beside it, else the cameras of the people who spoke, the one who
 * spoke most large (xstack). Each stream is placed at its offset from the recording's start, padded with
 * black before and after, so late joiners and pauses line up. Pure: it reads no file and runs nothing.
 */
import type { MediaTrack } from './raw-recording.ts';

export const WIDTH = 1280;
export const HEIGHT = 720;
const FPS = 25;
/** A voice that spoke less than this is not a speaker (a cough, a click). */
const SPOKE_MS = 1000;

export interface Composition {
  args: string[];
  durationMs: number;
}

interface Tile {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** A publisher's video: its segments in time order. */
interface Lane {
  publisher: string;
  participant: string;
  source: 'camera' | 'screen';
  segments: MediaTrack[];
  videoMs: number;
}

/** ffmpeg's arguments writing `output`; `-progress pipe:1` reports how far it got on standard output. */
export function composeRecording(tracks: readonly MediaTrack[], output: string): Composition {
  const durationMs = Math.max(...tracks.map((track) => track.offsetMs + track.durationMs));
  const inputs = tracks.flatMap((track) => (track.kind === 'video' ? ['-reinit_filter', '0', '-i', track.path] : ['-i', track.path]));
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const filters: string[] = [];

  const audio = tracks.map((track, index) => ({ track, index })).filter(({ track }) => track.kind === 'audio');
  audio.forEach(({ track, index }, n) => filters.push(`[${index}:a]aresample=48000:async=1:first_pts=0,adelay=delays=${track.offsetMs}:all=1[a${n}]`));
  if (audio.length === 0) filters.push(`anullsrc=r=48000:cl=stereo,atrim=duration=${seconds(durationMs)}[aout]`);
  else filters.push(`${audio.map((_, n) => `[a${n}]`).join('')}amix=inputs=${audio.length}:duration=longest:normalize=0,alimiter=limit=0.95,aresample=48000[aout]`);

  const placed = chooseLayout(lanes(tracks), speechByParticipant(tracks));
  if (placed.length === 0) filters.push(`color=c=black:s=${WIDTH}x${HEIGHT}:r=${FPS},trim=duration=${seconds(durationMs)}[vout]`);
  placed.forEach(({ lane, tile }, n) => filters.push(laneFilter(lane, tile, tracks, durationMs, `v${n}`)));
  if (placed.length === 1) filters.push(`[v0]pad=${WIDTH}:${HEIGHT}:${placed[0]!.tile.x}:${placed[0]!.tile.y}:color=black,setsar=1[vout]`);
  if (placed.length > 1) {
    const layout = placed.map(({ tile }) => `${tile.x}_${tile.y}`).join('|');
    filters.push(`${placed.map((_, n) => `[v${n}]`).join('')}xstack=inputs=${placed.length}:layout=${layout}:fill=black,pad=${WIDTH}:${HEIGHT}:0:0:color=black,setsar=1[vout]`);
  }

  const args = [
    '-hide_banner', '-nostdin', '-nostats', '-loglevel', 'error', '-y',
    ...inputs,
    '-filter_complex', filters.join(';'),
    '-map', '[vout]', '-map', '[aout]',
    '-t', seconds(durationMs),
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p', '-r', String(FPS),
    '-c:a', 'aac', '-b:a', '128k', '-ar', '48000', '-ac', '2',
    '-movflags', '+faststart', '-f', 'mp4',
    '-progress', 'pipe:1',
    output,
  ];
  return { args, durationMs };
}

/** One publisher's picture in its tile, black where it sent nothing, as long as the whole recording. */
function laneFilter(lane: Lane, tile: Tile, tracks: readonly MediaTrack[], durationMs: number, label: string): string {
  const seconds = (ms: number) => (Math.max(0, ms) / 1000).toFixed(3);
  const fit = `scale=${tile.w}:${tile.h}:force_original_aspect_ratio=decrease,pad=${tile.w}:${tile.h}:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1,format=yuv420p`;
  const parts: string[] = [];
  let endMs = 0;
  lane.segments.forEach((segment, n) => {
    const gap = segment.offsetMs - endMs;
    parts.push(`[${tracks.indexOf(segment)}:v]setpts=PTS-STARTPTS,fps=${FPS},${fit},tpad=start_duration=${seconds(gap)}:color=black[${label}s${n}]`);
    endMs = Math.max(endMs, segment.offsetMs + segment.durationMs);
  });
  const joined = lane.segments.length > 1 ? `${lane.segments.map((_, n) => `[${label}s${n}]`).join('')}concat=n=${lane.segments.length}:v=1:a=0,` : `[${label}s0]`;
  const tail = `tpad=stop_mode=add:stop_duration=${seconds(durationMs - endMs + 1000)}:color=black,trim=duration=${seconds(durationMs)}[${label}]`;
  return `${parts.join(';')};${joined}${tail}`;
}

function lanes(tracks: readonly MediaTrack[]): Lane[] {
  const byPublisher = new Map<string, Lane>();
  for (const track of tracks.filter((t) => t.kind === 'video')) {
    const lane = byPublisher.get(track.publisher) ?? { publisher: track.publisher, participant: track.participant, source: track.source, segments: [], videoMs: 0 };
    lane.segments.push(track);
    lane.videoMs += track.durationMs;
    byPublisher.set(track.publisher, lane);
  }
  for (const lane of byPublisher.values()) lane.segments.sort((a, b) => a.offsetMs - b.offsetMs);
  return [...byPublisher.values()];
}

function speechByParticipant(tracks: readonly MediaTrack[]): Map<string, number> {
  const speech = new Map<string, number>();
  for (const track of tracks) if (track.kind === 'audio') speech.set(track.participant, (speech.get(track.participant) ?? 0) + track.speechMs);
  return speech;
}

/**
 * Which pictures are shown where. A screen share (the longest, if several) takes the left three quarters with
 * the main speaker's camera beside it. Without one: the cameras of people who spoke (all cameras if nobody
 * did), most speech first, the first one large.
 */
export function chooseLayout(all: readonly Lane[], speech: ReadonlyMap<string, number>): Array<{ lane: Lane; tile: Tile }> {
  const spoke = (lane: Lane) => speech.get(lane.participant) ?? 0;
  const cameras = all.filter((lane) => lane.source === 'camera').sort((a, b) => spoke(b) - spoke(a) || b.videoMs - a.videoMs);
  const screen = all.filter((lane) => lane.source === 'screen').sort((a, b) => b.videoMs - a.videoMs)[0];
  if (screen) {
    const speaker = cameras[0];
    if (!speaker) return [{ lane: screen, tile: { x: 0, y: 0, w: WIDTH, h: HEIGHT } }];
    return [
      { lane: screen, tile: { x: 0, y: 0, w: 960, h: HEIGHT } },
      { lane: speaker, tile: { x: 960, y: 0, w: 320, h: 240 } },
    ];
  }
  const speakers = cameras.filter((lane) => spoke(lane) >= SPOKE_MS);
  const shown = speakers.length > 0 ? speakers : cameras;
  return tilesFor(shown.length).map((tile, n) => ({ lane: shown[n]!, tile }));
}

/** One camera fills the frame; up to 4, the first large with a column beside it; up to 8, a column and a row; more, an even grid. */
export function tilesFor(count: number): Tile[] {
  if (count === 0) return [];
  if (count === 1) return [{ x: 0, y: 0, w: WIDTH, h: HEIGHT }];
  if (count <= 4) return [{ x: 0, y: 0, w: 960, h: 720 }, ...[0, 1, 2].slice(0, count - 1).map((n) => ({ x: 960, y: n * 240, w: 320, h: 240 }))];
  if (count <= 8) {
    const around = [[960, 0], [960, 180], [960, 360], [960, 540], [0, 540], [320, 540], [640, 540]] as const;
    return [{ x: 0, y: 0, w: 960, h: 540 }, ...around.slice(0, count - 1).map(([x, y]) => ({ x, y, w: 320, h: 180 }))];
  }
  const columns = Math.ceil(Math.sqrt(count));
  const rows = Math.ceil(count / columns);
  const even = (n: number) => n - (n % 2);
  const w = even(Math.floor(WIDTH / columns));
  const h = even(Math.floor(HEIGHT / rows));
  return Array.from({ length: count }, (_, n) => ({ x: (n % columns) * w, y: Math.floor(n / columns) * h, w, h }));
}
