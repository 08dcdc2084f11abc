/**
 * Whether a room pass still admits its holder. A pass is worth no more than
 * what granted it: it ends at its own expiry, when the module session that
 * launched it ends (signed out, account deactivated, expired), and, for a pass
 * granted by channel membership, when Kaltura no longer lists the person as an
 * active member of the channel. The room page, the room's socket on connect,
 * and open sockets (periodically, and at once when a person's sessions end)
 * all ask here.
 *
 * Kaltura is asked at most once per `recheckMs` per pass (and the cached
 * gateway answers within its own lifetime); when Kaltura cannot answer, the
 * pass keeps working until it can: an outage is not a removal. A channel
 * Kaltura no longer has has no members.
 */
import { LRUCache } from 'lru-cache';
import { NotFoundError } from '../lib/errors/app-error.ts';
import type { Logger } from '../lib/logger/logger.ts';
import type { RoomPass, RoomPassStore } from './room-pass-store.ts';
import type { RoomRole } from './room-permissions.ts';

/** ok, or why the pass no longer admits: its module session ended, its holder left the channel, or its time is up. */
export type PassVerdict = 'ok' | 'sessionEnded' | 'notMember' | 'expired';

/** The module session behind a pass (the identity capability). */
export interface PassSessions {
  /**
   * The session, while it lasts; null once it ended. Being in a room counts as activity,
   * so a long meeting does not let the session go idle under the person.
   */
  holdSession(sessionId: string): Promise<{ expiresAt: number } | null>;
}

/** The room role a channel's membership gives the person now, as Kaltura says; null: not an active member. */
export interface ChannelRoleCheck {
  roomRoleNow(channelId: number, userId: string): Promise<RoomRole | null>;
}

export interface RoomPassGuardDeps {
  passes: Pick<RoomPassStore, 'findById'>;
  sessions: PassSessions;
  channels: ChannelRoleCheck;
  /** How long a channel membership, once confirmed, is trusted before Kaltura is asked again. */
  recheckMs: number;
  maxEntries: number;
  logger: Logger;
  now: () => number;
}

export class RoomPassGuard {
  readonly #deps: RoomPassGuardDeps;
  /** Pass id → when Kaltura last confirmed the channel membership behind it. */
  readonly #confirmedAt: LRUCache<string, number>;

  constructor(deps: RoomPassGuardDeps) {
    this.#deps = deps;
    this.#confirmedAt = new LRUCache({ max: deps.maxEntries });
  }

  /** The verdict on a pass read afresh by id: a pass that is gone has ended. */
  async verdictFor(passId: string): Promise<PassVerdict> {
    const pass = await this.#deps.passes.findById(passId);
    return pass ? this.judge(pass) : 'sessionEnded';
  }

  async judge(pass: RoomPass): Promise<PassVerdict> {
    const now = this.#deps.now();
    if (pass.expiresAt <= now) return 'expired';
    const session = pass.authSessionId === null ? null : await this.#deps.sessions.holdSession(pass.authSessionId);
    if (!session || session.expiresAt <= now) return 'sessionEnded';
    if (pass.channelId !== null && !(await this.#stillMember(pass, pass.channelId))) return 'notMember';
    return 'ok';
  }

  async #stillMember(pass: RoomPass, channelId: number): Promise<boolean> {
    const confirmedAt = this.#confirmedAt.get(pass.id);
    if (confirmedAt !== undefined && this.#deps.now() - confirmedAt < this.#deps.recheckMs) return true;
    let role: RoomRole | null;
    try {
      role = await this.#deps.channels.roomRoleNow(channelId, pass.userId);
    } catch (error) {
      if (error instanceof NotFoundError) return false;
      this.#deps.logger.warn({ err: error, channelId }, 'checking the channel membership behind a room pass failed; the pass stays until Kaltura answers');
      return true;
    }
    // A pass carries the role it was launched with: an instructor demoted to member launches again as one.
    const still = role !== null && (pass.role === 'participant' || role === 'instructor');
    if (still) this.#confirmedAt.set(pass.id, this.#deps.now());
    return still;
  }
}
