/**
 * A course's report for a date range (a term): every enrolled student × every
 * session, each cell the student's status and minutes inside, and per student
 * the sessions attended and their attendance rate (sessions they were excused
 * from are left out of the rate). Ended sessions are read from the figures kept
 * when they ended, with the enrolment as at each session: a student who joined
 * the course later is "not enrolled" in earlier sessions (left out of their
 * rate), and one who left it keeps their row for the sessions they were in.
 */
import { ValidationError } from '../lib/errors/app-error.ts';
import { phrase } from '../lib/i18n/phrase.ts';
import type { BackendActor } from '../backend/backend-access.ts';
import { resolveRange, type DateRange, type RangeQuery } from './date-range.ts';
import { excusedNow, type ExcusalStore } from './excusal-store.ts';
import { attended, studentStatus, type AttendanceStatus, type TimeInside } from './roster-status.ts';
import type { SessionFigures } from './session-figures.ts';
import type { StatsService } from './stats-service.ts';
import type { CourseChoice, SessionRow, StatsStore } from './stats-store.ts';

/** More sessions than this do not fit a grid a person can read: a shorter range is asked for. */
export const MAX_REPORT_SESSIONS = 200;

export interface ReportCell {
  status: AttendanceStatus;
  minutes: number;
}

export interface CourseReport {
  course: CourseChoice;
  zone: string;
  range: DateRange;
  sessions: SessionRow[];
  students: Array<{ userId: string; name: string; email: string | null; cells: ReportCell[]; attended: number; rate: number | null }>;
}

export class CourseReports {
  readonly #stats: StatsService;
  readonly #store: StatsStore;
  readonly #excusals: ExcusalStore;
  readonly #figures: SessionFigures;

  constructor({ stats, store, excusals, figures }: { stats: StatsService; store: StatsStore; excusals: ExcusalStore; figures: SessionFigures }) {
    this.#stats = stats;
    this.#store = store;
    this.#excusals = excusals;
    this.#figures = figures;
  }

  async report(actor: BackendActor, roomId: string, query: RangeQuery, zone: string): Promise<CourseReport> {
    const course = await this.#stats.managedRoom(actor, roomId);
    const { settings } = await this.#stats.settings();
    const now = this.#stats.now;
    const range = resolveRange(query, zone, now, { start: settings.termStart, end: settings.termEnd });
    const filter = { scope: { kind: 'all' } as const, from: range.from, to: range.to, roomId };
    const count = await this.#store.countSessions(filter);
    if (count > MAX_REPORT_SESSIONS) {
      throw new ValidationError(phrase('stats:errors.tooManySessions', { count, max: MAX_REPORT_SESSIONS }), {}, { code: 'RANGE_TOO_LARGE' });
    }
    const sessions = await this.#store.sessionsAfter(filter, null, MAX_REPORT_SESSIONS);
    const ids = sessions.map((session) => session.id);
    const ended = sessions.filter((session) => session.endedAt !== null).map((session) => session.id);
    const live = sessions.filter((session) => session.endedAt === null).map((session) => session.id);
    const enrolledNow = (await this.#store.roster(roomId)).filter((member) => member.role === 'student');
    const [kept, presence, changes] = await Promise.all([
      this.#figures.people(ended, now, enrolledNow.map((member) => member.userId)),
      this.#store.presence(live, now),
      this.#excusals.list(ids),
    ]);
    // Ended sessions count their enrolment as it was; a live one counts today's.
    const cellOf = new Map<string, { enrolled: boolean; time: TimeInside | null }>();
    for (const row of kept) cellOf.set(`${row.liveSessionId}|${row.userId}`, { enrolled: row.enrolled, time: row.firstEntry === null ? null : { firstEntry: row.firstEntry, lastExit: row.lastExit, totalMs: row.totalMs } });
    const isEnrolledNow = new Set(enrolledNow.map((member) => member.userId));
    for (const row of presence) cellOf.set(`${row.liveSessionId}|${row.userId}`, { enrolled: isEnrolledNow.has(row.userId), time: row });
    for (const id of live) for (const member of enrolledNow) if (!cellOf.has(`${id}|${member.userId}`)) cellOf.set(`${id}|${member.userId}`, { enrolled: true, time: null });
    const people = new Map(enrolledNow.map((member) => [member.userId, { userId: member.userId, name: member.name, email: member.email }]));
    for (const row of kept) if (row.enrolled && !people.has(row.userId)) people.set(row.userId, { userId: row.userId, name: row.userName, email: row.userEmail });
    const excused = new Map(sessions.map((session) => [session.id, excusedNow(changes, session.id)]));
    const students = [...people.values()]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((person) => {
        const cells = sessions.map((session): ReportCell => {
          const cell = cellOf.get(`${session.id}|${person.userId}`);
          const minutes = Math.round((cell?.time?.totalMs ?? 0) / 60_000);
          if (!cell?.enrolled) return { status: 'notEnrolled', minutes };
          return { status: studentStatus(session, cell.time, settings, now, excused.get(session.id)!.has(person.userId)), minutes };
        });
        const came = cells.filter((cell) => attended(cell.status)).length;
        const counted = cells.filter((cell) => cell.status !== 'excused' && cell.status !== 'notEnrolled').length;
        return { ...person, cells, attended: came, rate: counted === 0 ? null : came / counted };
      });
    return { course, zone, range, sessions, students };
  }
}
