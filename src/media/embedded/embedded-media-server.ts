/**
 * The MediaServer on the embedded SFU (werift), for a machine without Janus:
 * a thin proxy on the main thread that sends each call to the SFU's worker
 * thread (sfu-worker.ts) and gives back its answer. A worker that dies (a
 * crash, or killed) is reported as a media-server reset, as a Janus death is:
 * `lost` at once, every room and feed gone, then `back` once a new worker is
 * up, and clients publish and subscribe again.
 */
import { EventEmitter } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../../lib/logger/logger.ts';
import {
  MediaServerError,
  type IceCandidate,
  type MediaEndpoint,
  type MediaReset,
  type MediaRoomLimits,
  type MediaServer,
  type MediaSource,
  type PublishedFeed,
  type ReceivedFeed,
  type ReceivingOffer,
  type SimulcastLayer,
  type TrickleTarget,
} from '../media-server.ts';
import type { SfuCallName, SfuCalls, SfuEvent, SfuMessage, SfuSettings, SfuStats } from './sfu-protocol.ts';

const RESTART_DELAYS_MS = [200, 1000, 2000, 5000];
const WORKER_ENTRY = new URL('./sfu-worker.ts', import.meta.url);

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  timer: NodeJS.Timeout;
}

interface Flowing {
  promise: Promise<void>;
  settle(failure?: string): void;
  settled: boolean;
  taken: boolean;
}

export class EmbeddedMediaServer implements MediaServer {
  readonly kind = 'embedded' as const;
  readonly #settings: SfuSettings;
  readonly #logger: Logger;
  readonly #requestTimeoutMs: number;
  readonly #pending = new Map<number, Pending>();
  readonly #flowing = new Map<string, Flowing>();
  readonly #events = new EventEmitter();
  #worker: Worker | null = null;
  #ready = false;
  #closed = false;
  #nextId = 0;
  #restarts = 0;
  #startedAt = 0;

  constructor(settings: SfuSettings, options: { logger: Logger; requestTimeoutMs: number }) {
    this.#settings = settings;
    this.#logger = options.logger;
    this.#requestTimeoutMs = options.requestTimeoutMs;
  }

  /** Starts the worker thread; resolves once it takes calls. */
  async launch(): Promise<void> {
    const worker = startTypeScriptWorker(WORKER_ENTRY, { settings: this.#settings });
    this.#worker = worker;
    this.#startedAt = Date.now();
    worker.on('message', (message: SfuMessage) => this.#receive(message));
    worker.on('error', (error) => this.#logger.error({ err: error }, 'embedded SFU: the worker failed'));
    worker.once('exit', (code) => this.#exited(worker, code));
    await new Promise<void>((resolve, reject) => {
      const ready = () => resolve();
      this.#events.once('ready', ready);
      worker.once('exit', () => {
        this.#events.off('ready', ready);
        reject(new MediaServerError('unavailable', 'the embedded SFU did not start'));
      });
    });
  }

  available(): boolean {
    return this.#ready;
  }

  openRoom(roomId: string, limits: MediaRoomLimits): Promise<void> {
    return this.#call('openRoom', roomId, limits);
  }

  closeRoom(roomId: string): Promise<void> {
    return this.#call('closeRoom', roomId).catch(() => undefined);
  }

  async publish(endpoint: MediaEndpoint, source: MediaSource, offerSdp: string): Promise<PublishedFeed> {
    const { feedId, answerSdp } = await this.#call('publish', endpoint, source, offerSdp);
    const flowing = this.#flowingOf(feedId);
    flowing.taken = true;
    if (flowing.settled) this.#flowing.delete(feedId);
    return { feedId, answerSdp, flowing: flowing.promise };
  }

  unpublish(endpoint: MediaEndpoint, source: MediaSource): Promise<void> {
    return this.#call('unpublish', endpoint, source);
  }

  updateReceiving(endpoint: MediaEndpoint, change: { add: ReceivedFeed[]; remove: string[] }): Promise<ReceivingOffer> {
    return this.#call('updateReceiving', endpoint, change);
  }

  answerReceiving(endpoint: MediaEndpoint, answerSdp: string): Promise<void> {
    return this.#call('answerReceiving', endpoint, answerSdp);
  }

  restartReceiving(endpoint: MediaEndpoint): Promise<ReceivingOffer> {
    return this.#call('restartReceiving', endpoint);
  }

  closeReceiving(endpoint: MediaEndpoint): Promise<void> {
    return this.#call('closeReceiving', endpoint);
  }

  chooseLayer(endpoint: MediaEndpoint, key: string, layer: SimulcastLayer): Promise<void> {
    return this.#call('chooseLayer', endpoint, key, layer);
  }

  receiveVideo(endpoint: MediaEndpoint, key: string, on: boolean): Promise<void> {
    return this.#call('receiveVideo', endpoint, key, on);
  }

  restartPublisher(endpoint: MediaEndpoint, source: MediaSource, offerSdp: string): Promise<{ answerSdp: string }> {
    return this.#call('restartPublisher', endpoint, source, offerSdp);
  }

  trickle(endpoint: MediaEndpoint, target: TrickleTarget, candidate: IceCandidate | null): Promise<void> {
    return this.#call('trickle', endpoint, target, candidate);
  }

  configure(endpoint: MediaEndpoint, source: MediaSource, send: { audio?: boolean; video?: boolean }): Promise<void> {
    return this.#call('configure', endpoint, source, send);
  }

  leave(endpoint: MediaEndpoint): Promise<void> {
    return this.#call('leave', endpoint).catch(() => undefined);
  }

  /** What the worker forwards now and the CPU it has used (the benchmark reads it). */
  stats(): Promise<SfuStats> {
    return this.#call('stats');
  }

  /** werift's recorder was seen dropping most frames: recording needs Janus. */
  readonly records = false;

  async startRecording(): Promise<void> {
    throw new MediaServerError('refused', 'the embedded SFU does not record; recording needs Janus');
  }

  async stopRecording(): Promise<void> {}

  onReset(listener: (reset: MediaReset) => void): () => void {
    this.#events.on('reset', listener);
    return () => this.#events.off('reset', listener);
  }

  /** Ends the worker abruptly, as a crash would (tests see it come back). */
  kill(): void {
    void this.#worker?.terminate();
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#worker?.terminate();
  }

  #call<K extends SfuCallName>(call: K, ...args: Parameters<SfuCalls[K]>): Promise<Awaited<ReturnType<SfuCalls[K]>>> {
    const worker = this.#worker;
    if (!worker || !this.#ready) return Promise.reject(new MediaServerError('unavailable', 'the embedded SFU is not running'));
    const id = ++this.#nextId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new MediaServerError('unavailable', `the embedded SFU did not answer ${call} in time`));
      }, this.#requestTimeoutMs);
      timer.unref();
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
      worker.postMessage({ id, call, args });
    });
  }

  #receive(message: SfuMessage): void {
    if ('id' in message) {
      const pending = this.#pending.get(message.id);
      if (!pending) return;
      this.#pending.delete(message.id);
      clearTimeout(pending.timer);
      if ('error' in message) pending.reject(new MediaServerError(message.error.reason, message.error.message));
      else pending.resolve(message.result);
      return;
    }
    this.#event(message);
  }

  #event(message: SfuEvent): void {
    switch (message.event) {
      case 'ready':
        this.#ready = true;
        this.#events.emit('ready');
        return;
      case 'flowing': {
        const flowing = this.#flowingOf(message.feedId);
        flowing.settle(message.failure);
        if (flowing.taken) this.#flowing.delete(message.feedId);
        return;
      }
      case 'log':
        this.#logger[message.level](message.detail ?? {}, message.message);
    }
  }

  /** A feed's flowing, made by whichever comes first: the publish's answer or the worker's event. */
  #flowingOf(feedId: string): Flowing {
    let flowing = this.#flowing.get(feedId);
    if (flowing) return flowing;
    let settle!: (failure?: string) => void;
    const promise = new Promise<void>((resolve, reject) => {
      settle = (failure) => {
        if (flowing!.settled) return;
        flowing!.settled = true;
        if (failure === undefined) resolve();
        else reject(new MediaServerError('refused', failure));
      };
    });
    promise.catch(() => undefined);
    flowing = { promise, settle, settled: false, taken: false };
    this.#flowing.set(feedId, flowing);
    return flowing;
  }

  /** The worker stopped: everything it held is gone. Unless the service is closing, another one starts. */
  #exited(worker: Worker, code: number): void {
    if (this.#worker !== worker) return;
    const wasReady = this.#ready;
    this.#worker = null;
    this.#ready = false;
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(new MediaServerError('unavailable', 'the embedded SFU stopped'));
    }
    this.#pending.clear();
    for (const flowing of this.#flowing.values()) flowing.settle('the embedded SFU stopped');
    this.#flowing.clear();
    if (this.#closed || !wasReady) return;
    // A worker that stayed up a while starts again at once; one that keeps dying, less and less often.
    if (Date.now() - this.#startedAt > 30_000) this.#restarts = 0;
    const delay = RESTART_DELAYS_MS[Math.min(this.#restarts, RESTART_DELAYS_MS.length - 1)]!;
    this.#restarts += 1;
    this.#logger.error({ code, restartInMs: delay }, 'embedded SFU stopped; its rooms are gone; starting it again');
    this.#events.emit('reset', { phase: 'lost', roomIds: 'every' } satisfies MediaReset);
    setTimeout(() => void this.#restart(this.#restarts), delay).unref();
  }

  /** Tries again, less and less often, until a worker is up. */
  async #restart(attempt: number): Promise<void> {
    if (this.#closed) return;
    try {
      await this.launch();
      this.#logger.info('embedded SFU running again');
      this.#events.emit('reset', { phase: 'back', roomIds: 'every' } satisfies MediaReset);
    } catch (error) {
      const delay = RESTART_DELAYS_MS[Math.min(attempt, RESTART_DELAYS_MS.length - 1)]!;
      this.#logger.error({ err: error, restartInMs: delay }, 'embedded SFU did not start again');
      setTimeout(() => void this.#restart(attempt + 1), delay).unref();
    }
  }
}

/** A worker thread running a TypeScript module (typescript-worker.mjs registers tsx in it first). */
function startTypeScriptWorker(entry: URL, workerData: Record<string, unknown>): Worker {
  return new Worker(new URL('./typescript-worker.mjs', import.meta.url), { workerData: { ...workerData, entry: entry.href }, name: 'embedded-sfu' });
}
