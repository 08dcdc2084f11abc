/**
 * The MediaServer on Janus's VideoRoom plugin. Each live session gets a
 * VideoRoom on the least loaded Janus (by rooms placed), created with the
 * plugin's admin key and a `publishers` cap, and destroyed when it ends. Each
 * room connection gets one Janus session: a publisher handle per source it
 * sends (camera, screen) and one subscriber handle for every feed it
 * receives (Janus's multistream subscriptions: one peer connection). Janus
 * ids never leave this file. When a Janus connection is lost (Janus died or
 * restarted, and every room with it), the rooms and sessions placed there are
 * forgotten, the connection is made again, and the reset listeners are told.
 */
import { EventEmitter } from 'node:events';
import { randomInt } from 'node:crypto';
import type { Logger } from '../../lib/logger/logger.ts';
import { JanusReceiving, asMediaServerError } from './janus-receiving.ts';
import { JanusClient, type HandleEvent, type JanusHandle, type JanusSession } from './janus-client.ts';
import { MediaServerError, type IceCandidate, type MediaEndpoint, type MediaRoomLimits, type MediaReset, type MediaServer, type MediaSource, type PublishedFeed, type ReceivedFeed, type ReceivingOffer, type SimulcastLayer, type TrickleTarget } from '../media-server.ts';

const VIDEOROOM = 'janus.plugin.videoroom';
const RECONNECT_DELAYS_MS = [250, 500, 1000, 2000, 5000];
/** Janus numbers simulcast layers (substreams) from the lowest. */
const SUBSTREAMS: Record<SimulcastLayer, number> = { low: 0, medium: 1, high: 2 };

export interface JanusServerSettings {
  url: string;
  apiSecret: string | null;
  adminKey: string | null;
}

interface JanusServer {
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

interface PlacedRoom {
  server: JanusServer;
  generation: number;
  number: number;
}

interface Publisher {
  handle: JanusHandle;
  feedId: string;
  mids: { audio?: string; video?: string };
  /** The room's participant identifier, named in the publisher's recording files. */
  display: string;
}

interface EndpointState {
  room: PlacedRoom;
  session: Promise<JanusSession>;
  publishers: Map<MediaSource, Publisher>;
  receiving: JanusReceiving | null;
}

export class JanusMediaServer implements MediaServer {
  readonly kind = 'janus' as const;
  readonly #servers: JanusServer[];
  readonly #logger: Logger;
  readonly #rooms = new Map<string, Promise<PlacedRoom>>();
  /** Where each open room was placed, once it was: which rooms a server that goes away takes with it. */
  readonly #placedOn = new Map<string, PlacedRoom>();
  readonly #endpoints = new Map<string, EndpointState>();
  readonly #events = new EventEmitter();
  #closed = false;

  constructor(servers: JanusServerSettings[], options: { logger: Logger; requestTimeoutMs: number }) {
    this.#logger = options.logger;
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

  async openRoom(roomId: string, limits: MediaRoomLimits): Promise<void> {
    const placed = this.#rooms.get(roomId);
    if (placed && (await placed.then((room) => this.#current(room), () => false))) return;
    const opening = this.#create(roomId, limits);
    this.#rooms.set(roomId, opening);
    opening.catch(() => {
      if (this.#rooms.get(roomId) === opening) this.#rooms.delete(roomId);
    });
    await opening;
  }

  async closeRoom(roomId: string): Promise<void> {
    const placed = this.#rooms.get(roomId);
    this.#rooms.delete(roomId);
    this.#placedOn.delete(roomId);
    for (const server of this.#servers) server.lostRooms.delete(roomId);
    const room = await placed?.catch(() => null);
    for (const [connectionId, endpoint] of this.#endpoints) {
      if (endpoint.room.number !== room?.number) continue;
      this.#endpoints.delete(connectionId);
      void endpoint.session.then((session) => session.destroy(), () => undefined);
    }
    if (!room || !this.#current(room)) return;
    room.server.rooms -= 1;
    await room.server.control!.request({ request: 'destroy', room: room.number, ...this.#adminKey(room) }).catch((error: unknown) => {
      this.#logger.warn({ err: error, roomId }, 'destroying a Janus room failed');
    });
  }

  readonly records = true;

  /**
   * VideoRoom records each publisher's streams as .mjr files: the room's folder first, then each publisher's
   * file names (a resume after a pause starts new files beside the paused ones), then recording on.
   */
  async startRecording(roomId: string, folder: string): Promise<void> {
    const room = await this.#placed(roomId);
    try {
      await this.#control(room).request({ request: 'edit', room: room.number, new_rec_dir: folder, ...this.#adminKey(room) });
      await Promise.all(this.#publishersIn(room).map(([source, publisher]) => publisher.handle.message({ request: 'configure', filename: recordingBase(publisher.display, source) })));
      await this.#control(room).request({ request: 'enable_recording', room: room.number, record: true, ...this.#adminKey(room) });
    } catch (error) {
      throw asMediaServerError(error);
    }
  }

  #publishersIn(room: PlacedRoom): Array<[MediaSource, Publisher]> {
    return [...this.#endpoints.values()].filter((state) => state.room === room).flatMap((state) => [...state.publishers.entries()]);
  }

  async stopRecording(roomId: string): Promise<void> {
    const room = await this.#placed(roomId);
    await this.#control(room)
      .request({ request: 'enable_recording', room: room.number, record: false, ...this.#adminKey(room) })
      .catch((error: unknown) => {
        throw asMediaServerError(error);
      });
  }

  async publish(endpoint: MediaEndpoint, source: MediaSource, offerSdp: string): Promise<PublishedFeed> {
    const state = await this.#endpoint(endpoint);
    await this.unpublish(endpoint, source);
    const handle = await this.#attach(state);
    // Janus subscribes nobody to a feed before its sender's media is up ("webrtcup").
    const flowing = new Promise<void>((resolve, reject) => {
      handle.on('event', (event: HandleEvent) => {
        if (event.janus === 'webrtcup') resolve();
        if (event.janus === 'hangup' || event.janus === 'detached') reject(new MediaServerError('refused', `the publisher's connection ended (${event.reason ?? event.janus})`));
      });
    });
    flowing.catch(() => undefined);
    try {
      const joined = await handle.message({ request: 'join', ptype: 'publisher', room: state.room.number, display: `${endpoint.display}:${source}` });
      const answer = await handle.message({ request: 'publish', filename: recordingBase(endpoint.display, source) }, { type: 'offer', sdp: offerSdp });
      if (!answer.jsep) throw new MediaServerError('refused', 'Janus answered the offer without an SDP answer');
      const feedId = String(joined.data.id);
      state.publishers.set(source, { handle, feedId, mids: midsOf(answer.data.streams), display: endpoint.display });
      return { feedId, answerSdp: answer.jsep.sdp, flowing };
    } catch (error) {
      void handle.detach();
      throw asMediaServerError(error);
    }
  }

  async unpublish(endpoint: MediaEndpoint, source: MediaSource): Promise<void> {
    const publisher = this.#endpoints.get(endpoint.connectionId)?.publishers.get(source);
    if (!publisher) return;
    this.#endpoints.get(endpoint.connectionId)!.publishers.delete(source);
    await publisher.handle.detach();
  }

  async updateReceiving(endpoint: MediaEndpoint, change: { add: ReceivedFeed[]; remove: string[] }): Promise<ReceivingOffer> {
    const state = await this.#endpoint(endpoint);
    if (state.receiving) return state.receiving.update(change);
    const { receiving, offer } = await JanusReceiving.start(await this.#attach(state), state.room.number, change.add);
    state.receiving = receiving;
    return offer;
  }

  async answerReceiving(endpoint: MediaEndpoint, answerSdp: string): Promise<void> {
    await this.#receiving(endpoint).answer(answerSdp);
  }

  async restartReceiving(endpoint: MediaEndpoint): Promise<ReceivingOffer> {
    return this.#receiving(endpoint).restart();
  }

  async closeReceiving(endpoint: MediaEndpoint): Promise<void> {
    const state = this.#endpoints.get(endpoint.connectionId);
    const receiving = state?.receiving;
    if (!receiving) return;
    state.receiving = null;
    await receiving.handle.detach();
  }

  async trickle(endpoint: MediaEndpoint, target: TrickleTarget, candidate: IceCandidate | null): Promise<void> {
    const state = this.#endpoints.get(endpoint.connectionId);
    const handleOf = () => (target === 'receiving' ? state?.receiving?.handle : state?.publishers.get(target.publisher)?.handle);
    const handle = handleOf();
    if (!handle) throw new MediaServerError('refused', 'no such publisher or receiving connection');
    await handle.trickle(candidate).catch((error: unknown) => {
      // Closed or replaced while the candidate was on its way: it belonged to a connection that is over.
      if (handleOf() !== handle) return;
      throw asMediaServerError(error);
    });
  }

  async configure(endpoint: MediaEndpoint, source: MediaSource, send: { audio?: boolean; video?: boolean }): Promise<void> {
    const state = this.#endpoints.get(endpoint.connectionId);
    const publisher = state?.publishers.get(source);
    if (!state || !publisher) throw new MediaServerError('refused', 'no such publisher');
    // Janus's own moderation: what it stops here reaches nobody, whatever the sender's browser does.
    for (const kind of ['audio', 'video'] as const) {
      const mid = publisher.mids[kind];
      if (send[kind] === undefined || mid === undefined) continue;
      await this.#control(state.room)
        .request({ request: 'moderate', room: state.room.number, id: Number(publisher.feedId), mid, mute: !send[kind], ...this.#adminKey(state.room) })
        .catch((error: unknown) => {
          throw asMediaServerError(error);
        });
    }
  }

  async chooseLayer(endpoint: MediaEndpoint, key: string, layer: SimulcastLayer): Promise<void> {
    await this.#receiving(endpoint).configureVideo(key, { substream: SUBSTREAMS[layer] });
  }

  async receiveVideo(endpoint: MediaEndpoint, key: string, on: boolean): Promise<void> {
    // Janus keeps the m-line and stops relaying its packets: no renegotiation either way.
    await this.#receiving(endpoint).configureVideo(key, { send: on });
  }

  async restartPublisher(endpoint: MediaEndpoint, source: MediaSource, offerSdp: string): Promise<{ answerSdp: string }> {
    const publisher = this.#endpoints.get(endpoint.connectionId)?.publishers.get(source);
    if (!publisher) throw new MediaServerError('refused', 'no such publisher');
    // Janus sees the new ICE credentials in the offer and restarts ICE on the same handle: the feed keeps its id.
    const answer = await publisher.handle.message({ request: 'configure' }, { type: 'offer', sdp: offerSdp }).catch((error: unknown) => {
      throw asMediaServerError(error);
    });
    if (!answer.jsep) throw new MediaServerError('refused', 'Janus answered the restart without an SDP answer');
    return { answerSdp: answer.jsep.sdp };
  }

  async leave(endpoint: MediaEndpoint): Promise<void> {
    const state = this.#endpoints.get(endpoint.connectionId);
    if (!state) return;
    this.#endpoints.delete(endpoint.connectionId);
    const session = await state.session.catch(() => null);
    await session?.destroy();
  }

  onReset(listener: (reset: MediaReset) => void): () => void {
    this.#events.on('reset', listener);
    return () => this.#events.off('reset', listener);
  }

  async close(): Promise<void> {
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

  #receiving(endpoint: MediaEndpoint): JanusReceiving {
    const receiving = this.#endpoints.get(endpoint.connectionId)?.receiving;
    if (!receiving) throw new MediaServerError('refused', 'no receiving connection');
    return receiving;
  }

  /** The room is open on a Janus that is up (opened again elsewhere after its own went away, say). */
  #openNow(roomId: string): boolean {
    const room = this.#placedOn.get(roomId);
    return room !== undefined && this.#current(room);
  }

  #current(room: PlacedRoom): boolean {
    return room.generation === room.server.generation && room.server.control !== null;
  }

  #control(room: PlacedRoom): JanusHandle {
    if (!this.#current(room)) throw new MediaServerError('unavailable', 'the Janus of this room is gone');
    return room.server.control!;
  }

  async #placed(roomId: string): Promise<PlacedRoom> {
    const room = await this.#rooms.get(roomId)?.catch(() => null);
    if (!room || !this.#current(room)) throw new MediaServerError('unavailable', 'the media room is not open');
    return room;
  }

  #adminKey(room: PlacedRoom): { admin_key?: string } {
    return room.server.settings.adminKey ? { admin_key: room.server.settings.adminKey } : {};
  }

  async #endpoint(endpoint: MediaEndpoint): Promise<EndpointState> {
    const existing = this.#endpoints.get(endpoint.connectionId);
    if (existing && this.#current(existing.room)) return existing;
    const placed = this.#rooms.get(endpoint.roomId);
    const room = await placed?.catch(() => null);
    if (!room || !this.#current(room)) throw new MediaServerError('unavailable', 'the media room is not open');
    // A page entering a room asks for every camera at once: the first of those messages makes the session, the others share it.
    const madeMeanwhile = this.#endpoints.get(endpoint.connectionId);
    if (madeMeanwhile && this.#current(madeMeanwhile.room)) return this.#sessionReady(madeMeanwhile);
    const state: EndpointState = { room, session: room.server.client.createSession(), publishers: new Map(), receiving: null };
    this.#endpoints.set(endpoint.connectionId, state);
    state.session.catch(() => {
      if (this.#endpoints.get(endpoint.connectionId) === state) this.#endpoints.delete(endpoint.connectionId);
    });
    return this.#sessionReady(state);
  }

  async #sessionReady(state: EndpointState): Promise<EndpointState> {
    await state.session.catch((error: unknown) => {
      throw asMediaServerError(error);
    });
    return state;
  }

  async #attach(state: EndpointState): Promise<JanusHandle> {
    try {
      return await (await state.session).attach(VIDEOROOM);
    } catch (error) {
      throw asMediaServerError(error);
    }
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
    for (const [connectionId, endpoint] of this.#endpoints) if (endpoint.room.server === server) this.#endpoints.delete(connectionId);
    const roomIds = [...this.#placedOn].filter(([, room]) => room.server === server).map(([roomId]) => roomId);
    for (const roomId of roomIds) server.lostRooms.add(roomId);
    if (this.#closed) return;
    this.#logger.error({ url: server.settings.url, rooms: roomIds.length }, 'lost the connection to Janus; its rooms are gone');
    this.#events.emit('reset', { phase: 'lost', roomIds } satisfies MediaReset);
    void this.#connect(server, 1);
  }
}

function midsOf(streams: unknown): Publisher['mids'] {
  const mids: Publisher['mids'] = {};
  if (!Array.isArray(streams)) return mids;
  for (const stream of streams as Array<{ type?: string; mid?: string }>) {
    if ((stream.type === 'audio' || stream.type === 'video') && typeof stream.mid === 'string' && mids[stream.type] === undefined) mids[stream.type] = stream.mid;
  }
  return mids;
}

/**
 * The start of a publisher's recording files' names (Janus adds the stream's kind and index):
 * `<participant>-<camera|screen>-<ms>`, from which processing tells the person and the source
 * (src/recordings/processing/raw-recording.ts); the time keeps a resumed recording's files apart.
 */
function recordingBase(display: string, source: MediaSource): string {
  return `${display.replace(/[^A-Za-z0-9_-]/g, '_')}-${source}-${Date.now()}`;
}
