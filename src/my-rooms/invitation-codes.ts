/**
 * The code in a private room's invitation link: a random nonce and its HMAC
 * with the service's secret. Unguessable, and the database alone (which keeps
 * the nonce, so the owner can see the link again) names no working link.
 * It is not a session token: it admits nobody by itself, only lets someone
 * already signed in to MediaSpace ask for a launch into the room.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const SIGNATURE_BYTES = 16;

export class InvitationCodes {
  readonly #secret: string;

  constructor(secret: string) {
    this.#secret = secret;
  }

  newNonce(): string {
    return randomBytes(18).toString('base64url');
  }

  codeFor(nonce: string): string {
    return `${nonce}.${this.#sign(nonce)}`;
  }

  /** The nonce of a code this service signed; null for anything else. */
  nonceOf(code: string): string | null {
    const match = /^([A-Za-z0-9_-]{24})\.([A-Za-z0-9_-]{22})$/.exec(code);
    if (!match) return null;
    const expected = Buffer.from(this.#sign(match[1]!), 'base64url');
    const given = Buffer.from(match[2]!, 'base64url');
    return given.length === expected.length && timingSafeEqual(given, expected) ? match[1]! : null;
  }

  #sign(nonce: string): string {
    return createHmac('sha256', this.#secret).update(`room-invitation:${nonce}`).digest().subarray(0, SIGNATURE_BYTES).toString('base64url');
  }
}
