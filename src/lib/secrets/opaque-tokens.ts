/**
 * Opaque tokens the service hands out (session and room-pass cookies, password
 * reset and invitation links): 32 random bytes, and only their SHA-256 kept in
 * the database, so a leaked database holds no usable cookie or link.
 */
import { createHash, randomBytes } from 'node:crypto';

export function newOpaqueToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashOpaqueToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
