/**
 * Channel rooms, remembered briefly: every join and every look at a
 * channel's meeting asks for the channel's room, which is made once and
 * afterwards changes only when the channel is renamed. Writes through this
 * store take effect here at once; a room made or renamed by another instance
 * of the service is seen here within ROOM_BY_CHANNEL_TTL_MS.
 */
import { ShortLivedCache } from '../lib/cache/short-lived-cache.ts';
import type { Room, RoomStore } from './room-store.ts';

/** As long as a channel's name is remembered from Kaltura (cache.channelTtlSeconds by default). */
export const ROOM_BY_CHANNEL_TTL_MS = 60_000;

/**
 * Writes to rooms made outside these stores (a course saved or deleted in the
 * rooms backend: name, plan, the room itself) tell the caches here, so this
 * instance never serves what was just changed.
 */
export interface RoomCacheInvalidation {
  forgetRoom(room: { id: string; channelId: number | null }): void;
}

export interface CachedRoomStoreOptions {
  maxEntries: number;
  ttlMs?: number;
  now?: () => number;
}

export function createCachedRoomStore(inner: RoomStore, { maxEntries, ttlMs = ROOM_BY_CHANNEL_TTL_MS, now }: CachedRoomStoreOptions): RoomStore & RoomCacheInvalidation {
  const byChannel = new ShortLivedCache<number, Room | null>({ ttlMs, maxEntries, now });
  const findByChannel = (channelId: number) => byChannel.get(channelId, () => inner.findByChannel(channelId));

  return {
    findById: (id) => inner.findById(id),
    findByChannel,

    async ensureChannelRoom(channelId, channelName, at) {
      // Every join after the first: the room exists under the channel's current name and there is nothing to write.
      const known = await findByChannel(channelId);
      if (known?.name === channelName) return known;
      return byChannel.forgetAfter(channelId, inner.ensureChannelRoom(channelId, channelName, at));
    },

    // Private rooms have no channel: nothing remembered here changes.
    createPrivateRoom: (ownerUserId, name, at) => inner.createPrivateRoom(ownerUserId, name, at),
    listPrivateRooms: (ownerUserId) => inner.listPrivateRooms(ownerUserId),
    countPrivateRooms: (ownerUserId) => inner.countPrivateRooms(ownerUserId),

    forgetRoom(room) {
      if (room.channelId !== null) byChannel.forget(room.channelId);
    },
  };
}
