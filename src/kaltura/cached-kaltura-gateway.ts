/**
 * Remembers what Kaltura said for a short, bounded time so that the warm path
 * of a join costs at most one Kaltura call. Concurrent look-ups of the same
 * key share one request. Decisions that grant more power (Start) ask with
 * `fresh: true`, which goes to Kaltura and refreshes what is remembered.
 */
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { ChannelAccess, ChannelMembership, KalturaGateway, KsIdentity } from './kaltura-gateway.ts';
import type { KalturaCategory } from './kaltura-records.ts';

export interface CacheOptions {
  ksTtlSeconds: number;
  channelTtlSeconds: number;
  membershipTtlSeconds: number;
  maxEntries: number;
  now?: () => number;
}

export interface ChannelAccessOptions {
  /** Skip what is remembered and ask Kaltura. */
  fresh?: boolean;
}

export interface CachedKalturaGateway extends Omit<KalturaGateway, 'getChannelAccess'> {
  getChannelAccess(channelId: number, userId: string, options?: ChannelAccessOptions): Promise<ChannelAccess>;
  /** Forget what is remembered about a channel (its record and every membership in it). */
  forgetChannel(channelId: number): void;
}

/** lru-cache stores no undefined/null; a membership of "none" is a value worth remembering. */
interface MembershipEntry {
  membership: ChannelMembership | null;
}

export function createCachedKalturaGateway(inner: KalturaGateway, options: CacheOptions): CachedKalturaGateway {
  const now = options.now ?? Date.now;
  const max = options.maxEntries;
  // The caches age on the service's clock, so tests can move time instead of sleeping. lru-cache
  // would otherwise reuse one reading of the clock until a 1 ms timer fires, which a busy event
  // loop runs late: a lifetime would then end a little after its time.
  const perf = { now };
  const clock = { perf, ttlResolution: 0 };

  const identities = new LRUCache<string, KsIdentity>({
    max,
    ...clock,
    ttl: seconds(options.ksTtlSeconds),
    fetchMethod: async (_key, _stale, { context, options: entryOptions }) => {
      const identity = await inner.resolveKs(context as string);
      // Never remember a KS past the moment Kaltura stops honouring it.
      entryOptions.ttl = Math.max(1, Math.min(seconds(options.ksTtlSeconds), identity.expiresAt - now()));
      return identity;
    },
  });
  const channels = new LRUCache<number, KalturaCategory>({ max, ...clock, ttl: seconds(options.channelTtlSeconds) });
  const memberships = new LRUCache<string, MembershipEntry>({ max, ...clock, ttl: seconds(options.membershipTtlSeconds) });
  const inFlight = new Map<string, Promise<ChannelAccess>>();

  async function loadAccess(channelId: number, userId: string): Promise<ChannelAccess> {
    const knownChannel = channels.get(channelId);
    if (knownChannel) {
      const membership = await inner.getMembership(channelId, userId);
      memberships.set(membershipKey(channelId, userId), { membership });
      return { channel: knownChannel, membership };
    }
    const access = await inner.getChannelAccess(channelId, userId);
    channels.set(channelId, access.channel);
    memberships.set(membershipKey(channelId, userId), { membership: access.membership });
    return access;
  }

  return {
    ...inner,
    callCount: () => inner.callCount(),
    startUserSession: (userId, expirySeconds) => inner.startUserSession(userId, expirySeconds),
    listUsers: () => inner.listUsers(),
    listUserChannels: (userId) => inner.listUserChannels(userId),

    async resolveKs(ks) {
      const identity = await identities.fetch(hashKs(ks), { context: ks });
      return identity!;
    },

    async getChannel(channelId) {
      const known = channels.get(channelId);
      if (known) return known;
      const channel = await inner.getChannel(channelId);
      channels.set(channelId, channel);
      return channel;
    },

    async getMembership(channelId, userId) {
      const known = memberships.get(membershipKey(channelId, userId));
      if (known) return known.membership;
      const membership = await inner.getMembership(channelId, userId);
      memberships.set(membershipKey(channelId, userId), { membership });
      return membership;
    },

    async getChannelAccess(channelId, userId, { fresh = false } = {}) {
      if (fresh) {
        channels.delete(channelId);
        memberships.delete(membershipKey(channelId, userId));
      } else {
        const channel = channels.get(channelId);
        const entry = memberships.get(membershipKey(channelId, userId));
        if (channel && entry) return { channel, membership: entry.membership };
      }
      const key = membershipKey(channelId, userId);
      const pending = inFlight.get(key);
      if (pending && !fresh) return pending;
      const loading = loadAccess(channelId, userId).finally(() => inFlight.delete(key));
      inFlight.set(key, loading);
      return loading;
    },

    forgetChannel(channelId) {
      channels.delete(channelId);
      const prefix = `${channelId}:`;
      for (const key of memberships.keys()) if (key.startsWith(prefix)) memberships.delete(key);
    },
  };
}

function seconds(value: number): number {
  return value * 1000;
}

function membershipKey(channelId: number, userId: string): string {
  return `${channelId}:${userId}`;
}

/** Keys are hashes: the cache never holds a usable credential as its key. */
function hashKs(ks: string): string {
  return createHash('sha256').update(ks).digest('base64url');
}
