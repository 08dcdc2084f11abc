/**
 * The embedded SFU's peer connections (werift, in the worker thread): a
 * published feed receives one browser's audio and video (the camera's video
 * in simulcast layers, one werift track per rid), and each subscription sends
 * one feed to one browser. The feed hands every packet to its subscriptions;
 * each keeps to its own layer (forwarding.ts) and asks the sender for a
 * keyframe when it starts or moves, or when its browser asks (PLI).
 */
import {
  ReceiverEstimatedMaxBitrate,
  RtcpPayloadSpecificFeedback,
  RTCPeerConnection,
  useNACK,
  useOPUS,
  usePLI,
  useREMB,
  useSdesMid,
  useSdesRTPStreamId,
  useVP8,
  type MediaStreamTrack,
  type PeerConfig,
  type RTCRtpReceiver,
  type RTCRtpSender,
  type RtpPacket,
} from 'werift';
import type { SimulcastLayer } from '../media-server.ts';
import { Continuity, isVp8Keyframe, LayerSelector } from './forwarding.ts';
import type { SfuSettings } from './sfu-protocol.ts';

type Kind = 'audio' | 'video';
/** How often one layer's sender is asked for a keyframe, at most. */
const KEYFRAME_REQUEST_GAP_MS = 300;
/**
 * What a publisher may send (all its simulcast layers: 150 + 500 + 1,500 kbit/s), told every second by REMB,
 * as Janus's VideoRoom tells its room bitrate: the browser's estimate grows to it and it sends every layer.
 */
export const PUBLISHER_BITRATE = 2_500_000;
const REMB_EVERY_MS = 1000;
/** Simulcast rids from the smallest; other rids keep the order the browser gave them. */
const RID_ORDER = ['l', 'q', 'low', 'm', 'medium', 'h', 'f', 'high'];
export const LAYER_INDEX: Record<SimulcastLayer, number> = { low: 0, medium: 1, high: 2 };

/**
 * A publisher's offer without transport-wide congestion control: werift answers with the browser's feedback
 * types as offered, and its transport-cc feedback drove the browser's estimate down to one layer. REMB instead.
 */
export function withoutTransportCc(offerSdp: string): string {
  return offerSdp.replace(/^a=rtcp-fb:\d+ transport-cc\r?\n/gm, '');
}

/** A publisher receives (told how much it may send by REMB), a subscriber sends; VP8 and Opus. */
export function peerConfig(settings: SfuSettings, role: 'publisher' | 'subscriber'): Partial<PeerConfig> {
  const publisher = role === 'publisher';
  const [min, max] = settings.portRange ? settings.portRange.split('-').map(Number) : [];
  return {
    codecs: {
      audio: [useOPUS()],
      // No RTX: werift does not repair simulcast layers with it; lost packets are sent again as they were (NACK).
      video: [useVP8({ rtcpFeedback: [useNACK(), usePLI(), useREMB()] })],
    },
    headerExtensions: {
      audio: [useSdesMid()],
      video: publisher ? [useSdesMid(), useSdesRTPStreamId()] : [useSdesMid()],
    },
    iceServers: settings.stunServer ? [{ urls: `stun:${settings.stunServer}` }] : [],
    iceAdditionalHostAddresses: settings.extraHostAddresses,
    iceUseIpv6: false,
    bundlePolicy: 'max-bundle',
    ...(min !== undefined && max !== undefined && { icePortRange: [min, max] as [number, number] }),
  };
}

interface Layer {
  track: MediaStreamTrack;
  ssrc?: number;
  lastKeyframeRequest: number;
}

interface Incoming {
  receiver: RTCRtpReceiver;
  layers: Layer[];
}

export class PublishedFeed {
  readonly id: string;
  readonly pc: RTCPeerConnection;
  readonly audio: Incoming | null;
  readonly video: Incoming | null;
  readonly subscriptions = new Set<Subscription>();
  /** Forwarded to subscribers (false: muted at the SFU, whatever the sender's browser does). */
  readonly send = { audio: true, video: true };
  readonly #remb: NodeJS.Timeout;

  constructor(id: string, pc: RTCPeerConnection) {
    this.id = id;
    this.pc = pc;
    const incoming = (kind: Kind): Incoming | null => {
      const transceiver = pc.getTransceivers().find((candidate) => candidate.kind === kind && candidate.receiver.tracks.length > 0);
      if (!transceiver) return null;
      const tracks = [...transceiver.receiver.tracks].sort((a, b) => ridRank(a.rid) - ridRank(b.rid));
      return { receiver: transceiver.receiver, layers: tracks.map((track) => ({ track, lastKeyframeRequest: 0 })) };
    };
    this.audio = incoming('audio');
    this.video = incoming('video');
    this.#listen('audio', this.audio);
    this.#listen('video', this.video);
    this.#remb = setInterval(() => this.#tellBitrate(), REMB_EVERY_MS);
  }

  /** Streams a subscription to this feed forwards. */
  get streams(): number {
    return (this.audio ? 1 : 0) + (this.video ? 1 : 0);
  }

  configure(send: { audio?: boolean; video?: boolean }): void {
    for (const kind of ['audio', 'video'] as const) {
      if (send[kind] === undefined) continue;
      this.send[kind] = send[kind];
      // Turned back on, each subscription starts again at a keyframe with its numbering continuous.
      if (send[kind]) for (const subscription of this.subscriptions) subscription.pause(kind);
    }
  }

  requestKeyframe(layer: number | null, now: number): void {
    const wanted = layer === null ? undefined : this.video?.layers[layer];
    if (!wanted?.ssrc || now - wanted.lastKeyframeRequest < KEYFRAME_REQUEST_GAP_MS) return;
    wanted.lastKeyframeRequest = now;
    void this.video!.receiver.sendRtcpPLI(wanted.ssrc);
  }

  async close(): Promise<void> {
    clearInterval(this.#remb);
    for (const subscription of this.subscriptions) await subscription.close();
    await this.pc.close();
  }

  #tellBitrate(): void {
    const ssrcs = (this.video?.layers ?? []).flatMap((layer) => (layer.ssrc === undefined ? [] : [layer.ssrc]));
    if (!this.video || ssrcs.length === 0 || this.pc.connectionState !== 'connected') return;
    // bitrate = mantissa (18 bits) × 2^exponent
    let exponent = 0;
    while (PUBLISHER_BITRATE / 2 ** exponent >= 2 ** 18) exponent += 1;
    const feedback = new ReceiverEstimatedMaxBitrate({
      senderSsrc: this.video.receiver.rtcpSsrc,
      mediaSsrc: 0,
      brExp: exponent,
      brMantissa: Math.floor(PUBLISHER_BITRATE / 2 ** exponent),
      ssrcNum: ssrcs.length,
      ssrcFeedbacks: ssrcs,
    });
    void this.video.receiver.dtlsTransport.sendRtcp([new RtcpPayloadSpecificFeedback({ feedback })]).catch(() => undefined);
  }

  #listen(kind: Kind, incoming: Incoming | null): void {
    incoming?.layers.forEach((layer, index) => {
      layer.track.onReceiveRtp.subscribe((packet) => {
        layer.ssrc = packet.header.ssrc;
        // Padding alone (the browser probing its bandwidth) carries nothing to forward.
        if (packet.payload.length === 0 || !this.send[kind] || this.subscriptions.size === 0) return;
        const keyframe = kind === 'audio' || isVp8Keyframe(packet.payload);
        const now = performance.now();
        for (const subscription of this.subscriptions) subscription.deliver(kind, index, packet, keyframe, now);
      });
    });
  }
}

interface Outgoing {
  sender: RTCRtpSender;
  selector: LayerSelector;
  continuity: Continuity;
}

export class Subscription {
  readonly pc: RTCPeerConnection;
  readonly feed: PublishedFeed;
  /** Streams reserved for it in the caps, given back once when it closes. */
  readonly streams: number;
  readonly #audio: Outgoing | null;
  readonly #video: Outgoing | null;
  #live = false;
  #closed = false;
  /** Off for a tile off the page or on a poor connection: its audio goes on, its video waits. */
  #videoOn = true;

  constructor(pc: RTCPeerConnection, feed: PublishedFeed, onGone: () => void) {
    this.pc = pc;
    this.feed = feed;
    this.streams = feed.streams;
    const outgoing = (kind: Kind, incoming: Incoming | null, clockRate: number): Outgoing | null =>
      incoming && {
        sender: pc.addTransceiver(kind, { direction: 'sendonly' }).sender,
        selector: new LayerSelector(incoming.layers.length, LAYER_INDEX.high),
        continuity: new Continuity(clockRate),
      };
    this.#audio = outgoing('audio', feed.audio, 48_000);
    this.#video = outgoing('video', feed.video, 90_000);
    this.#video?.sender.onPictureLossIndication.subscribe(() => this.#askKeyframe(true));
    pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected') {
        // Nothing is forwarded before the browser's end is up: a keyframe sent earlier would be lost, and the picture with it.
        this.#live = true;
        this.#askKeyframe(false);
      }
      if ((state === 'failed' || state === 'closed') && !this.#closed) onGone();
    });
    feed.subscriptions.add(this);
  }

  chooseLayer(layer: SimulcastLayer): void {
    this.#video?.selector.choose(LAYER_INDEX[layer]);
    this.#askKeyframe(false);
  }

  receiveVideo(on: boolean): void {
    if (on === this.#videoOn) return;
    this.#videoOn = on;
    if (!on) return;
    // Back on: it starts again at a keyframe, its numbering continuous.
    this.pause('video');
    this.#askKeyframe(false);
  }

  pause(kind: Kind): void {
    (kind === 'audio' ? this.#audio : this.#video)?.selector.pause();
  }

  deliver(kind: Kind, layer: number, packet: RtpPacket, keyframe: boolean, now: number): void {
    const out = kind === 'audio' ? this.#audio : this.#video;
    if (!out || !this.#live) return;
    if (kind === 'video' && !this.#videoOn) return out.selector.note(layer, now);
    const verdict = out.selector.offer(layer, keyframe, now);
    if (kind === 'video' && verdict !== 'forward') this.feed.requestKeyframe(out.selector.awaitingKeyframe(now), now);
    if (verdict === 'drop') return;
    const copy = packet.clone();
    // The sender's extension ids are not the receiver's: the sender adds its own.
    copy.header.extensions = [];
    copy.header.extension = false;
    if (verdict === 'switch') out.continuity.rebase(copy.header, now);
    out.continuity.apply(copy.header, now);
    void out.sender.sendRtp(copy).catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.feed.subscriptions.delete(this);
    await this.pc.close().catch(() => undefined);
  }

  #askKeyframe(current: boolean): void {
    const selector = this.#video?.selector;
    if (!selector || !this.#live) return;
    const now = performance.now();
    this.feed.requestKeyframe(current ? (selector.current ?? selector.wanted(now)) : selector.awaitingKeyframe(now) ?? selector.current, now);
  }
}

function ridRank(rid: string | undefined): number {
  const rank = rid === undefined ? -1 : RID_ORDER.indexOf(rid);
  return rank === -1 ? RID_ORDER.length : rank;
}
