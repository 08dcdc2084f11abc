/**
 * My Rooms: personal rooms of MediaSpace users with the Private Only role and
 * above. Each room belongs to the user who made it; nobody else sees it on
 * My Rooms or launches it from there, and its owner always enters as its main
 * instructor. The owner may give the room an invitation link: anyone signed in
 * to MediaSpace who opens it joins as a participant, until the owner turns the
 * link off or makes a new one.
 */
import { ConflictError, ForbiddenError, NotFoundError } from '../lib/errors/app-error.ts';
import { parseInput } from '../lib/http/validate.ts';
import { phrase } from '../lib/i18n/phrase.ts';
import type { AuthSession } from '../identity/auth-session-store.ts';
import type { ModuleSettingsService } from '../module-settings/module-settings-service.ts';
import type { LiveSessionStore } from '../rooms/live-session-store.ts';
import type { RoomLaunchService } from '../rooms/room-launch-service.ts';
import { ALL_ROOM_PERMISSIONS, INVITED_PARTICIPANT_PERMISSIONS } from '../rooms/room-permissions.ts';
import type { InvitationCodes } from './invitation-codes.ts';
import type { RoomInvitationStore } from './room-invitation-store.ts';
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
  invitationGone: phrase('my-rooms:errors.invitationGone'),
  invitationGoneHelp: phrase('my-rooms:errors.invitationGoneHelp'),
  invitationMediaSpaceOnly: phrase('my-rooms:errors.invitationMediaSpaceOnly'),
  invitationMediaSpaceOnlyHelp: phrase('my-rooms:errors.invitationMediaSpaceOnlyHelp'),
};

export interface PrivateRoomView extends Room {
  live: boolean;
  /** The room's invitation link; null: it has none. */
  invitationUrl: string | null;
}

export interface RoomInvitationDeps {
  store: RoomInvitationStore;
  codes: InvitationCodes;
  /** The service's public address, which invitation links start with. */
  publicUrl: string;
}

type Launch = { launchUrl: string; roomId: string; roomRole: 'instructor' | 'participant'; openInNewTab: boolean };

export class MyRoomsService {
  readonly #rooms: RoomStore;
  readonly #liveSessions: LiveSessionStore;
  readonly #launches: RoomLaunchService;
  readonly #settings: ModuleSettingsService;
  readonly #memberships: MediaSpaceMemberships;
  readonly #invitations: RoomInvitationDeps;
  readonly #now: () => number;

  /** `memberships` records each room's owner as its instructor, so the rooms backend shows it among their courses. */
  constructor(deps: {
    rooms: RoomStore;
    liveSessions: LiveSessionStore;
    launches: RoomLaunchService;
    settings: ModuleSettingsService;
    memberships: MediaSpaceMemberships;
    invitations: RoomInvitationDeps;
    now?: () => number;
  }) {
    this.#rooms = deps.rooms;
    this.#liveSessions = deps.liveSessions;
    this.#launches = deps.launches;
    this.#settings = deps.settings;
    this.#memberships = deps.memberships;
    this.#invitations = deps.invitations;
    this.#now = deps.now ?? Date.now;
  }

  async list(owner: AuthSession): Promise<PrivateRoomView[]> {
    const rooms = await this.#rooms.listPrivateRooms(owner.userId);
    return Promise.all(
      rooms.map(async (room) => ({ ...room, live: (await this.#liveSessions.findLive(room.id)) !== null, invitationUrl: await this.#invitationUrl(room.id) })),
    );
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

  async launch(owner: AuthSession, roomId: string): Promise<Launch> {
    return this.#launch(await this.#ownRoom(owner, roomId), owner);
  }

  /** A new invitation link for the owner's room; the one before, if any, stops working. */
  async renewInvitation(owner: AuthSession, roomId: string): Promise<string> {
    const room = await this.#ownRoom(owner, roomId);
    const nonce = this.#invitations.codes.newNonce();
    await this.#invitations.store.replace(room.id, nonce, owner.userId, this.#now());
    return this.#linkFor(nonce);
  }

  async revokeInvitation(owner: AuthSession, roomId: string): Promise<void> {
    await this.#invitations.store.remove((await this.#ownRoom(owner, roomId)).id);
  }

  /** The link the room page shows its owner; null for anyone else, or while the room has none. */
  async invitationFor(room: Pick<Room, 'id' | 'kind' | 'ownerUserId'>, userId: string): Promise<string | null> {
    return room.kind === 'private' && room.ownerUserId === userId ? this.#invitationUrl(room.id) : null;
  }

  /** The room an invitation code leads to, while the link is on. */
  async invitedRoom(code: string): Promise<Room> {
    const nonce = this.#invitations.codes.nonceOf(code);
    const roomId = nonce === null ? null : await this.#invitations.store.roomOf(nonce);
    const room = roomId === null ? null : await this.#rooms.findById(roomId);
    if (!room || room.kind !== 'private') throw new NotFoundError(messages.invitationGone, { code: 'INVITATION_NOT_FOUND', help: messages.invitationGoneHelp });
    return room;
  }

  /** Into a room by its invitation: anyone signed in to MediaSpace, as a participant (its owner as its instructor). */
  async joinByInvitation(person: AuthSession, code: string): Promise<Launch> {
    const room = await this.invitedRoom(code);
    if (person.source !== 'mediaspace') {
      throw new ForbiddenError(messages.invitationMediaSpaceOnly, { code: 'INVITATION_NEEDS_MEDIASPACE', help: messages.invitationMediaSpaceOnlyHelp });
    }
    // Not recorded as course membership: a guest by link is gone from the room once the link is.
    return this.#launch(room, person, room.ownerUserId === person.userId ? 'instructor' : 'participant');
  }

  async #ownRoom(owner: AuthSession, roomId: string): Promise<Room> {
    const room = await this.#rooms.findById(roomId);
    // Another person's room and no room at all look the same from outside.
    if (!room || room.kind !== 'private' || room.ownerUserId !== owner.userId) {
      throw new NotFoundError(messages.noSuchRoom, { code: 'ROOM_NOT_FOUND', help: messages.noSuchRoomHelp });
    }
    return room;
  }

  async #launch(room: Room, person: AuthSession, role: 'instructor' | 'participant' = 'instructor'): Promise<Launch> {
    const settings = await this.#settings.current();
    const permissions = role === 'instructor' ? ALL_ROOM_PERMISSIONS : INVITED_PARTICIPANT_PERMISSIONS;
    const launchUrl = this.#launches.launchUrl(room, { id: person.userId, name: person.userName, email: person.userEmail, sessionId: person.id }, role, permissions, settings.launchTokenLifetimeSeconds);
    return { launchUrl, roomId: room.id, roomRole: role, openInNewTab: settings.openInNewTab };
  }

  async #invitationUrl(roomId: string): Promise<string | null> {
    const nonce = await this.#invitations.store.nonceOf(roomId);
    return nonce === null ? null : this.#linkFor(nonce);
  }

  #linkFor(nonce: string): string {
    return new URL(`/room-invitations/${this.#invitations.codes.codeFor(nonce)}`, this.#invitations.publicUrl).href;
  }
}
