/**
 * Session Stats' reads: every figure is counted by the database (aggregates,
 * indexes, paging), so a range of ten thousand sessions over a million
 * attendance rows reads a page's worth of rows, never the range's.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../lib/db/database.ts';

/** Whose sessions a person sees: everyone's, some rooms' (the ones they instruct), or the ones they attended. */
export type StatsScope = { kind: 'all' } | { kind: 'rooms'; roomIds: readonly string[] } | { kind: 'attendee'; userId: string };

export interface SessionFilter {
  scope: StatsScope;
  from: number;
  to: number;
  roomId: string | null;
}

export interface SessionRow {
  id: string;
  roomId: string;
  roomName: string;
  startedAt: number;
  endedAt: number | null;
}

export interface OverviewRow extends SessionRow {
  students: number;
  instructors: string[];
  recordings: number;
}

export interface OverviewTotals {
  sessions: number;
  taughtMs: number;
  students: number;
  /** The share of enrolled students' places in the range's sessions that were taken; null without enrolled students. */
  attendanceRate: number | null;
}

export interface CourseChoice {
  id: string;
  name: string;
}

/** One person's time in one session, summed by the database. */
export interface PresenceSummary {
  liveSessionId: string;
  userId: string;
  userName: string;
  userEmail: string | null;
  role: string;
  firstEntry: number;
  /** null: still inside. */
  lastExit: number | null;
  totalMs: number;
  intervals: number;
}

/** The where-clause of sessions (alias ls) a filter selects. */
export function sessionsWhere({ scope, from, to, roomId }: SessionFilter): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [sql`ls.started_at >= ${from}`, sql`ls.started_at < ${to}`];
  if (roomId) parts.push(sql`ls.room_id = ${roomId}`);
  if (scope.kind === 'rooms') parts.push(scope.roomIds.length === 0 ? sql`1 = 0` : sql`ls.room_id in (${sql.join([...scope.roomIds])})`);
  if (scope.kind === 'attendee') parts.push(sql`exists (select 1 from attendance mine where mine.live_session_id = ls.id and mine.user_id = ${scope.userId})`);
  return sql.join(parts, sql` and `);
}

export function createStatsStore(db: Db) {
  /** Sessions with their students, instructors and recordings, counted for these sessions only. */
  async function decorate(sessions: SessionRow[]): Promise<OverviewRow[]> {
    if (sessions.length === 0) return [];
    const ids = sessions.map((session) => session.id);
    const [students, instructors, recordings] = await Promise.all([
      db
        .selectFrom('attendance')
        .select(['live_session_id', (eb) => eb.fn.count<number>('user_id').distinct().as('students')])
        .where('live_session_id', 'in', ids)
        .where('role', '=', 'participant')
        .groupBy('live_session_id')
        .execute(),
      db.selectFrom('attendance').select(['live_session_id', 'user_id', 'user_name']).distinct().where('live_session_id', 'in', ids).where('role', '=', 'instructor').orderBy('user_name').execute(),
      db.selectFrom('recordings').select(['live_session_id', (eb) => eb.fn.countAll<number>().as('count')]).where('live_session_id', 'in', ids).groupBy('live_session_id').execute(),
    ]);
    return sessions.map((session) => ({
      ...session,
      students: Number(students.find((entry) => entry.live_session_id === session.id)?.students ?? 0),
      instructors: [...new Set(instructors.filter((entry) => entry.live_session_id === session.id).map((entry) => entry.user_name))],
      recordings: Number(recordings.find((entry) => entry.live_session_id === session.id)?.count ?? 0),
    }));
  }

  return {
    decorate,
    /** A page of sessions, newest first, with their students, instructors and recordings. */
    async overviewPage(filter: SessionFilter, limit: number, offset: number): Promise<OverviewRow[]> {
      const { rows } = await sql<{ id: string; room_id: string; room_name: string; started_at: number; ended_at: number | null }>`
        select ls.id, ls.room_id, r.name as room_name, ls.started_at, ls.ended_at
        from live_sessions ls inner join rooms r on r.id = ls.room_id
        where ${sessionsWhere(filter)}
        order by ls.started_at desc, ls.id desc
        limit ${limit} offset ${offset}`.execute(db);
      return decorate(rows.map(toSession));
    },

    /** Sessions of the filter, oldest first, a batch after the (startedAt, id) given: exports walk a range this way. */
    async sessionsAfter(filter: SessionFilter, after: { startedAt: number; id: string } | null, limit: number): Promise<SessionRow[]> {
      const { rows } = await sql<{ id: string; room_id: string; room_name: string; started_at: number; ended_at: number | null }>`
        select ls.id, ls.room_id, r.name as room_name, ls.started_at, ls.ended_at
        from live_sessions ls inner join rooms r on r.id = ls.room_id
        where ${sessionsWhere(filter)} ${after ? sql`and (ls.started_at > ${after.startedAt} or (ls.started_at = ${after.startedAt} and ls.id > ${after.id}))` : sql``}
        order by ls.started_at, ls.id
        limit ${limit}`.execute(db);
      return rows.map(toSession);
    },

    async countSessions(filter: SessionFilter): Promise<number> {
      const { rows } = await sql<{ sessions: number }>`select count(*) as sessions from live_sessions ls where ${sessionsWhere(filter)}`.execute(db);
      return Number(rows[0]?.sessions ?? 0);
    },

    async findSession(id: string): Promise<SessionRow | null> {
      const row = await db
        .selectFrom('live_sessions as ls')
        .innerJoin('rooms as r', 'r.id', 'ls.room_id')
        .select(['ls.id', 'ls.room_id', 'r.name as room_name', 'ls.started_at', 'ls.ended_at'])
        .where('ls.id', '=', id)
        .executeTakeFirst();
      return row ? toSession(row) : null;
    },

    /** Each person's time in each of the sessions, summed (a person still inside counts until `now`). */
    async presence(sessionIds: readonly string[], now: number): Promise<PresenceSummary[]> {
      if (sessionIds.length === 0) return [];
      const { rows } = await sql<{ live_session_id: string; user_id: string; user_name: string; user_email: string | null; role: string; first_entry: number; last_exit: number; still_in: number; total: number; intervals: number }>`
        select a.live_session_id, a.user_id, max(a.user_name) as user_name, max(a.user_email) as user_email,
          max(case when a.role = 'instructor' then 'instructor' else 'participant' end) as role,
          min(a.joined_at) as first_entry, max(coalesce(a.left_at, ls.ended_at, ${now})) as last_exit,
          max(case when a.left_at is null and ls.ended_at is null then 1 else 0 end) as still_in,
          sum(coalesce(a.left_at, ls.ended_at, ${now}) - a.joined_at) as total, count(*) as intervals
        from attendance a inner join live_sessions ls on ls.id = a.live_session_id
        where a.live_session_id in (${sql.join([...sessionIds])})
        group by a.live_session_id, a.user_id`.execute(db);
      return rows.map((row) => ({
        liveSessionId: row.live_session_id,
        userId: row.user_id,
        userName: row.user_name,
        userEmail: row.user_email,
        role: row.role,
        firstEntry: Number(row.first_entry),
        lastExit: Number(row.still_in) === 1 ? null : Number(row.last_exit),
        totalMs: Number(row.total),
        intervals: Number(row.intervals),
      }));
    },

    /** Every interval of the sessions, in order of session and entry. */
    async intervals(sessionIds: readonly string[]) {
      if (sessionIds.length === 0) return [];
      const rows = await db
        .selectFrom('attendance')
        .select(['id', 'live_session_id', 'user_id', 'user_name', 'user_email', 'role', 'joined_at', 'left_at'])
        .where('live_session_id', 'in', [...sessionIds])
        .orderBy('live_session_id')
        .orderBy('joined_at')
        .orderBy('id')
        .execute();
      return rows.map((row) => ({ id: row.id, liveSessionId: row.live_session_id, userId: row.user_id, userName: row.user_name, userEmail: row.user_email, role: row.role, joinedAt: Number(row.joined_at), leftAt: row.left_at === null ? null : Number(row.left_at) }));
    },

    /** Time each person spent in the waiting room before this session admitted them (or before they gave up). */
    async waitingTimes(sessionId: string): Promise<Map<string, number>> {
      const rows = await db
        .selectFrom('waiting_room_visits')
        .select(['user_id', (eb) => eb.fn.sum<number>(sql`coalesce(admitted_at, left_at, arrived_at) - arrived_at`).as('waited')])
        .where('live_session_id', '=', sessionId)
        .groupBy('user_id')
        .execute();
      return new Map(rows.map((row) => [row.user_id, Number(row.waited)]));
    },

    /** The course's members with their names (people who never launched have only their key). */
    async roster(roomId: string) {
      const rows = await db
        .selectFrom('course_members as cm')
        .leftJoin('users as u', 'u.id', 'cm.user_id')
        .select(['cm.user_id', 'cm.role', 'u.name', 'u.display_name', 'u.email'])
        .where('cm.room_id', '=', roomId)
        .execute();
      return rows.map((row) => ({ userId: row.user_id, role: row.role as 'instructor' | 'student', name: row.display_name ?? row.name ?? row.user_id, email: row.email }));
    },

    async chat(sessionId: string) {
      const rows = await db
        .selectFrom('chat_messages as m')
        .leftJoin('users as u', 'u.id', 'm.deleted_by')
        .select(['m.id', 'm.user_id', 'm.user_name', 'm.role', 'm.text', 'm.sent_at', 'm.deleted_at', 'm.deleted_by', 'u.name as deleted_by_name', 'u.display_name as deleted_by_display'])
        .where('m.live_session_id', '=', sessionId)
        .orderBy('m.sent_at')
        .orderBy('m.id')
        .execute();
      return rows.map((row) => ({
        id: row.id,
        userId: row.user_id,
        name: row.user_name,
        role: row.role,
        text: row.text,
        sentAt: Number(row.sent_at),
        deletedAt: row.deleted_at === null ? null : Number(row.deleted_at),
        deletedBy: row.deleted_by === null ? null : (row.deleted_by_display ?? row.deleted_by_name ?? row.deleted_by),
      }));
    },

    /** The rooms this person instructs (channel managers and moderators, private rooms' owners, backend instructors). */
    async instructedRoomIds(userId: string): Promise<string[]> {
      const rows = await db.selectFrom('course_members').select('room_id').where('user_id', '=', userId).where('role', '=', 'instructor').execute();
      return rows.map((row) => row.room_id);
    },

    /** Rooms a course filter offers: the ones of the scope that have had a session. */
    async courseChoices(scope: StatsScope): Promise<CourseChoice[]> {
      let query = db.selectFrom('rooms').select(['id', 'name']).where((eb) => eb.exists(eb.selectFrom('live_sessions').select('id').whereRef('live_sessions.room_id', '=', 'rooms.id')));
      if (scope.kind === 'rooms') query = scope.roomIds.length === 0 ? query.where(sql<boolean>`1 = 0`) : query.where('id', 'in', [...scope.roomIds]);
      if (scope.kind === 'attendee') query = query.where((eb) => eb.exists(eb.selectFrom('attendance').select('id').whereRef('attendance.room_id', '=', 'rooms.id').where('attendance.user_id', '=', scope.userId)));
      return query.orderBy('name').execute();
    },

    async findRoom(id: string): Promise<CourseChoice | null> {
      return (await db.selectFrom('rooms').select(['id', 'name']).where('id', '=', id).executeTakeFirst()) ?? null;
    },

    async timeZoneOf(userId: string): Promise<string | null> {
      return (await db.selectFrom('users').select('time_zone').where('id', '=', userId).executeTakeFirst())?.time_zone ?? null;
    },

    async rememberTimeZone(userId: string, zone: string): Promise<void> {
      await db.updateTable('users').set({ time_zone: zone }).where('id', '=', userId).execute();
    },
  };
}

export type StatsStore = ReturnType<typeof createStatsStore>;

function toSession(row: { id: string; room_id: string; room_name: string; started_at: number; ended_at: number | null }): SessionRow {
  return { id: row.id, roomId: row.room_id, roomName: row.room_name, startedAt: Number(row.started_at), endedAt: row.ended_at === null ? null : Number(row.ended_at) };
}
