/**
 * The embedded SFU itself, as the worker thread runs it: media rooms with
 * their publisher cap, each room connection's published feeds (sfu-peers.ts)
 * and its one receiving connection (sfu-receiving.ts), and the forwarding
 * caps, counted per room and for the whole SFU per stream forwarded: reserved
 * when a feed is added to a receiving connection, given back when it is
 * removed, its feed goes away or the connection closes. Feed ids are its own;
 * receiving a feed of another room is refused.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { RTCPeerConnection } from 'werift';
import {
  MediaServerError,
  type IceCandidate,
  type MediaEndpoint,
  type MediaRoomLimits,
  type MediaSource,
  type ReceivedFeed,
  type ReceivingOffer,
  type SimulcastLayer,
  type TrickleTarget,
} from '../media-server.ts';
import { PublishedFeed, peerConfig, withoutTransportCc } from './sfu-peers.ts';
import type { ForwardingCaps, SfuCalls, SfuSettings, SfuStats } from './sfu-protocol.ts';
import { ReceivingConnection, type ReceivingChange, type StreamAccount } from './sfu-receiving.ts';

interface Room {
  limits: MediaRoomLimits;
  feeds: number;
}

interface Endpoint {
  roomId: string;
  publishers: Map<MediaSource, PublishedFeed>;
  /** Made by the first update, forgotten by closeReceiving. */
  receiving: ReceivingConnection | null;
}

export interface SfuEvents {
  flowing(feedId: string, failure?: string): void;
}

export class Sfu implements SfuCalls {
  readonly #settings: SfuSettings;
  readonly #events: SfuEvents;
  readonly #rooms = new Map<string, Room>();
  readonly #endpoints = new Map<string, Endpoint>();
  readonly #feeds = new Map<string, { feed: PublishedFeed; roomId: string }>();
  readonly #streams: StreamLedger;

  constructor(settings: SfuSettings, events: SfuEvents) {
    this.#settings = settings;
    this.#events = events;
    this.#streams = new StreamLedger(settings.caps);
  }

  async openRoom(roomId: string, limits: MediaRoomLimits): Promise<void> {
    if (!this.#rooms.has(roomId)) this.#rooms.set(roomId, { limits, feeds: 0 });
  }

  async closeRoom(roomId: string): Promise<void> {
    for (const [connectionId, endpoint] of this.#endpoints) {
      if (endpoint.roomId === roomId) await this.leave({ roomId, connectionId, display: '' });
    }
    this.#rooms.delete(roomId);
  }

  async publish(endpoint: MediaEndpoint, source: MediaSource, offerSdp: string): Promise<{ feedId: string; answerSdp: string }> {
    const state = this.#endpoint(endpoint);
    await this.unpublish(endpoint, source);
    const room = this.#room(state.roomId);
    if (room.feeds >= room.limits.publishers) throw new MediaServerError('full', 'the room has as many publishers as it takes');
    const pc = new RTCPeerConnection(peerConfig(this.#settings, 'publisher'));
    let answerSdp: string;
    try {
      await pc.setRemoteDescription({ type: 'offer', sdp: withoutTransportCc(offerSdp) });
      await pc.setLocalDescription(await pc.createAnswer());
      answerSdp = pc.localDescription!.sdp;
    } catch (error) {
      await pc.close().catch(() => undefined);
      throw new MediaServerError('refused', `the offer cannot be used: ${(error as Error).message}`);
    }
    const feed = new PublishedFeed(randomUUID(), pc);
    if (!feed.audio && !feed.video) {
      await pc.close();
      throw new MediaServerError('refused', 'the offer sends neither audio nor video the SFU can take');
    }
    // Told once: connected (others may subscribe), or failed before that.
    let told = false;
    pc.connectionStateChange.subscribe((connection) => {
      if (told || (connection !== 'connected' && connection !== 'failed' && connection !== 'closed')) return;
      told = true;
      this.#events.flowing(feed.id, connection === 'connected' ? undefined : `the publisher's connection ${connection}`);
    });
    state.publishers.set(source, feed);
    this.#feeds.set(feed.id, { feed, roomId: state.roomId });
    room.feeds += 1;
    return { feedId: feed.id, answerSdp };
  }

  async unpublish(endpoint: MediaEndpoint, source: MediaSource): Promise<void> {
    const state = this.#endpoints.get(endpoint.connectionId);
    const feed = state?.publishers.get(source);
    if (!state || !feed) return;
    state.publishers.delete(source);
    this.#feeds.delete(feed.id);
    const room = this.#rooms.get(state.roomId);
    if (room) room.feeds -= 1;
    // Its forwards end with it: their streams are free for others at once.
    await feed.close();
  }

  async updateReceiving(endpoint: MediaEndpoint, change: { add: ReceivedFeed[]; remove: string[] }): Promise<ReceivingOffer> {
    const state = this.#endpoint(endpoint);
    const checked: ReceivingChange = { remove: change.remove, add: change.add.map(({ key, feedId }) => ({ key, feed: this.#feedOf(state.roomId, feedId) })) };
    const more = ReceivingConnection.check(checked, state.receiving);
    if (!this.#streams.fits(state.roomId, more)) throw new MediaServerError('busy', 'the embedded SFU forwards as many streams as it can take');
    const receiving = (state.receiving ??= this.#receivingConnection(state));
    try {
      return await receiving.update(checked);
    } catch (error) {
      // What it took on cannot be taken back from werift: the connection goes, and the browser makes a new one.
      await this.#closeReceiving(state);
      throw error;
    }
  }

  async answerReceiving(endpoint: MediaEndpoint, answerSdp: string): Promise<void> {
    await this.#receiving(endpoint).answer(answerSdp);
  }

  async restartReceiving(endpoint: MediaEndpoint): Promise<ReceivingOffer> {
    return this.#receiving(endpoint).restart();
  }

  async closeReceiving(endpoint: MediaEndpoint): Promise<void> {
    const state = this.#endpoints.get(endpoint.connectionId);
    if (state) await this.#closeReceiving(state);
  }

  async chooseLayer(endpoint: MediaEndpoint, key: string, layer: SimulcastLayer): Promise<void> {
    this.#receiving(endpoint).forward(key).chooseLayer(layer);
  }

  async receiveVideo(endpoint: MediaEndpoint, key: string, on: boolean): Promise<void> {
    this.#receiving(endpoint).forward(key).receiveVideo(on);
  }

  async restartPublisher(endpoint: MediaEndpoint, source: MediaSource, offerSdp: string): Promise<{ answerSdp: string }> {
    const feed = this.#endpoints.get(endpoint.connectionId)?.publishers.get(source);
    if (!feed) throw new MediaServerError('refused', 'no such publisher');
    // New ICE credentials in the offer restart ICE on the same peer connection: the feed, its id and its forwards stay.
    try {
      await feed.pc.setRemoteDescription({ type: 'offer', sdp: withoutTransportCc(offerSdp) });
      await feed.pc.setLocalDescription(await feed.pc.createAnswer());
      return { answerSdp: feed.pc.localDescription!.sdp };
    } catch (error) {
      throw new MediaServerError('refused', `the restart offer cannot be used: ${(error as Error).message}`);
    }
  }

  async trickle(endpoint: MediaEndpoint, target: TrickleTarget, candidate: IceCandidate | null): Promise<void> {
    const state = this.#endpoints.get(endpoint.connectionId);
    const pc = target === 'receiving' ? state?.receiving?.pc : state?.publishers.get(target.publisher)?.pc;
    if (!pc) throw new MediaServerError('refused', 'no such publisher or receiving connection');
    await pc.addIceCandidate(candidate ?? undefined).catch((error: unknown) => {
      throw new MediaServerError('refused', `the candidate cannot be used: ${(error as Error).message}`);
    });
  }

  async configure(endpoint: MediaEndpoint, source: MediaSource, send: { audio?: boolean; video?: boolean }): Promise<void> {
    const feed = this.#endpoints.get(endpoint.connectionId)?.publishers.get(source);
    if (!feed) throw new MediaServerError('refused', 'no such publisher');
    feed.configure(send);
  }

  async leave(endpoint: MediaEndpoint): Promise<void> {
    const state = this.#endpoints.get(endpoint.connectionId);
    if (!state) return;
    await this.#closeReceiving(state);
    for (const source of [...state.publishers.keys()]) await this.unpublish(endpoint, source);
    this.#endpoints.delete(endpoint.connectionId);
  }

  async stats(): Promise<SfuStats> {
    return {
      rooms: this.#rooms.size,
      publishers: this.#feeds.size,
      forwardedStreams: this.#streams.total,
      cpuMs: threadCpuMs(),
      eventLoopUtilization: performance.eventLoopUtilization().utilization,
    };
  }

  #room(roomId: string): Room {
    const room = this.#rooms.get(roomId);
    if (!room) throw new MediaServerError('unavailable', 'the media room is not open');
    return room;
  }

  #endpoint(endpoint: MediaEndpoint): Endpoint {
    this.#room(endpoint.roomId);
    let state = this.#endpoints.get(endpoint.connectionId);
    if (!state || state.roomId !== endpoint.roomId) {
      state = { roomId: endpoint.roomId, publishers: new Map(), receiving: null };
      this.#endpoints.set(endpoint.connectionId, state);
    }
    return state;
  }

  #feedOf(roomId: string, feedId: string): PublishedFeed {
    const placed = this.#feeds.get(feedId);
    if (!placed || placed.roomId !== roomId) throw new MediaServerError('refused', 'no such feed in this room');
    return placed.feed;
  }

  #receiving(endpoint: MediaEndpoint): ReceivingConnection {
    const receiving = this.#endpoints.get(endpoint.connectionId)?.receiving;
    if (!receiving) throw new MediaServerError('refused', 'no receiving connection');
    return receiving;
  }

  #receivingConnection(state: Endpoint): ReceivingConnection {
    const receiving: ReceivingConnection = new ReceivingConnection(new RTCPeerConnection(peerConfig(this.#settings, 'subscriber')), this.#streams.account(state.roomId), () => {
      if (state.receiving === receiving) void this.#closeReceiving(state);
    });
    return receiving;
  }

  async #closeReceiving(state: Endpoint): Promise<void> {
    const receiving = state.receiving;
    state.receiving = null;
    await receiving?.close();
  }
}

/** Streams forwarded now, per room and in all, against the forwarding caps. */
class StreamLedger {
  readonly #caps: ForwardingCaps;
  readonly #rooms = new Map<string, number>();
  #total = 0;

  constructor(caps: ForwardingCaps) {
    this.#caps = caps;
  }

  get total(): number {
    return this.#total;
  }

  /** Whether `more` streams (less than none: fewer) can be forwarded in the room. */
  fits(roomId: string, more: number): boolean {
    return more <= 0 || ((this.#rooms.get(roomId) ?? 0) + more <= this.#caps.streamsPerRoom && this.#total + more <= this.#caps.streamsPerServer);
  }

  account(roomId: string): StreamAccount {
    return { reserve: (streams) => this.#add(roomId, streams), release: (streams) => this.#add(roomId, -streams) };
  }

  #add(roomId: string, streams: number): void {
    this.#total += streams;
    const inRoom = (this.#rooms.get(roomId) ?? 0) + streams;
    if (inRoom === 0) this.#rooms.delete(roomId);
    else this.#rooms.set(roomId, inRoom);
  }
}

/** The calling thread's own CPU time (Linux: /proc/thread-self), else the process's. */
function threadCpuMs(): number {
  try {
    // Fields 14 and 15 (utime, stime) in clock ticks of 10 ms (USER_HZ is 100 on Linux), counted after the command name's closing parenthesis.
    const fields = readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1000;
  }
}
