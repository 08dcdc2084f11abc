/**
 * One feed forwarded on an endpoint's receiving connection (sfu-receiving.ts).
 * Its audio and its video each go out on a slot: a sendonly transceiver of
 * that connection. The forward keeps to the layer its tile needs
 * (forwarding.ts) and asks the sender for a keyframe when it starts or moves,
 * or when the browser asks (PLI). A slot outlives the forwards it carries: when
 * a feed is removed its slots turn inactive, and a later feed of the same kind
 * takes one again, so the connection's m-lines do not grow with every change.
 */
import { performance } from 'node:perf_hooks';
import type { RTCRtpTransceiver, RtpPacket } from 'werift';
import type { SimulcastLayer } from '../media-server.ts';
import { Continuity, LayerSelector } from './forwarding.ts';
import { LAYER_INDEX, type Kind, type PublishedFeed } from './sfu-peers.ts';

const CLOCK_RATE: Record<Kind, number> = { audio: 48_000, video: 90_000 };

export class Slot {
  readonly kind: Kind;
  readonly transceiver: RTCRtpTransceiver;
  /** Kept by the slot, not the forward: a feed taking the slot over continues its numbering, one RTP stream to the browser. */
  readonly continuity: Continuity;
  forward: Forward | null = null;

  constructor(transceiver: RTCRtpTransceiver) {
    this.kind = transceiver.kind as Kind;
    this.transceiver = transceiver;
    this.continuity = new Continuity(CLOCK_RATE[this.kind]);
    // werift's addTransceiver takes over, with a new sender, any transceiver answered inactive that never sent:
    // the slot's own transceiver must stay its own.
    transceiver.usedForSender = true;
    if (this.kind === 'video') transceiver.sender.onPictureLossIndication.subscribe(() => this.forward?.pictureLost());
  }

  get mid(): string {
    return this.transceiver.mid!;
  }

  /**
   * Free, and the browser's last answer has it inactive: it may carry another feed. A slot freed by the change
   * being made is not: its m-line would pass from one feed to another without the browser seeing its track end.
   */
  get reusable(): boolean {
    return this.forward === null && this.transceiver.currentDirection === 'inactive';
  }

  carry(forward: Forward | null): void {
    this.forward = forward;
    this.transceiver.setDirection(forward ? 'sendonly' : 'inactive');
  }
}

interface Outgoing {
  slot: Slot;
  selector: LayerSelector;
}

export class Forward {
  readonly key: string;
  readonly feed: PublishedFeed;
  /** Streams reserved for it in the caps, given back once when it stops. */
  readonly streams: number;
  readonly #audio: Outgoing | null;
  readonly #video: Outgoing | null;
  readonly #release: (streams: number) => void;
  #live = false;
  #stopped = false;
  /** Off for a tile off the page or on a poor connection: its audio goes on, its video waits. */
  #videoOn = true;

  constructor(key: string, feed: PublishedFeed, slots: Record<Kind, Slot | null>, release: (streams: number) => void) {
    this.key = key;
    this.feed = feed;
    this.streams = feed.streams;
    this.#release = release;
    const outgoing = (kind: Kind): Outgoing | null => {
      const slot = slots[kind];
      slot?.carry(this);
      return slot && { slot, selector: new LayerSelector(feed[kind]?.layers.length ?? 1, LAYER_INDEX.high) };
    };
    this.#audio = outgoing('audio');
    this.#video = outgoing('video');
    feed.forwards.add(this);
  }

  get slots(): Slot[] {
    return [this.#audio, this.#video].flatMap((out) => (out ? [out.slot] : []));
  }

  /** Its feed went away, or it was removed: it forwards nothing more and its streams are back in the caps. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** Forwarding starts (again): the browser answered for its m-lines and the connection is up. */
  start(): void {
    if (this.#stopped) return;
    // Nothing is forwarded before the browser's end is up: a keyframe sent earlier would be lost, and the picture with it.
    this.#live = true;
    this.#askKeyframe(false);
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#live = false;
    this.feed.forwards.delete(this);
    this.#release(this.streams);
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

  pictureLost(): void {
    this.#askKeyframe(true);
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
    if (verdict === 'switch') out.slot.continuity.rebase(copy.header, now);
    out.slot.continuity.apply(copy.header, now);
    void out.slot.transceiver.sender.sendRtp(copy).catch(() => undefined);
  }

  #askKeyframe(current: boolean): void {
    const selector = this.#video?.selector;
    if (!selector || !this.#live) return;
    const now = performance.now();
    this.feed.requestKeyframe(current ? (selector.current ?? selector.wanted(now)) : selector.awaitingKeyframe(now) ?? selector.current, now);
  }
}
