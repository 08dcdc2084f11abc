/**
 * The overview's totals over a range: sessions, hours taught, distinct
 * students and the attendance rate (the share of enrolled students' places
 * in the range's sessions that were taken). Each ended session's figures are
 * counted once, when it ends, and kept (session-figures.ts; sessions ended
 * before that are counted when an overview first needs them); a live
 * session's are counted on every read. Distinct
 * students over a long range are found person by person (did they attend any
 * session of it?), one index look each, instead of reading every interval.
 */
import { sql } from 'kysely';
import type { Db } from '../lib/db/database.ts';
import type { SessionFigures } from './session-figures.ts';
import { sessionsWhere, type OverviewTotals, type SessionFilter } from './stats-store.ts';

/** Up to this many sessions, distinct students are counted from their intervals; beyond, person by person. */
const FEW_SESSIONS = 500;

interface Figures {
  id: string;
  students: number;
  enrolled: number;
  enrolledAttended: number;
}

export function createStatsTotals(db: Db, figures: SessionFigures) {
  /** A live session's students, enrolled students and enrolled students who came (an ended one's are kept: session-figures.ts). */
  async function count(sessions: ReadonlyArray<{ id: string; room_id: string }>): Promise<Figures[]> {
    if (sessions.length === 0) return [];
    const ids = sessions.map((session) => session.id);
    const rooms = [...new Set(sessions.map((session) => session.room_id))];
    const [students, enrolled, came] = await Promise.all([
      sql<{ id: string; n: number }>`select live_session_id as id, count(distinct user_id) as n from attendance where live_session_id in (${sql.join(ids)}) and role = 'participant' group by live_session_id`.execute(db),
      sql<{ room_id: string; n: number }>`select room_id, count(*) as n from course_members where role = 'student' and room_id in (${sql.join(rooms)}) group by room_id`.execute(db),
      sql<{ id: string; n: number }>`
        select a.live_session_id as id, count(distinct a.user_id) as n from attendance a
        inner join course_members cm on cm.room_id = a.room_id and cm.user_id = a.user_id and cm.role = 'student'
        where a.live_session_id in (${sql.join(ids)}) group by a.live_session_id`.execute(db),
    ]);
    const of = (rows: Array<{ id: string; n: number }>, id: string) => Number(rows.find((row) => row.id === id)?.n ?? 0);
    return sessions.map((session) => ({
      id: session.id,
      students: of(students.rows, session.id),
      enrolled: Number(enrolled.rows.find((row) => row.room_id === session.room_id)?.n ?? 0),
      enrolledAttended: of(came.rows, session.id),
    }));
  }

  /** Counts and keeps the figures of the range's ended sessions that have none yet (sessions ended before they were kept at the end). */
  async function summarise(filter: SessionFilter, now: number): Promise<void> {
    await figures.keepMissing(async (limit) => {
      const { rows } = await sql<{ id: string }>`
        select ls.id from live_sessions ls
        where ${sessionsWhere(filter)} and ls.ended_at is not null
          and not exists (select 1 from live_session_summaries s where s.live_session_id = ls.id)
        limit ${limit}`.execute(db);
      return rows.map((row) => row.id);
    }, now);
  }

  async function distinctStudents(filter: SessionFilter, sessions: number): Promise<number> {
    if (sessions === 0) return 0;
    if (filter.scope.kind === 'attendee') return 1;
    const where = sessionsWhere(filter);
    if (sessions <= FEW_SESSIONS) {
      const { rows } = await sql<{ n: number }>`
        select count(distinct a.user_id) as n from live_sessions ls inner join attendance a on a.live_session_id = ls.id and a.role = 'participant' where ${where}`.execute(db);
      return Number(rows[0]?.n ?? 0);
    }
    // Everyone who ever attended as a participant is a user the module knows (they launched).
    const { rows } = await sql<{ n: number }>`
      select count(*) as n from users u where exists (
        select 1 from attendance a inner join live_sessions ls on ls.id = a.live_session_id
        where a.user_id = u.id and a.role = 'participant' and ${where})`.execute(db);
    return Number(rows[0]?.n ?? 0);
  }

  return {
    async totals(filter: SessionFilter, now: number): Promise<OverviewTotals> {
      await summarise(filter, now);
      const where = sessionsWhere(filter);
      const [{ rows: kept }, { rows: live }] = await Promise.all([
        sql<{ sessions: number; taught: number | null; enrolled: number | null; came: number | null }>`
          select count(*) as sessions, sum(ls.ended_at - ls.started_at) as taught, sum(s.enrolled) as enrolled, sum(s.enrolled_attended) as came
          from live_sessions ls inner join live_session_summaries s on s.live_session_id = ls.id where ${where}`.execute(db),
        sql<{ id: string; room_id: string; started_at: number }>`select ls.id, ls.room_id, ls.started_at from live_sessions ls where ${where} and ls.ended_at is null`.execute(db),
      ]);
      const liveFigures = await count(live);
      const sessions = Number(kept[0]?.sessions ?? 0) + live.length;
      const enrolled = Number(kept[0]?.enrolled ?? 0) + liveFigures.reduce((sum, figure) => sum + figure.enrolled, 0);
      const came = Number(kept[0]?.came ?? 0) + liveFigures.reduce((sum, figure) => sum + figure.enrolledAttended, 0);
      return {
        sessions,
        taughtMs: Number(kept[0]?.taught ?? 0) + live.reduce((sum, session) => sum + (now - Number(session.started_at)), 0),
        students: await distinctStudents(filter, sessions),
        attendanceRate: enrolled === 0 ? null : came / enrolled,
      };
    },
  };
}

export type StatsTotals = ReturnType<typeof createStatsTotals>;
