/**
 * The embedded SFU itself, as the worker thread runs it: media rooms with
 * their publisher cap, each room connection's published feeds and
 * subscriptions (sfu-peers.ts), and the forwarding caps, counted per room and
 * for the whole SFU when a subscription is made and given back when it goes.
 * Feed ids are its own; a subscription to a feed of another room is refused.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { RTCPeerConnection } from 'werift';
import { MediaServerError, type IceCandidate, type MediaEndpoint, type MediaRoomLimits, type MediaSource, type SimulcastLayer, type TrickleTarget } from '../media-server.ts';
import { PublishedFeed, Subscription, peerConfig, withoutTransportCc } from './sfu-peers.ts';
import type { SfuCalls, SfuSettings, SfuStats } from './sfu-protocol.ts';

interface Room {
  limits: MediaRoomLimits;
  feeds: number;
  forwarded: number;
}

interface Endpoint {
  roomId: string;
  publishers: Map<MediaSource, PublishedFeed>;
  subscriptions: Map<string, Subscription>;
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
  /** Where each subscription is kept, to take it out and give its streams back. */
  readonly #placed = new Map<Subscription, { state: Endpoint; key: string }>();
  #forwarded = 0;

  constructor(settings: SfuSettings, events: SfuEvents) {
    this.#settings = settings;
    this.#events = events;
  }

  async openRoom(roomId: string, limits: MediaRoomLimits): Promise<void> {
    if (!this.#rooms.has(roomId)) this.#rooms.set(roomId, { limits, feeds: 0, forwarded: 0 });
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
    // Its subscriptions end with it: their streams are free for others.
    for (const subscription of [...feed.subscriptions]) this.#dropSubscription(subscription);
    await feed.close();
  }

  async subscribe(endpoint: MediaEndpoint, key: string, feedId: string): Promise<{ offerSdp: string }> {
    const state = this.#endpoint(endpoint);
    await this.unsubscribe(endpoint, key);
    const placed = this.#feeds.get(feedId);
    if (!placed || placed.roomId !== state.roomId) throw new MediaServerError('refused', 'no such feed in this room');
    const room = this.#room(state.roomId);
    const streams = placed.feed.streams;
    if (room.forwarded + streams > this.#settings.caps.streamsPerRoom || this.#forwarded + streams > this.#settings.caps.streamsPerServer) {
      throw new MediaServerError('busy', 'the embedded SFU forwards as many streams as it can take');
    }
    const pc = new RTCPeerConnection(peerConfig(this.#settings, 'subscriber'));
    const subscription: Subscription = new Subscription(pc, placed.feed, () => this.#dropSubscription(subscription));
    room.forwarded += streams;
    this.#forwarded += streams;
    state.subscriptions.set(key, subscription);
    this.#placed.set(subscription, { state, key });
    try {
      await pc.setLocalDescription(await pc.createOffer());
      return { offerSdp: pc.localDescription!.sdp };
    } catch (error) {
      this.#dropSubscription(subscription);
      throw new MediaServerError('refused', `no offer could be made: ${(error as Error).message}`);
    }
  }

  async start(endpoint: MediaEndpoint, key: string, answerSdp: string): Promise<void> {
    const subscription = this.#subscription(endpoint, key);
    await subscription.pc.setRemoteDescription({ type: 'answer', sdp: answerSdp }).catch((error: unknown) => {
      throw new MediaServerError('refused', `the answer cannot be used: ${(error as Error).message}`);
    });
  }

  async unsubscribe(endpoint: MediaEndpoint, key: string): Promise<void> {
    const subscription = this.#endpoints.get(endpoint.connectionId)?.subscriptions.get(key);
    if (subscription) this.#dropSubscription(subscription);
  }

  async chooseLayer(endpoint: MediaEndpoint, key: string, layer: SimulcastLayer): Promise<void> {
    this.#subscription(endpoint, key).chooseLayer(layer);
  }

  async receiveVideo(endpoint: MediaEndpoint, key: string, on: boolean): Promise<void> {
    this.#subscription(endpoint, key).receiveVideo(on);
  }

  async restartPublisher(endpoint: MediaEndpoint, source: MediaSource, offerSdp: string): Promise<{ answerSdp: string }> {
    const feed = this.#endpoints.get(endpoint.connectionId)?.publishers.get(source);
    if (!feed) throw new MediaServerError('refused', 'no such publisher');
    // New ICE credentials in the offer restart ICE on the same peer connection: the feed, its id and its subscriptions stay.
    try {
      await feed.pc.setRemoteDescription({ type: 'offer', sdp: withoutTransportCc(offerSdp) });
      await feed.pc.setLocalDescription(await feed.pc.createAnswer());
      return { answerSdp: feed.pc.localDescription!.sdp };
    } catch (error) {
      throw new MediaServerError('refused', `the restart offer cannot be used: ${(error as Error).message}`);
    }
  }

  async restartSubscription(endpoint: MediaEndpoint, key: string): Promise<{ offerSdp: string }> {
    const { pc } = this.#subscription(endpoint, key);
    try {
      await pc.setLocalDescription(await pc.createOffer({ iceRestart: true }));
      return { offerSdp: pc.localDescription!.sdp };
    } catch (error) {
      throw new MediaServerError('refused', `no restart offer could be made: ${(error as Error).message}`);
    }
  }

  async trickle(endpoint: MediaEndpoint, target: TrickleTarget, candidate: IceCandidate | null): Promise<void> {
    const state = this.#endpoints.get(endpoint.connectionId);
    const pc = 'publisher' in target ? state?.publishers.get(target.publisher)?.pc : state?.subscriptions.get(target.subscription)?.pc;
    if (!pc) throw new MediaServerError('refused', 'no such publisher or subscription');
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
    for (const subscription of [...state.subscriptions.values()]) this.#dropSubscription(subscription);
    for (const source of [...state.publishers.keys()]) await this.unpublish(endpoint, source);
    this.#endpoints.delete(endpoint.connectionId);
  }

  async stats(): Promise<SfuStats> {
    return {
      rooms: this.#rooms.size,
      publishers: this.#feeds.size,
      forwardedStreams: this.#forwarded,
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
      state = { roomId: endpoint.roomId, publishers: new Map(), subscriptions: new Map() };
      this.#endpoints.set(endpoint.connectionId, state);
    }
    return state;
  }

  #subscription(endpoint: MediaEndpoint, key: string): Subscription {
    const subscription = this.#endpoints.get(endpoint.connectionId)?.subscriptions.get(key);
    if (!subscription) throw new MediaServerError('refused', 'no such subscription');
    return subscription;
  }

  /** Closes a subscription and gives its streams back, once, wherever it is kept. */
  #dropSubscription(subscription: Subscription): void {
    const placed = this.#placed.get(subscription);
    if (placed) {
      this.#placed.delete(subscription);
      if (placed.state.subscriptions.get(placed.key) === subscription) placed.state.subscriptions.delete(placed.key);
      const room = this.#rooms.get(placed.state.roomId);
      if (room) room.forwarded -= subscription.streams;
      this.#forwarded -= subscription.streams;
    }
    void subscription.close();
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
