/**
 * What a fan-out run reports: a table on stdout, and the `fanOut` section of
 * tests/bench/results/latest.json. The section is the fan-out load's own:
 * the join storm's figures around it are left as they are, and a run of the
 * join storm alone keeps it (keepingFanOutSection).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { round, type LatencySummary } from './load-generator.ts';
import { RESULTS_FILE } from './report.ts';

/** The service's p99 delivery latency should stay within twice the bare relay's. */
export const P99_RATIO_TARGET = 2;
/** A generator busier than this share of a core is queueing deliveries itself: its latencies are partly its own. */
const GENERATOR_BUSY_SHARE = 0.8;

export interface FanOutRound {
  name: string;
  sent: number;
  /** Error code → count, as the senders were told (RATE_LIMITED would mean the schedule hit the chat limit). */
  refused: Record<string, number>;
  receivers: number;
  /** Accepted messages × receivers. */
  expected: number;
  delivered: number;
  lost: number;
  /** From the first send to the last delivery. */
  elapsedMs: number;
  deliveredPerSecond: number;
  /** Send to receipt, over every delivery of the round. */
  latencyMs: LatencySummary;
  /** How far behind the steady schedule the generator sent. */
  sendLatenessMs: { p99: number; max: number };
  generator: { eventLoopDelayP99Ms: number; eventLoopDelayMaxMs: number; cpuShare: number };
  /** The server process's CPU time over the round, as a share of one core. */
  serverCpuShare: number;
}

export interface MemoryMeasure {
  participants: number;
  /** Both measures held still before they were taken (false: the sampling gave up; RSS figures are rough). */
  settled: boolean;
  /** At rest (collected, then idle), with only the instructor connected, and with everyone connected (and, for the service, live). */
  beforeMb: { rss: number; heapUsed: number };
  afterMb: { rss: number; heapUsed: number };
  perParticipantKb: { rss: number; heapUsed: number; external: number };
}

interface RoundFigures {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  deliveredPerSecond: number;
  serverCpuShare: number;
  roundsP99: number[];
}

export interface FanOutReport {
  timestamp: string;
  machine: { cpus: number; cpuModel: string; node: string; platform: string; arch: string; totalMemoryMb: number; loadAverage: number[] };
  parameters: {
    participants: number;
    /** The instructor and the first participants, each sending every senders / messagesPerSecond seconds. */
    senders: number;
    messagesPerSecond: number;
    secondsPerRound: number;
    rounds: number;
    /** The service ran under the CPU profiler, which slows it; such figures do not compare with others. */
    profiled: boolean;
    chatLimit: unknown;
    database: unknown;
  };
  summary: {
    /** The median round by p99. */
    service: RoundFigures;
    baseline: RoundFigures;
    p99Ratio: number;
    /** Each service round's p99 over the bare round that ran right after it (same weather). */
    p99RatioByRound: number[];
    p99RatioTarget: number;
    p99RatioMet: boolean;
    memoryPerParticipantKb: { service: MemoryMeasure['perParticipantKb']; baseline: MemoryMeasure['perParticipantKb'] };
    /** The busiest the load generator was in any round. */
    generator: { eventLoopDelayP99Ms: number; cpuShare: number };
  };
  memory: { service: MemoryMeasure; baseline: MemoryMeasure };
  rounds: { service: FanOutRound[]; baseline: FanOutRound[] };
  /** What fails the run: lost or refused messages. */
  problems: string[];
  /** What deserves a look: a missed target, a busy generator. */
  warnings: string[];
}

export interface FanOutReportInput {
  participants: number;
  senders: number;
  messagesPerSecond: number;
  seconds: number;
  profiled: boolean;
  serviceDetails: Record<string, unknown>;
  serviceRounds: FanOutRound[];
  baselineRounds: FanOutRound[];
  serviceMemory: MemoryMeasure;
  baselineMemory: MemoryMeasure;
}

export function buildFanOutReport(input: FanOutReportInput): FanOutReport {
  const { serviceRounds, baselineRounds } = input;
  const service = figures(serviceRounds);
  const baseline = figures(baselineRounds);
  const p99Ratio = round(service.p99 / (baseline.p99 || Number.NaN), 2);
  const allRounds = [...serviceRounds, ...baselineRounds];
  const generator = {
    eventLoopDelayP99Ms: Math.max(...allRounds.map((pass) => pass.generator.eventLoopDelayP99Ms)),
    cpuShare: Math.max(...allRounds.map((pass) => pass.generator.cpuShare)),
  };
  return {
    timestamp: new Date().toISOString(),
    machine: machineInfo(),
    parameters: {
      participants: input.participants,
      senders: input.senders,
      messagesPerSecond: input.messagesPerSecond,
      secondsPerRound: input.seconds,
      rounds: serviceRounds.length,
      profiled: input.profiled,
      chatLimit: input.serviceDetails.chatLimit ?? null,
      database: input.serviceDetails.database ?? null,
    },
    summary: {
      service,
      baseline,
      p99Ratio,
      p99RatioByRound: serviceRounds.map((pass, index) => round(pass.latencyMs.p99 / (baselineRounds[index]?.latencyMs.p99 || Number.NaN), 2)),
      p99RatioTarget: P99_RATIO_TARGET,
      p99RatioMet: p99Ratio <= P99_RATIO_TARGET,
      memoryPerParticipantKb: { service: input.serviceMemory.perParticipantKb, baseline: input.baselineMemory.perParticipantKb },
      generator,
    },
    memory: { service: input.serviceMemory, baseline: input.baselineMemory },
    rounds: { service: serviceRounds, baseline: baselineRounds },
    problems: allRounds.flatMap(problemsOf),
    warnings: [
      ...(p99Ratio <= P99_RATIO_TARGET ? [] : [`the service's p99 delivery latency is ${p99Ratio}× the bare relay's, above the target of ${P99_RATIO_TARGET}×`]),
      ...[input.serviceMemory, input.baselineMemory].flatMap((memory, index) =>
        memory.settled ? [] : [`the ${index === 0 ? "service's" : "bare relay's"} memory did not settle before it was measured: its RSS per participant is rough`],
      ),
      ...(generator.cpuShare < GENERATOR_BUSY_SHARE ? [] : [`the load generator used ${Math.round(generator.cpuShare * 100)}% of a core in a round: part of the latency is its own queueing`]),
    ],
  };
}

/** The round in the middle by p99: one neighbour's burst of CPU moves it far less than a mean. */
function medianByP99(rounds: readonly FanOutRound[]): FanOutRound {
  if (rounds.length === 0) throw new Error('no rounds to take the median of');
  const sorted = [...rounds].sort((a, b) => a.latencyMs.p99 - b.latencyMs.p99);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function figures(rounds: readonly FanOutRound[]): RoundFigures {
  const median = medianByP99(rounds);
  const { p50, p95, p99, max } = median.latencyMs;
  return { p50, p95, p99, max, deliveredPerSecond: median.deliveredPerSecond, serverCpuShare: median.serverCpuShare, roundsP99: rounds.map((pass) => pass.latencyMs.p99) };
}

/** On loopback a correct server loses nothing and, under the schedule, refuses nothing. */
function problemsOf(pass: FanOutRound): string[] {
  const problems: string[] = [];
  if (pass.lost > 0) problems.push(`${pass.lost} of ${pass.expected} deliveries never arrived in the ${pass.name} round`);
  for (const [code, count] of Object.entries(pass.refused)) problems.push(`${count} messages were refused with ${code} in the ${pass.name} round`);
  return problems;
}

function machineInfo(): FanOutReport['machine'] {
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

function readResults(): Record<string, unknown> {
  if (!existsSync(RESULTS_FILE)) return {};
  try {
    return JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as Record<string, unknown>;
  } catch {
    // A damaged file is replaced, not a reason to lose this run's figures.
    return {};
  }
}

function writeResults(results: Record<string, unknown>): void {
  mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
}

/** Puts the report into the results file as its `fanOut` section, keeping everything else there. */
export function writeFanOutReport(report: FanOutReport): void {
  writeResults({ ...readResults(), fanOut: report });
}

/** Runs `write`, which replaces the results file (the join storm's report), and puts the file's earlier `fanOut` section back. */
export function keepingFanOutSection(write: () => void): void {
  const { fanOut } = readResults();
  write();
  if (fanOut !== undefined) writeResults({ ...readResults(), fanOut });
}

export function printFanOutReport(report: FanOutReport): void {
  const { summary, parameters, machine, rounds } = report;
  const serviceMedian = medianByP99(rounds.service);
  const baselineMedian = medianByP99(rounds.baseline);
  console.log(
    `\nFan-out: 1 instructor + ${parameters.participants} participants in one room, ${parameters.senders} senders, ${parameters.messagesPerSecond} messages/s for ${parameters.secondsPerRound} s a round; ` +
      `${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}, load ${machine.loadAverage[0]}${parameters.profiled ? ' (service under the CPU profiler: slower than usual)' : ''}\n`,
  );
  const row = (label: string, pass: FanOutRound, ratio: string) => [
    label,
    String(pass.delivered),
    String(pass.lost),
    pass.deliveredPerSecond.toFixed(0),
    String(pass.latencyMs.p50),
    String(pass.latencyMs.p95),
    String(pass.latencyMs.p99),
    String(pass.latencyMs.max),
    `${Math.round(pass.serverCpuShare * 100)}%`,
    ratio,
  ];
  printTable(
    ['server (median round by p99)', 'delivered', 'lost', 'msgs/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'server CPU', 'p99 vs bare'],
    [row(`service (of ${rounds.service.length})`, serviceMedian, summary.p99Ratio.toFixed(2)), row(`bare ws relay (of ${rounds.baseline.length})`, baselineMedian, '1.00')],
  );
  // RSS moves by whole pages as V8 and the allocator keep or return them: at a few hundred connections its difference is mostly that noise, so the heap leads.
  const memory = ({ perParticipantKb, beforeMb, afterMb }: MemoryMeasure) =>
    `heap ${perParticipantKb.heapUsed} KB per participant (${beforeMb.heapUsed} → ${afterMb.heapUsed} MB), RSS ${beforeMb.rss} → ${afterMb.rss} MB (${perParticipantKb.rss} KB per participant)`;
  console.log(`\nMemory at rest, ${report.memory.service.participants} participants connected: service ${memory(report.memory.service)}; bare ws ${memory(report.memory.baseline)}.`);
  console.log(`p99 by round: service ${summary.service.roundsP99.join(', ')}; bare ws ${summary.baseline.roundsP99.join(', ')} ms; ratios ${summary.p99RatioByRound.join(', ')}.`);
  console.log(`Load generator, busiest round: event-loop delay p99 ${summary.generator.eventLoopDelayP99Ms} ms, CPU ${Math.round(summary.generator.cpuShare * 100)}% of a core.`);
  console.log(`Service p99 / bare p99: ${summary.p99Ratio.toFixed(2)} (target ≤ ${summary.p99RatioTarget}: ${summary.p99RatioMet ? 'met' : 'NOT met'}).`);
  for (const warning of report.warnings) console.log(`Warning: ${warning}.`);
  for (const problem of report.problems) console.error(`FAILED: ${problem}.`);
  console.log(`Results: ${path.relative(process.cwd(), RESULTS_FILE)} (fanOut)`);
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((cells) => (cells[column] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const cells of rows) console.log(line(cells));
}
