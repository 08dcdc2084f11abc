/**
 * Getting the fan-out load's people into a live room, untimed: seed a channel
 * with one manager (the instructor) and N members in the service's Kaltura
 * emulator, take each person through the channel's Join as the embedded
 * buttons do, follow the launch link for the room pass cookie, and open the
 * room's WebSocket with it. Also the lean WebSocket client both servers'
 * clients use: it hands every chat text to the load the moment it arrives.
 */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { ROOM_PASS_COOKIE } from '../../src/rooms/rooms-router.ts';
import { KalturaSeeder, LEVEL } from '../support/kaltura-seed.ts';
import { benchSeeder } from './bench-partner.ts';
import { CookieJar, RequestFailure, type HttpClient, type HttpResponse } from './http-client.ts';
import { runConcurrently } from './load-generator.ts';

/** Setup is not measured; this keeps it quick without flooding the emulator or the listen backlog. */
const SETUP_CONCURRENCY = 16;
const KS_EXPIRY_SECONDS = 2 * 3600;
/** Bound on any wait for a message during setup (a welcome, the session's start). */
const MESSAGE_WAIT_MS = 30_000;
const CSRF_FIELD = /name="_csrf" value="([^"]+)"/;

export interface FanOutPerson {
  userId: string;
  ks: string;
}

export interface FanOutCast {
  channelId: number;
  instructor: FanOutPerson;
  participants: FanOutPerson[];
}

export async function seedFanOut(serviceUrl: string, participantCount: number): Promise<FanOutCast> {
  const seeder = benchSeeder(serviceUrl);
  const channel = await seeder.createChannel('Bench fan-out');
  const seedPerson = async (userId: string, name: string, level: number): Promise<FanOutPerson> => {
    await seeder.createUser({ id: userId, name, role: 'viewerRole' });
    await seeder.addMember(channel.id, userId, level);
    return { userId, ks: await seeder.userKs(userId, { expiry: KS_EXPIRY_SECONDS }) };
  };
  const instructor = await seedPerson('fanout-instructor', 'Fan-out instructor', LEVEL.manager);
  const indexes = Array.from({ length: participantCount }, (_, index) => index);
  const participants = await allOrThrow('seeding', indexes, (index) => seedPerson(`fanout-user-${String(index).padStart(5, '0')}`, `Fan-out user ${index}`, LEVEL.member));
  return { channelId: channel.id, instructor, participants };
}

export interface RoomPass {
  roomId: string;
  /** The room pass cookie, as a Cookie header: what authenticates the room's WebSocket. */
  cookie: string;
}

/** Everyone's way in, in the cast's order: the launch with their KS, Join with the page's CSRF token, the launch link. */
export function roomPassesFor(client: HttpClient, channelId: number, people: readonly FanOutPerson[]): Promise<RoomPass[]> {
  return allOrThrow('entering the room', people, (person) => enterRoom(client, channelId, person));
}

async function enterRoom(client: HttpClient, channelId: number, person: FanOutPerson): Promise<RoomPass> {
  const jar = new CookieJar();
  const meeting = `/channels/${channelId}/meeting`;
  const step = async (name: string, path: string, expectStatus: number, options: { method?: 'POST'; accept: string; headers?: Record<string, string> }): Promise<HttpResponse> => {
    const response = await client.request(path, { method: options.method, headers: { accept: options.accept, cookie: jar.header(), ...options.headers } });
    jar.store(response.headers['set-cookie']);
    if (response.status !== expectStatus) throw new RequestFailure(name, `HTTP ${response.status} ${response.body.slice(0, 160).replace(/\s+/g, ' ')}`);
    return response;
  };
  await step('launch', `/launch?ks=${encodeURIComponent(person.ks)}&returnTo=${encodeURIComponent(meeting)}`, 303, { accept: 'text/html' });
  const token = CSRF_FIELD.exec((await step('csrf', meeting, 200, { accept: 'text/html' })).body)?.[1];
  if (!token) throw new RequestFailure('csrf', 'no _csrf field in the meeting fragment');
  const joined = JSON.parse((await step('join', `${meeting}/join`, 200, { method: 'POST', accept: 'application/json', headers: { 'x-csrf-token': token } })).body) as { launchUrl: string; roomId: string };
  await step('room launch', joined.launchUrl, 303, { accept: 'text/html' });
  const pass = jar.get(ROOM_PASS_COOKIE);
  if (!pass) throw new RequestFailure('room launch', 'no room pass cookie');
  return { roomId: joined.roomId, cookie: `${ROOM_PASS_COOKIE}=${pass}` };
}

/** Runs `task` for every item, SETUP_CONCURRENCY at a time; any failure fails the setup, naming the first. */
export async function allOrThrow<I, T>(what: string, items: readonly I[], task: (item: I) => Promise<T>): Promise<T[]> {
  const { outcomes } = await runConcurrently(items, SETUP_CONCURRENCY, task);
  const failed = outcomes.filter((outcome) => outcome.error !== undefined);
  if (failed.length > 0) throw new Error(`${what} failed for ${failed.length} of ${items.length}; first: ${String(failed[0]!.error)}`);
  return outcomes.map((outcome) => outcome.value!);
}

export interface LoadMessage {
  type: string;
  [key: string]: unknown;
}

/**
 * One WebSocket client of the load. It keeps no history: a chat text goes to
 * `onChat` with the time it arrived, an error to `onError`; other messages
 * are kept by type, the first of each, for setup to wait on.
 */
export class LoadSocket {
  onChat: (text: string, receivedAt: number) => void = () => {};
  onError: (code: string) => void = () => {};
  readonly #socket: WebSocket;
  readonly #firsts = new Map<string, LoadMessage>();
  readonly #waiters = new Map<string, Array<(message: LoadMessage) => void>>();

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.on('message', (data: Buffer) => this.#receive(performance.now(), JSON.parse(data.toString('utf8')) as LoadMessage));
    socket.on('error', () => {});
  }

  /** Opens a socket (with the room pass, for the service) and waits until it is open. */
  static open(url: string, { cookie }: { cookie?: string } = {}): Promise<LoadSocket> {
    const socket = new WebSocket(url, { headers: cookie ? { cookie } : {}, perMessageDeflate: false, handshakeTimeout: MESSAGE_WAIT_MS });
    // Listening starts before the socket opens: the first message can arrive in the same turn as 'open'.
    const client = new LoadSocket(socket);
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(client));
      socket.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)));
      socket.once('error', reject);
    });
  }

  send(message: Record<string, unknown>): void {
    this.#socket.send(JSON.stringify(message));
  }

  /** The first message of this type, whether it came already or comes within the bounded wait. */
  first(type: string): Promise<LoadMessage> {
    const seen = this.#firsts.get(type);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "${type}" message within ${MESSAGE_WAIT_MS} ms`)), MESSAGE_WAIT_MS);
      const waiters = this.#waiters.get(type) ?? [];
      waiters.push((message) => {
        clearTimeout(timer);
        resolve(message);
      });
      this.#waiters.set(type, waiters);
    });
  }

  terminate(): void {
    this.#socket.terminate();
  }

  #receive(receivedAt: number, message: LoadMessage): void {
    // The service wraps a chat text in `chat.message`; the bare relay sends back what was sent, `chat.send`.
    if (message.type === 'chat.message') return this.onChat((message.message as { text: string }).text, receivedAt);
    if (message.type === 'chat.send') return this.onChat(message.text as string, receivedAt);
    if (message.type === 'error') this.onError(String(message.code));
    if (this.#firsts.has(message.type)) return;
    this.#firsts.set(message.type, message);
    for (const resolve of this.#waiters.get(message.type) ?? []) resolve(message);
    this.#waiters.delete(message.type);
  }
}
