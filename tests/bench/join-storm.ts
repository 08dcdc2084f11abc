/**
 * One pass of the join storm: every joiner runs the join flow once, at most
 * `concurrency` at a time, and the pass is summarised: join-flow and per-step
 * latency percentiles, joins per second, failures by reason and, for the
 * service, how many Kaltura requests each join cost.
 */
import { RequestFailure, type HttpClient } from './http-client.ts';
import { JOIN_STEPS, joinMeeting, type Joiner, type JoinStep, type StepTimings } from './join-flow.ts';
import { round, runConcurrently, summarize, throughput, type LatencySummary } from './load-generator.ts';

/** Above this share of failed joins a pass, and so the run, fails. */
export const MAX_FAILURE_RATE = 0.01;

export interface PassOptions {
  name: string;
  /**
   * Shared by the passes against one server: its keep-alive connections
   * outlive a pass, so only the first pass pays for opening them (a hundred
   * simultaneous connects queue behind each other and would otherwise add
   * hundreds of milliseconds to the first wave of every pass).
   */
  client: HttpClient;
  channelId: number;
  joiners: readonly Joiner[];
  concurrency: number;
  /** The service's Kaltura request counter; absent for the baseline, which calls nothing. */
  kalturaCalls?: () => Promise<number>;
}

export interface PassResult {
  name: string;
  attempted: number;
  succeeded: number;
  failed: number;
  failureRate: number;
  /** Reason → count, so a thousand identical failures read as one line. */
  failures: Record<string, number>;
  elapsedMs: number;
  joinsPerSecond: number;
  joinFlowMs: LatencySummary;
  stepsMs: Record<JoinStep, LatencySummary>;
  kalturaCalls: number | null;
  kalturaCallsPerJoin: number | null;
}

export async function runJoinPass({ name, client, channelId, joiners, concurrency, kalturaCalls }: PassOptions): Promise<PassResult> {
  // The counter is read outside the timed run: an IPC round trip is not part of any join.
  const callsBefore = kalturaCalls ? await kalturaCalls() : null;
  const run = await runConcurrently(joiners, concurrency, (joiner) => joinMeeting(client, channelId, joiner));
  const callsAfter = kalturaCalls ? await kalturaCalls() : null;

  const succeeded = run.outcomes.filter((outcome) => outcome.error === undefined);
  const failed = run.outcomes.length - succeeded.length;
  const calls = callsBefore === null || callsAfter === null ? null : callsAfter - callsBefore;
  return {
    name,
    attempted: run.outcomes.length,
    succeeded: succeeded.length,
    failed,
    failureRate: round(failed / (run.outcomes.length || 1), 4),
    failures: countFailures(run.outcomes.map((outcome) => outcome.error).filter((error) => error !== undefined)),
    elapsedMs: round(run.elapsedMs),
    // Only completed joins count as throughput; failures are reported, not rewarded.
    joinsPerSecond: throughput(succeeded.length, run.elapsedMs),
    joinFlowMs: summarize(succeeded.map((outcome) => outcome.ms)),
    stepsMs: summarizeSteps(succeeded.map((outcome) => outcome.value!)),
    kalturaCalls: calls,
    kalturaCallsPerJoin: calls === null ? null : round(calls / (succeeded.length || 1), 3),
  };
}

function summarizeSteps(timings: readonly StepTimings[]): Record<JoinStep, LatencySummary> {
  return Object.fromEntries(JOIN_STEPS.map((step) => [step, summarize(timings.map((timing) => timing[step]))])) as Record<JoinStep, LatencySummary>;
}

function countFailures(errors: readonly unknown[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const error of errors) {
    // Per-request details (ids, tokens) would make every reason unique; keep the step and the gist.
    const reason = error instanceof RequestFailure ? `${error.step}: ${error.reason.slice(0, 120)}` : String(error).slice(0, 160);
    counts[reason] = (counts[reason] ?? 0) + 1;
  }
  return counts;
}

export function passFailedTooOften(pass: PassResult): boolean {
  return pass.failed / (pass.attempted || 1) > MAX_FAILURE_RATE;
}
