/**
 * Servers under test run in child processes, so that the load generator's own
 * work never shares an event loop with the server it measures. This module is
 * both sides of the small IPC protocol between them: the parent starts a child
 * and asks it questions; the child announces its URL and answers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
const READY_TIMEOUT_MS = 60_000;
const ANSWER_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 10_000;

export type ParentMessage =
  | { type: 'callCount'; id: number }
  | { type: 'profile'; id: number; action: 'start' | 'stop'; file?: string }
  | { type: 'usage'; id: number; collectGarbage: boolean }
  | { type: 'stop' };
export type ChildMessage =
  | { type: 'ready'; url: string; details: Record<string, unknown> }
  | { type: 'callCount'; id: number; count: number }
  | { type: 'profile'; id: number; error?: string }
  | { type: 'usage'; id: number; usage: ChildUsage };

/** What the child's process uses, in its own words (bytes; CPU in microseconds since it started). */
export interface ChildUsage {
  memory: NodeJS.MemoryUsage;
  cpu: NodeJS.CpuUsage;
}

export interface ChildServer {
  url: string;
  pid: number;
  /** What the child chose to say about itself when ready (e.g. its cache lifetimes). */
  details: Record<string, unknown>;
  /** HTTP requests the service has sent to Kaltura so far (only the service's child answers). */
  kalturaCalls(): Promise<number>;
  /** Starts the child's CPU profiler; stopping writes a .cpuprofile (Chrome DevTools format) to `file`. */
  startProfile(): Promise<void>;
  stopProfile(file: string): Promise<void>;
  /**
   * The child's memory and CPU time. With `collectGarbage`, after a full
   * collection first, so the heap holds what is alive, not garbage waiting
   * for the collector; ask for that only between measured passes.
   */
  usage(options?: { collectGarbage?: boolean }): Promise<ChildUsage>;
  stop(): Promise<void>;
}

/** Starts `tests/bench/<script>` under tsx with an IPC channel and waits until it says where it listens. */
export async function startChildServer(script: string, { label }: { label: string }): Promise<ChildServer> {
  // `node --import tsx` is tsx without its CLI wrapper process, so the pid and the IPC channel are the server's own.
  // `--expose-gc` costs nothing until `usage` asks for a collection.
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(import.meta.dirname, script)], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const ready = await waitFor(child, (message): message is Extract<ChildMessage, { type: 'ready' }> => message.type === 'ready', READY_TIMEOUT_MS, `${label} did not start`);
    return handle(child, label, ready.url, ready.details);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}

function handle(child: ChildProcess, label: string, url: string, details: Record<string, unknown>): ChildServer {
  let nextId = 1;
  /** Sends a question and waits for the answer with the same id. */
  function ask<T extends ChildMessage['type']>(question: ParentMessage & { type: T; id: number }, failure: string): Promise<Extract<ChildMessage, { type: T }>> {
    // A child that died cannot answer: say so, rather than let `send` raise an unhandled 'error' event.
    if (!child.connected) return Promise.reject(new Error(`${label} ${failure}: it is not running (exit ${child.exitCode ?? child.signalCode})`));
    const answer = waitFor(child, (message): message is Extract<ChildMessage, { type: T }> => message.type === question.type && 'id' in message && message.id === question.id, ANSWER_TIMEOUT_MS, `${label} ${failure}`);
    // A send that fails as the child dies is answered by its exit (or the timeout) in waitFor.
    child.send(question, () => {});
    return answer;
  }
  async function profile(action: 'start' | 'stop', file?: string): Promise<void> {
    const answer = await ask({ type: 'profile', id: nextId++, action, file }, `did not ${action} profiling`);
    if (answer.error) throw new Error(`${label} could not ${action} profiling: ${answer.error}`);
  }
  return {
    url,
    pid: child.pid!,
    details,
    async kalturaCalls() {
      return (await ask({ type: 'callCount', id: nextId++ }, 'did not report its Kaltura calls')).count;
    },
    startProfile: () => profile('start'),
    stopProfile: (file) => profile('stop', file),
    async usage({ collectGarbage = false } = {}) {
      return (await ask({ type: 'usage', id: nextId++, collectGarbage }, 'did not report its memory and CPU')).usage;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      if (child.connected) child.send({ type: 'stop' } satisfies ParentMessage);
      else child.kill('SIGTERM');
      // A child that does not close in time is ended by its pid: the benchmark always stops by itself.
      const deadline = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(deadline);
    },
  };
}

function waitFor<M extends ChildMessage>(child: ChildProcess, matches: (message: ChildMessage) => message is M, timeoutMs: number, failure: string): Promise<M> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const onMessage = (message: ChildMessage) => {
      if (!matches(message)) return;
      cleanup();
      resolve(message);
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`${failure}: it exited with ${code}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${failure} within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/**
 * The child's side: announce readiness, answer questions, and close when the
 * parent says stop or goes away (a parent that crashed must not leave servers behind).
 */
export function serveParent({ url, details = {}, callCount, close }: { url: string; details?: Record<string, unknown>; callCount?: () => number; close: () => Promise<void> }): void {
  if (!process.send) throw new Error('this server is meant to be started by tests/bench/run.ts, with an IPC channel');
  let closing = false;
  const shutDown = () => {
    if (closing) return;
    closing = true;
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  const profiler = new Profiler();
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'callCount') process.send!({ type: 'callCount', id: message.id, count: callCount?.() ?? 0 } satisfies ChildMessage);
    if (message.type === 'profile') {
      const done = message.action === 'start' ? profiler.start() : profiler.stop(message.file!);
      done.then(
        () => process.send!({ type: 'profile', id: message.id } satisfies ChildMessage),
        (error: unknown) => process.send!({ type: 'profile', id: message.id, error: String(error) } satisfies ChildMessage),
      );
    }
    if (message.type === 'usage') {
      if (message.collectGarbage) globalThis.gc?.();
      process.send!({ type: 'usage', id: message.id, usage: { memory: process.memoryUsage(), cpu: process.cpuUsage() } } satisfies ChildMessage);
    }
    if (message.type === 'stop') shutDown();
  });
  process.once('disconnect', shutDown);
  process.once('SIGTERM', shutDown);
  process.send({ type: 'ready', url, details } satisfies ChildMessage);
}

/**
 * The V8 profiler through the inspector, switched on and off by the parent
 * around one pass: unlike `node --cpu-prof`, the profile holds only that
 * pass, not start-up, module loading and seeding.
 */
class Profiler {
  #session: Session | null = null;

  async start(): Promise<void> {
    if (this.#session) throw new Error('already profiling');
    this.#session = new Session();
    this.#session.connect();
    await this.#session.post('Profiler.enable');
    await this.#session.post('Profiler.start');
  }

  async stop(file: string): Promise<void> {
    const session = this.#session;
    if (!session) throw new Error('not profiling');
    this.#session = null;
    try {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(file, JSON.stringify(profile));
    } finally {
      session.disconnect();
    }
  }
}
