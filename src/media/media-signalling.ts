/**
 * The room side of audio and video: every media message a room connection
 * sends is checked here against the person's room permissions (microphone,
 * camera, shareScreen, muteOthers), the live session and the plan's webcam
 * places before it reaches the media server. A camera with picture takes one
 * of the session's webcam places (the live room's own check, the real limit);
 * the media server's publisher cap (webcam places plus room for speakers and
 * screens) stands behind it. Feeds are named by participant and source, never
 * by media-server ids, so a feed of another room cannot even be named.
 * The media room of a live session opens when the session starts and closes
 * when it ends (both seen on the room event bus).
 */
import { phrase } from '../lib/i18n/phrase.ts';
import type { Logger } from '../lib/logger/logger.ts';
import type { Scheduler } from '../lib/clock/scheduler.ts';
import type { LiveSessionStore } from '../rooms/live-session-store.ts';
import type { Room } from '../rooms/room-store.ts';
import { RoomActionError, type LiveRoomService, type RoomActor, type RoomPlanRules } from '../live-room/live-room-service.ts';
import { describeIssue, type ServerMessage } from '../live-room/room-protocol.ts';
import type { RoomState } from '../live-room/room-state.ts';
import { MediaServerError, type MediaEndpoint, type MediaReset, type MediaServer, type MediaSource } from './media-server.ts';
import { mediaMessageSchema, sentMedia, type MediaMessage } from './media-protocol.ts';
import { FeedRegistry, feedKey, type Feed } from './feed-registry.ts';
import { WebcamPlaces } from './webcam-places.ts';
import { MediaSubscriptions } from './media-subscriptions.ts';

const messages = {
  invalid: (type: string, problem: string) => phrase('live-room:errors.invalid', { type, problem }),
  notAllowed: (action: string) => phrase('live-room:errors.notAllowed', { action: phrase(`media:actions.${action}`) }),
  notLive: phrase('live-room:errors.notLive'),
  unavailable: phrase('media:errors.unavailable'),
  full: phrase('media:errors.full'),
  busy: phrase('media:errors.busy'),
  refused: phrase('media:errors.refused'),
  noFeed: phrase('media:errors.noFeed'),
  restartSendsMore: phrase('media:errors.restartSendsMore'),
  nothingSent: phrase('media:errors.nothingSent'),
  notPublishing: phrase('media:errors.notPublishing'),
};

/** A room connection as the media signalling sees it. */
export interface MediaConnection {
  id: string;
  actor: RoomActor;
  /** The opaque id the room protocol shows for this person: feeds, the queue and Janus's display name use it, never a sign-in key. */
  participantId: string;
  /** Sends a message to this connection only. */
  reply(message: ServerMessage): void;
}

export interface MediaSignallingDeps {
  server: MediaServer;
  state: RoomState;
  liveRooms: LiveRoomService;
  liveSessions: LiveSessionStore;
  rooms: { findById(id: string): Promise<Room | null> };
  plans: RoomPlanRules;
  logger: Logger;
  /** Publishers beyond the webcam places (speakers without a camera, screen shares). */
  extraPublishers: number;
  /** How long a published feed's media may take to reach the media server before it is dropped. */
  flowingLimitMs?: number;
  /** The clock of queue times, and of how long a webcam place given to someone is held for them. */
  scheduler: Scheduler;
  /** A place an instructor gave that is not used (no camera turned on) within this goes back to the room. */
  grantHoldMs: number;
  /** Publishers of a room whose plan sets no webcam limit. */
  unlimitedPublishers?: number;
}

/**
 * Whether a media message changes what the room sees (feeds, the queue, someone's microphone) and so
 * counts against the person's one allowance of room changes, shared with the live room's own messages. Negotiation
 * (subscribe, answer, trickle, layer) reaches only the sender's own connections and comes in bursts by
 * nature: it is bounded by the feeds there are, not throttled. A reset of the receiving connection is counted
 * too: a browser sends one only after two failed ICE restarts, and each makes the media server build the
 * connection and its offer anew. Every type is named, so a new one is a decision.
 */
const CHANGES_THE_ROOM: Record<MediaMessage['type'], boolean> = {
  'media.join': false,
  'media.publish': true,
  'media.unpublish': true,
  'media.subscribe': false,
  'media.answer': false,
  'media.unsubscribe': false,
  'media.layer': false,
  'media.video': false,
  'media.restartPublisher': false,
  'media.restartReceiving': false,
  'media.resetReceiving': true,
  'media.trickle': false,
  'media.configure': true,
  'media.mute': true,
  'media.stopCamera': true,
  'media.requestCamera': true,
  'media.withdrawRequest': true,
  'media.grantCamera': true,
};

export class MediaSignalling {
  readonly #deps: MediaSignallingDeps;
  /** Feeds per room, by `${participantId}/${source}`. */
  readonly #feeds = new FeedRegistry();
  readonly #subscriptions: MediaSubscriptions;
  readonly #connections = new Map<string, MediaConnection>();
  /** Rooms told audio and video are unavailable: told to try again when a media server is back. */
  readonly #waitingForMedia = new Set<string>();
  readonly #places: WebcamPlaces;
  readonly #stop: Array<() => void> = [];
  #versions = 0;

  constructor(deps: MediaSignallingDeps) {
    this.#deps = deps;
    const requireLive = (roomId: string) => this.#requireLive(roomId);
    this.#subscriptions = new MediaSubscriptions({ server: deps.server, feeds: this.#feeds, logger: deps.logger, requireLive, endpointOf });
    this.#places = new WebcamPlaces({
      ...deps,
      connection: (id) => this.#connections.get(id),
      hasCameraOn: (connection) => Boolean(this.#feeds.get(connection.actor.roomId, feedKey(connection.participantId, 'camera'))?.holdsWebcam),
      releaseWebcam: (actor) => this.#releaseWebcam(actor),
      requireLive,
      require: (actor, permission, action) => this.#require(actor, permission, action),
    });
    this.#stop.push(
      deps.state.subscribe((event) => {
        if (event.message.type === 'session.started') void this.#openRoom(event.roomId).catch(() => undefined);
        if (event.message.type === 'session.ended') void this.#closeRoom(event.roomId);
      }),
      deps.server.onReset((reset) => this.#reset(reset)),
    );
  }

  /** One media message of a connection; a refusal is thrown as a RoomActionError (sent back as an `error`). */
  async handle(connection: MediaConnection, raw: unknown): Promise<void> {
    const parsed = mediaMessageSchema.safeParse(raw);
    if (!parsed.success) {
      throw new RoomActionError('INVALID_MESSAGE', messages.invalid(String((raw as { type?: unknown }).type), describeIssue(parsed.error)));
    }
    // Refused before anything reaches the media server or the room: a flood of toggles reaches nobody else.
    if (CHANGES_THE_ROOM[parsed.data.type]) this.#deps.liveRooms.takeRoomChange(connection.actor);
    this.#connections.set(connection.id, connection);
    try {
      await this.#dispatch(connection, parsed.data);
    } catch (error) {
      // The person reads a plain sentence; what the media server said is for whoever runs it.
      if (error instanceof MediaServerError) this.#deps.logger.warn({ err: error, type: parsed.data.type, roomId: connection.actor.roomId }, 'the media server refused a request');
      throw asRoomError(error);
    }
  }

  /** The connection closed: everything it published or received is closed on the media server at once. */
  async leave(connection: MediaConnection): Promise<void> {
    this.#connections.delete(connection.id);
    this.#subscriptions.forgetConnection(connection.id);
    const granted = this.#places.forget(connection);
    const roomId = connection.actor.roomId;
    const mine = this.#feeds.takeConnection(roomId, connection.id);
    if (granted || mine.some((feed) => feed.holdsWebcam)) await this.#releaseWebcam(connection.actor);
    if (mine.length > 0) this.#publishFeeds(roomId);
    await this.#deps.server.leave(endpointOf(connection)).catch((error: unknown) => this.#deps.logger.warn({ err: error }, 'closing media of a connection failed'));
  }

  stop(): void {
    for (const stop of this.#stop.splice(0)) stop();
  }

  async #dispatch(connection: MediaConnection, message: MediaMessage): Promise<void> {
    switch (message.type) {
      case 'media.join': {
        const available = this.#deps.server.available();
        if (!available) this.#waitingForMedia.add(connection.actor.roomId);
        return connection.reply({ type: 'media.ready', available, feeds: this.#feeds.views(connection.actor.roomId) });
      }
      case 'media.publish':
        return this.#publish(connection, message.source, message.sdp);
      case 'media.unpublish':
        return this.#unpublish(connection, message.source);
      case 'media.subscribe':
        return this.#subscriptions.subscribe(connection, message.participantId, message.source, message.video ?? true);
      case 'media.answer':
        return this.#subscriptions.answer(connection, message.sdp);
      case 'media.unsubscribe':
        return this.#subscriptions.unsubscribe(connection, message.participantId, message.source);
      case 'media.video':
        return this.#subscriptions.video(connection, message.participantId, message.source, message.video);
      case 'media.restartReceiving':
        return this.#subscriptions.restart(connection);
      case 'media.resetReceiving':
        return this.#subscriptions.reset(connection);
      case 'media.restartPublisher':
        return this.#restartPublisher(connection, message.source, message.sdp);
      case 'media.layer':
        return this.#subscriptions.layer(connection, message.participantId, message.source, message.layer);
      case 'media.trickle':
        return this.#deps.server.trickle(endpointOf(connection), message.source === undefined ? 'receiving' : { publisher: message.source }, message.candidate);
      case 'media.configure':
        return this.#configure(connection, message.source, { audio: message.audio, video: message.video });
      case 'media.mute':
        return this.#mute(connection, message.participantId);
      case 'media.stopCamera':
        return this.#stopCamera(connection, message.participantId);
      case 'media.requestCamera':
        return this.#places.request(connection);
      case 'media.withdrawRequest':
        return this.#places.withdraw(connection);
      case 'media.grantCamera':
        return this.#places.grant(connection, message.participantId);
    }
  }

  async #publish(connection: MediaConnection, source: MediaSource, sdp: string): Promise<void> {
    const { actor } = connection;
    await this.#requireLive(actor.roomId);
    const sends = sentMedia(sdp);
    if (!sends.audio && !sends.video) throw new RoomActionError('INVALID_MESSAGE', messages.nothingSent);
    if (source === 'screen') this.#require(actor, 'shareScreen', 'shareScreen');
    else {
      if (sends.audio) this.#require(actor, 'microphone', 'microphone');
      if (sends.video) this.#require(actor, 'camera', 'camera');
    }
    const key = feedKey(connection.participantId, source);
    const previous = this.#feeds.get(actor.roomId, key);
    // The live room's webcam places are the real limit: a camera with picture takes one, or is refused here.
    const holdsWebcam = source === 'camera' && sends.video;
    if (holdsWebcam) await this.#deps.liveRooms.startWebcam(actor);
    try {
      await this.#openRoom(actor.roomId);
      // One camera and one screen per person: a feed from another tab of theirs gives way.
      if (previous && previous.connection.id !== connection.id) await this.#deps.server.unpublish(endpointOf(previous.connection), source);
      const { feedId, answerSdp, flowing } = await this.#deps.server.publish(endpointOf(connection), source, sdp);
      const feed: Feed = { participantId: connection.participantId, name: actor.name, source, connection, feedId, audio: sends.audio, video: sends.video, sent: sends, holdsWebcam, version: ++this.#versions };
      this.#feeds.set(actor.roomId, key, feed);
      connection.reply({ type: 'media.answer', source, sdp: answerSdp });
      // The place given to them is used now: it is theirs while the camera is on.
      if (holdsWebcam) this.#places.used(connection);
      // Published again without picture (camera turned off): its webcam place is free for someone else.
      if (previous?.holdsWebcam && !holdsWebcam) await this.#releaseWebcam(actor);
      void this.#announceWhenFlowing(actor, key, feed, flowing);
    } catch (error) {
      if (holdsWebcam && !previous?.holdsWebcam) await this.#releaseWebcam(actor);
      throw error;
    }
  }

  /** A feed is announced once its media reaches the media server (subscribing earlier would fail); one that never gets there is dropped. */
  async #announceWhenFlowing(actor: RoomActor, key: string, feed: Feed, flowing: Promise<void>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error('the publisher\'s media did not arrive in time')), this.#deps.flowingLimitMs ?? 20_000);
      timer.unref();
    });
    try {
      await Promise.race([flowing, limit]);
      feed.flowing = true;
      if (this.#feeds.get(actor.roomId, key) === feed) this.#publishFeeds(actor.roomId);
    } catch (error) {
      if (this.#feeds.get(actor.roomId, key) !== feed) return;
      this.#deps.logger.info({ err: error }, 'a published feed never reached the media server');
      this.#feeds.delete(actor.roomId, key);
      await this.#deps.server.unpublish(endpointOf(feed.connection), feed.source).catch(() => undefined);
      if (feed.holdsWebcam) await this.#releaseWebcam(actor);
      this.#publishFeeds(actor.roomId);
    } finally {
      clearTimeout(timer);
    }
  }

  async #unpublish(connection: MediaConnection, source: MediaSource): Promise<void> {
    const key = feedKey(connection.participantId, source);
    const feed = this.#feeds.get(connection.actor.roomId, key);
    if (!feed || feed.connection.id !== connection.id) throw new RoomActionError('NOT_PUBLISHING', messages.notPublishing);
    this.#feeds.delete(connection.actor.roomId, key);
    await this.#deps.server.unpublish(endpointOf(connection), source);
    if (feed.holdsWebcam) await this.#releaseWebcam(connection.actor);
    this.#publishFeeds(connection.actor.roomId);
  }

  /** An ICE restart of the sender's feed: a new offer that may not send what the first one did not (a camera without a webcam place). */
  async #restartPublisher(connection: MediaConnection, source: MediaSource, sdp: string): Promise<void> {
    const feed = this.#feeds.get(connection.actor.roomId, feedKey(connection.participantId, source));
    if (!feed || feed.connection.id !== connection.id) throw new RoomActionError('NOT_PUBLISHING', messages.notPublishing);
    const sends = sentMedia(sdp);
    if ((sends.audio && !feed.sent.audio) || (sends.video && !feed.sent.video)) throw new RoomActionError('INVALID_MESSAGE', messages.restartSendsMore);
    const { answerSdp } = await this.#deps.server.restartPublisher(endpointOf(connection), source, sdp);
    connection.reply({ type: 'media.answer', source, sdp: answerSdp });
  }

  async #configure(connection: MediaConnection, source: MediaSource, send: { audio?: boolean; video?: boolean }): Promise<void> {
    const feed = this.#feeds.get(connection.actor.roomId, feedKey(connection.participantId, source));
    if (!feed || feed.connection.id !== connection.id) throw new RoomActionError('NOT_PUBLISHING', messages.notPublishing);
    await this.#deps.server.configure(endpointOf(connection), source, send);
    if (send.audio !== undefined) feed.audio = send.audio;
    if (send.video !== undefined) feed.video = send.video;
    this.#publishFeeds(connection.actor.roomId);
  }

  async #mute(connection: MediaConnection, participantId: string): Promise<void> {
    this.#require(connection.actor, 'muteOthers', 'muteOthers');
    const feed = this.#feeds.get(connection.actor.roomId, feedKey(participantId, 'camera'));
    if (!feed) throw new RoomActionError('FEED_NOT_FOUND', messages.noFeed);
    await this.#deps.server.configure(endpointOf(feed.connection), 'camera', { audio: false });
    feed.audio = false;
    feed.connection.reply({ type: 'media.muted', by: connection.actor.name });
    this.#publishFeeds(connection.actor.roomId);
  }

  /** The instructor's way to free a webcam place: the camera feed closes on the media server at once. */
  async #stopCamera(connection: MediaConnection, participantId: string): Promise<void> {
    this.#require(connection.actor, 'muteOthers', 'muteOthers');
    const roomId = connection.actor.roomId;
    const key = feedKey(participantId, 'camera');
    const feed = this.#feeds.get(roomId, key);
    if (!feed) throw new RoomActionError('FEED_NOT_FOUND', messages.noFeed);
    this.#feeds.delete(roomId, key);
    await this.#deps.server.unpublish(endpointOf(feed.connection), 'camera');
    if (feed.holdsWebcam) await this.#releaseWebcam(feed.connection.actor);
    feed.connection.reply({ type: 'media.cameraStopped', by: connection.actor.name });
    this.#publishFeeds(roomId);
  }

  async #openRoom(roomId: string): Promise<void> {
    const room = await this.#deps.rooms.findById(roomId);
    const webcams = room ? this.#deps.plans.webcamLimit(room) : null;
    const publishers = webcams === null ? (this.#deps.unlimitedPublishers ?? 100) : webcams + this.#deps.extraPublishers;
    await this.#deps.server.openRoom(roomId, { publishers });
  }

  async #closeRoom(roomId: string): Promise<void> {
    this.#feeds.clearRoom(roomId);
    this.#places.clearRoom(roomId, this.#connections.values());
    for (const connection of this.#connections.values()) if (connection.actor.roomId === roomId) this.#subscriptions.forgetConnection(connection.id);
    await this.#deps.server.closeRoom(roomId).catch((error: unknown) => this.#deps.logger.warn({ err: error, roomId }, 'closing a media room failed'));
  }

  /**
   * The media server lost rooms: their feeds are gone. Their clients hear `media.lost` at once (the room says audio
   * and video are reconnecting) and `media.reset` when it is back, then publish and subscribe again; rooms on
   * another Janus that is still up hear nothing. When another Janus can take the lost rooms, they are reset at
   * once and move there. A media server back also brings rooms told it was unavailable their audio and video.
   */
  #reset({ phase, roomIds }: MediaReset): void {
    const rooms = new Set(roomIds === 'every' ? this.#roomsWithMedia() : roomIds);
    if (phase === 'back') for (const roomId of this.#waitingForMedia) rooms.add(roomId);
    if (phase === 'back') this.#waitingForMedia.clear();
    for (const roomId of rooms) {
      this.#feeds.clearRoom(roomId);
      for (const connection of this.#connections.values()) if (connection.actor.roomId === roomId) this.#subscriptions.forgetConnection(connection.id);
    }
    const movesAtOnce = phase === 'lost' && this.#deps.server.available();
    const messages: ServerMessage[] = phase === 'back' ? [{ type: 'media.reset' }] : movesAtOnce ? [{ type: 'media.lost' }, { type: 'media.reset' }] : [{ type: 'media.lost' }];
    for (const roomId of rooms) for (const message of messages) this.#deps.state.publish({ roomId, audience: 'everyone', message });
  }

  /** Rooms with someone connected or something published. */
  #roomsWithMedia(): Set<string> {
    const rooms = new Set([...this.#connections.values()].map((connection) => connection.actor.roomId));
    for (const roomId of this.#feeds.roomIds()) rooms.add(roomId);
    return rooms;
  }

  async #releaseWebcam(actor: RoomActor): Promise<void> {
    await this.#deps.liveRooms.stopWebcam(actor).catch((error: unknown) => this.#deps.logger.warn({ err: error }, 'releasing a webcam place failed'));
  }

  async #requireLive(roomId: string): Promise<void> {
    if (!(await this.#deps.liveSessions.findLive(roomId))) throw new RoomActionError('NOT_LIVE', messages.notLive);
  }

  #require(actor: RoomActor, permission: RoomActor['permissions'][number], action: string): void {
    if (!actor.permissions.includes(permission)) throw new RoomActionError('NOT_ALLOWED', messages.notAllowed(action));
  }

  #publishFeeds(roomId: string): void {
    this.#deps.state.publish({ roomId, audience: 'everyone', message: { type: 'media.feeds', feeds: this.#feeds.views(roomId) } });
  }
}

function endpointOf(connection: MediaConnection): MediaEndpoint {
  return { roomId: connection.actor.roomId, connectionId: connection.id, display: connection.participantId };
}

function asRoomError(error: unknown): unknown {
  if (!(error instanceof MediaServerError)) return error;
  if (error.reason === 'full') return new RoomActionError('MEDIA_FULL', messages.full);
  if (error.reason === 'busy') return new RoomActionError('MEDIA_BUSY', messages.busy);
  if (error.reason === 'refused') return new RoomActionError('MEDIA_REFUSED', messages.refused);
  return new RoomActionError('MEDIA_UNAVAILABLE', messages.unavailable);
}
