/**
 * The `process` job: a recording's raw Janus files become `<dataDir>/recordings/<id>.mp4`. The streams are
 * converted by janus-pp-rec and composed by ffmpeg (./composition.ts) into a temporary file beside the final
 * one, checked with ffprobe, flushed to disk and renamed into place; only then is the raw folder removed and
 * the recording marked ready (and queued for publishing when its room publishes). Nothing partial is left on
 * any failure, and the raw files stay until the final file is safe, so a retry or a restart starts again from
 * them. A final file already in place (a crash after the rename) is kept and finished.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, statfsSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../lib/logger/logger.ts';
import { composeRecording } from './composition.ts';
import { PermanentJobError, RetryableJobError, type RecordingJob, type RecordingJobHandler } from './job-runner.ts';
import { probeStreams, runTool, ToolError, type MediaToolPaths } from './media-tools.ts';
import type { ProcessingStore, RecordingToProcess } from './processing-store.ts';
import { convertStreams, listRawStreams } from './raw-recording.ts';

export const FAILURE = {
  noMedia: 'recordings-processing:failure.noMedia',
  unreadable: 'recordings-processing:failure.unreadable',
  encoder: 'recordings-processing:failure.encoder',
  toolsMissing: 'recordings-processing:failure.toolsMissing',
  diskFull: 'recordings-processing:failure.diskFull',
} as const;

export interface ProcessRecordingOptions {
  store: ProcessingStore;
  dataDir: string;
  tools: MediaToolPaths;
  logger: Logger;
  /** Kept free on the disk on top of a processing's own estimate. */
  minFreeBytes: number;
  /** Whether a ready recording goes on to Kaltura (publishingApplies, src/recordings/publishing). */
  publishes: (recording: RecordingToProcess) => boolean;
  /** Free bytes on the data folder's disk (tests stand in for a full disk). */
  freeBytes?: (folder: string) => number;
}

/** Where a recording's final file lives, relative to the data folder (its `storage_key`). */
export function finalStorageKey(recordingId: string): string {
  return `recordings/${recordingId}.mp4`;
}

/** Stages of a processing, as shares of its progress: converting, composing, keeping. */
const CONVERTED = 20;
const COMPOSED = 95;
/** A composed 1280×720 H.264 file takes up to about this much a second (estimate for the free-disk check). */
const OUTPUT_BYTES_PER_SECOND = 400_000;
const PROCESSABLE = ['queued', 'processing', 'failed'] as const;

export class ProcessRecordingHandler implements RecordingJobHandler {
  readonly kind = 'process' as const;
  readonly #options: ProcessRecordingOptions;

  constructor(options: ProcessRecordingOptions) {
    this.#options = options;
  }

  async run(job: RecordingJob, report: (progress: number) => Promise<void>, signal: AbortSignal): Promise<void> {
    const { store, logger } = this.#options;
    const recording = await store.find(job.recordingId);
    if (!recording || recording.state === 'ready') return;
    if (!(PROCESSABLE as readonly string[]).includes(recording.state)) {
      // Over quota (or, wrongly queued, still recording): left as it is until released; releasing queues it again.
      logger.info({ recordingId: recording.id, state: recording.state }, 'recording not processed in its state');
      return;
    }
    if (recording.state !== 'processing' && !(await store.startProcessing(recording.id, PROCESSABLE))) return;

    const finalPath = path.join(this.#options.dataDir, finalStorageKey(recording.id));
    const rawFolder = this.#rawFolder(recording);
    if (!existsSync(finalPath)) {
      if (!rawFolder || !existsSync(rawFolder)) throw new PermanentJobError(FAILURE.noMedia, `no raw folder (${recording.rawFolder ?? 'none'})`);
      await this.#compose(recording, rawFolder, finalPath, report, signal);
    }
    await this.#keep(recording, rawFolder, finalPath, signal);
    await report(100);
  }

  async failed(job: RecordingJob, reason: string): Promise<void> {
    await this.#options.store.markFailed(job.recordingId, reason);
  }

  /** The raw folder, only when it is where the media server writes (a path from the database is not trusted blindly). */
  #rawFolder(recording: RecordingToProcess): string | null {
    if (!recording.rawFolder) return null;
    const root = path.resolve(this.#options.dataDir, 'recordings', 'raw');
    const folder = path.resolve(this.#options.dataDir, recording.rawFolder);
    return folder.startsWith(root + path.sep) ? folder : null;
  }

  async #compose(recording: RecordingToProcess, rawFolder: string, finalPath: string, report: (progress: number) => Promise<void>, signal: AbortSignal): Promise<void> {
    const { tools, dataDir } = this.#options;
    const streams = listRawStreams(rawFolder);
    if (streams.length === 0) throw new PermanentJobError(FAILURE.noMedia, 'no .mjr file in the raw folder');
    this.#checkFreeSpace(rawFolder, recording.recordedSeconds);
    const unique = `${recording.id}.${randomBytes(4).toString('hex')}`;
    const workFolder = path.join(dataDir, 'recordings', 'work', unique);
    const temporary = path.join(path.dirname(finalPath), `.${unique}.mp4.part`);
    mkdirSync(workFolder, { recursive: true });
    try {
      const tracks = await convertStreams(streams, { tools, rawFolder, workFolder, signal, onProgress: (done, total) => report((done / total) * CONVERTED) }).catch(toolFailure);
      if (tracks.length === 0) throw new PermanentJobError(FAILURE.unreadable, `none of ${streams.length} streams could be read`);
      const composition = composeRecording(tracks, temporary);
      const onLine = (line: string) => void onProgressLine(line, composition.durationMs, report)?.catch((error: unknown) => this.#options.logger.warn({ err: error }, 'recording progress not saved'));
      await runTool(tools.ffmpeg, composition.args, { signal, onLine }).catch(toolFailure);
      const probed = await probeStreams(tools, temporary, signal).catch(toolFailure);
      if (!probed.kinds.includes('video') || !probed.kinds.includes('audio')) throw new RetryableJobError(FAILURE.encoder, `ffmpeg wrote ${probed.kinds.join(', ') || 'no stream'}`);
      await report(COMPOSED);
      flushToDisk(temporary);
      renameSync(temporary, finalPath);
      flushToDisk(path.dirname(finalPath));
    } finally {
      rmSync(workFolder, { recursive: true, force: true });
      rmSync(temporary, { force: true });
    }
  }

  /** The final file is safe: remembered, then the raw folder goes, then the recording is ready. */
  async #keep(recording: RecordingToProcess, rawFolder: string | null, finalPath: string, signal: AbortSignal): Promise<void> {
    const { store, tools, logger } = this.#options;
    const { durationMs } = await probeStreams(tools, finalPath, signal).catch(toolFailure);
    const file = { storageKey: finalStorageKey(recording.id), durationMs: durationMs ?? 0, sizeBytes: statSync(finalPath).size };
    if (!(await store.recordFile(recording.id, file))) {
      // Deleted while it was processed: its video must not outlive it.
      if (!(await store.find(recording.id))) rmSync(finalPath, { force: true });
      return;
    }
    if (rawFolder) rmSync(rawFolder, { recursive: true, force: true });
    if (await store.markReady(recording.id, this.#options.publishes(recording))) logger.info({ recordingId: recording.id, ...file }, 'recording ready');
  }

  /** Enough room for the converted streams, the output and the configured reserve; else wait for space (retry). */
  #checkFreeSpace(rawFolder: string, recordedSeconds: number): void {
    const rawBytes = readdirSync(rawFolder).reduce((sum, name) => sum + statSync(path.join(rawFolder, name)).size, 0);
    const needed = rawBytes + recordedSeconds * OUTPUT_BYTES_PER_SECOND + this.#options.minFreeBytes;
    const free = (this.#options.freeBytes ?? freeBytesOn)(this.#options.dataDir);
    if (free < needed) throw new RetryableJobError(FAILURE.diskFull, `${free} bytes free, ${needed} needed`);
  }
}

function freeBytesOn(folder: string): number {
  const stats = statfsSync(folder);
  return stats.bavail * stats.bsize;
}

/** ffmpeg's `-progress` lines: `out_time_us=…` says how far the output got. */
function onProgressLine(line: string, durationMs: number, report: (progress: number) => Promise<void>): Promise<void> | undefined {
  const match = /^out_time_us=(\d+)$/.exec(line);
  if (!match || durationMs <= 0) return undefined;
  const done = Math.min(1, Number(match[1]) / 1000 / durationMs);
  return report(CONVERTED + done * (COMPOSED - CONVERTED));
}

/** A tool that failed: another attempt may do better (or find it installed); anything else goes on as it is. */
function toolFailure(error: unknown): never {
  if (error instanceof ToolError) throw new RetryableJobError(error.missing ? FAILURE.toolsMissing : FAILURE.encoder, error.message, { cause: error });
  throw error;
}

/** Written data and a rename survive a power cut only once flushed (the file, then its folder). */
function flushToDisk(file: string): void {
  const descriptor = openSync(file, 'r');
  try {
    fsyncSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
}
