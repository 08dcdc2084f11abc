/**
 * The embedded SFU's peer connections (werift, in the worker thread) and how
 * they are configured: a published feed receives one browser's audio and
 * video (the camera's video in simulcast layers, one werift track per rid)
 * and hands every packet to its forwards (sfu-forward.ts), one per receiving
 * connection that carries the feed.
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
} from 'werift';
import type { SimulcastLayer } from '../media-server.ts';
import { isVp8Keyframe } from './forwarding.ts';
import type { Forward } from './sfu-forward.ts';
import type { SfuSettings } from './sfu-protocol.ts';

export type Kind = 'audio' | 'video';
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
  readonly forwards = new Set<Forward>();
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

  /** Streams a forward of this feed sends. */
  get streams(): number {
    return (this.audio ? 1 : 0) + (this.video ? 1 : 0);
  }

  configure(send: { audio?: boolean; video?: boolean }): void {
    for (const kind of ['audio', 'video'] as const) {
      if (send[kind] === undefined) continue;
      this.send[kind] = send[kind];
      // Turned back on, each forward starts again at a keyframe with its numbering continuous.
      if (send[kind]) for (const forward of this.forwards) forward.pause(kind);
    }
  }

  requestKeyframe(layer: number | null, now: number): void {
    const wanted = layer === null ? undefined : this.video?.layers[layer];
    if (!wanted?.ssrc || now - wanted.lastKeyframeRequest < KEYFRAME_REQUEST_GAP_MS) return;
    wanted.lastKeyframeRequest = now;
    void this.video!.receiver.sendRtcpPLI(wanted.ssrc);
  }

  /** Its forwards stop with it (their streams are given back); their m-lines stay until their connection's next offer. */
  async close(): Promise<void> {
    clearInterval(this.#remb);
    for (const forward of [...this.forwards]) forward.stop();
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
        if (packet.payload.length === 0 || !this.send[kind] || this.forwards.size === 0) return;
        const keyframe = kind === 'audio' || isVp8Keyframe(packet.payload);
        const now = performance.now();
        for (const forward of this.forwards) forward.deliver(kind, index, packet, keyframe, now);
      });
    });
  }
}

function ridRank(rid: string | undefined): number {
  const rank = rid === undefined ? -1 : RID_ORDER.indexOf(rid);
  return rank === -1 ? RID_ORDER.length : rank;
}
