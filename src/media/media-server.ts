/**
 * What the live room needs from a media server (an SFU), and nothing more:
 * a media room per live session, and per connection its published feeds
 * (camera, screen) and its subscriptions to other people's feeds. Adapters:
 * Janus (src/media/janus/janus-media-server.ts), the embedded SFU on werift
 * (src/media/embedded/embedded-media-server.ts) and, when audio and video are
 * turned off, one that says so (unavailable-media-server.ts). Nothing above this
 * interface knows which one runs. It checks no permission and no limit except
 * the room's publisher cap: the media signalling does that before calling it.
 */
export type MediaSource = 'camera' | 'screen';
/** Camera feeds are sent in three sizes (simulcast); each subscription receives the one its tile needs. */
export type SimulcastLayer = 'low' | 'medium' | 'high';

/** One room connection's media: its publishers and subscriptions live as long as the connection. */
export interface MediaEndpoint {
  roomId: string;
  connectionId: string;
  /** Shown by the media server in its own tools; the room's participant identifier. */
  display: string;
}

export interface IceCandidate {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
}

/** Where a browser's ICE candidate belongs: one of its publishers, or one of its subscriptions. */
export type TrickleTarget = { publisher: MediaSource } | { subscription: string };

export interface PublishedFeed {
  feedId: string;
  answerSdp: string;
  flowing: Promise<void>;
}

export interface MediaRoomLimits {
  /** Senders at once (webcams, people speaking without a camera, screen shares): the media server refuses the next. */
  publishers: number;
}

export type MediaServerErrorReason = 'full' | 'busy' | 'refused' | 'unavailable';

export class MediaServerError extends Error {
  /**
   * full: the room's publisher cap is reached; busy: the media server forwards as many streams as it can take
   * (the embedded SFU's caps); refused: the media server did not accept the request (a bad SDP...); unavailable: it cannot be reached.
   */
  readonly reason: MediaServerErrorReason;
  constructor(reason: MediaServerErrorReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}

/**
 * Rooms the media server lost, or can open again. `every`: all of them (a single media server died). With several
 * Janus servers, only the rooms of the one that went away: `lost` names them, `back` those of them not already
 * opened again on another server.
 */
export interface MediaReset {
  phase: 'lost' | 'back';
  roomIds: readonly string[] | 'every';
}

export interface MediaServer {
  readonly kind: 'janus' | 'embedded' | 'none';
  /** Whether rooms can be opened now. */
  available(): boolean;
  /** Whether it records rooms (Janus does; the embedded SFU's recorder drops frames, so it refuses). */
  readonly records: boolean;
  /**
   * Records every feed of the room's media room, screen shares included, as raw files in `folder` (a path as the
   * media server sees it); calling it again after `stopRecording` resumes into the same folder with new files.
   * Refused (MediaServerError 'refused') by a media server that does not record.
   */
  startRecording(roomId: string, folder: string): Promise<void>;
  /** Stops recording the room (a pause or the end); what was written stays. */
  stopRecording(roomId: string): Promise<void>;
  /** Opens the live session's media room; opening an open room changes nothing. */
  openRoom(roomId: string, limits: MediaRoomLimits): Promise<void>;
  /** Closes the media room and everything in it. */
  closeRoom(roomId: string): Promise<void>;
  /**
   * Publishes the browser's offer as the endpoint's feed of that source; answers the media server's answer, the
   * feed's id, and `flowing`, settled when the browser's media reaches the server (others can subscribe from then) or fails to.
   */
  publish(endpoint: MediaEndpoint, source: MediaSource, offerSdp: string): Promise<PublishedFeed>;
  unpublish(endpoint: MediaEndpoint, source: MediaSource): Promise<void>;
  /** Subscribes the endpoint to a feed of its room; `key` names the subscription for `start`, `trickle` and `unsubscribe`. Answers the media server's offer. */
  subscribe(endpoint: MediaEndpoint, key: string, feedId: string): Promise<{ offerSdp: string }>;
  /** The browser's answer to a subscription's offer. */
  start(endpoint: MediaEndpoint, key: string, answerSdp: string): Promise<void>;
  unsubscribe(endpoint: MediaEndpoint, key: string): Promise<void>;
  /** Which simulcast layer a subscription receives (a feed without simulcast has only one). */
  chooseLayer(endpoint: MediaEndpoint, key: string, layer: SimulcastLayer): Promise<void>;
  /** Whether a subscription receives its feed's video (its audio is kept): off for a tile off the page, or on a poor connection. */
  receiveVideo(endpoint: MediaEndpoint, key: string, on: boolean): Promise<void>;
  /** ICE restart of a publisher: the browser's new offer (with new ICE credentials) for the same feed; answers the media server's answer. */
  restartPublisher(endpoint: MediaEndpoint, source: MediaSource, offerSdp: string): Promise<{ answerSdp: string }>;
  /** ICE restart of a subscription: answers the media server's new offer, which the browser answers through `start`. */
  restartSubscription(endpoint: MediaEndpoint, key: string): Promise<{ offerSdp: string }>;
  trickle(endpoint: MediaEndpoint, target: TrickleTarget, candidate: IceCandidate | null): Promise<void>;
  /** Stops (or restarts) forwarding a feed's audio or video to everyone: the sender's own mute, or an instructor's. */
  configure(endpoint: MediaEndpoint, source: MediaSource, send: { audio?: boolean; video?: boolean }): Promise<void>;
  /** Everything of the endpoint's is closed on the media server (the connection closed, or its person was removed). */
  leave(endpoint: MediaEndpoint): Promise<void>;
  /**
   * The media server lost rooms (it, or one of several Janus servers, died or restarted): `lost` at once, `back`
   * when it can be used again, then the clients of those rooms publish and subscribe again.
   */
  onReset(listener: (reset: MediaReset) => void): () => void;
  close(): Promise<void>;
}
