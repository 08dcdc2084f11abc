/**
 * What the live room needs from a media server (an SFU), and nothing more:
 * a media room per live session, and per connection its published feeds
 * (camera, screen) and one receiving connection carrying the other people's feeds it receives. Adapters:
 * Janus (src/media/janus/janus-media-server.ts), the embedded SFU on werift
 * (src/media/embedded/embedded-media-server.ts) and, when audio and video are
 * turned off, one that says so (unavailable-media-server.ts). Nothing above this
 * interface knows which one runs. It checks no permission and no limit except
 * the room's publisher cap: the media signalling does that before calling it.
 */
export type MediaSource = 'camera' | 'screen';
/** Camera feeds are sent in three sizes (simulcast); each receiver gets the one its tile needs. */
export type SimulcastLayer = 'low' | 'medium' | 'high';

/** One room connection's media: its publishers and its receiving connection live as long as the connection. */
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

/** Where a browser's ICE candidate belongs: one of its publishers, or its receiving connection. */
export type TrickleTarget = { publisher: MediaSource } | 'receiving';

/** A feed an endpoint is to receive; `key` names it in the media server's answers and in `chooseLayer`, `receiveVideo`. */
export interface ReceivedFeed {
  key: string;
  feedId: string;
}

/** One m-line of an endpoint's receiving connection: the audio or the video of the feed named `key`. */
export interface ReceivingStream {
  mid: string;
  kind: 'audio' | 'video';
  key: string;
}

/** The media server's offer for the receiving connection, and every stream it carries now (what is gone is not listed). */
export interface ReceivingOffer {
  offerSdp: string;
  streams: ReceivingStream[];
}

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
  /**
   * Changes what the endpoint receives on its one receiving connection (made by the first call; every feed it
   * receives is an m-line of it, or two): feeds added, keys removed (a key both removed and added: its feed was
   * published again). Answers the media server's new offer, which the browser answers through `answerReceiving`
   * before the next change or restart: the caller keeps to one negotiation at a time. A refused change (a feed
   * gone, a cap reached) changes nothing.
   */
  updateReceiving(endpoint: MediaEndpoint, change: { add: ReceivedFeed[]; remove: string[] }): Promise<ReceivingOffer>;
  /** The browser's answer to the receiving connection's latest offer. */
  answerReceiving(endpoint: MediaEndpoint, answerSdp: string): Promise<void>;
  /** ICE restart of the receiving connection: a new offer (new ICE credentials, the same streams), answered through `answerReceiving`. */
  restartReceiving(endpoint: MediaEndpoint): Promise<ReceivingOffer>;
  /** Forgets the receiving connection and every feed on it (the browser made a new one); the next update makes another. */
  closeReceiving(endpoint: MediaEndpoint): Promise<void>;
  /** Which simulcast layer the endpoint receives of the feed named `key` (a feed without simulcast has only one). */
  chooseLayer(endpoint: MediaEndpoint, key: string, layer: SimulcastLayer): Promise<void>;
  /** Whether the endpoint receives the video of the feed named `key` (its audio is kept): off for a tile off the page, or on a poor connection. */
  receiveVideo(endpoint: MediaEndpoint, key: string, on: boolean): Promise<void>;
  /** ICE restart of a publisher: the browser's new offer (with new ICE credentials) for the same feed; answers the media server's answer. */
  restartPublisher(endpoint: MediaEndpoint, source: MediaSource, offerSdp: string): Promise<{ answerSdp: string }>;
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
