/**
 * A small typed client of Janus's WebSocket API (subprotocol `janus-protocol`):
 * sessions, plugin handles, requests matched to their answers by transaction,
 * and the events Janus sends on its own. Every request carries the API secret.
 * Promises: a request is answered or rejected (a Janus or plugin error as a
 * JanusError, a lost connection, or a timeout); nothing waits forever; sessions
 * are kept alive while open; a closed connection rejects everything pending.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';

export interface Jsep {
  type: 'offer' | 'answer';
  sdp: string;
}

export interface PluginAnswer {
  data: Record<string, unknown>;
  jsep?: Jsep;
}

/** An event Janus sent about a handle on its own (webrtcup, hangup, media, a plugin event...). */
export interface HandleEvent {
  janus: string;
  data?: Record<string, unknown>;
  jsep?: Jsep;
  reason?: string;
}

export class JanusError extends Error {
  readonly code: number;
  constructor(code: number, reason: string) {
    super(`Janus error ${code}: ${reason}`);
    this.code = code;
  }
}

export interface JanusClientOptions {
  url: string;
  apiSecret: string | null;
  requestTimeoutMs: number;
  /** Janus ends a session that says nothing for session_timeout (60 s by default). */
  keepaliveMs?: number;
}

interface Pending {
  resolve: (answer: PluginAnswer & { id?: number }) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
  /** Asynchronous plugin requests are acknowledged first and answered by an event later. */
  waitsForEvent: boolean;
}

interface JanusFrame {
  janus: string;
  transaction?: string;
  session_id?: number;
  sender?: number;
  data?: { id?: number };
  error?: { code: number; reason: string };
  plugindata?: { plugin: string; data: Record<string, unknown> };
  jsep?: Jsep;
  reason?: string;
}

export class JanusClient extends EventEmitter {
  readonly url: string;
  readonly #options: JanusClientOptions;
  #socket: WebSocket | null = null;
  readonly #pending = new Map<string, Pending>();
  readonly #handles = new Map<number, JanusHandle>();
  readonly #sessions = new Set<JanusSession>();

  constructor(options: JanusClientOptions) {
    super();
    this.url = options.url;
    this.#options = options;
  }

  get connected(): boolean {
    return this.#socket?.readyState === WebSocket.OPEN;
  }

  connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(this.url, 'janus-protocol', { handshakeTimeout: this.#options.requestTimeoutMs });
      socket.once('open', () => {
        this.#socket = socket;
        resolve();
      });
      socket.once('error', reject);
      socket.on('message', (data) => this.#receive(data.toString()));
      socket.once('close', () => {
        if (this.#socket !== socket) return;
        this.#socket = null;
        this.#failAll(new Error('the connection to Janus closed'));
        this.emit('close');
      });
    });
  }

  async createSession(): Promise<JanusSession> {
    const { id } = await this.send({ janus: 'create' });
    const session = new JanusSession(this, id!, this.#options.keepaliveMs ?? 25_000);
    this.#sessions.add(session);
    return session;
  }

  close(): void {
    this.#socket?.close();
  }

  /** @internal Sends a frame and waits for its answer. */
  send(frame: Record<string, unknown>, waitsForEvent = false): Promise<PluginAnswer & { id?: number }> {
    const socket = this.#socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return Promise.reject(new Error('not connected to Janus'));
    const transaction = randomUUID();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(transaction);
        reject(new Error(`Janus did not answer ${String(frame.janus)} in time`));
      }, this.#options.requestTimeoutMs);
      this.#pending.set(transaction, { resolve, reject, timer, waitsForEvent });
      socket.send(JSON.stringify({ ...frame, transaction, ...(this.#options.apiSecret && { apisecret: this.#options.apiSecret }) }));
    });
  }

  /** @internal */
  register(handle: JanusHandle): void {
    this.#handles.set(handle.id, handle);
  }

  /** @internal */
  forget(handle: JanusHandle): void {
    this.#handles.delete(handle.id);
  }

  /** @internal */
  forgetSession(session: JanusSession): void {
    this.#sessions.delete(session);
  }

  #receive(text: string): void {
    let frame: JanusFrame;
    try {
      frame = JSON.parse(text) as JanusFrame;
    } catch {
      return;
    }
    const pending = frame.transaction ? this.#pending.get(frame.transaction) : undefined;
    if (pending && this.#settle(frame.transaction!, pending, frame)) return;
    if (frame.sender !== undefined) this.#handles.get(frame.sender)?.emit('event', toHandleEvent(frame));
    if (frame.janus === 'timeout') for (const session of this.#sessions) if (session.id === frame.session_id) session.gone();
  }

  /** True when the frame answered the pending request. */
  #settle(transaction: string, pending: Pending, frame: JanusFrame): boolean {
    if (frame.janus === 'ack' && pending.waitsForEvent) return true;
    const finish = (outcome: () => void) => {
      clearTimeout(pending.timer);
      this.#pending.delete(transaction);
      outcome();
      return true;
    };
    if (frame.janus === 'error') return finish(() => pending.reject(new JanusError(frame.error?.code ?? 0, frame.error?.reason ?? 'unknown error')));
    if (!['success', 'ack', 'event'].includes(frame.janus)) return false;
    const data = frame.plugindata?.data ?? {};
    if (typeof data.error_code === 'number') return finish(() => pending.reject(new JanusError(data.error_code as number, String(data.error ?? 'plugin error'))));
    return finish(() => pending.resolve({ data, ...(frame.jsep && { jsep: frame.jsep }), ...(frame.data?.id !== undefined && { id: frame.data.id }) }));
  }

  #failAll(error: Error): void {
    for (const [transaction, pending] of this.#pending) {
      clearTimeout(pending.timer);
      this.#pending.delete(transaction);
      pending.reject(error);
    }
    for (const session of this.#sessions) session.gone();
    for (const handle of this.#handles.values()) handle.emit('event', { janus: 'detached' });
    this.#handles.clear();
  }
}

function toHandleEvent(frame: JanusFrame): HandleEvent {
  return { janus: frame.janus, ...(frame.plugindata && { data: frame.plugindata.data }), ...(frame.jsep && { jsep: frame.jsep }), ...(frame.reason && { reason: frame.reason }) };
}

export class JanusSession {
  readonly id: number;
  readonly #client: JanusClient;
  readonly #keepalive: NodeJS.Timeout;
  #open = true;

  constructor(client: JanusClient, id: number, keepaliveMs: number) {
    this.#client = client;
    this.id = id;
    this.#keepalive = setInterval(() => {
      client.send({ janus: 'keepalive', session_id: id }).catch(() => undefined);
    }, keepaliveMs);
    this.#keepalive.unref();
  }

  async attach(plugin: string): Promise<JanusHandle> {
    const { id } = await this.#client.send({ janus: 'attach', session_id: this.id, plugin });
    const handle = new JanusHandle(this.#client, this.id, id!);
    this.#client.register(handle);
    return handle;
  }

  async destroy(): Promise<void> {
    if (!this.#open) return;
    this.gone();
    await this.#client.send({ janus: 'destroy', session_id: this.id }).catch(() => undefined);
  }

  /** @internal The session no longer exists on the Janus side. */
  gone(): void {
    this.#open = false;
    clearInterval(this.#keepalive);
    this.#client.forgetSession(this);
  }
}

export class JanusHandle extends EventEmitter {
  readonly id: number;
  readonly #client: JanusClient;
  readonly #sessionId: number;

  constructor(client: JanusClient, sessionId: number, id: number) {
    super();
    this.#client = client;
    this.#sessionId = sessionId;
    this.id = id;
  }

  /** A synchronous plugin request (create, destroy, moderate...): answered at once. */
  async request(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    return (await this.#client.send({ janus: 'message', session_id: this.#sessionId, handle_id: this.id, body })).data;
  }

  /** An asynchronous plugin request (join, publish, start...): acknowledged, then answered by an event. */
  message(body: Record<string, unknown>, jsep?: Jsep): Promise<PluginAnswer> {
    return this.#client.send({ janus: 'message', session_id: this.#sessionId, handle_id: this.id, body, ...(jsep && { jsep }) }, true);
  }

  /** One ICE candidate of the browser's, or null when it has no more. */
  async trickle(candidate: { candidate: string; sdpMid?: string | null; sdpMLineIndex?: number | null } | null): Promise<void> {
    await this.#client.send({ janus: 'trickle', session_id: this.#sessionId, handle_id: this.id, candidate: candidate ?? { completed: true } });
  }

  async detach(): Promise<void> {
    this.#client.forget(this);
    await this.#client.send({ janus: 'detach', session_id: this.#sessionId, handle_id: this.id }).catch(() => undefined);
  }
}
