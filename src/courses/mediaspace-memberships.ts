/**
 * Course membership from what MediaSpace says: a channel's Managers and
 * Moderators instruct the channel's course, its Contributors and Members are
 * its students, and the owner of a private room instructs it. Recorded when
 * they start or join the meeting, or make the room, so the rooms backend
 * shows them their courses.
 *
 * Joins are the hot path and must not write on every one: a membership
 * recorded here is remembered for a while and not written again meanwhile.
 */
import { ShortLivedCache } from '../lib/cache/short-lived-cache.ts';
import type { ChannelLevel } from '../channels/channel-levels.ts';
import type { CourseMemberStore, CourseRole } from './course-member-store.ts';

/** Long enough that a join storm writes each membership once; short enough that a change made elsewhere is caught up soon. */
export const RECORDED_MEMBERSHIP_TTL_MS = 10 * 60_000;

export interface MediaSpaceMemberships {
  record(roomId: string, userId: string, role: CourseRole): Promise<void>;
  /** The membership changed elsewhere (Kaltura said otherwise): the next start or join records it again. */
  forget(roomId: string, userId: string): void;
}

export function createMediaSpaceMemberships(members: Pick<CourseMemberStore, 'recordFromMediaSpace'>, { maxEntries, now = Date.now, ttlMs = RECORDED_MEMBERSHIP_TTL_MS }: { maxEntries: number; now?: () => number; ttlMs?: number }): MediaSpaceMemberships {
  const recorded = new ShortLivedCache<string, true>({ ttlMs, maxEntries, now });
  return {
    async record(roomId, userId, role) {
      await recorded.get(`${roomId}|${userId}|${role}`, async () => {
        await members.recordFromMediaSpace({ roomId, userId, role, addedAt: now() });
        return true;
      });
    },

    forget(roomId, userId) {
      for (const role of ['instructor', 'student'] satisfies CourseRole[]) recorded.forget(`${roomId}|${userId}|${role}`);
    },
  };
}

/** A channel level as a course role: Managers and Moderators instruct, Contributors and Members are students. */
export function courseRoleForChannelLevel(level: ChannelLevel): CourseRole {
  return level === 'manager' || level === 'moderator' ? 'instructor' : 'student';
}
