/**
 * The Janus servers the service uses, and where each live session's
 * VideoRoom is: placed on the least loaded Janus that is up (by rooms
 * placed), created with the plugin's admin key and a `publishers` cap, and
 * destroyed when the session ends. When a Janus connection is lost (Janus
 * died or restarted, and every room with it), the rooms placed there are
 * forgotten, the connection is made again, and the reset listeners are told:
 * `lost` at once, `back` with those rooms not opened elsewhere meanwhile.
 */
import { EventEmitter } from 'node:events';
import { randomInt } from 'node:crypto';
import type { Logger } from '../../lib/logger/logger.ts';
import { JanusClient, type JanusHandle } from './janus-client.ts';
import { MediaServerError, type MediaRoomLimits, type MediaReset } from '../media-server.ts';

export const VIDEOROOM = 'janus.plugin.videoroom';
const RECONNECT_DELAYS_MS = [250, 500, 1000, 2000, 5000];

export interface JanusServerSettings {
  url: string;
  apiSecret: string | null;
  adminKey: string | null;
}

export interface JanusServer {
  settings: JanusServerSettings;
  client: JanusClient;
  /** A session of the service's own for room requests (create, destroy, moderate). */
  control: JanusHandle | null;
  rooms: number;
  /** Bumped on every reconnect: state made on an older connection is gone with it. */
  generation: number;
  /** Rooms it had when it went away, told `back` when it returns unless opened on another server meanwhile. */
  lostRooms: Set<string>;
}

export interface PlacedRoom {
  server: JanusServer;
  generation: number;
  number: number;
}

export class JanusFleet {
  readonly #servers: JanusServer[];
  readonly #logger: Logger;
  /** Called when a server goes away, before its rooms are reported lost: what was made on it is gone. */
  readonly #onServerLost: (server: JanusServer) => void;
  readonly #rooms = new Map<string, Promise<PlacedRoom>>();
  /** Where each open room was placed, once it was: which rooms a server that goes away takes with it. */
  readonly #placedOn = new Map<string, PlacedRoom>();
  readonly #events = new EventEmitter();
  #closed = false;

  constructor(servers: JanusServerSettings[], options: { logger: Logger; requestTimeoutMs: number; onServerLost(server: JanusServer): void }) {
    this.#logger = options.logger;
    this.#onServerLost = options.onServerLost;
    this.#servers = servers.map((settings) => ({
      settings,
      client: new JanusClient({ url: settings.url, apiSecret: settings.apiSecret, requestTimeoutMs: options.requestTimeoutMs }),
      control: null,
      rooms: 0,
      generation: 0,
      lostRooms: new Set(),
    }));
  }

  /** Connects to every Janus; those that cannot be reached now are retried in the background. */
  async connect(): Promise<void> {
    await Promise.all(this.#servers.map((server) => this.#connect(server, 0)));
  }

  available(): boolean {
    return this.#servers.some((server) => server.control !== null);
  }

  async open(roomId: string, limits: MediaRoomLimits): Promise<void> {
    const placed = this.#rooms.get(roomId);
    if (placed && (await placed.then((room) => this.current(room), () => false))) return;
    const opening = this.#create(roomId, limits);
    this.#rooms.set(roomId, opening);
    opening.catch(() => {
      if (this.#rooms.get(roomId) === opening) this.#rooms.delete(roomId);
    });
    await opening;
  }

  /** Forgets the room at once (nothing new is made in it), and answers where it was, if it was placed anywhere. */
  async forget(roomId: string): Promise<PlacedRoom | null> {
    const placed = this.#rooms.get(roomId);
    this.#rooms.delete(roomId);
    this.#placedOn.delete(roomId);
    for (const server of this.#servers) server.lostRooms.delete(roomId);
    return (await placed?.catch(() => null)) ?? null;
  }

  /** Destroys a forgotten room on its Janus, if that Janus still has it. */
  async destroy(roomId: string, room: PlacedRoom): Promise<void> {
    if (!this.current(room)) return;
    room.server.rooms -= 1;
    await this.roomRequest(room, { request: 'destroy' }).catch((error: unknown) => {
      this.#logger.warn({ err: error, roomId }, 'destroying a Janus room failed');
    });
  }

  /** Where the room is, or null when it is not open (or its Janus went away). */
  async placement(roomId: string): Promise<PlacedRoom | null> {
    const room = await this.#rooms.get(roomId)?.catch(() => null);
    return room && this.current(room) ? room : null;
  }

  async placed(roomId: string): Promise<PlacedRoom> {
    const room = await this.placement(roomId);
    if (!room) throw new MediaServerError('unavailable', 'the media room is not open');
    return room;
  }

  current(room: PlacedRoom): boolean {
    return room.generation === room.server.generation && room.server.control !== null;
  }

  /** A request about the room (edit, moderate, recording...) on the service's own handle, with the plugin's admin key. */
  async roomRequest(room: PlacedRoom, request: Record<string, unknown>): Promise<void> {
    if (!this.current(room)) throw new MediaServerError('unavailable', 'the Janus of this room is gone');
    await room.server.control!.request({ ...request, room: room.number, ...adminKey(room) });
  }

  onReset(listener: (reset: MediaReset) => void): () => void {
    this.#events.on('reset', listener);
    return () => this.#events.off('reset', listener);
  }

  close(): void {
    this.#closed = true;
    for (const server of this.#servers) server.client.close();
  }

  async #create(roomId: string, limits: MediaRoomLimits): Promise<PlacedRoom> {
    const candidates = this.#servers.filter((server) => server.control !== null).sort((a, b) => a.rooms - b.rooms);
    const server = candidates[0];
    if (!server) throw new MediaServerError('unavailable', 'no Janus server is reachable');
    const number = randomInt(1, 2 ** 47);
    await server.control!.request({
      request: 'create',
      room: number,
      description: roomId,
      publishers: limits.publishers,
      permanent: false,
      is_private: true,
      ...(server.settings.adminKey && { admin_key: server.settings.adminKey }),
    });
    server.rooms += 1;
    const placed = { server, generation: server.generation, number };
    this.#placedOn.set(roomId, placed);
    return placed;
  }

  /** The room is open on a Janus that is up (opened again elsewhere after its own went away, say). */
  #openNow(roomId: string): boolean {
    const room = this.#placedOn.get(roomId);
    return room !== undefined && this.current(room);
  }

  async #connect(server: JanusServer, attempt: number): Promise<void> {
    if (this.#closed) return;
    try {
      await server.client.connect();
      const session = await server.client.createSession();
      server.control = await session.attach(VIDEOROOM);
    } catch (error) {
      server.client.close();
      const delay = RECONNECT_DELAYS_MS[Math.min(attempt, RECONNECT_DELAYS_MS.length - 1)]!;
      if (attempt === 0) this.#logger.warn({ err: error, url: server.settings.url }, 'Janus cannot be reached; trying again');
      setTimeout(() => void this.#connect(server, attempt + 1), delay).unref();
      return;
    }
    server.client.once('close', () => this.#lost(server));
    if (attempt > 0 || server.generation > 0) {
      this.#logger.info({ url: server.settings.url }, 'Janus reachable again');
      const roomIds = [...server.lostRooms].filter((roomId) => !this.#openNow(roomId));
      server.lostRooms.clear();
      this.#events.emit('reset', { phase: 'back', roomIds } satisfies MediaReset);
    }
  }

  /** Janus went away, and every room and session on it. */
  #lost(server: JanusServer): void {
    server.control = null;
    server.generation += 1;
    server.rooms = 0;
    this.#onServerLost(server);
    const roomIds = [...this.#placedOn].filter(([, room]) => room.server === server).map(([roomId]) => roomId);
    for (const roomId of roomIds) server.lostRooms.add(roomId);
    if (this.#closed) return;
    this.#logger.error({ url: server.settings.url, rooms: roomIds.length }, 'lost the connection to Janus; its rooms are gone');
    this.#events.emit('reset', { phase: 'lost', roomIds } satisfies MediaReset);
    void this.#connect(server, 1);
  }
}

function adminKey(room: PlacedRoom): { admin_key?: string } {
  return room.server.settings.adminKey ? { admin_key: room.server.settings.adminKey } : {};
}
