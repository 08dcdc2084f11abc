/**
 * The embedded SFU's forwarding decisions, free of werift so they can be
 * tested alone: which incoming layer of a feed one subscription receives
 * (LayerSelector), and how its outgoing stream stays one continuous RTP
 * stream when the layer changes or forwarding pauses and resumes (Continuity).
 */

/** A layer that sent nothing for this long has stopped (the sender dropped it for lack of bandwidth). */
export const LAYER_IDLE_MS = 1500;

export type Verdict = 'forward' | 'switch' | 'drop';

/**
 * Chooses, for one subscription, the layer to forward among a feed's layers (0 the smallest): the largest
 * one that is being sent and is not above the one asked for, else the smallest being sent. It moves to
 * another layer only at a keyframe of that layer (the receiver could decode nothing before it), and
 * keeps forwarding the current one meanwhile. A feed without simulcast has one layer; audio has one layer
 * of which every packet is a "keyframe".
 */
export class LayerSelector {
  readonly #lastSeen: number[];
  #target: number;
  #current: number | null = null;

  constructor(layers: number, target: number) {
    this.#lastSeen = Array.from({ length: layers }, () => Number.NEGATIVE_INFINITY);
    this.#target = Math.min(target, layers - 1);
  }

  get current(): number | null {
    return this.#current;
  }

  /** The layer asked for (the tile's size); the move happens at that layer's next keyframe. */
  choose(target: number): void {
    this.#target = Math.min(Math.max(target, 0), this.#lastSeen.length - 1);
  }

  /** Forwarding stops; it starts again at the next keyframe (a video turned back on must start with one). */
  pause(): void {
    this.#current = null;
  }

  /** A packet of `layer` went by unforwarded (video turned off for this subscription): which layers are sent stays known. */
  note(layer: number, now: number): void {
    this.#lastSeen[layer] = now;
  }

  /** What to do with a packet of `layer`: forward it, switch to its layer with it (rewriting the stream), or drop it. */
  offer(layer: number, keyframe: boolean, now: number): Verdict {
    this.#lastSeen[layer] = now;
    if (layer === this.#current) return 'forward';
    if (keyframe && layer === this.wanted(now)) {
      this.#current = layer;
      return 'switch';
    }
    return 'drop';
  }

  /** The layer this subscription should receive now, or null while nothing is sent. */
  wanted(now: number): number | null {
    const active = (layer: number) => now - this.#lastSeen[layer]! <= LAYER_IDLE_MS;
    for (let layer = this.#target; layer >= 0; layer -= 1) if (active(layer)) return layer;
    for (let layer = this.#target + 1; layer < this.#lastSeen.length; layer += 1) if (active(layer)) return layer;
    return null;
  }

  /** A layer whose keyframe is awaited (the subscription cannot move, or start, without one), or null. */
  awaitingKeyframe(now: number): number | null {
    const wanted = this.wanted(now);
    return wanted !== null && wanted !== this.#current ? wanted : null;
  }
}

export interface RtpTiming {
  sequenceNumber: number;
  timestamp: number;
}

/**
 * Keeps an outgoing stream's sequence numbers and timestamps continuous when what feeds it changes (another
 * simulcast layer, numbered on its own, or a pause): the receiver sees one stream without a gap or a jump
 * back, which it would take for loss (and ask again for packets nobody has) or for reordering.
 */
export class Continuity {
  readonly #ticksPerMs: number;
  #seqOffset = 0;
  #tsOffset = 0;
  #last: { sequenceNumber: number; timestamp: number; at: number } | null = null;

  constructor(clockRate: number) {
    this.#ticksPerMs = clockRate / 1000;
  }

  /** The next packet starts a new source: it follows the last one sent, as much later as time has passed. */
  rebase(next: RtpTiming, now: number): void {
    if (!this.#last) return;
    const elapsed = Math.max(1, Math.round((now - this.#last.at) * this.#ticksPerMs));
    this.#seqOffset = (this.#last.sequenceNumber + 1 - next.sequenceNumber) & 0xffff;
    this.#tsOffset = (this.#last.timestamp + elapsed - next.timestamp) >>> 0;
  }

  /** Rewrites a packet's numbering in place. */
  apply(header: RtpTiming, now: number): void {
    header.sequenceNumber = (header.sequenceNumber + this.#seqOffset) & 0xffff;
    header.timestamp = (header.timestamp + this.#tsOffset) >>> 0;
    this.#last = { sequenceNumber: header.sequenceNumber, timestamp: header.timestamp, at: now };
  }
}

/** Whether a VP8 RTP payload starts a keyframe (RFC 7741: the first packet of a frame, with the P bit clear). */
export function isVp8Keyframe(payload: Buffer): boolean {
  if (payload.length < 2) return false;
  const first = payload[0]!;
  // S (start of partition) set and partition index 0: the VP8 payload header follows the descriptor.
  if ((first & 0x10) === 0 || (first & 0x07) !== 0) return false;
  let offset = 1;
  if (first & 0x80) {
    const extension = payload[offset]!;
    offset += 1;
    if (extension & 0x80) offset += (payload[offset]! & 0x80) ? 2 : 1;
    if (extension & 0x40) offset += 1;
    if (extension & 0x30) offset += 1;
  }
  return offset < payload.length && (payload[offset]! & 0x01) === 0;
}
