/**
 * The users pages' reading side: everyone the backend knows, with the access
 * they have (a backend account's role; for a MediaSpace user, what their
 * MediaSpace role and courses give them, as resolveBackendActor decides it),
 * their invitation and their courses; searched, filtered and paged in SQL
 * that runs the same on SQLite and PostgreSQL. Also the rooms a person can
 * be given.
 */
import { sql, type Expression, type SqlBool } from 'kysely';
import type { Db } from '../lib/db/database.ts';
import { MEDIASPACE_ROLES, isMediaSpaceAdmin } from '../identity/mediaspace-roles.ts';
import type { BackendRole } from '../backend/backend-roles.ts';
import type { CourseRole, MembershipSource } from '../courses/course-member-store.ts';
import type { RoomKind } from '../rooms/room-store.ts';
import { toAccount, type Account, type AccountStatus } from './account-store.ts';

/** A role of the backend, or every MediaSpace user whatever their access. */
export type DirectoryRoleFilter = BackendRole | 'mediaspace';

export interface DirectoryQuery {
  /** Part of a name or an email address, any case; empty for everyone. */
  search: string;
  role: DirectoryRoleFilter | null;
  status: AccountStatus | null;
  page: number;
  pageSize: number;
}

export interface DirectoryInvitation {
  createdAt: number;
  expiresAt: number;
  sentAt: number | null;
  sendError: string | null;
  acceptedAt: number | null;
  invitedBy: string;
}

export interface DirectoryCourse {
  roomId: string;
  name: string;
  kind: RoomKind;
  role: CourseRole;
  source: MembershipSource;
}

export interface DirectoryEntry {
  account: Account;
  /** What the person may do in the backend. */
  accessRole: BackendRole;
  invitation: DirectoryInvitation | null;
  courses: DirectoryCourse[];
}

export interface CourseChoice {
  id: string;
  name: string;
  kind: RoomKind;
  imageId: string | null;
}

export interface UserDirectoryStore {
  list(query: DirectoryQuery): Promise<{ entries: DirectoryEntry[]; total: number }>;
  find(userId: string): Promise<DirectoryEntry | null>;
  /** Every room a person can be given: courses, channel rooms and private rooms (one room model). */
  courseChoices(): Promise<CourseChoice[]>;
  /** The rooms with these ids that exist. */
  findCourses(ids: string[]): Promise<CourseChoice[]>;
}

const ADMIN_ROLES = MEDIASPACE_ROLES.filter(isMediaSpaceAdmin);

/** The same decision as resolveBackendActor, in SQL, so that the role filter and the paging agree. */
const ACCESS_ROLE = sql<BackendRole>`case
  when users.source = 'backend' then users.backend_role
  when users.mediaspace_role in (${sql.join(ADMIN_ROLES)}) then 'administrator'
  when exists (select 1 from course_members instructs where instructs.user_id = users.id and instructs.role = 'instructor') then 'instructor'
  else 'student' end`;

export function createUserDirectoryStore(db: Db): UserDirectoryStore {
  function filtered(conditions: (Expression<SqlBool>)[]) {
    return db
      .selectFrom('users')
      .leftJoin('invitations', 'invitations.user_id', 'users.id')
      .where((eb) => eb.and(conditions));
  }

  async function entriesFor(conditions: Expression<SqlBool>[], page?: { limit: number; offset: number }): Promise<DirectoryEntry[]> {
    let query = filtered(conditions)
      .selectAll('users')
      .select([
        ACCESS_ROLE.as('access_role'),
        'invitations.created_at as invitation_created_at',
        'invitations.expires_at as invitation_expires_at',
        'invitations.sent_at as invitation_sent_at',
        'invitations.send_error as invitation_send_error',
        'invitations.accepted_at as invitation_accepted_at',
        'invitations.invited_by as invitation_invited_by',
      ])
      .orderBy(sql`lower(coalesce(users.display_name, users.name))`)
      .orderBy('users.id');
    if (page) query = query.limit(page.limit).offset(page.offset);
    const rows = await query.execute();
    const courses = await coursesOf(rows.map((row) => row.id));
    return rows.map((row) => ({
      account: toAccount(row),
      accessRole: row.access_role,
      invitation:
        row.invitation_expires_at === null || row.invitation_expires_at === undefined
          ? null
          : {
              createdAt: Number(row.invitation_created_at),
              expiresAt: Number(row.invitation_expires_at),
              sentAt: row.invitation_sent_at === null ? null : Number(row.invitation_sent_at),
              sendError: row.invitation_send_error,
              acceptedAt: row.invitation_accepted_at === null ? null : Number(row.invitation_accepted_at),
              invitedBy: row.invitation_invited_by ?? '',
            },
      courses: courses.get(row.id) ?? [],
    }));
  }

  async function coursesOf(userIds: string[]): Promise<Map<string, DirectoryCourse[]>> {
    const byUser = new Map<string, DirectoryCourse[]>();
    if (userIds.length === 0) return byUser;
    const rows = await db
      .selectFrom('course_members')
      .innerJoin('rooms', 'rooms.id', 'course_members.room_id')
      .select(['course_members.user_id', 'course_members.room_id', 'course_members.role', 'course_members.source', 'rooms.name', 'rooms.kind'])
      .where('course_members.user_id', 'in', userIds)
      .orderBy(sql`lower(rooms.name)`)
      .orderBy('rooms.id')
      .execute();
    for (const row of rows) {
      const list = byUser.get(row.user_id) ?? [];
      list.push({ roomId: row.room_id, name: row.name, kind: row.kind, role: row.role as CourseRole, source: row.source as MembershipSource });
      byUser.set(row.user_id, list);
    }
    return byUser;
  }

  function conditionsFor(query: Pick<DirectoryQuery, 'search' | 'role' | 'status'>): Expression<SqlBool>[] {
    const conditions: Expression<SqlBool>[] = [];
    const search = query.search.trim().toLowerCase();
    if (search) {
      const pattern = `%${search.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
      conditions.push(
        sql<SqlBool>`(lower(users.name) like ${pattern} escape '\\' or lower(coalesce(users.display_name, '')) like ${pattern} escape '\\' or coalesce(users.email_normalized, '') like ${pattern} escape '\\')`,
      );
    }
    if (query.role === 'mediaspace') conditions.push(sql<SqlBool>`users.source = 'mediaspace'`);
    else if (query.role) conditions.push(sql<SqlBool>`${ACCESS_ROLE} = ${query.role}`);
    if (query.status) conditions.push(sql<SqlBool>`users.status = ${query.status}`);
    return conditions;
  }

  async function courses(ids?: string[]): Promise<CourseChoice[]> {
    if (ids && ids.length === 0) return [];
    let query = db.selectFrom('rooms').select(['id', 'name', 'kind', 'image_id']).orderBy(sql`lower(name)`).orderBy('id');
    if (ids) query = query.where('id', 'in', ids);
    const rows = await query.execute();
    return rows.map((row) => ({ id: row.id, name: row.name, kind: row.kind, imageId: row.image_id }));
  }

  return {
    async list(query) {
      const conditions = conditionsFor(query);
      const counted = await filtered(conditions)
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .executeTakeFirstOrThrow();
      const entries = await entriesFor(conditions, { limit: query.pageSize, offset: (query.page - 1) * query.pageSize });
      return { entries, total: Number(counted.count) };
    },

    async find(userId) {
      const [entry] = await entriesFor([sql<SqlBool>`users.id = ${userId}`]);
      return entry ?? null;
    },

    courseChoices: () => courses(),
    findCourses: (ids) => courses([...new Set(ids)]),
  };
}
