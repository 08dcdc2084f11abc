/**
 * `npm run bench -- --only media`: join to first remote frame (p50, p95) for
 * ten participants entering a room with four cameras on, and the media
 * server's CPU per forwarded stream, for Janus and for the embedded SFU side
 * by side, with bare Janus (no service) measured in the same run as the
 * yardstick: the control plane's cost is a ratio to it. Prints a table and
 * writes tests/bench/results/media.json. Bounded: each scenario stops by
 * itself (about 40 s each on an idle machine).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { launchMediaBrowser, percentile } from './media-pages.ts';
import { runBareJanus } from './media-bare-janus.ts';
import { MEDIA_BENCH, runServiceScenario, type MediaScenarioResult, type ViewerMode } from './media-room.ts';

export const MEDIA_RESULTS_FILE = path.join(import.meta.dirname, 'results', 'media.json');
/** `--only media-join`: the viewers one at a time, each gone once its first frame shows (see ViewerMode). */
export const MEDIA_JOIN_RESULTS_FILE = path.join(import.meta.dirname, 'results', 'media-join.json');
/** Join to first frame on loopback, at the 95th percentile (issue 10's target). */
const P95_TARGET_MS = 1500;

interface Summary {
  name: string;
  p50Ms: number;
  p95Ms: number;
  timedOut: number;
  forwardedStreams: number;
  cpuSharePercent: number;
  /** Per cent of one core per forwarded stream. */
  cpuPerStreamPercent: number;
  /** The room page's own launch to first frame (through the service only). */
  roomPageP50Ms?: number;
  roomPageP95Ms?: number;
}

export async function runMediaBench(mode: ViewerMode = 'crowd'): Promise<void> {
  const results: MediaScenarioResult[] = [];
  // Janus bare, then through the service, then the embedded SFU; each with a browser of its own, so one's decoders are gone before the next.
  const scenarios: Array<[string, (browser: Browser) => Promise<MediaScenarioResult>]> = [
    ['bare Janus', (browser) => runBareJanus(browser, mode)],
    ['Janus through the service', (browser) => runServiceScenario(browser, 'janus', mode)],
    ['the embedded SFU through the service', (browser) => runServiceScenario(browser, 'embedded', mode)],
  ];
  const resultsFile = mode === 'crowd' ? MEDIA_RESULTS_FILE : MEDIA_JOIN_RESULTS_FILE;
  for (const [name, scenario] of scenarios) {
    const started = Date.now();
    const browser = await launchMediaBrowser();
    const result = await scenario(browser)
      .catch((error: unknown) => {
        console.error(`${name} failed: ${(error as Error).message.split('\n')[0]}`);
        return null;
      })
      .finally(() => browser.close());
    if (result) results.push(result);
    if (result) console.log(`${result.name}: done in ${Math.round((Date.now() - started) / 1000)} s.`);
  }
  const summaries = results.map(summarise);
  const bare = summaries.find((summary) => summary.name.startsWith('bare'));
  const janus = summaries.find((summary) => summary.name.startsWith('Janus'));
  const report = {
    timestamp: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', node: process.version, loadAverage: os.loadavg().map((load) => Math.round(load * 100) / 100) },
    parameters: { ...MEDIA_BENCH, viewers: mode },
    summaries,
    ratios: bare && janus ? { p50ServiceOverBare: round(janus.p50Ms / bare.p50Ms), p95ServiceOverBare: round(janus.p95Ms / bare.p95Ms), ...(mode === 'crowd' && { cpuPerStreamServiceOverBare: round(janus.cpuPerStreamPercent / bare.cpuPerStreamPercent) }) } : null,
    p95TargetMs: P95_TARGET_MS,
    raw: results,
  };
  mkdirSync(path.dirname(resultsFile), { recursive: true });
  writeFileSync(resultsFile, `${JSON.stringify(report, null, 2)}\n`);
  const how = mode === 'crowd' ? 'each staying' : 'each gone once its first frame showed';
  console.log(`\nMedia: ${MEDIA_BENCH.participants} participants joining a room with ${MEDIA_BENCH.cameras} cameras on, ${how} (load average ${report.machine.loadAverage.join(' ')})`);
  console.table(summaries);
  for (const result of results) printSteps(result);
  if (report.ratios) console.log(`Through the service over bare Janus: join p50 ×${report.ratios.p50ServiceOverBare}, p95 ×${report.ratios.p95ServiceOverBare}${report.ratios.cpuPerStreamServiceOverBare === undefined ? '' : `, CPU per stream ×${report.ratios.cpuPerStreamServiceOverBare}`}.`);
  console.log(`Written to ${path.relative(process.cwd(), resultsFile)}.`);
  if (results.length === 0) process.exitCode = 1;
}

function summarise(result: MediaScenarioResult): Summary {
  return {
    name: result.name,
    p50Ms: percentile(result.joinToFirstFrameMs, 0.5),
    p95Ms: percentile(result.joinToFirstFrameMs, 0.95),
    timedOut: result.timedOut,
    forwardedStreams: result.forwardedStreams,
    cpuSharePercent: round(result.cpuShare * 100),
    cpuPerStreamPercent: result.forwardedStreams > 0 ? round((result.cpuShare * 100) / result.forwardedStreams, 3) : NaN,
    ...(result.roomPages && roomPageFigures(result.roomPages.map((steps) => steps.firstFrame!))),
  };
}

/** Where the time to a first frame goes, as medians of each step (ms since the page was opened). */
function printSteps(result: MediaScenarioResult): void {
  const medians = (runs: Array<Record<string, number>>) => Object.keys(runs[0] ?? {}).map((step) => `${step} ${percentile(runs.map((run) => run[step]!), 0.5)}`).join(', ');
  if (result.viewerSteps?.length) console.log(`${result.name}, light viewers (median ms): ${medians(result.viewerSteps.map((steps, index) => ({ ...steps, firstFrame: result.joinToFirstFrameMs[index]! })))}`);
  if (result.roomPages?.length) console.log(`${result.name}, room page (median ms): ${medians(result.roomPages)}`);
}

function roomPageFigures(firstFrames: number[]): Pick<Summary, 'roomPageP50Ms' | 'roomPageP95Ms'> {
  return { roomPageP50Ms: percentile(firstFrames, 0.5), roomPageP95Ms: percentile(firstFrames, 0.95) };
}

function round(value: number, digits = 2): number {
  return Math.round(value * 10 ** digits) / 10 ** digits;
}
