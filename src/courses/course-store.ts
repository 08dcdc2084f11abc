/**
 * Courses in the rooms table (one room model: a channel's room, a private
 * room and a backend course are all rooms), licences per plan, and the people
 * a course can be given. The only code that writes course fields.
 *
 * Licences are counted and taken in one transaction that first locks the
 * plan's licence row (an update of it, which both SQLite and PostgreSQL
 * serialise): two activations racing for the last licence run one after the
 * other, and the second counts the first.
 */
import { sql, type Transaction } from 'kysely';
import type { Db } from '../lib/db/database.ts';
import type { Database, RoomRow } from '../lib/db/schema.ts';
import { toRoom, type Room } from '../rooms/room-store.ts';
import { normaliseEmail } from '../users/account-store.ts';
import type { CourseRole, MembershipSource } from './course-member-store.ts';
import type { PlanLimits } from './plan-catalogue.ts';
import type { StoredRecordingFiles } from '../recordings/library/recording-files.ts';

export interface Course extends Room {
  summary: string | null;
  description: string | null;
  imageId: string | null;
  updatedBy: string | null;
  /** Optimistic concurrency: a save names the version it was made on. */
  version: number;
}

/** A course as one member sees it. */
export interface MemberCourse extends Course {
  memberRole: CourseRole;
}

export interface CourseFields {
  name: string;
  summary: string;
  description: string;
  planId: string | null;
  planLimits: PlanLimits | null;
  imageId: string | null;
}

export interface NewCourse extends CourseFields {
  id: string;
  createdBy: string;
  createdAt: number;
}

export interface MemberChoice {
  userId: string;
  role: CourseRole;
}

export interface CourseMemberView {
  userId: string;
  name: string;
  email: string | null;
  role: CourseRole;
  source: MembershipSource;
  /** Where the person's account comes from. */
  accountSource: 'mediaspace' | 'backend';
}

/** Someone who can be given a course: a backend account or a MediaSpace user who launched once. */
export interface Person {
  id: string;
  name: string;
  email: string | null;
  source: 'mediaspace' | 'backend';
  status: string;
}

/** Exactly one of ids, emails or search. */
export type PeopleFilter = { ids: readonly string[] } | { emails: readonly string[] } | { search: string; limit: number };

export interface LicenceCount {
  planId: string;
  purchased: number;
  inUse: number;
}

/** Whether a write puts the room on a plan that needs one of its licences. */
export interface LicenceRule {
  needsLicence: (planId: string | null) => boolean;
}

export interface RemovedCourse {
  id: string;
  channelId: number | null;
  imageId: string | null;
  /** Storage keys of the course's files, for removal from storage once the rows are gone. */
  fileStorageKeys: string[];
  /** The course's recordings, whose files go once the rows are gone. */
  recordings: StoredRecordingFiles[];
}

/** Every licence of the plan is taken by other rooms. */
export class NoFreeLicenceError extends Error {
  constructor(readonly planId: string, readonly purchased: number, readonly inUse: number) {
    super(`no free ${planId} licence (${inUse} of ${purchased} in use)`);
  }
}

/** Fewer licences than rooms already active on the plan. */
export class LicencesInUseError extends Error {
  constructor(readonly planId: string, readonly wanted: number, readonly inUse: number) {
    super(`${inUse} rooms are active on ${planId}, more than ${wanted}`);
  }
}

export type UpdateOutcome = 'saved' | 'stale' | 'missing';
export type RemoveOutcome = RemovedCourse | 'live' | 'missing';

export interface CourseStore {
  findById(id: string): Promise<Course | null>;
  listAll(): Promise<Course[]>;
  /** Rooms the person belongs to, with their role in each. */
  listForMember(userId: string): Promise<MemberCourse[]>;
  /** Inserts the course and its members; throws NoFreeLicenceError when its plan has no free licence. */
  create(course: NewCourse, members: MemberChoice[], licences: LicenceRule): Promise<Course>;
  /**
   * Saves a change made on top of `expectedVersion`; `members` null leaves membership alone.
   * Throws NoFreeLicenceError when the room moves onto a plan without a free licence.
   */
  update(id: string, expectedVersion: number, change: CourseFields, members: MemberChoice[] | null, licences: LicenceRule, updatedBy: string, now: number): Promise<UpdateOutcome>;
  /** Removes the room and everything that hangs on it, unless it is live. */
  remove(id: string): Promise<RemoveOutcome>;
  /** How many recordings the course has (its delete confirmation says they go too). */
  recordingCount(id: string): Promise<number>;
  members(roomId: string): Promise<CourseMemberView[]>;
  /** People who can be given a course (not deactivated), by id, by address or by a search of names and addresses; at most `limit`. */
  people(filter: PeopleFilter): Promise<Person[]>;
  /** Counts for every given plan: purchased (0 when never set) and rooms on it. */
  licenceCounts(planIds: string[]): Promise<LicenceCount[]>;
  /** Sets purchased licences; throws LicencesInUseError, changing nothing, when one is below the rooms active on it. */
  setLicences(purchased: Record<string, number>, updatedBy: string, now: number): Promise<void>;
}

export function createCourseStore(db: Db): CourseStore {
  return {
    async findById(id) {
      const row = await db.selectFrom('rooms').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toCourse(row) : null;
    },

    async listAll() {
      const rows = await db.selectFrom('rooms').selectAll().orderBy(sql`lower(name)`).orderBy('id').execute();
      return rows.map(toCourse);
    },

    async listForMember(userId) {
      const rows = await db
        .selectFrom('rooms')
        .innerJoin('course_members', 'course_members.room_id', 'rooms.id')
        .selectAll('rooms')
        .select('course_members.role as member_role')
        .where('course_members.user_id', '=', userId)
        .orderBy(sql`lower(rooms.name)`)
        .orderBy('rooms.id')
        .execute();
      return rows.map((row) => ({ ...toCourse(row), memberRole: row.member_role as CourseRole }));
    },

    async create(course, members, licences) {
      return db.transaction().execute(async (trx) => {
        if (licences.needsLicence(course.planId)) await takeLicence(trx, course.planId!, course.id);
        await trx
          .insertInto('rooms')
          .values({
            id: course.id,
            kind: 'course',
            name: course.name,
            channel_id: null,
            owner_user_id: null,
            capacity: null,
            created_at: course.createdAt,
            updated_at: course.createdAt,
            summary: course.summary,
            description: course.description,
            plan_id: course.planId,
            plan_limits: course.planLimits ? JSON.stringify(course.planLimits) : null,
            image_id: course.imageId,
            updated_by: course.createdBy,
          })
          .execute();
        await replaceMembers(trx, course.id, members, course.createdAt);
        return toCourse((await trx.selectFrom('rooms').selectAll().where('id', '=', course.id).executeTakeFirst())!);
      });
    },

    async update(id, expectedVersion, change, members, licences, updatedBy, now) {
      return db.transaction().execute(async (trx): Promise<UpdateOutcome> => {
        const current = await trx.selectFrom('rooms').select(['plan_id', 'version']).where('id', '=', id).executeTakeFirst();
        if (!current) return 'missing';
        if (Number(current.version) !== expectedVersion) return 'stale';
        if (change.planId !== current.plan_id && licences.needsLicence(change.planId)) await takeLicence(trx, change.planId!, id);
        const result = await trx
          .updateTable('rooms')
          .set((eb) => ({
            name: change.name,
            summary: change.summary,
            description: change.description,
            plan_id: change.planId,
            plan_limits: change.planLimits ? JSON.stringify(change.planLimits) : null,
            image_id: change.imageId,
            updated_by: updatedBy,
            updated_at: now,
            version: eb('version', '+', 1),
          }))
          .where('id', '=', id)
          .where('version', '=', expectedVersion)
          .executeTakeFirst();
        // Someone saved between the read and this write (PostgreSQL re-checks the version under the row lock).
        if (Number(result.numUpdatedRows) !== 1) return 'stale';
        if (members) await replaceMembers(trx, id, members, now);
        return 'saved';
      });
    },

    async remove(id) {
      try {
        return await db.transaction().execute(async (trx): Promise<RemoveOutcome> => {
          // Locks the room first, so a session cannot start on it while it goes.
          const room = await trx.updateTable('rooms').set((eb) => ({ version: eb('version', '+', 1) })).where('id', '=', id).returning(['channel_id', 'image_id']).executeTakeFirst();
          if (!room) return 'missing';
          const live = await trx.selectFrom('live_sessions').select('id').where('room_id', '=', id).where('ended_at', 'is', null).executeTakeFirst();
          // Rolls back the lock's version bump: a refused delete changes nothing.
          if (live) throw new RoomIsLive();
          const files = await trx.selectFrom('files').select('storage_key').where('room_id', '=', id).execute();
          const recordings = await trx.selectFrom('recordings').select(['id', 'storage_key', 'raw_folder']).where('room_id', '=', id).execute();
          // Spelled out rather than left to the cascades, so the order is plain: leaves first, the room last.
          await trx.deleteFrom('files').where('room_id', '=', id).execute();
          await trx.deleteFrom('folders').where('room_id', '=', id).execute();
          await trx.deleteFrom('course_members').where('room_id', '=', id).execute();
          await trx.deleteFrom('room_passes').where('room_id', '=', id).execute();
          await trx.deleteFrom('room_removals').where('room_id', '=', id).execute();
          await trx.deleteFrom('attendance').where('room_id', '=', id).execute();
          await trx.deleteFrom('chat_messages').where('room_id', '=', id).execute();
          await trx.deleteFrom('waiting_room_visits').where('room_id', '=', id).execute();
          await trx.deleteFrom('recording_jobs').where('recording_id', 'in', (eb) => eb.selectFrom('recordings').select('id').where('room_id', '=', id)).execute();
          await trx.deleteFrom('recordings').where('room_id', '=', id).execute();
          await trx.deleteFrom('live_sessions').where('room_id', '=', id).execute();
          await trx.deleteFrom('rooms').where('id', '=', id).execute();
          return {
            id,
            channelId: room.channel_id === null ? null : Number(room.channel_id),
            imageId: room.image_id,
            fileStorageKeys: files.map((file) => file.storage_key),
            recordings: recordings.map((recording) => ({ id: recording.id, storageKey: recording.storage_key, rawFolder: recording.raw_folder })),
          };
        });
      } catch (error) {
        if (error instanceof RoomIsLive) return 'live';
        throw error;
      }
    },

    async recordingCount(id) {
      const row = await db.selectFrom('recordings').select((eb) => eb.fn.countAll<number | string>().as('count')).where('room_id', '=', id).executeTakeFirst();
      return Number(row?.count ?? 0);
    },

    async members(roomId) {
      const rows = await db
        .selectFrom('course_members')
        .innerJoin('users', 'users.id', 'course_members.user_id')
        .select(['course_members.user_id', 'course_members.role', 'course_members.source', 'users.name', 'users.display_name', 'users.email', 'users.source as account_source'])
        .where('course_members.room_id', '=', roomId)
        .orderBy('course_members.role')
        .orderBy(sql`lower(coalesce(users.display_name, users.name))`)
        .execute();
      return rows.map((row) => ({
        userId: row.user_id,
        name: row.display_name ?? row.name,
        email: row.email,
        role: row.role as CourseRole,
        source: row.source as MembershipSource,
        accountSource: row.account_source === 'backend' ? 'backend' : 'mediaspace',
      }));
    },

    async people(filter) {
      let query = db.selectFrom('users').select(['id', 'name', 'display_name', 'email', 'source', 'status']).where('status', '!=', 'deactivated');
      if ('ids' in filter) {
        if (filter.ids.length === 0) return [];
        query = query.where('id', 'in', [...filter.ids]);
      } else if ('emails' in filter) {
        if (filter.emails.length === 0) return [];
        query = query.where('email_normalized', 'in', filter.emails.map(normaliseEmail));
      } else {
        // A search box's words: every one of them in the name or the address, whatever the case.
        for (const word of filter.search.toLowerCase().split(/\s+/).filter(Boolean).slice(0, 5)) {
          const pattern = `%${word.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
          query = query.where((eb) => eb.or([eb(sql`lower(coalesce(display_name, name))`, 'like', sql<string>`${pattern} escape '\\'`), eb('email_normalized', 'like', sql<string>`${pattern} escape '\\'`)]));
        }
        query = query.limit(filter.limit);
      }
      const rows = await query.orderBy(sql`lower(coalesce(display_name, name))`).orderBy('id').execute();
      return rows.map((row) => ({ id: row.id, name: row.display_name ?? row.name, email: row.email, source: row.source === 'backend' ? 'backend' : 'mediaspace', status: row.status }));
    },

    async licenceCounts(planIds) {
      if (planIds.length === 0) return [];
      const [purchased, inUse] = await Promise.all([
        db.selectFrom('plan_licences').select(['plan_id', 'purchased']).where('plan_id', 'in', planIds).execute(),
        db.selectFrom('rooms').select(['plan_id', (eb) => eb.fn.countAll<number>().as('count')]).where('plan_id', 'in', planIds).groupBy('plan_id').execute(),
      ]);
      return planIds.map((planId) => ({
        planId,
        purchased: Number(purchased.find((row) => row.plan_id === planId)?.purchased ?? 0),
        inUse: Number(inUse.find((row) => row.plan_id === planId)?.count ?? 0),
      }));
    },

    async setLicences(purchased, updatedBy, now) {
      await db.transaction().execute(async (trx) => {
        for (const [planId, count] of Object.entries(purchased)) {
          await trx
            .insertInto('plan_licences')
            .values({ plan_id: planId, purchased: count, updated_by: updatedBy, updated_at: now })
            .onConflict((oc) => oc.column('plan_id').doUpdateSet({ purchased: count, updated_by: updatedBy, updated_at: now }))
            .execute();
          const inUse = await countOnPlan(trx, planId);
          if (inUse > count) throw new LicencesInUseError(planId, count, inUse);
        }
      });
    },
  };
}

class RoomIsLive extends Error {}

/** Locks the plan's licence row, then counts: inside the caller's transaction, so the count holds until it commits. */
async function takeLicence(trx: Transaction<Database>, planId: string, roomId: string): Promise<void> {
  await trx.updateTable('plan_licences').set((eb) => ({ purchased: eb.ref('purchased') })).where('plan_id', '=', planId).execute();
  const row = await trx.selectFrom('plan_licences').select('purchased').where('plan_id', '=', planId).executeTakeFirst();
  const purchased = Number(row?.purchased ?? 0);
  const inUse = await countOnPlan(trx, planId, roomId);
  if (inUse >= purchased) throw new NoFreeLicenceError(planId, purchased, inUse);
}

async function countOnPlan(trx: Transaction<Database>, planId: string, exceptRoomId?: string): Promise<number> {
  let query = trx.selectFrom('rooms').select((eb) => eb.fn.countAll<number>().as('count')).where('plan_id', '=', planId);
  if (exceptRoomId) query = query.where('id', '!=', exceptRoomId);
  return Number((await query.executeTakeFirstOrThrow()).count);
}

/** Makes the course's members exactly `members`; a member whose role stays keeps where it came from. */
async function replaceMembers(trx: Transaction<Database>, roomId: string, members: MemberChoice[], now: number): Promise<void> {
  const existing = await trx.selectFrom('course_members').select(['user_id', 'role']).where('room_id', '=', roomId).execute();
  const wanted = new Map(members.map((member) => [member.userId, member.role]));
  const gone = existing.filter((row) => !wanted.has(row.user_id)).map((row) => row.user_id);
  if (gone.length > 0) await trx.deleteFrom('course_members').where('room_id', '=', roomId).where('user_id', 'in', gone).execute();
  for (const [userId, role] of wanted) {
    if (existing.some((row) => row.user_id === userId && row.role === role)) continue;
    await trx
      .insertInto('course_members')
      .values({ room_id: roomId, user_id: userId, role, source: 'backend', added_at: now })
      .onConflict((oc) => oc.columns(['room_id', 'user_id']).doUpdateSet({ role, source: 'backend' }))
      .execute();
  }
}

function toCourse(row: RoomRow): Course {
  return {
    ...toRoom(row),
    summary: row.summary,
    description: row.description,
    imageId: row.image_id,
    updatedBy: row.updated_by,
    version: Number(row.version),
  };
}
