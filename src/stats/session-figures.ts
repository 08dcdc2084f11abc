/**
 * An ended session's figures, kept once when it ends: each person's (first
 * entry, last exit, time inside, intervals, waiting time, enrolled or not) in
 * live_session_people, and the session's (students, enrolled students,
 * enrolled students who came) in live_session_summaries. Pages read these small
 * tables instead of summing intervals; a session ended before they existed (or
 * imported) is counted the first time a page needs it.
 *
 * Enrolment is the course's as at the session's end, and stays so: a teacher
 * reading last term's report expects the class as it was, so a student who
 * joins the course later is counted from their first session on (not Absent
 * from every earlier one), and one who leaves it keeps their history.
 */
import { sql } from 'kysely';
import type { Db } from '../lib/db/database.ts';

/** Sessions counted per statement: a first read of years of sessions goes this many at a time. */
export const KEEP_BATCH = 500;

export interface PersonFigures {
  liveSessionId: string;
  userId: string;
  userName: string;
  userEmail: string | null;
  role: 'instructor' | 'participant' | 'student';
  /** An enrolled student of the course as at the session. */
  enrolled: boolean;
  /** null: never came in. */
  firstEntry: number | null;
  lastExit: number | null;
  totalMs: number;
  intervals: number;
  waitingMs: number;
}

export function createSessionFigures(db: Db) {
  /** Counts and keeps the figures of these ended sessions (a session already kept is left as it is). */
  async function keep(sessionIds: readonly string[], now: number): Promise<void> {
    for (let index = 0; index < sessionIds.length; index += KEEP_BATCH) {
      const ids = sql.join(sessionIds.slice(index, index + KEEP_BATCH));
      await db.transaction().execute(async (trx) => {
        // Everyone who came in or waited: intervals are summed, waiting-room visits admitted into the session added.
        await sql`
          insert into live_session_people (live_session_id, user_id, room_id, user_name, user_email, role, enrolled, first_entry, last_exit, total_ms, intervals, waiting_ms)
          select p.live_session_id, p.user_id, p.room_id, max(p.user_name), max(p.user_email), coalesce(max(p.role), 'participant'),
            case when exists (select 1 from course_members cm where cm.room_id = p.room_id and cm.user_id = p.user_id and cm.role = 'student') then 1 else 0 end,
            min(p.first_entry), max(p.last_exit), sum(p.total_ms), sum(p.intervals), sum(p.waiting_ms)
          from (
            select a.live_session_id, a.user_id, a.room_id, a.user_name, a.user_email,
              case when a.role = 'instructor' then 'instructor' else 'participant' end as role,
              a.joined_at as first_entry, coalesce(a.left_at, ls.ended_at) as last_exit,
              coalesce(a.left_at, ls.ended_at) - a.joined_at as total_ms, 1 as intervals, 0 as waiting_ms
            from attendance a inner join live_sessions ls on ls.id = a.live_session_id
            where a.live_session_id in (${ids}) and ls.ended_at is not null
            union all
            select w.live_session_id, w.user_id, w.room_id, w.user_name, w.user_email, null, null, null, 0, 0,
              coalesce(w.admitted_at, w.left_at, w.arrived_at) - w.arrived_at
            from waiting_room_visits w inner join live_sessions ls on ls.id = w.live_session_id
            where w.live_session_id in (${ids}) and ls.ended_at is not null
          ) p
          group by p.live_session_id, p.user_id, p.room_id
          on conflict (live_session_id, user_id) do nothing`.execute(trx);
        // Enrolled students who never came: Absent, as at the session.
        await sql`
          insert into live_session_people (live_session_id, user_id, room_id, user_name, user_email, role, enrolled, first_entry, last_exit, total_ms, intervals, waiting_ms)
          select ls.id, cm.user_id, ls.room_id, coalesce(u.display_name, u.name, cm.user_id), u.email, 'student', 1, null, null, 0, 0, 0
          from live_sessions ls
            inner join course_members cm on cm.room_id = ls.room_id and cm.role = 'student'
            left join users u on u.id = cm.user_id
          where ls.id in (${ids}) and ls.ended_at is not null
          on conflict (live_session_id, user_id) do nothing`.execute(trx);
        await sql`
          insert into live_session_summaries (live_session_id, students, enrolled, enrolled_attended, computed_at)
          select ls.id,
            (select count(*) from live_session_people p where p.live_session_id = ls.id and p.role = 'participant' and p.intervals > 0),
            (select count(*) from live_session_people p where p.live_session_id = ls.id and p.enrolled = 1),
            (select count(*) from live_session_people p where p.live_session_id = ls.id and p.enrolled = 1 and p.intervals > 0),
            ${now}
          from live_sessions ls
          where ls.id in (${ids}) and ls.ended_at is not null
          on conflict (live_session_id) do nothing`.execute(trx);
      });
    }
  }

  /** Of these sessions, the ended ones not counted yet. */
  async function notKept(sessionIds: readonly string[]): Promise<string[]> {
    const missing: string[] = [];
    for (let index = 0; index < sessionIds.length; index += KEEP_BATCH) {
      const { rows } = await sql<{ id: string }>`
        select ls.id from live_sessions ls
        where ls.id in (${sql.join(sessionIds.slice(index, index + KEEP_BATCH))}) and ls.ended_at is not null
          and not exists (select 1 from live_session_summaries s where s.live_session_id = ls.id)`.execute(db);
      missing.push(...rows.map((row) => row.id));
    }
    return missing;
  }

  return {
    keep,

    /** Kept figures of the people of these ended sessions (counted first where they were not), optionally only these people's and the enrolled. */
    async people(sessionIds: readonly string[], now: number, alsoUserIds: readonly string[] | null = null): Promise<PersonFigures[]> {
      if (sessionIds.length === 0) return [];
      await keep(await notKept(sessionIds), now);
      let query = db.selectFrom('live_session_people').selectAll().where('live_session_id', 'in', [...sessionIds]);
      if (alsoUserIds) query = query.where((eb) => eb.or([eb('enrolled', '=', 1), ...(alsoUserIds.length > 0 ? [eb('user_id', 'in', [...alsoUserIds])] : [])]));
      return (await query.execute()).map((row) => ({
        liveSessionId: row.live_session_id,
        userId: row.user_id,
        userName: row.user_name,
        userEmail: row.user_email,
        role: row.role as PersonFigures['role'],
        enrolled: Number(row.enrolled) === 1,
        firstEntry: row.first_entry === null ? null : Number(row.first_entry),
        lastExit: row.last_exit === null ? null : Number(row.last_exit),
        totalMs: Number(row.total_ms),
        intervals: Number(row.intervals),
        waitingMs: Number(row.waiting_ms),
      }));
    },

    /** Counts and keeps the ended sessions of this selection that were not counted yet, a batch at a time. */
    async keepMissing(select: (limit: number) => Promise<string[]>, now: number): Promise<void> {
      for (;;) {
        const ids = await select(KEEP_BATCH);
        if (ids.length === 0) return;
        await keep(ids, now);
      }
    },
  };
}

export type SessionFigures = ReturnType<typeof createSessionFigures>;
