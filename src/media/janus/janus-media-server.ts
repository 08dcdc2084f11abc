/**
 * The MediaServer on Janus's VideoRoom plugin. Each live session gets a
 * VideoRoom on one of the Janus servers (janus-fleet.ts places rooms and
 * follows each server's connection). Each room connection gets one Janus
 * session: a publisher handle per source it sends (camera, screen) and one
 * subscriber handle for every feed it receives (Janus's multistream
 * subscriptions, janus-receiving.ts: one peer connection). Janus ids never
 * leave these files. When a Janus goes away, the sessions made on it are
 * forgotten with its rooms.
 */
import type { Logger } from '../../lib/logger/logger.ts';
import { JanusReceiving, asMediaServerError } from './janus-receiving.ts';
import type { HandleEvent, JanusHandle, JanusSession } from './janus-client.ts';
import { JanusFleet, VIDEOROOM, type JanusServer, type JanusServerSettings, type PlacedRoom } from './janus-fleet.ts';
import { MediaServerError, type IceCandidate, type MediaEndpoint, type MediaRoomLimits, type MediaReset, type MediaServer, type MediaSource, type PublishedFeed, type ReceivedFeed, type ReceivingOffer, type SimulcastLayer, type TrickleTarget } from '../media-server.ts';

/** Janus numbers simulcast layers (substreams) from the lowest. */
const SUBSTREAMS: Record<SimulcastLayer, number> = { low: 0, medium: 1, high: 2 };

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
  readonly #fleet: JanusFleet;
  readonly #endpoints = new Map<string, EndpointState>();

  constructor(servers: JanusServerSettings[], options: { logger: Logger; requestTimeoutMs: number }) {
    this.#fleet = new JanusFleet(servers, { ...options, onServerLost: (server) => this.#forgetEndpointsOn(server) });
  }

  /** Connects to every Janus; those that cannot be reached now are retried in the background. */
  async connect(): Promise<void> {
    await this.#fleet.connect();
  }

  available(): boolean {
    return this.#fleet.available();
  }

  async openRoom(roomId: string, limits: MediaRoomLimits): Promise<void> {
    await this.#fleet.open(roomId, limits);
  }

  async closeRoom(roomId: string): Promise<void> {
    const room = await this.#fleet.forget(roomId);
    if (!room) return;
    for (const [connectionId, endpoint] of this.#endpoints) {
      if (endpoint.room.number !== room.number) continue;
      this.#endpoints.delete(connectionId);
      void endpoint.session.then((session) => session.destroy(), () => undefined);
    }
    await this.#fleet.destroy(roomId, room);
  }

  readonly records = true;

  /**
   * VideoRoom records each publisher's streams as .mjr files: the room's folder first, then each publisher's
   * file names (a resume after a pause starts new files beside the paused ones), then recording on.
   */
  async startRecording(roomId: string, folder: string): Promise<void> {
    const room = await this.#fleet.placed(roomId);
    try {
      await this.#fleet.roomRequest(room, { request: 'edit', new_rec_dir: folder });
      await Promise.all(this.#publishersIn(room).map(([source, publisher]) => publisher.handle.message({ request: 'configure', filename: recordingBase(publisher.display, source) })));
      await this.#fleet.roomRequest(room, { request: 'enable_recording', record: true });
    } catch (error) {
      throw asMediaServerError(error);
    }
  }

  #publishersIn(room: PlacedRoom): Array<[MediaSource, Publisher]> {
    return [...this.#endpoints.values()].filter((state) => state.room === room).flatMap((state) => [...state.publishers.entries()]);
  }

  async stopRecording(roomId: string): Promise<void> {
    const room = await this.#fleet.placed(roomId);
    await this.#fleet
      .roomRequest(room, { request: 'enable_recording', record: false })
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
      await this.#fleet
        .roomRequest(state.room, { request: 'moderate', id: Number(publisher.feedId), mid, mute: !send[kind] })
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
    return this.#fleet.onReset(listener);
  }

  async close(): Promise<void> {
    this.#fleet.close();
  }

  #receiving(endpoint: MediaEndpoint): JanusReceiving {
    const receiving = this.#endpoints.get(endpoint.connectionId)?.receiving;
    if (!receiving) throw new MediaServerError('refused', 'no receiving connection');
    return receiving;
  }

  async #endpoint(endpoint: MediaEndpoint): Promise<EndpointState> {
    const existing = this.#endpoints.get(endpoint.connectionId);
    if (existing && this.#fleet.current(existing.room)) return existing;
    const room = await this.#fleet.placed(endpoint.roomId);
    // A page entering a room asks for every camera at once: the first of those messages makes the session, the others share it.
    const madeMeanwhile = this.#endpoints.get(endpoint.connectionId);
    if (madeMeanwhile && this.#fleet.current(madeMeanwhile.room)) return this.#sessionReady(madeMeanwhile);
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

  /** Janus went away, and every session on it. */
  #forgetEndpointsOn(server: JanusServer): void {
    for (const [connectionId, endpoint] of this.#endpoints) if (endpoint.room.server === server) this.#endpoints.delete(connectionId);
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
