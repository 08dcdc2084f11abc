/**
 * Module sessions, remembered briefly so that the pages of one visit do not
 * each read the session from the database. Every write through this store
 * (a launch, a touch, a sign-out, an expiry) takes effect here at once; a
 * sign-out or a relaunch handled by another instance of the service is seen
 * here within AUTH_SESSION_TTL_MS. Expiry itself is not remembered: the
 * identity service judges every session against the clock on every request.
 */
import { ShortLivedCache } from '../lib/cache/short-lived-cache.ts';
import type { AuthSession, AuthSessionStore } from './auth-session-store.ts';

export const AUTH_SESSION_TTL_MS = 30_000;

export interface CachedAuthSessionStoreOptions {
  maxEntries: number;
  ttlMs?: number;
  now?: () => number;
}

export function createCachedAuthSessionStore(inner: AuthSessionStore, { maxEntries, ttlMs = AUTH_SESSION_TTL_MS, now }: CachedAuthSessionStoreOptions): AuthSessionStore {
  const sessions = new ShortLivedCache<string, AuthSession | null>({ ttlMs, maxEntries, now });
  return {
    findById: (id) => sessions.get(id, () => inner.findById(id)),
    // A new session is remembered as written: the page a launch redirects to reads no SQL.
    insert: (session) => sessions.rememberAfter(session.id, { ...session }, inner.insert(session)),
    rotate: (oldId, next) => sessions.forgetAfter(oldId, sessions.rememberAfter(next.id, { ...next }, inner.rotate(oldId, next))),
    refresh: (id, changes) => sessions.forgetAfter(id, inner.refresh(id, changes)),
    delete: (id) => sessions.forgetAfter(id, inner.delete(id)),
    // Rare (a deactivation, a password change): forgetting everyone is simpler than finding their sessions.
    deleteForUser: (userId) => sessions.clearAfter(inner.deleteForUser(userId)),
    deleteExpired: (now, idleMs) => sessions.clearAfter(inner.deleteExpired(now, idleMs)),
  };
}
