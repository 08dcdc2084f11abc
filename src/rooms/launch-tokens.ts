/**
 * Launch tokens: the only thing a room trusts. Short-lived (at most two
 * minutes), single use (by jti), signed with an ES256 key whose public half
 * is published at /.well-known/jwks.json so that a room server elsewhere can
 * verify launches without sharing a secret.
 */
import { createHash, createPrivateKey, createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { z } from 'zod';
import { UnauthorizedError } from '../lib/errors/app-error.ts';
import { phrase } from '../lib/i18n/phrase.ts';
import { ROOM_PERMISSIONS, ROOM_ROLES, type RoomPermission, type RoomRole } from './room-permissions.ts';

export const MAX_LAUNCH_TOKEN_SECONDS = 120;
const ALGORITHM = 'ES256';
const CLOCK_TOLERANCE_SECONDS = 5;

export const launchClaimsSchema = z.object({
  iss: z.string(),
  aud: z.string(),
  sub: z.string().min(1),
  iat: z.number().int(),
  exp: z.number().int(),
  nbf: z.number().int().optional(),
  jti: z.string().min(16),
  room: z.object({
    id: z.string(),
    name: z.string(),
    kind: z.enum(['channel', 'private', 'course']),
    channelId: z.number().int().nullable(),
  }),
  user: z.object({ id: z.string(), name: z.string(), email: z.string().nullable() }),
  role: z.enum(ROOM_ROLES),
  permissions: z.array(z.enum(ROOM_PERMISSIONS)),
  /** The module session (auth_sessions.id) that asked for the launch: the room pass ends with it. */
  sid: z.string().min(1),
  /** Granted as a member of the room's channel: re-checked with Kaltura while the pass is used. */
  viaChannel: z.boolean(),
});
export type LaunchClaims = z.output<typeof launchClaimsSchema>;

export interface LaunchGrant {
  room: LaunchClaims['room'];
  user: LaunchClaims['user'];
  role: RoomRole;
  permissions: RoomPermission[];
  sessionId: string;
  viaChannel: boolean;
}

export interface SignedLaunch {
  token: string;
  jti: string;
  expiresAt: number;
}

const messages = {
  expired: phrase('rooms:errors.linkExpired'),
  invalid: phrase('rooms:errors.linkInvalid'),
  help: phrase('rooms:errors.linkHelp'),
};

export class LaunchTokens {
  readonly #privateKey: KeyObject;
  readonly #publicKey: KeyObject;
  readonly #keyId: string;
  readonly #issuer: string;
  readonly #audience: string;

  constructor(privateKeyPem: string, { issuer, audience }: { issuer: string; audience: string }) {
    this.#privateKey = createPrivateKey(privateKeyPem);
    this.#publicKey = createPublicKey(this.#privateKey);
    this.#keyId = jwkThumbprint(this.#publicKey);
    this.#issuer = issuer;
    this.#audience = audience;
  }

  sign(grant: LaunchGrant, lifetimeSeconds: number, nowMs = Date.now()): SignedLaunch {
    const lifetime = Math.min(lifetimeSeconds, MAX_LAUNCH_TOKEN_SECONDS);
    const jti = randomUUID();
    const iat = Math.floor(nowMs / 1000);
    const payload = { iat, exp: iat + lifetime, room: grant.room, user: grant.user, role: grant.role, permissions: grant.permissions, sid: grant.sessionId, viaChannel: grant.viaChannel };
    const token = jwt.sign(payload, this.#privateKey, {
      algorithm: ALGORITHM,
      keyid: this.#keyId,
      issuer: this.#issuer,
      audience: this.#audience,
      subject: grant.user.id,
      jwtid: jti,
    });
    return { token, jti, expiresAt: (iat + lifetime) * 1000 };
  }

  /**
   * Signature, algorithm, issuer, audience, expiry, a lifetime of at most two minutes, and an issue
   * time (and `nbf`, if any) not ahead of the clock beyond the tolerance; single use is the caller's job.
   */
  verify(token: string, nowMs = Date.now()): LaunchClaims {
    const nowSeconds = Math.floor(nowMs / 1000);
    let decoded: unknown;
    try {
      decoded = jwt.verify(token, this.#publicKey, {
        algorithms: [ALGORITHM],
        issuer: this.#issuer,
        audience: this.#audience,
        clockTimestamp: nowSeconds,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        maxAge: `${MAX_LAUNCH_TOKEN_SECONDS}s`,
      });
    } catch (error) {
      const expired = error instanceof jwt.TokenExpiredError || /maxAge/.test((error as Error).message);
      throw new UnauthorizedError(expired ? messages.expired : messages.invalid, { help: messages.help, code: expired ? 'LAUNCH_TOKEN_EXPIRED' : 'LAUNCH_TOKEN_INVALID', cause: error });
    }
    const claims = launchClaimsSchema.safeParse(decoded);
    // jsonwebtoken measures maxAge from iat but lets iat lie in the future: a token "issued" tomorrow would live until tomorrow plus two minutes.
    if (!claims.success || claims.data.exp - claims.data.iat > MAX_LAUNCH_TOKEN_SECONDS || claims.data.iat > nowSeconds + CLOCK_TOLERANCE_SECONDS) {
      throw new UnauthorizedError(messages.invalid, { help: messages.help, code: 'LAUNCH_TOKEN_INVALID' });
    }
    return claims.data;
  }

  jwks(): { keys: Array<Record<string, unknown>> } {
    return { keys: [{ ...this.#publicKey.export({ format: 'jwk' }), kid: this.#keyId, alg: ALGORITHM, use: 'sig' }] };
  }
}

/** RFC 7638 thumbprint: a key id that is stable for the key and says nothing else. */
function jwkThumbprint(publicKey: KeyObject): string {
  const { crv, kty, x, y } = publicKey.export({ format: 'jwk' });
  return createHash('sha256').update(JSON.stringify({ crv, kty, x, y })).digest('base64url');
}
