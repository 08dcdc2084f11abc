/**
 * Course membership as the rooms backend's access decisions need it: a
 * membership recorded from a person's level in a channel (source 'mediaspace',
 * a channel's room) is checked against Kaltura's categoryUser record before it
 * is answered, so authorisation follows Kaltura: no longer an active member,
 * the membership is removed and nothing is answered; another level, the role
 * follows it. Kaltura's answer is remembered for `cache.membershipTtlSeconds`
 * by the cached gateway, so this costs at most one call per channel and person
 * in that time.
 *
 * Not checked: memberships an administrator set in the backend (source
 * 'backend'; the administrator decides) and the owner of a private room (the
 * module keeps that record itself).
 *
 * When Kaltura cannot answer, the gateway's UpstreamError (502/504) goes to the
 * caller and nothing is changed: the recorded role may be exactly what was
 * taken away, and answering "none" would look like a removal that never happened.
 */
import { channelLevelFromKaltura } from '../channels/channel-levels.ts';
import type { CachedKalturaGateway } from '../kaltura/cached-kaltura-gateway.ts';
import { kalturaUserIdOf } from '../identity/user-keys.ts';
import type { CourseMemberStore, CourseRole, MembershipInRoom } from './course-member-store.ts';
import { courseRoleForChannelLevel, type MediaSpaceMemberships } from './mediaspace-memberships.ts';

export interface VerifiedCourseMembersDeps {
  members: CourseMemberStore;
  gateway: Pick<CachedKalturaGateway, 'getMembership'>;
  /** Told about every change, so the next start or join records the membership again. */
  recorder: Pick<MediaSpaceMemberships, 'forget'>;
}

/**
 * The store, with roleIn and isInstructorAnywhere answered after the check.
 * isInstructorAnywhere checks every channel membership of the person, so what
 * is read from the records later in the same request (their course and file
 * lists) already follows Kaltura.
 */
export function createVerifiedCourseMembers({ members, gateway, recorder }: VerifiedCourseMembersDeps): CourseMemberStore {
  async function currentRole(membership: MembershipInRoom): Promise<CourseRole | null> {
    if (membership.source !== 'mediaspace' || membership.channelId === null) return membership.role;
    // Only a MediaSpace user can hold a channel level; a channel membership on anyone else's key counts for nothing.
    const kalturaUserId = kalturaUserIdOf(membership.userId);
    const record = kalturaUserId === null ? null : await gateway.getMembership(membership.channelId, kalturaUserId);
    const level = record?.active ? channelLevelFromKaltura(record.permissionLevel) : null;
    const role = level === null ? null : courseRoleForChannelLevel(level);
    if (role !== membership.role) {
      await members.followMediaSpace(membership.roomId, membership.userId, role);
      recorder.forget(membership.roomId, membership.userId);
    }
    return role;
  }

  return {
    ...members,

    async roleIn(roomId, userId) {
      const membership = await members.findInRoom(roomId, userId);
      return membership ? currentRole(membership) : null;
    },

    async isInstructorAnywhere(userId) {
      const roles = await Promise.all((await members.listInRoomsOf(userId)).map(currentRole));
      return roles.includes('instructor');
    },
  };
}
