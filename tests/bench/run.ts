/**
 * `npm run bench`: the join storm. N users (default 500, 100 at a time) each
 * launch with their KS, read the channel's meeting actions, read the buttons
 * fragment for a CSRF token and join: once with the service's caches cold,
 * then again while they are warm, and against a bare Express server with the
 * same four routes as the yardstick. Prints a table, writes
 * tests/bench/results/latest.json, and exits non-zero if more than 1% of the
 * joins in any pass failed.
 *
 * Then the room fan-out load (fan-out.ts), whose figures go into the same
 * file's `fanOut` section; `--only join` or `--only fanout` runs one of the two.
 * `--only media` runs the media benchmark (media.ts) alone: it needs Chromium,
 * and Janus for its Janus columns; `--only media-join` its viewers one at a
 * time, each gone once its first frame shows (join time without the crowd).
 * `--only stats` runs Session Stats at scale instead (session-stats.ts: 10,000
 * sessions, a million attendance rows), into the file's `sessionStats` section;
 * `--database postgres` (TEST_DATABASE_URL) or `both` runs it on PostgreSQL too.
 * `--only recordings` times processing recordings into one video (recordings.ts), into `recordings`.
 *
 *   npm run bench -- --users 200 --concurrency 50
 *   BENCH_USERS=200 BENCH_CONCURRENCY=50 npm run bench
 *   npm run bench -- --cpu-prof     # also profile the service's passes (.cpuprofile files in a temp folder;
 *                                   # the profiler slows the service, so such runs' figures do not compare)
 *   npm run bench -- --only fanout --participants 300 --chat-rate 20 --chat-seconds 10
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { startChildServer, type ChildServer } from './child-server.ts';
import { HttpClient } from './http-client.ts';
import { newJoiner, type Joiner } from './join-flow.ts';
import { MAX_FAILURE_RATE, passFailedTooOften, runJoinPass, type PassResult } from './join-storm.ts';
import { FAN_OUT_DEFAULTS, runFanOut, type FanOutOptions } from './fan-out.ts';
import { keepingFanOutSection } from './fan-out-report.ts';
import { runMediaBench } from './media.ts';
import { buildReport, printReport, writeReport } from './report.ts';
import { seedJoinStorm, type Seeded } from './seed.ts';
import { runSessionStatsBench, STATS_DATABASES, type StatsDatabase } from './session-stats.ts';
import { runRecordingsBench } from './recordings.ts';

const DEFAULT_USERS = 500;
const DEFAULT_CONCURRENCY = 100;
/**
 * Unmeasured joins before anything is measured: against the baseline before
 * the cold pass, and against the service between the cold pass and its warm
 * rounds. Code keeps getting faster for the first ~1,500 joins as V8
 * optimises it (a 100-join warm-up measured a third of the settled rate; the
 * service's warm rounds without one went 591 → 725 → 969 joins/s), so both
 * sides are measured settled, with the same number of joins behind them.
 */
const WARM_UP_JOINS = 2_000;
/**
 * Warm and baseline passes, interleaved. On a shared machine a neighbour's
 * burst of CPU can halve a sub-second pass; alternating the two and taking
 * each one's median round means both meet the same weather. Odd, so the
 * median is a real round; five, because with three one unlucky round in a
 * run moved the ratio by up to 0.05 (six runs read 0.29–0.39).
 */
const ROUNDS = 5;

const USAGE =
  'usage: npm run bench -- [--only join|fanout|media|media-join|stats|recordings] [--database sqlite|postgres|both] [--users N] [--concurrency N] [--cpu-prof] [--participants N] [--chat-rate N] [--chat-seconds N]   (or BENCH_USERS, BENCH_CONCURRENCY)';

const BENCH_NAMES = ['join', 'fanout', 'media', 'media-join', 'stats', 'recordings'] as const;
type BenchName = (typeof BENCH_NAMES)[number];
const isStatsDatabase = (name: string): name is (typeof STATS_DATABASES)[number] => (STATS_DATABASES as readonly string[]).includes(name);
const isBenchName = (name: string): name is BenchName => (BENCH_NAMES as readonly string[]).includes(name);

/** A mistake on the command line: reported as a message and the usage, not as a stack trace. */
class UsageError extends Error {}

interface Options {
  users: number;
  concurrency: number;
  cpuProfileDir: string | null;
  only: BenchName | null;
  /** `--only stats`: the databases it runs on, each with its own baseline (`--database sqlite|postgres|both`). */
  statsDatabases: StatsDatabase[];
  fanOut: FanOutOptions;
}

function readOptions(): Options {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        users: { type: 'string' },
        concurrency: { type: 'string' },
        'cpu-prof': { type: 'boolean', default: false },
        only: { type: 'string' },
        participants: { type: 'string' },
        'chat-rate': { type: 'string' },
        'chat-seconds': { type: 'string' },
        database: { type: 'string' },
      },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const users = positiveInteger('users', values.users ?? process.env.BENCH_USERS, DEFAULT_USERS);
  const concurrency = positiveInteger('concurrency', values.concurrency ?? process.env.BENCH_CONCURRENCY, DEFAULT_CONCURRENCY);
  if (values.only !== undefined && !isBenchName(values.only)) throw new UsageError(`--only must be join, fanout, media, media-join, stats or recordings, not ${JSON.stringify(values.only)}`);
  const fanOut = {
    participants: positiveInteger('participants', values.participants, FAN_OUT_DEFAULTS.participants),
    messagesPerSecond: positiveInteger('chat-rate', values['chat-rate'], FAN_OUT_DEFAULTS.messagesPerSecond),
    seconds: positiveInteger('chat-seconds', values['chat-seconds'], FAN_OUT_DEFAULTS.seconds),
  };
  const database = values.database ?? 'sqlite';
  if (!isStatsDatabase(database)) throw new UsageError(`--database must be sqlite, postgres or both, not ${JSON.stringify(database)}`);
  if (database !== 'sqlite' && !process.env.TEST_DATABASE_URL) throw new UsageError(`--database ${database} needs TEST_DATABASE_URL=postgres://…`);
  const cpuProfileDir = values['cpu-prof'] ? mkdtempSync(path.join(tmpdir(), 'live-rooms-bench-prof-')) : null;
  return { users, concurrency: Math.min(concurrency, users), cpuProfileDir, only: values.only ?? null, statsDatabases: database === 'both' ? ['sqlite', 'postgres'] : [database], fanOut: { ...fanOut, cpuProfileDir } };
}

function positiveInteger(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`--${name} must be a positive whole number, not ${JSON.stringify(raw)}`);
  return value;
}

async function startServers(): Promise<{ service: ChildServer; baseline: ChildServer }> {
  const [service, baseline] = await Promise.allSettled([
    startChildServer('bench-server.ts', { label: 'the service' }),
    startChildServer('baseline-server.ts', { label: 'the baseline server' }),
  ]);
  if (service.status === 'fulfilled' && baseline.status === 'fulfilled') return { service: service.value, baseline: baseline.value };
  // One started and the other did not: stop the one that did, then report why.
  await Promise.all([service, baseline].map((started) => (started.status === 'fulfilled' ? started.value.stop() : undefined)));
  throw [service, baseline].find((started) => started.status === 'rejected')!.reason;
}

/** `count` fresh browsers for the seeded users, round-robin; the baseline ignores their KSs but gets them so requests are the same size. */
function joinersFor(seeded: Seeded, count = seeded.users.length): Joiner[] {
  return Array.from({ length: count }, (_, index) => {
    const user = seeded.users[index % seeded.users.length]!;
    return newJoiner(user.userId, user.ks);
  });
}

/**
 * The storm's passes. One keep-alive client per server, shared by its passes,
 * so connections are opened once (in the warm-up and the cold pass). The
 * service's joiners are the same browsers in every pass (same KS, same cookie
 * jar: people coming back), so the warm rounds differ from the cold pass only
 * in what the service remembers.
 */
class Storm {
  readonly #serviceClient: HttpClient;
  readonly #baselineClient: HttpClient;
  readonly #serviceJoiners: Joiner[];

  constructor(
    readonly service: ChildServer,
    readonly baseline: ChildServer,
    readonly seeded: Seeded,
    readonly options: Options,
  ) {
    this.#serviceClient = new HttpClient(service.url, { maxSockets: options.concurrency });
    this.#baselineClient = new HttpClient(baseline.url, { maxSockets: options.concurrency });
    this.#serviceJoiners = joinersFor(seeded);
  }

  async warmUpBaseline(): Promise<void> {
    await this.#baselinePass('warm-up', joinersFor(this.seeded, WARM_UP_JOINS));
  }

  /** The same returning people, joining again unmeasured until the service's code is optimised too. */
  async warmUpService(): Promise<void> {
    const passes = Math.max(1, Math.round(WARM_UP_JOINS / this.#serviceJoiners.length));
    for (let pass = 1; pass <= passes; pass++) {
      await runJoinPass({ name: `service warm-up ${pass}`, client: this.#serviceClient, channelId: this.seeded.channelId, joiners: this.#serviceJoiners, concurrency: this.options.concurrency });
    }
  }

  baselinePass(name: string): Promise<PassResult> {
    return this.#baselinePass(name, joinersFor(this.seeded));
  }

  async servicePass(name: string): Promise<PassResult> {
    const { service, seeded, options } = this;
    // The profiler is switched over IPC before and after the pass, outside its clock.
    if (options.cpuProfileDir) await service.startProfile();
    const result = await runJoinPass({
      name,
      client: this.#serviceClient,
      channelId: seeded.channelId,
      joiners: this.#serviceJoiners,
      concurrency: options.concurrency,
      kalturaCalls: () => service.kalturaCalls(),
    });
    if (options.cpuProfileDir) await service.stopProfile(path.join(options.cpuProfileDir, `${name.replace(/\W+/g, '-')}.cpuprofile`));
    return result;
  }

  #baselinePass(name: string, joiners: Joiner[]): Promise<PassResult> {
    return runJoinPass({ name, client: this.#baselineClient, channelId: this.seeded.channelId, joiners, concurrency: this.options.concurrency });
  }

  close(): void {
    this.#serviceClient.close();
    this.#baselineClient.close();
  }
}

/** Warm-up, the cold pass, then warm and baseline rounds in turn. */
async function runStorm(storm: Storm): Promise<{ cold: PassResult; warmRounds: PassResult[]; baselineRounds: PassResult[]; spanMs: number }> {
  await storm.warmUpBaseline();
  const started = performance.now();
  const cold = await storm.servicePass('cold');
  console.log(`Cold: ${cold.joinsPerSecond} joins/s.`);
  await storm.warmUpService();
  const warmRounds: PassResult[] = [];
  const baselineRounds: PassResult[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    warmRounds.push(await storm.servicePass(`warm ${round}`));
    baselineRounds.push(await storm.baselinePass(`baseline ${round}`));
    console.log(`Round ${round}: warm ${warmRounds.at(-1)!.joinsPerSecond}, bare Express ${baselineRounds.at(-1)!.joinsPerSecond} joins/s.`);
  }
  return { cold, warmRounds, baselineRounds, spanMs: performance.now() - started };
}

/** Whether every cache entry the cold pass made was still alive when the last warm round ended. */
function withinCacheLifetimes(details: Record<string, unknown>, spanMs: number): boolean {
  const cache = details.cache as Record<string, number> | undefined;
  if (!cache) return true;
  const shortestSeconds = Math.min(cache.ksTtlSeconds ?? Infinity, cache.channelTtlSeconds ?? Infinity, cache.membershipTtlSeconds ?? Infinity);
  return spanMs < shortestSeconds * 1000;
}

/** Every pass, the baseline's included, must stay within the failure budget; a failure is never averaged away. */
function failedTooOften(passes: readonly PassResult[]): string[] {
  return passes
    .filter(passFailedTooOften)
    .map((failed) => `${failed.failed} of ${failed.attempted} joins failed in the ${failed.name} pass (more than ${MAX_FAILURE_RATE * 100}%)`);
}

async function main(): Promise<void> {
  const options = readOptions();
  if (options.only === 'media') return runMediaBench('crowd');
  if (options.only === 'media-join') return runMediaBench('alone');
  // Session Stats at scale runs only when asked for: it seeds a million rows.
  if (options.only === 'stats') return runSessionStatsBench(options.statsDatabases);
  if (options.only === 'recordings') return runRecordingsBench();
  if (options.only !== 'fanout') await joinStorm(options);
  if (options.only !== 'join') await runFanOut(options.fanOut);
}

async function joinStorm(options: Options): Promise<void> {
  console.log(`Starting the service and the baseline (${options.users} users, ${options.concurrency} at a time)…`);
  const { service, baseline } = await startServers();
  try {
    const seeded = await seedJoinStorm(service.url, options.users);
    console.log(`Seeded channel ${seeded.channelId} with ${seeded.users.length} users and their KSs.`);
    const storm = new Storm(service, baseline, seeded, options);
    const { cold, warmRounds, baselineRounds, spanMs } = await runStorm(storm).finally(() => storm.close());

    const problems = failedTooOften([cold, ...warmRounds, ...baselineRounds]);
    const report = buildReport({
      users: options.users,
      concurrency: options.concurrency,
      profiled: options.cpuProfileDir !== null,
      serviceDetails: service.details,
      cold,
      warmRounds,
      baselineRounds,
      warmWithinCacheLifetimes: withinCacheLifetimes(service.details, spanMs),
      problems,
    });
    keepingFanOutSection(() => writeReport(report));
    printReport(report);
    if (problems.length > 0) process.exitCode = 1;
  } finally {
    await Promise.all([service.stop(), baseline.stop()]);
    if (options.cpuProfileDir) console.log(`Service CPU profiles, one per pass: ${options.cpuProfileDir}`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof UsageError ? `${error.message}\n${USAGE}` : error);
  process.exitCode = 1;
});
