/**
 * A channel's meeting, decided from Kaltura's own records: the channel
 * (category) must exist and the person's categoryUser membership must be
 * ACTIVE; the role mapping turns their level into room role and permissions.
 */
import { ConflictError, ForbiddenError } from '../lib/errors/app-error.ts';
import { phrase } from '../lib/i18n/phrase.ts';
import type { AuthSession } from '../identity/auth-session-store.ts';
import { kalturaUserIdOf } from '../identity/user-keys.ts';
import type { CachedKalturaGateway } from '../kaltura/cached-kaltura-gateway.ts';
import type { ModuleSettingsService } from '../module-settings/module-settings-service.ts';
import type { LiveSession, LiveSessionStore } from '../rooms/live-session-store.ts';
import type { RemovalCheck, RoomLaunchService } from '../rooms/room-launch-service.ts';
import type { RoomStore } from '../rooms/room-store.ts';
import type { RoomRole } from '../rooms/room-permissions.ts';
import { channelLevelFromKaltura, type ChannelLevel } from './channel-levels.ts';
import { canStartMeeting, meetingActions, roomAccessFor, type MeetingAction } from './role-mapping.ts';
import { courseRoleForChannelLevel, type MediaSpaceMemberships } from '../courses/mediaspace-memberships.ts';
import { RoomActionError, type RoomPlanRules } from '../live-room/live-room-service.ts';

/** Starting a session is the live room's job: Start Meeting and the room's own Start are one operation. */
export interface SessionStarter {
  startSession(roomId: string, startedBy: string): Promise<LiveSession>;
  /** Minutes until a live session with no instructor in it ends by itself; null while an instructor is in it. */
  minutesLeftWithoutInstructor(roomId: string): number | null;
}

export interface MeetingView {
  channelId: number;
  channelName: string;
  membership: ChannelLevel | null;
  roomRole: RoomRole | null;
  actions: MeetingAction[];
  live: boolean;
  /** Live with no instructor in the room: whole minutes (at least 1) until the session ends by itself; otherwise null. */
  endsInMinutes: number | null;
  /** An instructor removed this person from the live meeting: no Join until they are let back in (or it ends). */
  removed: boolean;
  /** The channel's room is on an inactive plan: it cannot go live, so Start is not offered; starters can still join to prepare. */
  inactive: boolean;
}

export interface MeetingLaunch {
  launchUrl: string;
  roomId: string;
  roomRole: RoomRole;
  openInNewTab: boolean;
}

const messages = {
  notMember: phrase('channels:errors.notMember'),
  notMemberHelp: phrase('channels:errors.notMemberHelp'),
  cannotStart: phrase('channels:errors.cannotStart'),
  cannotStartHelp: phrase('channels:errors.cannotStartHelp'),
  refusedHelp: phrase('channels:errors.refusedHelp'),
  mediaSpaceOnly: phrase('channels:errors.mediaSpaceOnly'),
  mediaSpaceOnlyHelp: phrase('channels:errors.mediaSpaceOnlyHelp'),
};

export class ChannelMeetingService {
  readonly #gateway: CachedKalturaGateway;
  readonly #rooms: RoomStore;
  readonly #liveSessions: LiveSessionStore;
  readonly #sessions: SessionStarter;
  readonly #launches: RoomLaunchService;
  readonly #settings: ModuleSettingsService;
  readonly #memberships: MediaSpaceMemberships;
  readonly #plans: Pick<RoomPlanRules, 'canGoLive'>;
  readonly #removals: RemovalCheck;
  readonly #now: () => number;

  constructor(deps: {
    gateway: CachedKalturaGateway;
    rooms: RoomStore;
    liveSessions: LiveSessionStore;
    sessions: SessionStarter;
    launches: RoomLaunchService;
    settings: ModuleSettingsService;
    /** Channel levels recorded as course membership, so the rooms backend shows people their channel's course. */
    memberships: MediaSpaceMemberships;
    /** Whether the channel's room may go live (its plan in the rooms backend). */
    plans: Pick<RoomPlanRules, 'canGoLive'>;
    /** Who an instructor removed from the room, so the card does not offer them a Join that would be refused. */
    removals: RemovalCheck;
    now?: () => number;
  }) {
    this.#gateway = deps.gateway;
    this.#rooms = deps.rooms;
    this.#liveSessions = deps.liveSessions;
    this.#sessions = deps.sessions;
    this.#launches = deps.launches;
    this.#settings = deps.settings;
    this.#memberships = deps.memberships;
    this.#plans = deps.plans;
    this.#removals = deps.removals;
    this.#now = deps.now ?? Date.now;
  }

  async describe(channelId: number, person: AuthSession): Promise<MeetingView> {
    const [{ channelName, level }, settings, { live, inactive, endsInMinutes, roomId }] = await Promise.all([
      this.#accessOf(channelId, person, false),
      this.#settings.current(),
      this.#roomState(channelId),
    ]);
    const removed = roomId !== null && level !== null && (await this.#removals.isRemoved(roomId, person.userId));
    const actions = removed ? [] : meetingActions(level, settings.roleMapping, live);
    return {
      channelId,
      channelName,
      membership: level,
      roomRole: level ? roomAccessFor(level, settings.roleMapping).role : null,
      actions: inactive && actions.includes('start') ? ['join'] : actions,
      live,
      endsInMinutes,
      removed,
      inactive,
    };
  }

  /** Managers and Moderators (by default): the channel's room is made on first use and its session goes live. */
  async start(channelId: number, person: AuthSession): Promise<MeetingLaunch> {
    // Starting grants the most power, so it asks Kaltura afresh instead of trusting what was remembered.
    const { channelName, level } = await this.#accessOf(channelId, person, true);
    const settings = await this.#settings.current();
    if (level === null) throw new ForbiddenError(messages.notMember, { help: messages.notMemberHelp, code: 'NOT_A_CHANNEL_MEMBER' });
    if (!canStartMeeting(level, settings.roleMapping)) throw new ForbiddenError(messages.cannotStart, { help: messages.cannotStartHelp, code: 'CANNOT_START_MEETING' });
    const room = await this.#rooms.ensureChannelRoom(channelId, channelName, this.#now());
    await this.#memberships.record(room.id, person.userId, courseRoleForChannelLevel(level));
    try {
      await this.#sessions.startSession(room.id, person.userId);
    } catch (error) {
      // The live room refused (an inactive course): the same refusal the room's own Start gives.
      if (error instanceof RoomActionError) throw new ConflictError(error.text, { code: error.code, help: messages.refusedHelp });
      throw error;
    }
    const access = roomAccessFor(level, settings.roleMapping);
    return this.#launch(room, person, access.role, access.permissions, settings);
  }

  /** Any active member, with the room role their level maps to. */
  async join(channelId: number, person: AuthSession): Promise<MeetingLaunch> {
    const { channelName, level } = await this.#accessOf(channelId, person, false);
    const settings = await this.#settings.current();
    if (level === null) throw new ForbiddenError(messages.notMember, { help: messages.notMemberHelp, code: 'NOT_A_CHANNEL_MEMBER' });
    const room = await this.#rooms.ensureChannelRoom(channelId, channelName, this.#now());
    await this.#memberships.record(room.id, person.userId, courseRoleForChannelLevel(level));
    const access = roomAccessFor(level, settings.roleMapping);
    return this.#launch(room, person, access.role, access.permissions, settings);
  }

  /** The room role the person's membership gives them now (Kaltura, through the cache, as Join asks); null: not an active member. */
  async roomRoleNow(channelId: number, userId: string): Promise<RoomRole | null> {
    const kalturaUserId = kalturaUserIdOf(userId);
    if (kalturaUserId === null) return null;
    const [{ level }, settings] = await Promise.all([this.#levelOf(channelId, kalturaUserId, false), this.#settings.current()]);
    return level === null ? null : roomAccessFor(level, settings.roleMapping).role;
  }

  /** Channel membership is Kaltura's record of a MediaSpace user, by their Kaltura user id: a backend account has none to look up. */
  async #accessOf(channelId: number, person: AuthSession, fresh: boolean): Promise<{ channelName: string; level: ChannelLevel | null }> {
    const kalturaUserId = kalturaUserIdOf(person.userId);
    if (person.source !== 'mediaspace' || kalturaUserId === null) throw new ForbiddenError(messages.mediaSpaceOnly, { help: messages.mediaSpaceOnlyHelp, code: 'CHANNEL_NEEDS_MEDIASPACE' });
    return this.#levelOf(channelId, kalturaUserId, fresh);
  }

  async #levelOf(channelId: number, kalturaUserId: string, fresh: boolean): Promise<{ channelName: string; level: ChannelLevel | null }> {
    const { channel, membership } = await this.#gateway.getChannelAccess(channelId, kalturaUserId, { fresh });
    const level = membership?.active ? channelLevelFromKaltura(membership.permissionLevel) : null;
    return { channelName: channel.name, level };
  }

  async #roomState(channelId: number): Promise<{ roomId: string | null; live: boolean; inactive: boolean; endsInMinutes: number | null }> {
    const room = await this.#rooms.findByChannel(channelId);
    if (!room) return { roomId: null, live: false, inactive: false, endsInMinutes: null };
    const live = (await this.#liveSessions.findLive(room.id)) !== null;
    const endsInMinutes = live ? this.#sessions.minutesLeftWithoutInstructor(room.id) : null;
    return { roomId: room.id, live, inactive: !this.#plans.canGoLive(room), endsInMinutes };
  }

  #launch(
    room: Awaited<ReturnType<RoomStore['ensureChannelRoom']>>,
    person: AuthSession,
    role: RoomRole,
    permissions: Parameters<RoomLaunchService['launchUrl']>[3],
    settings: Awaited<ReturnType<ModuleSettingsService['current']>>,
  ): MeetingLaunch {
    const launchUrl = this.#launches.launchUrl(room, { id: person.userId, name: person.userName, email: person.userEmail, sessionId: person.id }, role, permissions, settings.launchTokenLifetimeSeconds, { viaChannel: true });
    return { launchUrl, roomId: room.id, roomRole: role, openInNewTab: settings.openInNewTab };
  }
}
