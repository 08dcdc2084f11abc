/**
 * A WebRTC peer for integration tests (werift, in Node): real SDP offers and
 * answers, and a publisher that completes ICE and DTLS with the media server
 * through the room socket, as a browser would. Janus subscribes people only
 * to feeds whose sender is connected.
 */
import { RTCPeerConnection } from 'werift';
import type { RoomClient } from './room-client.ts';

const CONNECT_LIMIT_MS = 8000;

export class MediaPeer {
  readonly pc = new RTCPeerConnection();

  /** An offer that sends what is asked (a sendonly section per kind). */
  static async offering(kinds: { audio?: boolean; video?: boolean }): Promise<MediaPeer> {
    const peer = new MediaPeer();
    if (kinds.audio) peer.pc.addTransceiver('audio', { direction: 'sendonly' });
    if (kinds.video) peer.pc.addTransceiver('video', { direction: 'sendonly' });
    await peer.pc.setLocalDescription(await peer.pc.createOffer());
    return peer;
  }

  get sdp(): string {
    return this.pc.localDescription!.sdp;
  }

  /** Publishes through the room and waits until the media server's end is connected. */
  async publish(room: RoomClient, source: 'camera' | 'screen' = 'camera'): Promise<void> {
    room.send({ type: 'media.publish', source, sdp: this.sdp, ref: `publish:${source}` });
    const answer = await room.next('media.answer', (message) => message.source === source);
    await this.pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
    await this.connected();
  }

  /** Answers a subscription's offer as the browser would. */
  static async answering(offerSdp: string): Promise<MediaPeer> {
    const peer = new MediaPeer();
    await peer.pc.setRemoteDescription({ type: 'offer', sdp: offerSdp });
    await peer.pc.setLocalDescription(await peer.pc.createAnswer());
    return peer;
  }

  connected(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.pc.connectionState === 'connected') return resolve();
      const timer = setTimeout(() => reject(new Error(`the peer did not connect (state ${this.pc.connectionState})`)), CONNECT_LIMIT_MS);
      const subscription = this.pc.connectionStateChange.subscribe((state) => {
        if (state !== 'connected') return;
        clearTimeout(timer);
        subscription.unSubscribe();
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    await this.pc.close();
  }
}
