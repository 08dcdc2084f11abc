/**
 * Whether a room's session is live, remembered for a moment: every look at
 * a channel's meeting asks. A Start or an End through this store takes
 * effect here at once, so the person who pressed Start and everyone on this
 * instance see the meeting live straight away; one started or ended by
 * another instance of the service is seen here within LIVE_SESSION_TTL_MS.
 */
import { ShortLivedCache } from '../lib/cache/short-lived-cache.ts';
import type { LiveSession, LiveSessionStore } from './live-session-store.ts';
import type { RoomCacheInvalidation } from './cached-room-store.ts';

export const LIVE_SESSION_TTL_MS = 2_000;

export interface CachedLiveSessionStoreOptions {
  maxEntries: number;
  ttlMs?: number;
  now?: () => number;
}

export function createCachedLiveSessionStore(inner: LiveSessionStore, { maxEntries, ttlMs = LIVE_SESSION_TTL_MS, now }: CachedLiveSessionStoreOptions): LiveSessionStore & RoomCacheInvalidation {
  const liveByRoom = new ShortLivedCache<string, LiveSession | null>({ ttlMs, maxEntries, now });
  return {
    findLive: (roomId) => liveByRoom.get(roomId, () => inner.findLive(roomId)),
    startLive: (roomId, startedBy, at) => liveByRoom.forgetAfter(roomId, inner.startLive(roomId, startedBy, at)),
    // An end names the session, not its room; ends are rare enough to forget every room.
    end: (sessionId, endedBy, reason, at) => liveByRoom.clearAfter(inner.end(sessionId, endedBy, reason, at)),
    listLive: () => inner.listLive(),
    // A deleted room's sessions went with it.
    forgetRoom: (room) => liveByRoom.forget(room.id),
  };
}
