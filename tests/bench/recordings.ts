/**
 * `npm run bench -- --only recordings`: processing recordings into one video. Records real Janus files for
 * 2, 4 and 8 cameras, each with a voice (tests/support/janus-recordings.ts; BENCH_RECORDING_SECONDS long,
 * 20 s by default), then times, per recorded minute, the whole `process` job as the service runs it (the
 * runner claiming it, janus-pp-rec, speech measured, ffmpeg's composition, ffprobe, fsync, the database) and,
 * in the same run from the same already-converted streams, ffmpeg alone doing the same composition: our
 * overhead is the ratio. Rounds alternate (ours, ffmpeg, ffmpeg, ours) so both meet the same machine load.
 * Prints a table and writes the `recordings` section of tests/bench/results/latest.json.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../../src/lib/config/config.ts';
import { systemScheduler } from '../../src/lib/clock/scheduler.ts';
import { createLogger } from '../../src/lib/logger/logger.ts';
import { composeRecording } from '../../src/recordings/processing/composition.ts';
import { createRecordingJobRunner } from '../../src/recordings/processing/create-processing.ts';
import { runTool } from '../../src/recordings/processing/media-tools.ts';
import { convertStreams, listRawStreams } from '../../src/recordings/processing/raw-recording.ts';
import { recordScenarios, type RecordingScenario } from '../support/janus-recordings.ts';
import { addFinishedRecording, openBareDatabase, recordingRow } from '../support/processing-scene.ts';
import { writeSection } from './report.ts';

const CAMERAS = [2, 4, 8];
const TONES = [330, 440, 550, 660, 770, 880, 990, 1100];

interface Row {
  cameras: number;
  recordedSeconds: number;
  /** Seconds of work per recorded minute. */
  oursPerMinute: number;
  ffmpegAlonePerMinute: number;
  overheadRatio: number;
  rounds: { oursMs: number[]; ffmpegAloneMs: number[] };
}

export async function runRecordingsBench(): Promise<void> {
  const seconds = Number(process.env.BENCH_RECORDING_SECONDS ?? 20);
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'recordings-bench-'));
  try {
    const scenarios: RecordingScenario[] = CAMERAS.map((cameras) => ({
      name: `${cameras}-cameras`,
      seconds,
      publishers: Array.from({ length: cameras }, (_, n) => ({ participant: `p${n}`, source: 'camera' as const, video: true, voiceHz: TONES[n]! })),
    }));
    console.log(`Recording ${CAMERAS.join(', ')} cameras for ${seconds} s through Janus…`);
    await recordScenarios(path.join(scratch, 'raw'), scenarios);
    const rows: Row[] = [];
    for (const scenario of scenarios) rows.push(await measure(scratch, scenario));
    const figures = { timestamp: new Date().toISOString(), machine: { cpus: os.cpus().length, node: process.version, loadAverage: os.loadavg().map((load) => Math.round(load * 100) / 100) }, parameters: { recordedSeconds: seconds, output: '1280x720 H.264 (libx264 veryfast, crf 23) + AAC' }, rows };
    console.table(rows.map(({ rounds, ...row }) => row));
    writeSection('recordings', figures);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function measure(scratch: string, scenario: RecordingScenario): Promise<Row> {
  const raw = path.join(scratch, 'raw', scenario.name);
  const oursMs: number[] = [];
  const aloneMs: number[] = [];
  let recordedMs = 0;
  // ABBA: ours, ffmpeg alone, ffmpeg alone, ours.
  for (const which of ['ours', 'alone', 'alone', 'ours'] as const) {
    if (which === 'ours') {
      const run = await processAsTheServiceDoes(raw);
      oursMs.push(run.elapsedMs);
      recordedMs = run.durationMs;
    } else {
      aloneMs.push(await composeWithFfmpegAlone(scratch, raw));
    }
    console.log(`${scenario.name}: ${which} ${which === 'ours' ? oursMs.at(-1) : aloneMs.at(-1)} ms`);
  }
  const perMinute = (ms: number[]) => round((average(ms) / 1000) * (60_000 / recordedMs));
  const oursPerMinute = perMinute(oursMs);
  const ffmpegAlonePerMinute = perMinute(aloneMs);
  return { cameras: scenario.publishers.length, recordedSeconds: round(recordedMs / 1000), oursPerMinute, ffmpegAlonePerMinute, overheadRatio: round(oursPerMinute / ffmpegAlonePerMinute), rounds: { oursMs, ffmpegAloneMs: aloneMs } };
}

/** The service's own runner and `process` handler on a database of its own, timed from the poke to ready. */
async function processAsTheServiceDoes(raw: string): Promise<{ elapsedMs: number; durationMs: number }> {
  const bare = await openBareDatabase('SQLite');
  try {
    const config = loadConfig({ environment: { NODE_ENV: 'test' }, overrides: { dataDir: bare.dataDir, recordings: { minFreeDiskMegabytes: 0 } } });
    const runner = createRecordingJobRunner({ config, db: bare.db, scheduler: systemScheduler(), logger: createLogger('silent') });
    const { recordingId } = await addFinishedRecording(bare.db, { now: Date.now() });
    cpSync(raw, path.join(bare.dataDir, 'recordings', 'raw', recordingId), { recursive: true });
    const started = performance.now();
    runner.start();
    let row = await recordingRow(bare.db, recordingId);
    while (row.state !== 'ready') {
      if (row.state === 'failed') throw new Error(`processing failed: ${row.failure_reason}`);
      await runner.idle();
      await new Promise((resolve) => setTimeout(resolve, 20));
      row = await recordingRow(bare.db, recordingId);
    }
    const elapsedMs = Math.round(performance.now() - started);
    await runner.stop();
    return { elapsedMs, durationMs: Number(row.duration_ms) };
  } finally {
    await bare.close();
  }
}

/** The same composition by ffmpeg alone, from streams converted beforehand (not timed). */
async function composeWithFfmpegAlone(scratch: string, raw: string): Promise<number> {
  const work = mkdtempSync(path.join(scratch, 'alone-'));
  try {
    const signal = new AbortController().signal;
    const tools = { janusPpRec: 'janus-pp-rec', ffmpeg: 'ffmpeg', ffprobe: 'ffprobe' };
    mkdirSync(work, { recursive: true });
    const tracks = await convertStreams(listRawStreams(raw), { tools, rawFolder: raw, workFolder: work, signal });
    const { args } = composeRecording(tracks, path.join(work, 'out.mp4'));
    const started = performance.now();
    await runTool('ffmpeg', args, { signal });
    return Math.round(performance.now() - started);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function average(values: number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
