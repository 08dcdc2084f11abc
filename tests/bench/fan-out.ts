/**
 * The room fan-out load: one instructor and N participants in one live room
 * of the service (in a child process, built-in emulator, temporary data
 * folder). The instructor starts the session; then the instructor and a few
 * participants send chat messages on a steady schedule, each carrying the
 * time it was sent, and every one of the N + 1 receivers times its delivery.
 * The same clients and the same schedule run against a bare `ws` relay
 * (bare-ws-server.ts, its own child process) as the yardstick; rounds of the
 * two alternate so both meet the same weather on a shared machine. The
 * servers' memory per connected participant is measured over IPC around the
 * connecting, and the load generator watches its own event loop and CPU, so a
 * saturated generator shows instead of passing for a slow server.
 */
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { startChildServer, type ChildServer, type ChildUsage } from './child-server.ts';
import { buildFanOutReport, printFanOutReport, writeFanOutReport, type FanOutRound, type MemoryMeasure } from './fan-out-report.ts';
import { allOrThrow, LoadSocket, roomPassesFor, seedFanOut, type FanOutCast } from './fan-out-room.ts';
import { HttpClient } from './http-client.ts';
import { percentile, round, summarize } from './load-generator.ts';

export const FAN_OUT_DEFAULTS = { participants: 300, messagesPerSecond: 20, seconds: 10 } as const;

export interface FanOutOptions {
  participants: number;
  /** Chat messages sent per second, all senders together. */
  messagesPerSecond: number;
  /** Length of each measured round's sending. */
  seconds: number;
  /** Where to write a CPU profile of the service for each measured round; null: no profiling (the profiler slows the service). */
  cpuProfileDir: string | null;
}

/** Each participant is two sockets on this machine (the client's end and the server's): a bound within ordinary file limits, and under the bench room's capacity. */
const MAX_PARTICIPANTS = 5_000;
/** Participants who send besides the instructor, at least. */
const SENDING_PARTICIPANTS = 5;
/**
 * Each sender stays at this share of the service's per-person chat rate: the
 * schedule is steady, but the generator's timers and the socket can bunch a
 * few messages, and a refused message would measure the limiter.
 */
const SHARE_OF_CHAT_LIMIT = 0.8;
/** Odd, so the median round is a real round. */
const ROUNDS = 3;
/** Unmeasured sending against each server first, so V8 has optimised both sides before anything counts. */
const WARM_UP_SECONDS = 3;
/** After the last send, how long deliveries may take before the missing ones count as lost. */
const DRAIN_MS = 10_000;
const CONNECT_CONCURRENCY = 16;
/**
 * Memory counts as settled when this many samples, this far apart, differ by
 * at most the tolerance in resident size: a window longer than the memory
 * reducer's 8 s delay. The service, after seeding and 300 HTTP joins, takes
 * about 20 s; the limit keeps a restless process from holding up the run.
 */
const SETTLE_SAMPLES = 5;
const SETTLE_SAMPLE_MS = 2_000;
const SETTLE_TOLERANCE_BYTES = 2 ** 20;
const SETTLE_LIMIT_MS = 60_000;

type SettledUsage = ChildUsage & { settled: boolean };

/** A room's worth of connected clients on one server. */
interface LoadRoom {
  server: ChildServer;
  /** Everyone connected: every one of them receives every message. */
  everyone: LoadSocket[];
  /** The instructor first, then the sending participants. */
  senders: LoadSocket[];
  memory: MemoryMeasure;
}

/** Runs the fan-out load, prints its figures and writes them into the results file; sets a failing exit code if messages were lost. */
export async function runFanOut(options: FanOutOptions): Promise<void> {
  if (options.participants > MAX_PARTICIPANTS) throw new Error(`the fan-out load brings at most ${MAX_PARTICIPANTS} participants, not ${options.participants}`);
  console.log(`\nFan-out: starting the service and the bare ws relay (${options.participants} participants, ${options.messagesPerSecond} messages/s for ${options.seconds} s a round)…`);
  const { service, baseline } = await startServers();
  const opened: LoadSocket[] = [];
  try {
    const chatLimit = service.details.chatLimit as { ratePerSecond: number; burst: number };
    const senderCount = Math.max(1 + SENDING_PARTICIPANTS, Math.ceil(options.messagesPerSecond / (chatLimit.ratePerSecond * SHARE_OF_CHAT_LIMIT)));
    if (senderCount > options.participants + 1) {
      throw new Error(`${options.messagesPerSecond} messages/s needs ${senderCount} senders to keep each under ${chatLimit.ratePerSecond * SHARE_OF_CHAT_LIMIT}/s; bring more participants`);
    }
    const cast = await seedFanOut(service.url, options.participants);
    const { serviceRoom, bareRoom } = await fillRooms(service, baseline, cast, senderCount, opened);
    console.log(`Connected: ${serviceRoom.everyone.length} to one live room of the service, ${bareRoom.everyone.length} to the bare ws relay.`);

    const pattern = { messagesPerSecond: options.messagesPerSecond, seconds: options.seconds };
    await runRound(serviceRoom, 'warm-up', { ...pattern, seconds: WARM_UP_SECONDS });
    await runRound(bareRoom, 'warm-up', { ...pattern, seconds: WARM_UP_SECONDS });
    const serviceRounds: FanOutRound[] = [];
    const baselineRounds: FanOutRound[] = [];
    for (let index = 1; index <= ROUNDS; index++) {
      serviceRounds.push(await runRound(serviceRoom, `service ${index}`, pattern, options.cpuProfileDir));
      baselineRounds.push(await runRound(bareRoom, `bare ws ${index}`, pattern));
      console.log(`Round ${index}: p99 service ${serviceRounds.at(-1)!.latencyMs.p99} ms, bare ws ${baselineRounds.at(-1)!.latencyMs.p99} ms.`);
    }

    const report = buildFanOutReport({
      participants: options.participants,
      senders: senderCount,
      messagesPerSecond: options.messagesPerSecond,
      seconds: options.seconds,
      profiled: options.cpuProfileDir !== null,
      serviceDetails: service.details,
      serviceRounds,
      baselineRounds,
      serviceMemory: serviceRoom.memory,
      baselineMemory: bareRoom.memory,
    });
    writeFanOutReport(report);
    printFanOutReport(report);
    if (report.problems.length > 0) process.exitCode = 1;
  } finally {
    for (const socket of opened) socket.terminate();
    await Promise.all([service.stop(), baseline.stop()]);
    if (options.cpuProfileDir) console.log(`Service CPU profiles, one per fan-out round: ${options.cpuProfileDir}`);
  }
}

async function startServers(): Promise<{ service: ChildServer; baseline: ChildServer }> {
  const [service, baseline] = await Promise.allSettled([
    startChildServer('fan-out-server.ts', { label: 'the service' }),
    startChildServer('bare-ws-server.ts', { label: 'the bare ws relay' }),
  ]);
  if (service.status === 'fulfilled' && baseline.status === 'fulfilled') return { service: service.value, baseline: baseline.value };
  await Promise.all([service, baseline].map((started) => (started.status === 'fulfilled' ? started.value.stop() : undefined)));
  throw [service, baseline].find((started) => started.status === 'rejected')!.reason;
}

/**
 * Everyone takes the channel's Join and the launch link first (HTTP, so that
 * its caches and sessions are in the "before" memory), and the instructor
 * connects to each server. Then each server's memory is measured, the N
 * participants connect (to the service they wait until the instructor starts
 * the session, and the measure is taken with everyone live), and memory is
 * measured again: the difference is what N participants cost.
 */
async function fillRooms(service: ChildServer, baseline: ChildServer, cast: FanOutCast, senderCount: number, opened: LoadSocket[]): Promise<{ serviceRoom: LoadRoom; bareRoom: LoadRoom }> {
  const client = new HttpClient(service.url, { maxSockets: CONNECT_CONCURRENCY });
  const passes = await roomPassesFor(client, cast.channelId, [cast.instructor, ...cast.participants]).finally(() => client.close());
  const roomId = passes[0]!.roomId;
  if (passes.some((pass) => pass.roomId !== roomId)) throw new Error('the participants were sent to different rooms');
  const roomUrl = `${service.url.replace(/^http/, 'ws')}/rooms/${roomId}/ws`;
  const bareUrl = baseline.url.replace(/^http/, 'ws');
  const openService = async (cookie: string) => track(opened, await LoadSocket.open(roomUrl, { cookie }));
  const openBare = async () => track(opened, await LoadSocket.open(bareUrl));

  const instructor = await openService(passes[0]!.cookie);
  await instructor.first('welcome');
  const bareInstructor = await openBare();
  const [serviceBefore, bareBefore] = await Promise.all([settledUsage(service), settledUsage(baseline)]);

  const participants = await allOrThrow('connecting to the room', passes.slice(1), async ({ cookie }) => {
    const socket = await openService(cookie);
    const welcome = await socket.first('welcome');
    if (welcome.phase !== 'waiting') throw new Error(`a participant arrived in phase ${String(welcome.phase)}, not waiting`);
    return socket;
  });
  instructor.send({ v: 1, type: 'session.start' });
  const everyone = [instructor, ...participants];
  await Promise.all(everyone.map((socket) => socket.first('session.started')));
  const bareParticipants = await allOrThrow('connecting to the relay', Array.from({ length: participants.length }), openBare);
  const bareEveryone = [bareInstructor, ...bareParticipants];
  const [serviceAfter, bareAfter] = await Promise.all([settledUsage(service), settledUsage(baseline)]);

  return {
    serviceRoom: { server: service, everyone, senders: everyone.slice(0, senderCount), memory: memoryMeasure(serviceBefore, serviceAfter, participants.length) },
    bareRoom: { server: baseline, everyone: bareEveryone, senders: bareEveryone.slice(0, senderCount), memory: memoryMeasure(bareBefore, bareAfter, bareParticipants.length) },
  };
}

/**
 * Memory at rest: sampled after a full collection every couple of seconds
 * until the resident size holds still. V8 hands freed heap pages back to the
 * system only some seconds after a collection (its memory reducer, in steps),
 * so a single sample still holds the garbage of whatever came before
 * (start-up, seeding, the HTTP joins) and a difference can come out negative.
 */
async function settledUsage(server: ChildServer): Promise<SettledUsage> {
  const rss: number[] = [];
  const giveUpAt = performance.now() + SETTLE_LIMIT_MS;
  for (;;) {
    const usage = await server.usage({ collectGarbage: true });
    rss.push(usage.memory.rss);
    const recent = rss.slice(-SETTLE_SAMPLES);
    const settled = recent.length === SETTLE_SAMPLES && Math.max(...recent) - Math.min(...recent) <= SETTLE_TOLERANCE_BYTES;
    if (settled || performance.now() >= giveUpAt) return { ...usage, settled };
    await sleep(SETTLE_SAMPLE_MS);
  }
}

function track(opened: LoadSocket[], socket: LoadSocket): LoadSocket {
  opened.push(socket);
  return socket;
}

function memoryMeasure(before: SettledUsage, after: SettledUsage, participants: number): MemoryMeasure {
  const kb = (bytes: number) => round(bytes / 1024, 1);
  const perParticipant = (key: 'rss' | 'heapUsed' | 'external') => kb((after.memory[key] - before.memory[key]) / participants);
  return {
    participants,
    settled: before.settled && after.settled,
    beforeMb: { rss: round(before.memory.rss / 2 ** 20, 1), heapUsed: round(before.memory.heapUsed / 2 ** 20, 1) },
    afterMb: { rss: round(after.memory.rss / 2 ** 20, 1), heapUsed: round(after.memory.heapUsed / 2 ** 20, 1) },
    perParticipantKb: { rss: perParticipant('rss'), heapUsed: perParticipant('heapUsed'), external: perParticipant('external') },
  };
}

/**
 * One round: message `i` leaves at start + i / rate from sender `i mod senders`,
 * its text `fanout <round> <i> <sent at>`; every receiver records now − sent at.
 * The send time is taken as the message leaves, so a late timer in the
 * generator delays a message without adding to its measured latency.
 */
async function runRound(room: LoadRoom, name: string, { messagesPerSecond, seconds }: { messagesPerSecond: number; seconds: number }, cpuProfileDir: string | null = null): Promise<FanOutRound> {
  const tag = `${name.replace(/\W+/g, '-')}-${Date.now().toString(36)}`;
  const total = Math.max(1, Math.round(messagesPerSecond * seconds));
  const intervalMs = 1000 / messagesPerSecond;
  const latencies: number[] = [];
  const lateness: number[] = [];
  const refused: Record<string, number> = {};
  let lastDeliveryAt = 0;
  const onChat = (text: string, receivedAt: number) => {
    const [kind, roundTag, , sentAt] = text.split(' ');
    // A straggler from an earlier round is not this round's delivery.
    if (kind !== 'fanout' || roundTag !== tag) return;
    latencies.push(receivedAt - Number(sentAt));
    lastDeliveryAt = receivedAt;
  };
  const onError = (code: string) => {
    refused[code] = (refused[code] ?? 0) + 1;
  };
  for (const socket of room.everyone) {
    socket.onChat = onChat;
    socket.onError = onError;
  }

  // The profiler is switched over IPC before and after the round, outside its clock.
  if (cpuProfileDir) await room.server.startProfile();
  const serverBefore = await room.server.usage();
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (let seq = 0; seq < total; seq++) {
    const due = started + seq * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const sentAt = performance.now();
    lateness.push(sentAt - due);
    room.senders[seq % room.senders.length]!.send({ v: 1, type: 'chat.send', text: `fanout ${tag} ${seq} ${sentAt.toFixed(3)}` });
  }
  const refusedCount = () => Object.values(refused).reduce((sum, count) => sum + count, 0);
  const expected = () => (total - refusedCount()) * room.everyone.length;
  const drainUntil = performance.now() + DRAIN_MS;
  while (latencies.length < expected() && performance.now() < drainUntil) await sleep(20);
  const cpu = process.cpuUsage(cpuBefore);
  const wallMs = performance.now() - started;
  lag.disable();
  const serverAfter = await room.server.usage();
  if (cpuProfileDir) await room.server.stopProfile(path.join(cpuProfileDir, `fan-out-${name.replace(/\W+/g, '-')}.cpuprofile`));

  const elapsedMs = (lastDeliveryAt || performance.now()) - started;
  const sortedLateness = [...lateness].sort((a, b) => a - b);
  const serverCpuMicros = serverAfter.cpu.user + serverAfter.cpu.system - serverBefore.cpu.user - serverBefore.cpu.system;
  return {
    name,
    sent: total,
    refused,
    receivers: room.everyone.length,
    expected: expected(),
    delivered: latencies.length,
    lost: Math.max(0, expected() - latencies.length),
    elapsedMs: round(elapsedMs),
    deliveredPerSecond: round((latencies.length * 1000) / elapsedMs),
    latencyMs: summarize(latencies),
    sendLatenessMs: { p99: round(percentile(sortedLateness, 99)), max: round(sortedLateness.at(-1) ?? 0) },
    generator: {
      eventLoopDelayP99Ms: round(lag.percentile(99) / 1e6),
      eventLoopDelayMaxMs: round(lag.max / 1e6),
      cpuShare: round((cpu.user + cpu.system) / (wallMs * 1000), 3),
    },
    // Over the round's span plus the two IPC questions around it: a few hundred microseconds at most.
    serverCpuShare: round(serverCpuMicros / (wallMs * 1000), 3),
  };
}
