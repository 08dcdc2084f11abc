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
import { JanusClient, JanusError, type HandleEvent, type JanusHandle, type JanusSession } from './janus-client.ts';
import { MediaServerError, type IceCandidate, type MediaEndpoint, type MediaRoomLimits, type MediaReset, type MediaServer, type MediaSource, type PublishedFeed, type ReceivedFeed, type ReceivingOffer, type SimulcastLayer, type TrickleTarget } from '../media-server.ts';

const VIDEOROOM = 'janus.plugin.videoroom';
/** VideoRoom's "maximum number of publishers reached". */
const PUBLISHERS_FULL = 432;
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

/** The one subscriber handle of a room connection, and the m-lines of each feed it carries, by key. */
interface Receiving {
  handle: JanusHandle;
  mids: Map<string, { audio?: string; video?: string }>;
}

/** A stream as Janus lists those of a subscriber handle. */
interface JanusSubscriberStream {
  type?: string;
  mid?: string;
  active?: boolean;
  crossrefid?: string;
}

interface EndpointState {
  room: PlacedRoom;
  session: Promise<JanusSession>;
  publishers: Map<MediaSource, Publisher>;
  receiving: Receiving | null;
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
    // Each feed's streams carry its key (crossrefid), which Janus keeps in its list of streams, also on a reused m-line.
    const subscribe = change.add.map((feed) => ({ feed: Number(feed.feedId), crossrefid: feed.key }));
    try {
      if (!state.receiving) return await this.#startReceiving(state, subscribe);
      const receiving = state.receiving;
      const unsubscribe = change.remove.flatMap((key) => Object.values(receiving.mids.get(key) ?? {}).map((mid) => ({ sub_mid: mid })));
      const updated = await receiving.handle.message({ request: 'update', ...(subscribe.length > 0 && { subscribe }), ...(unsubscribe.length > 0 && { unsubscribe }) });
      // Janus makes no offer when the SDP would not change (streams of a sender who left are inactive already): one is asked for.
      const offer = updated.jsep ? updated : await receiving.handle.message({ request: 'configure', update: true });
      return this.#receivingOffer(receiving, offer);
    } catch (error) {
      throw asMediaServerError(error);
    }
  }

  async answerReceiving(endpoint: MediaEndpoint, answerSdp: string): Promise<void> {
    const { handle } = this.#receiving(endpoint);
    await handle.message({ request: 'start' }, { type: 'answer', sdp: answerSdp }).catch((error: unknown) => {
      throw asMediaServerError(error);
    });
  }

  async restartReceiving(endpoint: MediaEndpoint): Promise<ReceivingOffer> {
    const receiving = this.#receiving(endpoint);
    try {
      return this.#receivingOffer(receiving, await receiving.handle.message({ request: 'configure', restart: true }));
    } catch (error) {
      throw asMediaServerError(error);
    }
  }

  async closeReceiving(endpoint: MediaEndpoint): Promise<void> {
    const state = this.#endpoints.get(endpoint.connectionId);
    const receiving = state?.receiving;
    if (!receiving) return;
    state.receiving = null;
    await receiving.handle.detach();
  }

  /** The first change makes the subscriber handle; senders who leave do not renegotiate it by themselves (one offer at a time). */
  async #startReceiving(state: EndpointState, subscribe: Array<{ feed: number; crossrefid: string }>): Promise<ReceivingOffer> {
    if (subscribe.length === 0) throw new MediaServerError('refused', 'nothing to receive');
    const handle = await this.#attach(state);
    try {
      const joined = await handle.message({ request: 'join', ptype: 'subscriber', room: state.room.number, autoupdate: false, streams: subscribe });
      const receiving: Receiving = { handle, mids: new Map() };
      const offer = this.#receivingOffer(receiving, joined);
      state.receiving = receiving;
      return offer;
    } catch (error) {
      void handle.detach();
      throw error;
    }
  }

  /**
   * Janus's offer, and its list of streams read into each feed's m-lines (inactive ones, of feeds removed, left
   * out). An ICE restart's reply lists no streams: they are the same as before.
   */
  #receivingOffer(receiving: Receiving, reply: { data: Record<string, unknown>; jsep?: { sdp: string } }): ReceivingOffer {
    if (!reply.jsep) throw new MediaServerError('refused', 'Janus sent no offer for the receiving connection');
    if (Array.isArray(reply.data.streams)) receiving.mids = midsByKey(reply.data.streams as JanusSubscriberStream[]);
    const streams = [...receiving.mids].flatMap(([key, mids]) => (['audio', 'video'] as const).flatMap((kind) => (mids[kind] === undefined ? [] : [{ mid: mids[kind], kind, key }])));
    return { offerSdp: reply.jsep.sdp, streams };
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
    await this.#configureVideo(endpoint, key, { substream: SUBSTREAMS[layer] });
  }

  async receiveVideo(endpoint: MediaEndpoint, key: string, on: boolean): Promise<void> {
    // Janus keeps the m-line and stops relaying its packets: no renegotiation either way.
    await this.#configureVideo(endpoint, key, { send: on });
  }

  /** A feed's video on the receiving connection; a feed without video (or one layer) has nothing to choose. */
  async #configureVideo(endpoint: MediaEndpoint, key: string, settings: { substream: number } | { send: boolean }): Promise<void> {
    const receiving = this.#receiving(endpoint);
    const mids = receiving.mids.get(key);
    if (!mids) throw new MediaServerError('refused', 'no such feed on the receiving connection');
    if (mids.video === undefined) return;
    await receiving.handle.message({ request: 'configure', streams: [{ mid: mids.video, ...settings }] }).catch((error: unknown) => {
      throw asMediaServerError(error);
    });
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

  #receiving(endpoint: MediaEndpoint): Receiving {
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

function midsByKey(streams: JanusSubscriberStream[]): Receiving['mids'] {
  const byKey: Receiving['mids'] = new Map();
  for (const stream of streams) {
    if (stream.active === false || typeof stream.crossrefid !== 'string' || typeof stream.mid !== 'string') continue;
    if (stream.type !== 'audio' && stream.type !== 'video') continue;
    byKey.set(stream.crossrefid, { ...byKey.get(stream.crossrefid), [stream.type]: stream.mid });
  }
  return byKey;
}

function asMediaServerError(error: unknown): MediaServerError {
  if (error instanceof MediaServerError) return error;
  if (error instanceof JanusError) return new MediaServerError(error.code === PUBLISHERS_FULL ? 'full' : 'refused', error.message, { cause: error });
  return new MediaServerError('unavailable', (error as Error)?.message ?? 'Janus failed', { cause: error });
}

/**
 * The start of a publisher's recording files' names (Janus adds the stream's kind and index):
 * `<participant>-<camera|screen>-<ms>`, from which processing tells the person and the source
 * (src/recordings/processing/raw-recording.ts); the time keeps a resumed recording's files apart.
 */
function recordingBase(display: string, source: MediaSource): string {
  return `${display.replace(/[^A-Za-z0-9_-]/g, '_')}-${source}-${Date.now()}`;
}
