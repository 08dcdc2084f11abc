/**
 * A course's report for a date range (a term): every enrolled student × every
 * session, each cell the student's status and minutes inside, and per student
 * the sessions attended and their attendance rate (sessions they were excused
 * from are left out of the rate).
 */
import { ValidationError } from '../lib/errors/app-error.ts';
import { phrase } from '../lib/i18n/phrase.ts';
import type { BackendActor } from '../backend/backend-access.ts';
import { resolveRange, type DateRange, type RangeQuery } from './date-range.ts';
import { excusedNow, type ExcusalStore } from './excusal-store.ts';
import { attended, studentStatus, type AttendanceStatus } from './roster-status.ts';
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

  constructor({ stats, store, excusals }: { stats: StatsService; store: StatsStore; excusals: ExcusalStore }) {
    this.#stats = stats;
    this.#store = store;
    this.#excusals = excusals;
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
    const [roster, presence, changes] = await Promise.all([this.#store.roster(roomId), this.#store.presence(ids, now), this.#excusals.list(ids)]);
    const inside = new Map(presence.map((row) => [`${row.liveSessionId}|${row.userId}`, row]));
    const excused = new Map(sessions.map((session) => [session.id, excusedNow(changes, session.id)]));
    const students = roster
      .filter((member) => member.role === 'student')
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((member) => {
        const cells = sessions.map((session) => {
          const time = inside.get(`${session.id}|${member.userId}`) ?? null;
          const status = studentStatus(session, time, settings, now, excused.get(session.id)!.has(member.userId));
          return { status, minutes: Math.round((time?.totalMs ?? 0) / 60_000) };
        });
        const came = cells.filter((cell) => attended(cell.status)).length;
        const counted = cells.filter((cell) => cell.status !== 'excused').length;
        return { userId: member.userId, name: member.name, email: member.email, cells, attended: came, rate: counted === 0 ? null : came / counted };
      });
    return { course, zone, range, sessions, students };
  }
}
