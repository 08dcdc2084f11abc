/**
 * The room protocol's media messages (v1): SDP offers and answers, ICE
 * candidates, publish, subscribe and configure travel over the room socket,
 * never straight to the media server. Validated here before anything acts on
 * them. An SDP is checked for shape (lines of `x=value`, printable text, at
 * least one media section, at most MEDIA_SDP_MAX characters); what it asks
 * to send is read from it, not from what the message claims.
 */
import { z } from 'zod';
import type { MediaSource } from './media-server.ts';

/** A publisher's SDP is 3-6 KB. */
export const MEDIA_SDP_MAX = 32 * 1024;
/**
 * The receiving connection's answer grows by about 1-1.7 KB per feed it carries (an audio and a video m-line):
 * room for every camera and microphone of a large room (100 feeds), under the media messages' 256 KB.
 */
export const MEDIA_RECEIVING_SDP_MAX = 200 * 1024;
export const MEDIA_MESSAGE_PREFIX = 'media.';
/**
 * Camera subscriptions one connection may receive video of at once: a page of 25 tiles, the active speaker and a
 * pinned tile (both shown whatever the page). Beyond it, a subscription carries audio only until another stops.
 */
export const MEDIA_PAGE_SIZE = 25;
export const MEDIA_VIDEO_SUBSCRIPTIONS_MAX = MEDIA_PAGE_SIZE + 2;

const base = { v: z.literal(1, { error: 'the protocol version must be 1' }), ref: z.string().max(64).optional() };
const sourceSchema = z.enum(['camera', 'screen']);
const participantIdSchema = z.string().min(1).max(200);
const sdpOfAtMost = (limit: number) => z.string().max(limit, `an SDP has at most ${limit} characters`).refine(looksLikeSdp, 'not a session description');
const sdpSchema = sdpOfAtMost(MEDIA_SDP_MAX);
const candidateSchema = z
  .object({
    candidate: z.string().max(1024),
    sdpMid: z.string().max(64).nullable().optional(),
    sdpMLineIndex: z.number().int().min(0).max(255).nullable().optional(),
  })
  .nullable();
const feedSchema = { participantId: participantIdSchema, source: sourceSchema };

export const mediaMessageSchema = z.discriminatedUnion('type', [
  /** After every welcome: what the client may do with media now, and the feeds to subscribe to. */
  z.object({ ...base, type: z.literal('media.join') }),
  z.object({ ...base, type: z.literal('media.publish'), source: sourceSchema, sdp: sdpSchema }),
  z.object({ ...base, type: z.literal('media.unpublish'), source: sourceSchema }),
  /**
   * Adds a feed to the sender's one receiving connection (the server then sends a `media.offer` with every stream
   * of it). `video: false`: audio only (a tile off the page); the video can be turned on later with `media.video`.
   */
  z.object({ ...base, type: z.literal('media.subscribe'), ...feedSchema, video: z.boolean().optional() }),
  /** The browser's answer to the receiving connection's latest offer. */
  z.object({ ...base, type: z.literal('media.answer'), sdp: sdpOfAtMost(MEDIA_RECEIVING_SDP_MAX) }),
  z.object({ ...base, type: z.literal('media.unsubscribe'), ...feedSchema }),
  /** The simulcast layer a subscription needs: a small tile takes the low one, a large or full-screen one the high. */
  z.object({ ...base, type: z.literal('media.layer'), ...feedSchema, layer: z.enum(['low', 'medium', 'high']) }),
  /** A subscription's video on or off (its tile came onto or left the page; the connection is too poor for video), its audio kept. */
  z.object({ ...base, type: z.literal('media.video'), ...feedSchema, video: z.boolean() }),
  /** ICE restart of the sender's own publisher (its connection was lost): a new offer, answered with `media.answer`. */
  z.object({ ...base, type: z.literal('media.restartPublisher'), source: sourceSchema, sdp: sdpSchema }),
  /** ICE restart of the receiving connection: the media server makes a new offer (`media.offer`, `restart`), answered as usual with `media.answer`. */
  z.object({ ...base, type: z.literal('media.restartReceiving') }),
  /**
   * The browser made a new receiving connection (the old one could not be restarted): the server forgets the old
   * one and offers every feed subscribed to again on a new one.
   */
  z.object({ ...base, type: z.literal('media.resetReceiving') }),
  /** A candidate for the sender's own publisher of `source`, or, without `source`, for its receiving connection. */
  z.object({ ...base, type: z.literal('media.trickle'), source: sourceSchema.optional(), candidate: candidateSchema }),
  /** The sender's own feed: audio or video on (true) or muted (false). */
  z.object({ ...base, type: z.literal('media.configure'), source: sourceSchema, audio: z.boolean().optional(), video: z.boolean().optional() }),
  /** An instructor mutes someone's microphone; only they can unmute it. */
  z.object({ ...base, type: z.literal('media.mute'), participantId: participantIdSchema }),
  /** An instructor stops someone's camera: its webcam place is free again. */
  z.object({ ...base, type: z.literal('media.stopCamera'), participantId: participantIdSchema }),
  /** The webcam places are taken: the sender asks for one and waits in the queue (or leaves it). */
  z.object({ ...base, type: z.literal('media.requestCamera') }),
  z.object({ ...base, type: z.literal('media.withdrawRequest') }),
  /** An instructor gives a free webcam place to someone in the queue. */
  z.object({ ...base, type: z.literal('media.grantCamera'), participantId: participantIdSchema }),
]);
export type MediaMessage = z.output<typeof mediaMessageSchema>;
export const MEDIA_MESSAGE_TYPES: string[] = mediaMessageSchema.options.map((option) => option.shape.type.value);

/** A feed someone publishes in the room, as every client sees it. */
export interface FeedView {
  participantId: string;
  name: string;
  source: MediaSource;
  /** Whether the feed carries sound now (false: muted). */
  audio: boolean;
  /** Whether it carries picture now (false: camera off, or audio only). */
  video: boolean;
  /** Changes when the feed is published again (another tab, a reconnect): subscriptions to an older one are gone. */
  version: number;
}

/** One m-line of the receiving connection: the audio or video of one person's camera or screen. */
export interface OfferedStream {
  mid: string;
  kind: 'audio' | 'video';
  participantId: string;
  source: MediaSource;
}

export type MediaServerMessage =
  | { type: 'media.ready'; available: boolean; feeds: FeedView[] }
  | { type: 'media.feeds'; feeds: FeedView[] }
  | { type: 'media.answer'; source: MediaSource; sdp: string }
  /**
   * The receiving connection's offer: the first, one after each change of what it carries, or (`restart`) after an
   * ICE restart. `streams` maps each m-line in use to the feed it carries; the browser answers with `media.answer`.
   */
  | { type: 'media.offer'; sdp: string; streams: OfferedStream[]; restart?: boolean }
  /** The media server went away: audio and video are reconnecting (the room socket stays). */
  | { type: 'media.lost' }
  /** The media server is back (it restarted): publish and subscribe again. */
  | { type: 'media.reset' }
  /** To the person an instructor muted. */
  | { type: 'media.muted'; by: string }
  /** To the person whose camera an instructor stopped. */
  | { type: 'media.cameraStopped'; by: string }
  /** To instructors: who waits for a webcam place, first asked first. */
  | { type: 'media.queue'; queue: Array<{ participantId: string; name: string; since: number }> }
  /** To the person asking: their place in the queue. */
  | { type: 'media.queued'; position: number }
  /** To the person an instructor gave a webcam place (held for them): they turn their camera on. */
  | { type: 'media.cameraGranted'; by: string }
  /** To that person: the place was not used in time and went back to the room (they may ask again). */
  | { type: 'media.grantExpired' };

/** What an SDP sends: its audio and video sections that are not disabled (port 0) or receive-only. */
export function sentMedia(sdp: string): { audio: boolean; video: boolean } {
  const sends = { audio: false, video: false };
  for (const section of sdp.split(/\r?\nm=/).slice(1)) {
    const [kind, port] = section.split(' ');
    if ((kind !== 'audio' && kind !== 'video') || port === '0') continue;
    if (/\r?\na=(recvonly|inactive)\r?$/m.test(`\n${section}`)) continue;
    sends[kind] = true;
  }
  return sends;
}

function looksLikeSdp(sdp: string): boolean {
  if (!sdp.startsWith('v=0\r\n') && !sdp.startsWith('v=0\n')) return false;
  if (!/\nm=(audio|video|application) /.test(sdp)) return false;
  return sdp.split(/\r?\n/).every((line) => line === '' || /^[a-z]=[\x20-\x7e]*$/.test(line));
}
