/**
 * A real WebSocket client of a live room, for integration tests: it enters
 * with the room pass cookie its launch produced, and waits for messages by type.
 */
import WebSocket from 'ws';
import type { TestAgent } from './test-agent.ts';

export interface RoomMessage {
  v: number;
  type: string;
  [key: string]: any;
}

const WAIT_LIMIT_MS = 3000;

export class RoomClient {
  readonly socket: WebSocket;
  readonly received: RoomMessage[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  #unread: RoomMessage[] = [];
  #waiters: Array<{ matches: (message: RoomMessage) => boolean; resolve: (message: RoomMessage) => void }> = [];

  private constructor(socket: WebSocket) {
    this.socket = socket;
    this.closed = new Promise((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    socket.on('message', (data) => this.#receive(JSON.parse(data.toString())));
  }

  /** Opens a socket to the room with whatever room pass the agent holds for it. */
  static async open(agent: TestAgent, roomId: string, { origin = agent.baseUrl, cookie }: { origin?: string; cookie?: string } = {}): Promise<RoomClient> {
    const pass = cookie ?? agent.cookie('lr_room', `/rooms/${roomId}`);
    const socket = new WebSocket(`${agent.baseUrl.replace(/^http/, 'ws')}/rooms/${roomId}/ws`, { headers: { origin, ...(pass && { cookie: `lr_room=${pass}` }) } });
    // Listen before the socket opens: the first message can arrive in the same turn as 'open'.
    const client = new RoomClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      socket.once('error', reject);
    });
    return client;
  }

  /** Follows a launch URL with the agent (which then holds the room pass) and opens the room's socket. */
  static async launch(agent: TestAgent, launchUrl: string): Promise<RoomClient> {
    const response = await agent.get(launchUrl);
    if (response.status !== 303) throw new Error(`launch answered ${response.status}: ${response.text.slice(0, 200)}`);
    const roomId = launchUrl.split('/')[2]!;
    return RoomClient.open(agent, roomId);
  }

  send(message: Record<string, unknown>): void {
    this.socket.send(JSON.stringify({ v: 1, ...message }));
  }

  sendRaw(data: string | Buffer, options: { binary?: boolean } = {}): void {
    this.socket.send(data, { binary: options.binary ?? false });
  }

  /** The next unread message of this type (and matching, if given); fails after a bounded wait. */
  next(type: string, matches: (message: RoomMessage) => boolean = () => true, limitMs = WAIT_LIMIT_MS): Promise<RoomMessage> {
    const test = (message: RoomMessage) => message.type === type && matches(message);
    const index = this.#unread.findIndex(test);
    if (index >= 0) return Promise.resolve(this.#unread.splice(index, 1)[0]!);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "${type}" message arrived; got: ${this.#unread.map((m) => m.type).join(', ') || 'nothing'}`)), limitMs);
      this.#waiters.push({
        matches: test,
        resolve: (message) => {
          clearTimeout(timer);
          resolve(message);
        },
      });
    });
  }

  /** Unread messages of a type, without waiting. */
  unread(type: string): RoomMessage[] {
    return this.#unread.filter((message) => message.type === type);
  }

  close(): Promise<{ code: number; reason: string }> {
    this.socket.close();
    return this.closed;
  }

  #receive(message: RoomMessage): void {
    this.received.push(message);
    const waiter = this.#waiters.find((candidate) => candidate.matches(message));
    if (waiter) {
      this.#waiters = this.#waiters.filter((candidate) => candidate !== waiter);
      waiter.resolve(message);
    } else {
      this.#unread.push(message);
    }
  }
}
