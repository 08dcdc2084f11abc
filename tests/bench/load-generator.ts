/**
 * The load generator every benchmark shares: run a list of tasks with at most
 * `concurrency` in flight, time each one, and summarise the timings as
 * percentiles. It knows nothing about HTTP or about joins, so a later
 * benchmark (room fan-out, say) can drive its own scenario with it.
 */
import { performance } from 'node:perf_hooks';

export interface TaskOutcome<T> {
  index: number;
  /** When the task started, in milliseconds after the run's start: shows whether slow tasks cluster (say, in the first wave). */
  startMs: number;
  /** Milliseconds from the task's start to its end, failed or not. */
  ms: number;
  value?: T;
  error?: unknown;
}

export interface RunResult<T> {
  outcomes: Array<TaskOutcome<T>>;
  /** Wall-clock milliseconds from the first task's start to the last task's end. */
  elapsedMs: number;
}

/**
 * Runs `task(item, index)` for every item, never more than `concurrency` at a
 * time. A worker pool (rather than Promise.all over everything) keeps the
 * offered load steady: a new flow starts the moment one finishes, as a crowd
 * of browsers would, and the server never sees more than `concurrency` at once.
 * A task that throws is recorded as failed; the run always goes to the end.
 */
export async function runConcurrently<I, T>(items: readonly I[], concurrency: number, task: (item: I, index: number) => Promise<T>): Promise<RunResult<T>> {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a positive integer, not ${concurrency}`);
  const outcomes: Array<TaskOutcome<T>> = new Array(items.length);
  let next = 0;

  const runStarted = performance.now();
  async function worker(): Promise<void> {
    while (next < items.length) {
      const index = next++;
      const started = performance.now();
      const startMs = started - runStarted;
      try {
        const value = await task(items[index]!, index);
        outcomes[index] = { index, startMs, ms: performance.now() - started, value };
      } catch (error) {
        outcomes[index] = { index, startMs, ms: performance.now() - started, error };
      }
    }
  }

  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return { outcomes, elapsedMs: performance.now() - runStarted };
}

/** Times one awaited step, for breaking a flow down into its parts. */
export async function timed<T>(run: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await run();
  return { value, ms: performance.now() - started };
}

/** Nearest-rank percentile of an ascending array: an observed value, never an interpolation. */
export function percentile(sortedAscending: readonly number[], p: number): number {
  if (sortedAscending.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sortedAscending.length);
  return sortedAscending[Math.min(sortedAscending.length, Math.max(1, rank)) - 1]!;
}

export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function summarize(latenciesMs: readonly number[]): LatencySummary {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const mean = sorted.reduce((sum, value) => sum + value, 0) / (sorted.length || 1);
  return {
    count: sorted.length,
    mean: round(mean),
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.at(-1) ?? Number.NaN),
  };
}

/** Operations per second over a run's wall-clock time. */
export function throughput(operations: number, elapsedMs: number): number {
  return elapsedMs > 0 ? round((operations * 1000) / elapsedMs) : 0;
}

export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
