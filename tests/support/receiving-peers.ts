/**
 * werift peers standing in for browsers against a media server's receiving
 * connections: a publisher that sends RTP marked with its own tag (so a
 * receiver can tell whose packets reach which m-line), and a receiver that
 * answers every offer of its one receiving connection on the same peer
 * connection, as a browser does, and counts what arrives per mid.
 */
import { RTCPeerConnection, RtpHeader, RtpPacket, type MediaStreamTrack, type RTCRtpTransceiver } from 'werift';
import type { MediaEndpoint, MediaSource } from '../../src/media/media-server.ts';
import { resumeIceAfterRestart } from '../../src/media/embedded/sfu-receiving.ts';
import { peerConnected } from './media-peer.ts';

/** A MediaServer, or the embedded SFU's own Sfu (whose publish has no `flowing`). */
interface Publishing {
  publish(endpoint: MediaEndpoint, source: MediaSource, offerSdp: string): Promise<{ feedId: string; answerSdp: string }>;
}

const SEND_EVERY_MS = 20;

/**
 * A camera with sound (or only what is asked) that, once started, sends a packet of each kind every 20 ms, each
 * carrying `tag`. Its video is VP8 delta frames but for a keyframe at the start and after each keyframe request
 * (PLI), as a browser sends: a receiver that starts later sees its video only if the SFU asks for a keyframe.
 */
export class TaggedPublisher {
  readonly pc: RTCPeerConnection;
  readonly feedId: string;
  readonly #tag: number;
  #timer: NodeJS.Timeout | undefined;
  #sequence = 0;
  #keyframeWanted = true;

  private constructor(pc: RTCPeerConnection, feedId: string, tag: number) {
    this.pc = pc;
    this.feedId = feedId;
    this.#tag = tag;
    for (const { sender } of pc.getTransceivers()) sender.onPictureLossIndication.subscribe(() => (this.#keyframeWanted = true));
  }

  static async publish(server: Publishing, endpoint: MediaEndpoint, tag: number, kinds: { audio: boolean; video: boolean } = { audio: true, video: true }): Promise<TaggedPublisher> {
    const pc = new RTCPeerConnection({ iceServers: [] });
    if (kinds.audio) pc.addTransceiver('audio', { direction: 'sendonly' });
    if (kinds.video) pc.addTransceiver('video', { direction: 'sendonly' });
    await pc.setLocalDescription(await pc.createOffer());
    const { feedId, answerSdp } = await server.publish(endpoint, 'camera', pc.localDescription!.sdp);
    await pc.setRemoteDescription({ type: 'answer', sdp: answerSdp });
    await peerConnected(pc);
    return new TaggedPublisher(pc, feedId, tag);
  }

  start(): void {
    this.#timer ??= setInterval(() => this.#send(), SEND_EVERY_MS);
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.pc.close();
  }

  #send(): void {
    this.#sequence = (this.#sequence + 1) & 0xffff;
    // VP8: a descriptor starting a frame, then the payload header, whose low bit is clear on a keyframe.
    const frame = this.#keyframeWanted ? 0x00 : 0x01;
    this.#keyframeWanted = false;
    for (const transceiver of this.pc.getTransceivers()) {
      const header = new RtpHeader({ sequenceNumber: this.#sequence, timestamp: this.#sequence * 960, marker: true });
      const payload = transceiver.kind === 'video' ? Buffer.from([0x10, frame, this.#tag, 0, 0, 0]) : Buffer.from([this.#tag, 0, 0]);
      void transceiver.sender.sendRtp(new RtpPacket(header, payload)).catch(() => undefined);
    }
  }
}

/** The browser's side of one receiving connection: answers each offer on the same peer connection and notes the tag last received per mid. */
export class TaggedReceiver {
  readonly pc = new RTCPeerConnection({ iceServers: [] });
  readonly #tags = new Map<string, number>();
  readonly #listened = new WeakSet<MediaStreamTrack>();

  constructor() {
    this.pc.ontrack = ({ track, transceiver }) => this.#listen(track, transceiver);
  }

  async answer(offerSdp: string): Promise<string> {
    await this.pc.setRemoteDescription({ type: 'offer', sdp: offerSdp });
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    // An ICE restart: werift (unlike a browser) runs no checks of the new ICE session while DTLS is up.
    resumeIceAfterRestart(this.pc);
    return this.pc.localDescription!.sdp;
  }

  connected(): Promise<void> {
    return peerConnected(this.pc);
  }

  /** Forgets what arrived, to see what arrives from now on. */
  clear(): void {
    this.#tags.clear();
  }

  /** Waits until every mid named has received a packet with its tag. */
  async receives(expected: Record<string, number>, limitMs = 10_000): Promise<void> {
    const deadline = Date.now() + limitMs;
    const arrived = () => Object.entries(expected).every(([mid, tag]) => this.#tags.get(mid) === tag);
    while (!arrived()) {
      if (Date.now() > deadline) throw new Error(`expected tags ${JSON.stringify(expected)}, received ${JSON.stringify(Object.fromEntries(this.#tags))}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async close(): Promise<void> {
    await this.pc.close();
  }

  #listen(track: MediaStreamTrack, transceiver: RTCRtpTransceiver): void {
    if (this.#listened.has(track)) return;
    this.#listened.add(track);
    track.onReceiveRtp.subscribe((packet) => {
      if (transceiver.mid) this.#tags.set(transceiver.mid, packet.payload[transceiver.kind === 'video' ? 2 : 0]!);
    });
  }
}
