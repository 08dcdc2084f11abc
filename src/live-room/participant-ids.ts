/**
 * The ids the room protocol shows for people. Everyone in a room sees
 * everyone else's id (participants, hands, chat authors, moderation targets),
 * so it must not be a key that signing in uses: it is an HMAC of the room and
 * the person's user key under a service secret. Stable for one person in one
 * room (a reconnect, another tab, a restart keep it), different in every
 * other room, and meaningless outside the service. The server maps it back by
 * looking among the people a message can be about (those present, with a
 * raised hand, or removed).
 */
import { createHmac } from 'node:crypto';
import { LRUCache } from 'lru-cache';

/** 128 bits: unguessable, and short enough to repeat in every message. */
const ID_BYTES = 16;

export class ParticipantIds {
  readonly #secret: string;
  /** Computing an HMAC per person per message would add up in a room of 300: remembered. */
  readonly #known: LRUCache<string, string>;

  constructor(secret: string, { maxEntries }: { maxEntries: number }) {
    this.#secret = secret;
    this.#known = new LRUCache({ max: maxEntries });
  }

  /** The id the room shows for this person. */
  of(roomId: string, userKey: string): string {
    const key = `${roomId}\u0000${userKey}`;
    let id = this.#known.get(key);
    if (id === undefined) {
      id = `p_${createHmac('sha256', this.#secret).update(key).digest().subarray(0, ID_BYTES).toString('base64url')}`;
      this.#known.set(key, id);
    }
    return id;
  }

  /** Which of `candidates` (user keys) the id stands for in this room; null: none of them. */
  find(roomId: string, participantId: string, candidates: Iterable<string>): string | null {
    for (const userKey of candidates) if (this.of(roomId, userKey) === participantId) return userKey;
    return null;
  }
}
