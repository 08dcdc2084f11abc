/**
 * The courses the files pages talk about, read from the one room model: a
 * channel's room, a private room and a backend course all hold files. Read
 * only; courses are made and changed elsewhere.
 */
import type { Db } from '../lib/db/database.ts';
import type { CourseRole } from '../courses/course-member-store.ts';
import type { RoomKind } from '../rooms/room-store.ts';

export interface FileCourse {
  id: string;
  name: string;
  kind: RoomKind;
  /** A plan of the catalogue in config; null for MediaSpace rooms outside the licence count. */
  planId: string | null;
}

export interface FileCourseStore {
  find(id: string): Promise<FileCourse | null>;
  listAll(): Promise<FileCourse[]>;
  /** The courses a person belongs to, with their role in each. */
  listForMember(userId: string): Promise<Array<FileCourse & { role: CourseRole }>>;
}

export function createFileCourseStore(db: Db): FileCourseStore {
  const columns = ['rooms.id', 'rooms.name', 'rooms.kind', 'rooms.plan_id'] as const;
  return {
    async find(id) {
      const row = await db.selectFrom('rooms').select(columns).where('rooms.id', '=', id).executeTakeFirst();
      return row ? toCourse(row) : null;
    },

    async listAll() {
      return (await db.selectFrom('rooms').select(columns).execute()).map(toCourse);
    },

    async listForMember(userId) {
      const rows = await db
        .selectFrom('course_members')
        .innerJoin('rooms', 'rooms.id', 'course_members.room_id')
        .select([...columns, 'course_members.role'])
        .where('course_members.user_id', '=', userId)
        .execute();
      return rows.map((row) => ({ ...toCourse(row), role: row.role as CourseRole }));
    },
  };
}

function toCourse(row: { id: string; name: string; kind: RoomKind; plan_id: string | null }): FileCourse {
  return { id: row.id, name: row.name, kind: row.kind, planId: row.plan_id };
}
