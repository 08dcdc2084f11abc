/**
 * What each room connection receives: its subscriptions to other people's
 * feeds, by feed key, from the media server's offer to the browser's answer,
 * whether each carries video, and their ICE restarts. A connection receives
 * the video of at most MEDIA_VIDEO_SUBSCRIPTIONS_MAX cameras at once (a page
 * of tiles, the speaker and a pinned tile): past it a camera subscription is
 * refused video (it may still carry audio), so one browser cannot make the
 * media server forward every camera of a large room to it.
 */
import { phrase } from '../lib/i18n/phrase.ts';
import { RoomActionError } from '../live-room/live-room-service.ts';
import type { MediaConnection } from './media-signalling.ts';
import type { MediaEndpoint, MediaServer, MediaSource } from './media-server.ts';
import { MEDIA_VIDEO_SUBSCRIPTIONS_MAX } from './media-protocol.ts';
import { feedKey, type FeedRegistry } from './feed-registry.ts';

const messages = {
  noFeed: phrase('media:errors.noFeed'),
  noOffer: phrase('media:errors.noOffer'),
  notSubscribed: phrase('media:errors.notSubscribed'),
  tooManyVideos: phrase('media:errors.tooManyVideos', { count: MEDIA_VIDEO_SUBSCRIPTIONS_MAX }),
};

interface Subscription {
  /** Asked for, offered until the browser answers, then started; offered again by an ICE restart. */
  phase: 'asked' | 'offered' | 'started';
  video: boolean;
  source: MediaSource;
}

export interface MediaSubscriptionsDeps {
  server: MediaServer;
  feeds: FeedRegistry;
  requireLive(roomId: string): Promise<void>;
  endpointOf(connection: MediaConnection): MediaEndpoint;
}

export class MediaSubscriptions {
  readonly #deps: MediaSubscriptionsDeps;
  readonly #byConnection = new Map<string, Map<string, Subscription>>();

  constructor(deps: MediaSubscriptionsDeps) {
    this.#deps = deps;
  }

  async subscribe(connection: MediaConnection, participantId: string, source: MediaSource, video: boolean): Promise<void> {
    const key = feedKey(participantId, source);
    // Counted at once, before anything is awaited: the messages of one socket are taken in order, so the cap holds.
    if (video) this.#requireVideoRoom(connection, key, source);
    const subscription: Subscription = { phase: 'asked', video, source };
    const subscriptions = this.#of(connection);
    subscriptions.set(key, subscription);
    try {
      await this.#deps.requireLive(connection.actor.roomId);
      const feed = this.#deps.feeds.get(connection.actor.roomId, key);
      if (!feed?.flowing) throw new RoomActionError('FEED_NOT_FOUND', messages.noFeed);
      const endpoint = this.#deps.endpointOf(connection);
      const { offerSdp } = await this.#deps.server.subscribe(endpoint, key, feed.feedId);
      if (!video) await this.#deps.server.receiveVideo(endpoint, key, false);
      subscription.phase = 'offered';
      connection.reply({ type: 'media.offer', participantId, source, sdp: offerSdp });
    } catch (error) {
      if (subscriptions.get(key) === subscription) subscriptions.delete(key);
      throw error;
    }
  }

  async answer(connection: MediaConnection, participantId: string, source: MediaSource, sdp: string): Promise<void> {
    const subscription = this.#of(connection).get(feedKey(participantId, source));
    if (subscription?.phase !== 'offered') throw new RoomActionError('NO_OFFER', messages.noOffer);
    await this.#deps.server.start(this.#deps.endpointOf(connection), feedKey(participantId, source), sdp);
    subscription.phase = 'started';
  }

  async unsubscribe(connection: MediaConnection, participantId: string, source: MediaSource): Promise<void> {
    const key = feedKey(participantId, source);
    this.#of(connection).delete(key);
    await this.#deps.server.unsubscribe(this.#deps.endpointOf(connection), key);
  }

  /** A tile came onto the page (video on) or left it, or the connection became too poor for video (off). */
  async video(connection: MediaConnection, participantId: string, source: MediaSource, on: boolean): Promise<void> {
    const key = feedKey(participantId, source);
    const subscription = this.#require(connection, key);
    if (on && !subscription.video) this.#requireVideoRoom(connection, key, source);
    const before = subscription.video;
    subscription.video = on;
    try {
      await this.#deps.server.receiveVideo(this.#deps.endpointOf(connection), key, on);
    } catch (error) {
      subscription.video = before;
      throw error;
    }
  }

  /** The browser lost the subscription's connection: a new offer with new ICE credentials, answered as usual. */
  async restart(connection: MediaConnection, participantId: string, source: MediaSource): Promise<void> {
    const key = feedKey(participantId, source);
    const subscription = this.#require(connection, key);
    const { offerSdp } = await this.#deps.server.restartSubscription(this.#deps.endpointOf(connection), key);
    subscription.phase = 'offered';
    connection.reply({ type: 'media.offer', participantId, source, sdp: offerSdp, restart: true });
  }

  forgetConnection(connectionId: string): void {
    this.#byConnection.delete(connectionId);
  }

  clear(): void {
    this.#byConnection.clear();
  }

  #require(connection: MediaConnection, key: string): Subscription {
    const subscription = this.#of(connection).get(key);
    if (!subscription) throw new RoomActionError('NOT_SUBSCRIBED', messages.notSubscribed);
    return subscription;
  }

  /** Screen shares are few and always wanted: only cameras count against the page. */
  #requireVideoRoom(connection: MediaConnection, key: string, source: MediaSource): void {
    if (source !== 'camera') return;
    let receiving = 0;
    for (const [other, subscription] of this.#of(connection)) if (other !== key && subscription.video && subscription.source === 'camera') receiving += 1;
    if (receiving >= MEDIA_VIDEO_SUBSCRIPTIONS_MAX) throw new RoomActionError('VIDEO_LIMIT', messages.tooManyVideos);
  }

  #of(connection: MediaConnection): Map<string, Subscription> {
    let subscriptions = this.#byConnection.get(connection.id);
    if (!subscriptions) this.#byConnection.set(connection.id, (subscriptions = new Map()));
    return subscriptions;
  }
}
