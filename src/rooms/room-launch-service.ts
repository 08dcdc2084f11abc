/**
 * Into a room: Start, Join and My Rooms ask for a launch URL carrying a
 * signed token; the room redeems the token once and admits the person with
 * the role and permissions the token names.
 */
import { ForbiddenError, NotFoundError, UnauthorizedError } from '../lib/errors/app-error.ts';
import { phrase } from '../lib/i18n/phrase.ts';
import { hashOpaqueToken, newOpaqueToken } from '../lib/secrets/opaque-tokens.ts';
import type { LaunchTokens } from './launch-tokens.ts';
import type { PassSessions, PassVerdict, RoomPassGuard } from './room-pass-guard.ts';
import type { RoomPass, RoomPassStore } from './room-pass-store.ts';
import { normalisePermissions, type RoomPermission, type RoomRole } from './room-permissions.ts';
import type { Room, RoomStore } from './room-store.ts';

export interface RoomPerson {
  id: string;
  name: string;
  email: string | null;
  /** The module session (auth_sessions.id) the launch comes from: the pass lasts no longer than it. */
  sessionId: string;
}

export interface LaunchOptions {
  /** The person enters as a member of the room's channel: the pass is re-checked with Kaltura while it is used. */
  viaChannel?: boolean;
}

export interface RoomLaunchOptions {
  passLifetimeMs: number;
  now?: () => number;
}

const messages = {
  reused: phrase('rooms:errors.reused'),
  reusedHelp: phrase('rooms:errors.reusedHelp'),
  wrongRoom: phrase('rooms:errors.wrongRoom'),
  roomGone: phrase('rooms:errors.roomGone'),
  noPass: phrase('rooms:errors.noPass'),
  noPassHelp: phrase('rooms:errors.noPassHelp'),
  removed: phrase('rooms:errors.removed'),
  removedHelp: phrase('rooms:errors.removedHelp'),
  sessionEnded: phrase('rooms:errors.passSessionEnded'),
  notMember: phrase('rooms:errors.passNotMember'),
  expired: phrase('rooms:errors.passExpired'),
};

/** Why a pass no longer admits, as the error the room page (and a refused socket's probe) answers. */
function refusal(verdict: Exclude<PassVerdict, 'ok'>): UnauthorizedError | ForbiddenError {
  if (verdict === 'notMember') return new ForbiddenError(messages.notMember, { help: messages.noPassHelp, code: 'NOT_A_CHANNEL_MEMBER' });
  if (verdict === 'expired') return new UnauthorizedError(messages.expired, { help: messages.noPassHelp, code: 'ROOM_PASS_EXPIRED' });
  return new UnauthorizedError(messages.sessionEnded, { help: messages.noPassHelp, code: 'ROOM_PASS_ENDED' });
}

/** Whether an instructor removed a person from a room's session (they stay out until allowed back). */
export interface RemovalCheck {
  isRemoved(roomId: string, userId: string): Promise<boolean>;
}

export class RoomLaunchService {
  readonly #rooms: RoomStore;
  readonly #passes: RoomPassStore;
  readonly #tokens: LaunchTokens;
  readonly #removals: RemovalCheck;
  readonly #sessions: PassSessions;
  readonly #guard: RoomPassGuard;
  readonly #options: Required<RoomLaunchOptions>;

  constructor(
    rooms: RoomStore,
    passes: RoomPassStore,
    tokens: LaunchTokens,
    { removals, sessions, guard }: { removals: RemovalCheck; sessions: PassSessions; guard: RoomPassGuard },
    options: RoomLaunchOptions,
  ) {
    this.#rooms = rooms;
    this.#passes = passes;
    this.#tokens = tokens;
    this.#removals = removals;
    this.#sessions = sessions;
    this.#guard = guard;
    this.#options = { now: Date.now, ...options };
  }

  /** The URL that admits this person to the room; valid for `lifetimeSeconds`, once. */
  launchUrl(room: Room, person: RoomPerson, role: RoomRole, permissions: readonly RoomPermission[], lifetimeSeconds: number, { viaChannel = false }: LaunchOptions = {}): string {
    const { token } = this.#tokens.sign(
      {
        room: { id: room.id, name: room.name, kind: room.kind, channelId: room.channelId },
        user: { id: person.id, name: person.name, email: person.email },
        role,
        permissions: normalisePermissions(permissions),
        sessionId: person.sessionId,
        viaChannel: viaChannel && room.channelId !== null,
      },
      lifetimeSeconds,
      this.#options.now(),
    );
    return `/rooms/${encodeURIComponent(room.id)}/launch?token=${encodeURIComponent(token)}`;
  }

  /** Verifies and consumes a launch token; answers the cookie value of the new room pass. */
  async redeem(roomId: string, token: string): Promise<{ passToken: string; pass: RoomPass }> {
    const now = this.#options.now();
    const claims = this.#tokens.verify(token, now);
    if (claims.room.id !== roomId) throw new UnauthorizedError(messages.wrongRoom, { help: messages.noPassHelp, code: 'LAUNCH_TOKEN_WRONG_ROOM' });
    if (!(await this.#rooms.findById(roomId))) throw new NotFoundError(messages.roomGone, { code: 'ROOM_NOT_FOUND' });
    if (await this.#removals.isRemoved(roomId, claims.sub)) throw new ForbiddenError(messages.removed, { help: messages.removedHelp, code: 'REMOVED_FROM_ROOM' });
    // Signed out between the launch and its redemption: nothing to admit.
    const session = await this.#sessions.holdSession(claims.sid);
    if (!session || session.expiresAt <= now) throw refusal('sessionEnded');

    const passToken = newOpaqueToken();
    const pass: RoomPass = {
      id: hashOpaqueToken(passToken),
      roomId,
      userId: claims.sub,
      userName: claims.user.name,
      userEmail: claims.user.email,
      role: claims.role,
      permissions: claims.permissions,
      launchJti: claims.jti,
      createdAt: now,
      expiresAt: Math.min(now + this.#options.passLifetimeMs, session.expiresAt),
      authSessionId: claims.sid,
      channelId: claims.viaChannel ? claims.room.channelId : null,
    };
    const fresh = await this.#passes.redeem(pass, claims.exp * 1000);
    if (!fresh) throw new UnauthorizedError(messages.reused, { help: messages.reusedHelp, code: 'LAUNCH_TOKEN_REPLAYED' });
    return { passToken, pass };
  }

  /** The room and the pass behind a room cookie, while the pass still admits; refused with the reason otherwise. */
  async enter(roomId: string, passToken: string | undefined): Promise<{ room: Room; pass: RoomPass }> {
    const pass = passToken ? await this.#passes.findById(hashOpaqueToken(passToken)) : null;
    if (!pass || pass.roomId !== roomId) throw new UnauthorizedError(messages.noPass, { help: messages.noPassHelp, code: 'NO_ROOM_PASS' });
    const verdict = await this.#guard.judge(pass);
    if (verdict !== 'ok') throw refusal(verdict);
    const room = await this.#rooms.findById(roomId);
    if (!room) throw new NotFoundError(messages.roomGone, { code: 'ROOM_NOT_FOUND' });
    return { room, pass };
  }

  purgeExpired(): Promise<void> {
    return this.#passes.deleteExpired(this.#options.now());
  }
}
