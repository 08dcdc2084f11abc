/**
 * A recording's raw folder as the media server left it: Janus's .mjr files, one per stream of each publisher
 * and recording segment (a pause and a resume start new files). Each file is grouped with its publisher from
 * its name, placed in time from its header (`janus-pp-rec --json`: the moment its first packet was written),
 * turned into a media file by janus-pp-rec, and measured (duration; for voices, how long they spoke, from
 * ffmpeg's silencedetect, which only decodes audio).
 *
 * Names understood: the room's `<participant>-<camera|screen>-<start>-<audio|video|data>-<mindex>.mjr`, and
 * Janus's VideoRoom default `videoroom-<room>-user-<feed>-<start µs>-<audio|video|data>-<mindex>.mjr`.
 * A publisher whose name says `screen` is a screen share.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { probeDurationMs, runTool, ToolError, type MediaToolPaths } from './media-tools.ts';

export interface RawStream {
  /** The .mjr file's name in the raw folder. */
  file: string;
  /** Who sent it: the same for every stream and segment of one publisher (a person's camera, or their screen). */
  publisher: string;
  participant: string;
  source: 'camera' | 'screen';
  kind: 'audio' | 'video';
}

export interface MediaTrack extends RawStream {
  /** The converted media file. */
  path: string;
  /** From the start of the earliest stream of the recording. */
  offsetMs: number;
  durationMs: number;
  /** Audio only: time with sound above the silence threshold. */
  speechMs: number;
}

const FILE_NAME = /^(?<base>.+)-(?<kind>audio|video|data)(?:-\d+)*\.mjr$/;
const JANUS_DEFAULT = /^videoroom-.+-user-(?<feed>[^-]+)-\d+$/;
const TRAILING_START = /-\d{10,}$/;
/** Converted file extension per codec in the header (`janus-pp-rec --file-extensions`). */
const EXTENSIONS: Record<string, string> = { opus: 'opus', multiopus: 'opus', pcmu: 'wav', pcma: 'wav', g722: 'wav', l16: 'wav', 'l16-48': 'wav', vp8: 'mkv', vp9: 'mkv', h264: 'mkv', h265: 'mkv', av1: 'mp4' };
/** Quieter than this for half a second is silence: a voice that said nothing is not a speaker. */
const SILENCE = 'silencedetect=noise=-45dB:duration=0.5';

/** The raw folder's audio and video streams; other files (data channels, anything else) are left out. */
export function listRawStreams(folder: string): RawStream[] {
  const streams: RawStream[] = [];
  for (const file of readdirSync(folder).sort()) {
    const match = FILE_NAME.exec(file);
    if (!match || match.groups!.kind === 'data') continue;
    const base = match.groups!.base!;
    const feed = JANUS_DEFAULT.exec(base)?.groups?.feed;
    const publisher = feed ? `user-${feed}` : base.replace(TRAILING_START, '');
    const source = /(^|[-_.:])screen($|[-_.:])/i.test(publisher) ? 'screen' : 'camera';
    const participant = publisher.replace(/[-_.:](camera|screen)$/i, '');
    streams.push({ file, publisher, participant, source, kind: match.groups!.kind as 'audio' | 'video' });
  }
  return streams;
}

interface StreamHeader {
  codec: string;
  /** Microseconds since the epoch: the first packet written, else the file's creation. */
  startUs: number;
}

/** The .mjr's header; null when it is not a Janus recording (janus-pp-rec cannot read it). */
async function readHeader(tools: MediaToolPaths, file: string, signal: AbortSignal): Promise<StreamHeader | null> {
  try {
    const { stdout } = await runTool(tools.janusPpRec, ['--json', file], { signal });
    const line = stdout.trim().split('\n').pop() ?? '';
    const header = JSON.parse(line) as { c?: unknown; s?: unknown; u?: unknown };
    const startUs = Number(header.u) > 0 ? Number(header.u) : Number(header.s);
    if (typeof header.c !== 'string' || !(startUs > 0)) return null;
    return { codec: header.c, startUs };
  } catch (error) {
    if (error instanceof ToolError && !error.missing) return null;
    if (error instanceof SyntaxError) return null;
    throw error;
  }
}

export interface ConvertOptions {
  tools: MediaToolPaths;
  rawFolder: string;
  workFolder: string;
  signal: AbortSignal;
  /** Called after each stream, with how many are done out of how many. */
  onProgress?: (done: number, total: number) => Promise<void>;
}

/**
 * Converts and measures every usable stream. A file that is not a Janus recording, holds a codec nothing here
 * plays, or converts to nothing is left out: the rest of the recording is still worth keeping. Missing tools
 * reject with ToolError (missing), for the caller to retry once they are installed.
 */
export async function convertStreams(streams: readonly RawStream[], { tools, rawFolder, workFolder, signal, onProgress }: ConvertOptions): Promise<MediaTrack[]> {
  const converted: Array<Omit<MediaTrack, 'offsetMs'> & { startUs: number }> = [];
  for (const [index, stream] of streams.entries()) {
    const source = path.join(rawFolder, stream.file);
    const header = await readHeader(tools, source, signal);
    const extension = header && EXTENSIONS[header.codec];
    if (header && extension) {
      const target = path.join(workFolder, `${index}-${stream.kind}.${extension}`);
      const track = await convertOne(tools, source, target, signal);
      if (track) converted.push({ ...stream, path: target, durationMs: track.durationMs, speechMs: stream.kind === 'audio' ? await speechMs(tools, target, track.durationMs, signal) : 0, startUs: header.startUs });
    }
    await onProgress?.(index + 1, streams.length);
  }
  const firstUs = Math.min(...converted.map((track) => track.startUs));
  return converted.map(({ startUs, ...track }) => ({ ...track, offsetMs: Math.round((startUs - firstUs) / 1000) }));
}

async function convertOne(tools: MediaToolPaths, source: string, target: string, signal: AbortSignal): Promise<{ durationMs: number } | null> {
  try {
    await runTool(tools.janusPpRec, [source, target], { signal });
    const durationMs = await probeDurationMs(tools, target, signal);
    return durationMs === null ? null : { durationMs };
  } catch (error) {
    // A corrupt file, or one with nothing in it: janus-pp-rec or ffprobe fails on it.
    if (error instanceof ToolError && !error.missing) return null;
    throw error;
  }
}

/** How long a voice spoke: its duration less the silences ffmpeg's silencedetect finds (it logs them). */
async function speechMs(tools: MediaToolPaths, file: string, durationMs: number, signal: AbortSignal): Promise<number> {
  const { stderr } = await runTool(tools.ffmpeg, ['-hide_banner', '-nostdin', '-nostats', '-i', file, '-af', SILENCE, '-f', 'null', '-'], { signal, keep: 16_000_000 });
  let silentMs = 0;
  let openedAt: number | null = null;
  for (const match of stderr.matchAll(/silence_(start|end): (-?[\d.]+)/g)) {
    const at = Number.parseFloat(match[2]!) * 1000;
    if (match[1] === 'start') openedAt = Math.max(0, at);
    else if (openedAt !== null) {
      silentMs += at - openedAt;
      openedAt = null;
    }
  }
  if (openedAt !== null) silentMs += durationMs - openedAt;
  return Math.max(0, Math.round(durationMs - silentMs));
}
