/**
 * An endpoint's one receiving connection: a werift peer connection that sends
 * the browser every feed it receives, each as a forward (sfu-forward.ts) on a
 * sendonly audio and/or video transceiver. Each change of what it carries is
 * a new offer from the SFU, answered by the browser before the next one (the
 * caller keeps to one negotiation at a time). A feed added starts once the
 * browser has answered for it and the connection is up, at a keyframe.
 */
import type { RTCPeerConnection } from 'werift';
import { MediaServerError, type ReceivingOffer, type ReceivingStream } from '../media-server.ts';
import { Forward, Slot } from './sfu-forward.ts';
import type { Kind, PublishedFeed } from './sfu-peers.ts';

/** What a change of the receiving connection does, its feeds found: keys removed, then feeds added. */
export interface ReceivingChange {
  remove: readonly string[];
  add: ReadonlyArray<{ key: string; feed: PublishedFeed }>;
}

/** The forwarding caps' count of the endpoint's room and of the whole SFU. */
export interface StreamAccount {
  reserve(streams: number): void;
  release(streams: number): void;
}

export class ReceivingConnection {
  readonly pc: RTCPeerConnection;
  readonly #account: StreamAccount;
  readonly #slots: Slot[] = [];
  readonly #forwards = new Map<string, Forward>();
  /** Added since the browser's last answer: they start once it answers. */
  readonly #unanswered = new Set<Forward>();
  /** The offer waiting for its answer restarts ICE. */
  #restarting = false;
  #closed = false;

  /** `onLost`: werift closed the connection on its own (its ICE ended); the SFU forgets it. */
  constructor(pc: RTCPeerConnection, account: StreamAccount, onLost: () => void) {
    this.pc = pc;
    this.#account = account;
    pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected') for (const forward of this.#answered()) forward.start();
      if (state === 'closed' && !this.#closed) onLost();
    });
  }

  /**
   * Checks a change of `receiving` (null: none made yet) before anything is made of it (a refused change changes
   * nothing), and answers how many streams it adds to the caps' count (less than none when it frees some).
   */
  static check(change: ReceivingChange, receiving: ReceivingConnection | null): number {
    const added = new Set<string>();
    for (const { key } of change.add) {
      if (added.has(key)) throw new MediaServerError('refused', `the feed named ${key} is added twice`);
      added.add(key);
      const current = receiving && receiving.#forwards.get(key);
      if (current && !current.stopped && !change.remove.includes(key)) throw new MediaServerError('refused', `a feed named ${key} is received already`);
    }
    const freed = receiving ? [...new Set(change.remove)].reduce((sum, key) => sum + receiving.#reserved(key), 0) : 0;
    return change.add.reduce((sum, { feed }) => sum + feed.streams, 0) - freed;
  }

  /** Makes a checked change and answers the new offer. */
  async update(change: ReceivingChange): Promise<ReceivingOffer> {
    const freed = this.#drop((key, forward) => forward.stopped || change.remove.includes(key));
    for (const { key, feed } of change.add) this.#add(key, feed, freed.get(key) ?? []);
    return this.#offer(false);
  }

  async answer(answerSdp: string): Promise<void> {
    await this.pc.setRemoteDescription({ type: 'answer', sdp: answerSdp }).catch((error: unknown) => {
      throw new MediaServerError('refused', `the answer cannot be used: ${(error as Error).message}`);
    });
    if (this.#restarting) this.#resumeIce();
    const answered = [...this.#unanswered];
    this.#unanswered.clear();
    // On a connection already up, a feed just added starts here, at a keyframe asked for now.
    if (this.pc.connectionState === 'connected') for (const forward of answered) forward.start();
  }

  /** A new offer with new ICE credentials, carrying the same feeds (less those gone since the last offer). */
  async restart(): Promise<ReceivingOffer> {
    this.#drop((_key, forward) => forward.stopped);
    return this.#offer(true);
  }

  forward(key: string): Forward {
    const forward = this.#forwards.get(key);
    if (!forward) throw new MediaServerError('refused', 'no feed of that name is received');
    return forward;
  }

  /** Stops every forward (their streams are given back) and closes the peer connection. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const forward of this.#forwards.values()) forward.stop();
    this.#forwards.clear();
    await this.pc.close().catch(() => undefined);
  }

  /** Streams the key's forward holds in the caps: none when its feed went away (given back then). */
  #reserved(key: string): number {
    const forward = this.#forwards.get(key);
    return forward && !forward.stopped ? forward.streams : 0;
  }

  #answered(): Forward[] {
    return [...this.#forwards.values()].filter((forward) => !this.#unanswered.has(forward));
  }

  /** Takes out the forwards chosen, and answers the slots each one had, by key (a key added again takes them back). */
  #drop(chosen: (key: string, forward: Forward) => boolean): Map<string, Slot[]> {
    const freed = new Map<string, Slot[]>();
    for (const [key, forward] of this.#forwards) {
      if (!chosen(key, forward)) continue;
      forward.stop();
      this.#forwards.delete(key);
      this.#unanswered.delete(forward);
      for (const slot of forward.slots) slot.carry(null);
      freed.set(key, forward.slots);
    }
    return freed;
  }

  /** A feed published again under its key takes its old slots back: the browser keeps its tracks, the feed changes under them. */
  #add(key: string, feed: PublishedFeed, previous: Slot[]): void {
    const slot = (kind: Kind, has: unknown) => (has ? this.#slot(kind, previous) : null);
    const forward = new Forward(key, feed, { audio: slot('audio', feed.audio), video: slot('video', feed.video) }, (streams) => this.#account.release(streams));
    this.#account.reserve(forward.streams);
    this.#forwards.set(key, forward);
    this.#unanswered.add(forward);
  }

  /** A free slot of that kind: one the key had, else one the browser has inactive, else a new transceiver. */
  #slot(kind: Kind, previous: Slot[]): Slot {
    const free = previous.find((slot) => slot.kind === kind && slot.forward === null) ?? this.#slots.find((slot) => slot.kind === kind && slot.reusable);
    if (free) return free;
    const made = new Slot(this.pc.addTransceiver(kind, { direction: 'sendonly' }));
    this.#slots.push(made);
    return made;
  }

  #resumeIce(): void {
    this.#restarting = false;
    resumeIceAfterRestart(this.pc);
  }

  async #offer(iceRestart: boolean): Promise<ReceivingOffer> {
    try {
      await this.pc.setLocalDescription(await this.pc.createOffer({ iceRestart }));
      this.#restarting = iceRestart;
    } catch (error) {
      throw new MediaServerError('refused', `no offer could be made: ${(error as Error).message}`);
    }
    return { offerSdp: keepInactiveOpen(this.pc.localDescription!.sdp), streams: this.#streams() };
  }

  /** Every m-line carrying a feed, in the offer's order. */
  #streams(): ReceivingStream[] {
    return this.#slots
      .filter((slot) => slot.forward !== null)
      .sort((a, b) => (a.transceiver.mLineIndex ?? 0) - (b.transceiver.mLineIndex ?? 0))
      .map((slot) => ({ mid: slot.mid, kind: slot.kind, key: slot.forward!.key }));
  }
}

/**
 * werift 0.24 runs ICE checks only while DTLS is down (its connect() returns early otherwise): after an ICE
 * restart of a connection whose DTLS is up, the new ICE session nominates no pair and nothing gets through.
 * Its checks are started here, on either side of the restart; DTLS and SRTP go on over the new pair.
 */
export function resumeIceAfterRestart(pc: RTCPeerConnection): void {
  for (const { iceTransport, state } of pc.dtlsTransports) {
    if (state === 'connected' && !iceTransport.connection.nominated) void iceTransport.start().catch(() => undefined);
  }
}

/**
 * werift writes an inactive m-line with port 0, which is a rejected one to a browser: it stops the transceiver for
 * good, and a later offer may not bring the m-line (its mid) back. Port 9 with `a=inactive` is an m-line that sends
 * nothing for now, as JSEP has it; werift does not read its own description's ports back.
 */
export function keepInactiveOpen(sdp: string): string {
  return sdp
    .split(/(?=^m=)/m)
    .map((section) => (/^a=inactive\r?$/m.test(section) ? section.replace(/^(m=\w+) 0 /, '$1 9 ') : section))
    .join('');
}
