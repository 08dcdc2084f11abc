/**
 * My Rooms: personal rooms of MediaSpace users with the Private Only role and
 * above. Each room belongs to the user who made it; nobody else sees it or
 * launches it, and its owner always enters as its main instructor.
 */
import { ConflictError, NotFoundError } from '../lib/errors/app-error.ts';
import { parseInput } from '../lib/http/validate.ts';
import { phrase } from '../lib/i18n/phrase.ts';
import type { AuthSession } from '../identity/auth-session-store.ts';
import type { ModuleSettingsService } from '../module-settings/module-settings-service.ts';
import type { LiveSessionStore } from '../rooms/live-session-store.ts';
import type { RoomLaunchService } from '../rooms/room-launch-service.ts';
import { ALL_ROOM_PERMISSIONS } from '../rooms/room-permissions.ts';
import type { Room, RoomStore } from '../rooms/room-store.ts';
import type { MediaSpaceMemberships } from '../courses/mediaspace-memberships.ts';
import { z } from 'zod';

export const ROOM_NAME_MAX = 100;

/** Problems are keys of my-rooms.json (fields.name.*), said in the person's language where they are shown. */
export const newRoomSchema = z.object({
  name: z
    .string({ error: 'my-rooms:fields.name.required' })
    .transform((name) => name.normalize('NFC').replace(/\s+/g, ' ').trim())
    .pipe(z.string().min(1, 'my-rooms:fields.name.required').max(ROOM_NAME_MAX, 'my-rooms:fields.name.tooLong'))
    // Control and format characters make names that look like other names.
    .refine((name) => !/[\p{Cc}\p{Cf}]/u.test(name), 'my-rooms:fields.name.invisible'),
});

const messages = {
  notCreated: phrase('my-rooms:errors.notCreated'),
  tooMany: (max: number) => phrase('my-rooms:errors.tooMany', { count: max }),
  tooManyHelp: phrase('my-rooms:errors.tooManyHelp'),
  noSuchRoom: phrase('my-rooms:errors.noSuchRoom'),
  noSuchRoomHelp: phrase('my-rooms:errors.noSuchRoomHelp'),
};

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
    const { name } = parseInput(newRoomSchema, input, messages.notCreated, { max: ROOM_NAME_MAX }, { name: phrase('my-rooms:new.name') });
    const { maxPrivateRoomsPerUser } = await this.#settings.current();
    if ((await this.#rooms.countPrivateRooms(owner.userId)) >= maxPrivateRoomsPerUser) {
      throw new ConflictError(messages.tooMany(maxPrivateRoomsPerUser), { code: 'TOO_MANY_ROOMS', help: messages.tooManyHelp });
    }
    const room = await this.#rooms.createPrivateRoom(owner.userId, name, this.#now());
    await this.#memberships.record(room.id, owner.userId, 'instructor');
    return room;
  }

  async launch(owner: AuthSession, roomId: string): Promise<{ launchUrl: string; roomId: string; roomRole: 'instructor'; openInNewTab: boolean }> {
    const room = await this.#rooms.findById(roomId);
    // Another person's room and no room at all look the same from outside.
    if (!room || room.kind !== 'private' || room.ownerUserId !== owner.userId) {
      throw new NotFoundError(messages.noSuchRoom, { code: 'ROOM_NOT_FOUND', help: messages.noSuchRoomHelp });
    }
    const settings = await this.#settings.current();
    const person = { id: owner.userId, name: owner.userName, email: owner.userEmail, sessionId: owner.id };
    const launchUrl = this.#launches.launchUrl(room, person, 'instructor', ALL_ROOM_PERMISSIONS, settings.launchTokenLifetimeSeconds);
    return { launchUrl, roomId: room.id, roomRole: 'instructor', openInNewTab: settings.openInNewTab };
  }
}
