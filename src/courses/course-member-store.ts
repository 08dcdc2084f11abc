/**
 * Who belongs to which course and as what. Backend accounts are added by an
 * administrator; MediaSpace users are recorded from Kaltura's own records when
 * they start or join their channel's meeting (their channel level) or create
 * a private room (its owner), so the backend decides from the module's
 * records, never from what a browser says.
 */
import type { Db } from '../lib/db/database.ts';

export type CourseRole = 'instructor' | 'student';
export type MembershipSource = 'backend' | 'mediaspace';

export interface CourseMembership {
  roomId: string;
  userId: string;
  role: CourseRole;
  source: MembershipSource;
  addedAt: number;
}

export interface MembershipInRoom extends CourseMembership {
  /** The channel, when the room is a channel's room; null for private rooms and backend courses. */
  channelId: number | null;
}

export interface CourseMemberStore {
  roleIn(roomId: string, userId: string): Promise<CourseRole | null>;
  findInRoom(roomId: string, userId: string): Promise<MembershipInRoom | null>;
  listInRoomsOf(userId: string): Promise<MembershipInRoom[]>;
  listForUser(userId: string): Promise<CourseMembership[]>;
  listForCourse(roomId: string): Promise<CourseMembership[]>;
  isInstructorAnywhere(userId: string): Promise<boolean>;
  /** Adds or changes one membership. */
  put(membership: CourseMembership): Promise<void>;
  /**
   * Records what MediaSpace says (a channel level, a room's owner): adds the membership or
   * follows a change of role, but leaves one an administrator set in the backend as it is.
   */
  recordFromMediaSpace(membership: Omit<CourseMembership, 'source'>): Promise<void>;
  /**
   * Follows what Kaltura says now about a membership recorded from MediaSpace: a new role, or
   * none (removed). A membership an administrator set in the meantime is left as it is.
   */
  followMediaSpace(roomId: string, userId: string, role: CourseRole | null): Promise<void>;
  remove(roomId: string, userId: string): Promise<void>;
}

export function createCourseMemberStore(db: Db): CourseMemberStore {
  return {
    async roleIn(roomId, userId) {
      const row = await db.selectFrom('course_members').select('role').where('room_id', '=', roomId).where('user_id', '=', userId).executeTakeFirst();
      return row ? (row.role as CourseRole) : null;
    },

    async findInRoom(roomId, userId) {
      const row = await withRoom(db).where('course_members.room_id', '=', roomId).where('course_members.user_id', '=', userId).executeTakeFirst();
      return row ? toMembershipInRoom(row) : null;
    },

    async listInRoomsOf(userId) {
      return (await withRoom(db).where('course_members.user_id', '=', userId).execute()).map(toMembershipInRoom);
    },

    async listForUser(userId) {
      const rows = await db.selectFrom('course_members').selectAll().where('user_id', '=', userId).execute();
      return rows.map(toMembership);
    },

    async listForCourse(roomId) {
      const rows = await db.selectFrom('course_members').selectAll().where('room_id', '=', roomId).orderBy('added_at').execute();
      return rows.map(toMembership);
    },

    async isInstructorAnywhere(userId) {
      const row = await db.selectFrom('course_members').select('room_id').where('user_id', '=', userId).where('role', '=', 'instructor').limit(1).executeTakeFirst();
      return row !== undefined;
    },

    async put(membership) {
      await db
        .insertInto('course_members')
        .values({ room_id: membership.roomId, user_id: membership.userId, role: membership.role, source: membership.source, added_at: membership.addedAt })
        .onConflict((oc) => oc.columns(['room_id', 'user_id']).doUpdateSet({ role: membership.role, source: membership.source }))
        .execute();
    },

    async recordFromMediaSpace(membership) {
      await db
        .insertInto('course_members')
        .values({ room_id: membership.roomId, user_id: membership.userId, role: membership.role, source: 'mediaspace', added_at: membership.addedAt })
        .onConflict((oc) => oc.columns(['room_id', 'user_id']).doUpdateSet({ role: membership.role }).where('course_members.source', '=', 'mediaspace'))
        .execute();
    },

    async followMediaSpace(roomId, userId, role) {
      if (role === null) {
        await db.deleteFrom('course_members').where('room_id', '=', roomId).where('user_id', '=', userId).where('source', '=', 'mediaspace').execute();
      } else {
        await db.updateTable('course_members').set({ role }).where('room_id', '=', roomId).where('user_id', '=', userId).where('source', '=', 'mediaspace').execute();
      }
    },

    async remove(roomId, userId) {
      await db.deleteFrom('course_members').where('room_id', '=', roomId).where('user_id', '=', userId).execute();
    },
  };
}

function withRoom(db: Db) {
  return db
    .selectFrom('course_members')
    .innerJoin('rooms', 'rooms.id', 'course_members.room_id')
    .selectAll('course_members')
    .select(['rooms.kind', 'rooms.channel_id']);
}

function toMembershipInRoom(row: Parameters<typeof toMembership>[0] & { kind: string; channel_id: number | null }): MembershipInRoom {
  return { ...toMembership(row), channelId: row.kind === 'channel' && row.channel_id !== null ? Number(row.channel_id) : null };
}

function toMembership(row: { room_id: string; user_id: string; role: string; source: string; added_at: number }): CourseMembership {
  return { roomId: row.room_id, userId: row.user_id, role: row.role as CourseRole, source: row.source as MembershipSource, addedAt: Number(row.added_at) };
}
