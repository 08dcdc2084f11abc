/**
 * My Rooms: personal rooms of MediaSpace users with the Private Only role and
 * above. Each room belongs to the user who made it; nobody else sees it or
 * launches it, and its owner always enters as its main instructor.
 */
import { ConflictError, NotFoundError } from '../lib/errors/app-error.ts';
import { parseInput } from '../lib/http/validate.ts';
import type { AuthSession } from '../identity/auth-session-store.ts';
import type { ModuleSettingsService } from '../module-settings/module-settings-service.ts';
import type { LiveSessionStore } from '../rooms/live-session-store.ts';
import type { RoomLaunchService } from '../rooms/room-launch-service.ts';
import { ALL_ROOM_PERMISSIONS } from '../rooms/room-permissions.ts';
import type { Room, RoomStore } from '../rooms/room-store.ts';
import type { MediaSpaceMemberships } from '../courses/mediaspace-memberships.ts';
import { z } from 'zod';

export const ROOM_NAME_MAX = 100;

export const newRoomSchema = z.object({
  name: z
    .string({ error: 'is required' })
    .transform((name) => name.normalize('NFC').replace(/\s+/g, ' ').trim())
    .pipe(z.string().min(1, 'is required').max(ROOM_NAME_MAX, `must be at most ${ROOM_NAME_MAX} characters`))
    // Control and format characters make names that look like other names.
    .refine((name) => !/[\p{Cc}\p{Cf}]/u.test(name), 'must not contain invisible characters'),
});

export interface PrivateRoomView extends Room {
  live: boolean;
}

export class MyRoomsService {
  readonly #rooms: RoomStore;
  readonly #liveSessions: LiveSessionStore;
  readonly #launches: RoomLaunchService;
  readonly #settings: ModuleSettingsService;
  readonly #memberships: MediaSpaceMemberships;
  readonly #now: () => number;

  /** `memberships` records each room's owner as its instructor, so the rooms backend shows it among their courses. */
  constructor(deps: { rooms: RoomStore; liveSessions: LiveSessionStore; launches: RoomLaunchService; settings: ModuleSettingsService; memberships: MediaSpaceMemberships; now?: () => number }) {
    this.#rooms = deps.rooms;
    this.#liveSessions = deps.liveSessions;
    this.#launches = deps.launches;
    this.#settings = deps.settings;
    this.#memberships = deps.memberships;
    this.#now = deps.now ?? Date.now;
  }

  async list(owner: AuthSession): Promise<PrivateRoomView[]> {
    const rooms = await this.#rooms.listPrivateRooms(owner.userId);
    return Promise.all(rooms.map(async (room) => ({ ...room, live: (await this.#liveSessions.findLive(room.id)) !== null })));
  }

  async create(owner: AuthSession, input: unknown): Promise<Room> {
    const { name } = parseInput(newRoomSchema, input, 'The room was not created.');
    const { maxPrivateRoomsPerUser } = await this.#settings.current();
    if ((await this.#rooms.countPrivateRooms(owner.userId)) >= maxPrivateRoomsPerUser) {
      throw new ConflictError(`You already have ${maxPrivateRoomsPerUser} rooms, the most one person may have.`, { code: 'TOO_MANY_ROOMS', help: 'Use one of your rooms, or ask an administrator to raise the limit.' });
    }
    const room = await this.#rooms.createPrivateRoom(owner.userId, name, this.#now());
    await this.#memberships.record(room.id, owner.userId, 'instructor');
    return room;
  }

  async launch(owner: AuthSession, roomId: string): Promise<{ launchUrl: string; roomId: string; roomRole: 'instructor'; openInNewTab: boolean }> {
    const room = await this.#rooms.findById(roomId);
    // Another person's room and no room at all look the same from outside.
    if (!room || room.kind !== 'private' || room.ownerUserId !== owner.userId) {
      throw new NotFoundError('You have no room with this address.', { code: 'ROOM_NOT_FOUND', help: 'Pick one of the rooms listed on My Rooms.' });
    }
    const settings = await this.#settings.current();
    const person = { id: owner.userId, name: owner.userName, email: owner.userEmail };
    const launchUrl = this.#launches.launchUrl(room, person, 'instructor', ALL_ROOM_PERMISSIONS, settings.launchTokenLifetimeSeconds);
    return { launchUrl, roomId: room.id, roomRole: 'instructor', openInNewTab: settings.openInNewTab };
  }
}
