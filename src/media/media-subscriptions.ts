/**
 * What each room connection receives: the feeds it subscribed to, all carried
 * by one receiving connection with the media server, kept in step with what
 * the browser asks for. Subscribes and unsubscribes are gathered and applied
 * as one change at a time: the media server's offer goes to the browser, and
 * nothing else is changed until it answers (a page entering a room asks for
 * every camera at once and gets them in one or two offers, not one peer
 * connection each). A connection receives the video of at most
 * MEDIA_VIDEO_SUBSCRIPTIONS_MAX cameras at once (a page of tiles, the speaker
 * and a pinned tile): past it a camera subscription is refused video (it may
 * still carry audio), so one browser cannot make the media server forward
 * every camera of a large room to it.
 */
import { phrase } from '../lib/i18n/phrase.ts';
import { RoomActionError } from '../live-room/live-room-service.ts';
import type { Logger } from '../lib/logger/logger.ts';
import type { MediaConnection } from './media-signalling.ts';
import type { MediaEndpoint, MediaServer, MediaSource, ReceivingOffer, SimulcastLayer } from './media-server.ts';
import { MEDIA_VIDEO_SUBSCRIPTIONS_MAX, type OfferedStream } from './media-protocol.ts';
import { feedKey, type FeedRegistry } from './feed-registry.ts';

const messages = {
  noFeed: phrase('media:errors.noFeed'),
  noOffer: phrase('media:errors.noOffer'),
  notSubscribed: phrase('media:errors.notSubscribed'),
  tooManyVideos: phrase('media:errors.tooManyVideos', { count: MEDIA_VIDEO_SUBSCRIPTIONS_MAX }),
};

interface Subscription {
  participantId: string;
  source: MediaSource;
  /** Set once the feed was found flowing: until then the subscription waits for that check, not for the media server. */
  feedId: string | null;
  video: boolean;
  /** A layer asked for before the media server carried the feed, applied once it does. */
  layer: SimulcastLayer | null;
  /** Refused once in a change with others (a feed that went meanwhile, a cap): tried again on its own. */
  alone: boolean;
  /** The subscribe messages waiting for the offer that carries it. */
  waiters: Array<{ resolve(): void; reject(error: unknown): void }>;
}

interface Receiving {
  /** What the browser asked for, by feed key. */
  wanted: Map<string, Subscription>;
  /** What the media server carries now (or in the offer awaiting the browser's answer). */
  carried: Map<string, Subscription>;
  /** idle: a change may start; negotiating: the media server is making an offer; offered: the browser has it. */
  phase: 'idle' | 'negotiating' | 'offered';
  scheduled: boolean;
  restart: boolean;
  /** Bumped when the browser makes a new receiving connection: an offer made for the old one is not sent. */
  generation: number;
  reset: boolean;
}

export interface MediaSubscriptionsDeps {
  server: MediaServer;
  feeds: FeedRegistry;
  logger: Logger;
  requireLive(roomId: string): Promise<void>;
  endpointOf(connection: MediaConnection): MediaEndpoint;
}

export class MediaSubscriptions {
  readonly #deps: MediaSubscriptionsDeps;
  readonly #byConnection = new Map<string, Receiving>();

  constructor(deps: MediaSubscriptionsDeps) {
    this.#deps = deps;
  }

  /** Settles once the feed is in an offer sent to the browser (or is refused). */
  async subscribe(connection: MediaConnection, participantId: string, source: MediaSource, video: boolean): Promise<void> {
    const key = feedKey(participantId, source);
    const receiving = this.#of(connection);
    // Counted at once, before anything is awaited: the messages of one socket are taken in order, so the cap holds.
    if (video) this.#requireVideoRoom(receiving, key, source);
    const subscription: Subscription = { participantId, source, feedId: null, video, layer: null, alone: false, waiters: [] };
    const replaced = receiving.wanted.get(key);
    receiving.wanted.set(key, subscription);
    if (replaced && receiving.carried.get(key) !== replaced) settle(replaced);
    try {
      await this.#deps.requireLive(connection.actor.roomId);
      const feed = this.#deps.feeds.get(connection.actor.roomId, key);
      if (!feed?.flowing) throw new RoomActionError('FEED_NOT_FOUND', messages.noFeed);
      subscription.feedId = feed.feedId;
    } catch (error) {
      if (receiving.wanted.get(key) === subscription) receiving.wanted.delete(key);
      throw error;
    }
    // Unsubscribed or asked for again while the feed was looked up: there is nothing left to wait for.
    if (receiving.wanted.get(key) !== subscription) return;
    const offered = new Promise<void>((resolve, reject) => subscription.waiters.push({ resolve, reject }));
    this.#schedule(connection, receiving);
    return offered;
  }

  /** The browser's answer to the latest offer: the next change may start. */
  async answer(connection: MediaConnection, sdp: string): Promise<void> {
    const receiving = this.#of(connection);
    if (receiving.phase !== 'offered') throw new RoomActionError('NO_OFFER', messages.noOffer);
    const generation = receiving.generation;
    try {
      await this.#deps.server.answerReceiving(this.#deps.endpointOf(connection), sdp);
    } catch (error) {
      // The browser gave that connection up meanwhile (a reset): its answer has nothing left to answer.
      if (receiving.generation === generation) throw error;
    } finally {
      if (receiving.generation === generation && receiving.phase === 'offered') receiving.phase = 'idle';
      this.#schedule(connection, receiving);
    }
  }

  /** Taken out of the next offer; a feed never subscribed to, or already gone, is no error. */
  async unsubscribe(connection: MediaConnection, participantId: string, source: MediaSource): Promise<void> {
    const receiving = this.#of(connection);
    const key = feedKey(participantId, source);
    const subscription = receiving.wanted.get(key);
    if (!subscription) return;
    receiving.wanted.delete(key);
    if (receiving.carried.get(key) !== subscription) settle(subscription);
    this.#schedule(connection, receiving);
  }

  /** A tile came onto the page (video on) or left it, or the connection became too poor for video (off). */
  async video(connection: MediaConnection, participantId: string, source: MediaSource, on: boolean): Promise<void> {
    const receiving = this.#of(connection);
    const key = feedKey(participantId, source);
    const subscription = this.#require(receiving, key);
    if (on && !subscription.video) this.#requireVideoRoom(receiving, key, source);
    const before = subscription.video;
    subscription.video = on;
    if (receiving.carried.get(key) !== subscription) return;
    try {
      await this.#deps.server.receiveVideo(this.#deps.endpointOf(connection), key, on);
    } catch (error) {
      subscription.video = before;
      throw error;
    }
  }

  async layer(connection: MediaConnection, participantId: string, source: MediaSource, layer: SimulcastLayer): Promise<void> {
    const receiving = this.#of(connection);
    const key = feedKey(participantId, source);
    const subscription = this.#require(receiving, key);
    subscription.layer = layer;
    if (receiving.carried.get(key) === subscription) await this.#deps.server.chooseLayer(this.#deps.endpointOf(connection), key, layer);
  }

  /** The browser lost its receiving connection: a new offer with new ICE credentials, answered as usual. */
  async restart(connection: MediaConnection): Promise<void> {
    const receiving = this.#of(connection);
    if (receiving.carried.size === 0) throw new RoomActionError('NOT_SUBSCRIBED', messages.notSubscribed);
    receiving.restart = true;
    this.#schedule(connection, receiving);
  }

  /** The browser made a new receiving connection: the old one is closed and everything subscribed to is offered anew. */
  async reset(connection: MediaConnection): Promise<void> {
    const receiving = this.#of(connection);
    receiving.generation += 1;
    receiving.reset = true;
    receiving.restart = false;
    if (receiving.phase === 'offered') receiving.phase = 'idle';
    this.#schedule(connection, receiving);
  }

  forgetConnection(connectionId: string): void {
    const receiving = this.#byConnection.get(connectionId);
    this.#byConnection.delete(connectionId);
    for (const subscription of receiving?.wanted.values() ?? []) settle(subscription);
  }

  clear(): void {
    for (const connectionId of [...this.#byConnection.keys()]) this.forgetConnection(connectionId);
  }

  /** Changes wait for the messages of the same moment (a page asking for every camera): one offer for all of them. */
  #schedule(connection: MediaConnection, receiving: Receiving): void {
    if (receiving.scheduled || receiving.phase !== 'idle' || !hasWork(receiving)) return;
    if (this.#byConnection.get(connection.id) !== receiving) return;
    receiving.scheduled = true;
    setImmediate(() => {
      receiving.scheduled = false;
      void this.#negotiate(connection, receiving);
    });
  }

  async #negotiate(connection: MediaConnection, receiving: Receiving): Promise<void> {
    if (receiving.phase !== 'idle' || this.#byConnection.get(connection.id) !== receiving) return;
    const endpoint = this.#deps.endpointOf(connection);
    receiving.phase = 'negotiating';
    try {
      if (receiving.reset) await this.#closeReceiving(endpoint, receiving);
      const offer = receiving.restart ? await this.#restartNow(endpoint, receiving) : await this.#changeNow(endpoint, receiving);
      if (!offer) return;
      if (this.#byConnection.get(connection.id) !== receiving || receiving.generation !== offer.generation) return;
      receiving.phase = 'offered';
      connection.reply({ type: 'media.offer', sdp: offer.offerSdp, streams: this.#offeredStreams(receiving, offer), ...(offer.restart && { restart: true }) });
      for (const subscription of offer.added) settle(subscription);
    } finally {
      if (receiving.phase === 'negotiating') receiving.phase = 'idle';
      if (receiving.phase === 'idle') this.#schedule(connection, receiving);
    }
  }

  async #closeReceiving(endpoint: MediaEndpoint, receiving: Receiving): Promise<void> {
    receiving.reset = false;
    receiving.carried.clear();
    await this.#deps.server.closeReceiving(endpoint).catch((error: unknown) => this.#deps.logger.warn({ err: error }, 'closing a receiving connection failed'));
  }

  async #restartNow(endpoint: MediaEndpoint, receiving: Receiving): Promise<NegotiatedOffer | null> {
    receiving.restart = false;
    if (receiving.carried.size === 0) return null;
    const generation = receiving.generation;
    try {
      return { ...(await this.#deps.server.restartReceiving(endpoint)), generation, added: [], restart: true };
    } catch (error) {
      this.#deps.logger.warn({ err: error }, 'restarting a receiving connection failed');
      return null;
    }
  }

  /** The difference between what is wanted and what is carried, as one change; null when there is none. */
  async #changeNow(endpoint: MediaEndpoint, receiving: Receiving): Promise<NegotiatedOffer | null> {
    const remove = toRemove(receiving);
    let add = toAdd(receiving);
    const alone = add.find(([, subscription]) => subscription.alone);
    if (alone) add = [alone];
    if (remove.length === 0 && add.length === 0) return null;
    const generation = receiving.generation;
    const change = { add: add.map(([key, subscription]) => ({ key, feedId: subscription.feedId! })), remove };
    let offer: ReceivingOffer | null = null;
    let refusal: unknown;
    try {
      offer = await this.#deps.server.updateReceiving(endpoint, change);
    } catch (error) {
      refusal = error;
    }
    // Removed either way: a refused change changes nothing on the media server, but what it was to remove is not tried again (it may be what failed).
    for (const key of remove) receiving.carried.delete(key);
    if (!offer) {
      this.#refused(receiving, add, refusal);
      return null;
    }
    for (const [key, subscription] of add) receiving.carried.set(key, subscription);
    await this.#applyChoices(endpoint, add);
    return { ...offer, generation, added: add.map(([, subscription]) => subscription), restart: false };
  }

  /** A change refused as a whole: each of several new feeds is tried again on its own; one alone is refused to its asker. */
  #refused(receiving: Receiving, add: Array<[string, Subscription]>, error: unknown): void {
    if (add.length > 1) {
      for (const [, subscription] of add) subscription.alone = true;
      return;
    }
    for (const [key, subscription] of add) {
      if (receiving.wanted.get(key) === subscription) receiving.wanted.delete(key);
      for (const waiter of subscription.waiters.splice(0)) waiter.reject(error);
    }
  }

  /** What was asked of feeds before the media server carried them: audio only, or a layer. */
  async #applyChoices(endpoint: MediaEndpoint, added: Array<[string, Subscription]>): Promise<void> {
    for (const [key, subscription] of added) {
      subscription.alone = false;
      const choices = [
        ...(subscription.video ? [] : [this.#deps.server.receiveVideo(endpoint, key, false)]),
        ...(subscription.layer ? [this.#deps.server.chooseLayer(endpoint, key, subscription.layer)] : []),
      ];
      await Promise.all(choices).catch((error: unknown) => this.#deps.logger.warn({ err: error, key }, 'a receiving choice was refused'));
    }
  }

  #offeredStreams(receiving: Receiving, offer: ReceivingOffer): OfferedStream[] {
    return offer.streams.flatMap(({ mid, kind, key }) => {
      const subscription = receiving.carried.get(key);
      return subscription ? [{ mid, kind, participantId: subscription.participantId, source: subscription.source }] : [];
    });
  }

  #require(receiving: Receiving, key: string): Subscription {
    const subscription = receiving.wanted.get(key);
    if (!subscription) throw new RoomActionError('NOT_SUBSCRIBED', messages.notSubscribed);
    return subscription;
  }

  /** Screen shares are few and always wanted: only cameras count against the page. */
  #requireVideoRoom(receiving: Receiving, key: string, source: MediaSource): void {
    if (source !== 'camera') return;
    let receivingVideo = 0;
    for (const [other, subscription] of receiving.wanted) if (other !== key && subscription.video && subscription.source === 'camera') receivingVideo += 1;
    if (receivingVideo >= MEDIA_VIDEO_SUBSCRIPTIONS_MAX) throw new RoomActionError('VIDEO_LIMIT', messages.tooManyVideos);
  }

  #of(connection: MediaConnection): Receiving {
    let receiving = this.#byConnection.get(connection.id);
    if (!receiving) {
      receiving = { wanted: new Map(), carried: new Map(), phase: 'idle', scheduled: false, restart: false, generation: 0, reset: false };
      this.#byConnection.set(connection.id, receiving);
    }
    return receiving;
  }
}

interface NegotiatedOffer extends ReceivingOffer {
  generation: number;
  /** Subscriptions carried from this offer on: their subscribe messages are answered when it is sent. */
  added: Subscription[];
  restart: boolean;
}

function toRemove(receiving: Receiving): string[] {
  return [...receiving.carried].filter(([key, carried]) => receiving.wanted.get(key) !== carried).map(([key]) => key);
}

/** Subscriptions whose feed was found flowing and that the media server does not carry yet. */
function toAdd(receiving: Receiving): Array<[string, Subscription]> {
  return [...receiving.wanted].filter(([key, wanted]) => wanted.feedId !== null && receiving.carried.get(key) !== wanted);
}

function hasWork(receiving: Receiving): boolean {
  return receiving.reset || receiving.restart || toRemove(receiving).length > 0 || toAdd(receiving).length > 0;
}

/** The subscribe messages waiting on a subscription are answered (it is offered, replaced or no longer wanted). */
function settle(subscription: Subscription): void {
  for (const waiter of subscription.waiters.splice(0)) waiter.resolve();
}
