/**
 * What a join-storm run reports: a table on stdout for people, and
 * tests/bench/results/latest.json for tools and for comparing runs.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { JOIN_STEPS } from './join-flow.ts';
import type { PassResult } from './join-storm.ts';
import { round } from './load-generator.ts';

export const RESULTS_FILE = path.join(import.meta.dirname, 'results', 'latest.json');
/** The warm path should keep at least a third of what bare Express manages. */
export const WARM_RATIO_TARGET = 1 / 3;
/** Once the caches are warm, a join should cost at most one Kaltura call. */
const WARM_CALLS_PER_JOIN_LIMIT = 1;

export interface RunReport {
  timestamp: string;
  /** `loadAverage` (1, 5, 15 min) as the run ends: other work on the machine skews the figures. */
  machine: { cpus: number; cpuModel: string; node: string; platform: string; arch: string; totalMemoryMb: number; loadAverage: number[] };
  /** `profiled`: the service ran under the CPU profiler, which slows it; such figures do not compare with others. */
  parameters: { users: number; concurrency: number; rounds: number; profiled: boolean; cache: unknown; database: unknown };
  summary: {
    cold: PassFigures & { kalturaCallsPerJoin: number | null; ratioToBaseline: number };
    /** The median warm round; its Kaltura calls per join are counted over every warm round. */
    warm: PassFigures & { kalturaCallsPerJoin: number | null; ratioToBaseline: number; roundsJoinsPerSecond: number[] };
    /** The median baseline round. */
    baseline: PassFigures & { roundsJoinsPerSecond: number[] };
    warmRatioTarget: number;
    warmRatioMet: boolean;
    /** The last warm round ended before the shortest cache lifetime, counted from the cold pass's start. */
    warmWithinCacheLifetimes: boolean;
  };
  passes: { cold: PassResult; warm: PassResult[]; baseline: PassResult[] };
  /** What fails the run (too many failed joins). */
  problems: string[];
  /** What deserves a look but does not fail the run (a missed target, a warm path that is not warm). */
  warnings: string[];
}

interface PassFigures {
  p50: number;
  p95: number;
  p99: number;
  joinsPerSecond: number;
}

export interface ReportInput {
  users: number;
  concurrency: number;
  profiled: boolean;
  serviceDetails: Record<string, unknown>;
  cold: PassResult;
  warmRounds: PassResult[];
  baselineRounds: PassResult[];
  warmWithinCacheLifetimes: boolean;
  problems: string[];
}

export function buildReport(input: ReportInput): RunReport {
  const { cold, warmRounds, baselineRounds } = input;
  const warm = medianByThroughput(warmRounds);
  const baseline = medianByThroughput(baselineRounds);
  const ratio = (pass: PassResult) => round(pass.joinsPerSecond / (baseline.joinsPerSecond || Number.NaN), 3);
  const warmRatio = ratio(warm);
  const warmCallsPerJoin = callsPerJoin(warmRounds);
  return {
    timestamp: new Date().toISOString(),
    machine: machineInfo(),
    parameters: {
      users: input.users,
      concurrency: input.concurrency,
      rounds: warmRounds.length,
      profiled: input.profiled,
      cache: input.serviceDetails.cache ?? null,
      database: input.serviceDetails.database ?? null,
    },
    summary: {
      cold: { ...figures(cold), kalturaCallsPerJoin: cold.kalturaCallsPerJoin, ratioToBaseline: ratio(cold) },
      warm: { ...figures(warm), kalturaCallsPerJoin: warmCallsPerJoin, ratioToBaseline: warmRatio, roundsJoinsPerSecond: warmRounds.map((pass) => pass.joinsPerSecond) },
      baseline: { ...figures(baseline), roundsJoinsPerSecond: baselineRounds.map((pass) => pass.joinsPerSecond) },
      warmRatioTarget: round(WARM_RATIO_TARGET, 3),
      warmRatioMet: warmRatio >= WARM_RATIO_TARGET,
      warmWithinCacheLifetimes: input.warmWithinCacheLifetimes,
    },
    passes: { cold, warm: warmRounds, baseline: baselineRounds },
    problems: input.problems,
    warnings: warningsFor(warmRatio, warmCallsPerJoin, input.warmWithinCacheLifetimes),
  };
}

/** The round in the middle by joins per second: one neighbour's burst of CPU moves it far less than a mean. */
export function medianByThroughput(passes: readonly PassResult[]): PassResult {
  if (passes.length === 0) throw new Error('no passes to take the median of');
  const sorted = [...passes].sort((a, b) => a.joinsPerSecond - b.joinsPerSecond);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function callsPerJoin(passes: readonly PassResult[]): number | null {
  if (passes.some((pass) => pass.kalturaCalls === null)) return null;
  const calls = passes.reduce((sum, pass) => sum + pass.kalturaCalls!, 0);
  const joins = passes.reduce((sum, pass) => sum + pass.succeeded, 0);
  return round(calls / (joins || 1), 3);
}

function warningsFor(warmRatio: number, warmCallsPerJoin: number | null, withinCacheLifetimes: boolean): string[] {
  const warnings: string[] = [];
  if (warmRatio < WARM_RATIO_TARGET) warnings.push(`warm joins/s is ${warmRatio} of bare Express's, below the target of ${round(WARM_RATIO_TARGET, 3)}`);
  if ((warmCallsPerJoin ?? 0) > WARM_CALLS_PER_JOIN_LIMIT) warnings.push(`the warm path cost ${warmCallsPerJoin} Kaltura calls per join (limit ${WARM_CALLS_PER_JOIN_LIMIT})`);
  if (!withinCacheLifetimes) warnings.push('the warm rounds outlasted the shortest cache lifetime, so some of their joins were not warm');
  return warnings;
}

function figures(pass: PassResult): PassFigures {
  return { p50: pass.joinFlowMs.p50, p95: pass.joinFlowMs.p95, p99: pass.joinFlowMs.p99, joinsPerSecond: pass.joinsPerSecond };
}

function machineInfo(): RunReport['machine'] {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    node: process.version,
    platform: os.platform(),
    arch: os.arch(),
    totalMemoryMb: Math.round(os.totalmem() / 2 ** 20),
    loadAverage: os.loadavg().map((load) => round(load)),
  };
}

export function writeReport(report: RunReport): void {
  mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  writeFileSync(RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`);
}

export function printReport(report: RunReport): void {
  const { summary, passes, machine, parameters } = report;
  const warm = medianByThroughput(passes.warm);
  const baseline = medianByThroughput(passes.baseline);
  const perJoin = (value: number | null) => (value === null ? '-' : value.toFixed(2));
  const profiled = parameters.profiled ? ' (service under the CPU profiler: slower than usual)' : '';
  console.log(`\nJoin storm: ${parameters.users} users, ${parameters.concurrency} at a time; ${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}, load ${machine.loadAverage[0]}${profiled}\n`);
  printTable(
    ['pass', 'ok', 'failed', 'joins/s', 'p50 ms', 'p95 ms', 'p99 ms', 'Kaltura calls/join', 'vs baseline'],
    [
      row('service cold', passes.cold, perJoin(summary.cold.kalturaCallsPerJoin), summary.cold.ratioToBaseline.toFixed(2)),
      row(`service warm (median of ${passes.warm.length})`, warm, perJoin(summary.warm.kalturaCallsPerJoin), summary.warm.ratioToBaseline.toFixed(2)),
      row(`bare Express (median of ${passes.baseline.length})`, baseline, '-', '1.00'),
    ],
  );
  console.log('\nPer step, p50 / p95 ms (successful joins):\n');
  printTable(
    ['pass', ...JOIN_STEPS],
    [passes.cold, warm, baseline].map((pass) => [pass.name, ...JOIN_STEPS.map((step) => `${pass.stepsMs[step].p50} / ${pass.stepsMs[step].p95}`)]),
  );
  console.log(`\nJoins/s by round: warm ${summary.warm.roundsJoinsPerSecond.join(', ')}; bare Express ${summary.baseline.roundsJoinsPerSecond.join(', ')}.`);
  console.log(`Warm/baseline joins per second: ${summary.warm.ratioToBaseline.toFixed(2)} (target ≥ ${summary.warmRatioTarget.toFixed(2)}: ${summary.warmRatioMet ? 'met' : 'NOT met'}).`);
  for (const pass of [passes.cold, ...passes.warm, ...passes.baseline]) {
    for (const [reason, count] of Object.entries(pass.failures)) console.log(`  failed in ${pass.name}: ${count} × ${reason}`);
  }
  for (const warning of report.warnings) console.log(`Warning: ${warning}.`);
  for (const problem of report.problems) console.error(`FAILED: ${problem}.`);
  console.log(`Results: ${path.relative(process.cwd(), RESULTS_FILE)}`);
}

function row(label: string, pass: PassResult, callsPerJoin: string, ratio: string): string[] {
  return [label, String(pass.succeeded), String(pass.failed), pass.joinsPerSecond.toFixed(1), String(pass.joinFlowMs.p50), String(pass.joinFlowMs.p95), String(pass.joinFlowMs.p99), callsPerJoin, ratio];
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((cells) => (cells[column] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const cells of rows) console.log(line(cells));
}

/** Puts one benchmark's figures in its section of the results file, keeping the other sections. */
export function writeSection(section: string, figures: unknown): void {
  let results: Record<string, unknown> = {};
  try {
    if (existsSync(RESULTS_FILE)) results = JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as Record<string, unknown>;
  } catch {
    // A damaged file is replaced, not a reason to lose this run's figures.
  }
  results[section] = figures;
  mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`Results: ${path.relative(process.cwd(), RESULTS_FILE)} (${section})`);
}
