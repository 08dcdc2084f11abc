/**
 * Session Stats: who sees which sessions, the overview of a date range, one
 * session's attendance (roster-aware), chat and recordings, and Excused marks.
 *
 * Who sees what, decided here from the module's records on every call:
 * - administrators: every session;
 * - instructors: the sessions of rooms they instruct (a channel's room for its
 *   managers and moderators, a private room for its owner, a course an
 *   administrator gave them); another room's session is not found (404);
 * - students: nothing (403), unless the settings let students see their own
 *   attendance: then the sessions they attended, and only their own row.
 */
import { ForbiddenError, NotFoundError, ValidationError } from '../lib/errors/app-error.ts';
import { phrase } from '../lib/i18n/phrase.ts';
import { courseAccess, type BackendActor } from '../backend/backend-access.ts';
import type { CourseMemberStore } from '../courses/course-member-store.ts';
import { resolveRange, type DateRange, type RangeQuery } from './date-range.ts';
import { excusedNow, type ExcusalChange, type ExcusalStore } from './excusal-store.ts';
import { studentStatus, type AttendanceStatus } from './roster-status.ts';
import type { SessionFigures } from './session-figures.ts';
import type { StatsSettings, StatsSettingsStore } from './stats-settings.ts';
import type { CourseChoice, OverviewRow, OverviewTotals, SessionFilter, SessionRow, StatsScope, StatsStore } from './stats-store.ts';
import type { StatsTotals } from './stats-totals.ts';
import { isTimeZone } from './time-zones.ts';
import type { RecordingLibrary, RecordingView } from '../recordings/library/recording-library.ts';

export const PAGE_SIZE = 25;
const DEFAULT_ZONE = 'UTC';

export interface StatsServiceDeps {
  store: StatsStore;
  totals: StatsTotals;
  excusals: ExcusalStore;
  settings: StatsSettingsStore;
  members: CourseMemberStore;
  /** A session's recordings (src/recordings/library), shown to the people who manage it. */
  recordings: Pick<RecordingLibrary, 'forSession'>;
  figures: SessionFigures;
  now: () => number;
}

export interface OverviewQuery extends RangeQuery {
  course?: unknown;
  page?: unknown;
}

export interface Overview {
  zone: string;
  range: DateRange;
  courses: CourseChoice[];
  courseId: string | null;
  page: number;
  pages: number;
  totals: OverviewTotals;
  sessions: Array<OverviewRow & { live: boolean; durationMs: number }>;
  termSet: boolean;
}

export interface PersonAttendance {
  userId: string;
  name: string;
  email: string | null;
  /** Their role in the room (instructor, participant), or student for an enrolled student who never came. */
  role: 'instructor' | 'participant' | 'student';
  enrolled: boolean;
  firstEntry: number | null;
  lastExit: number | null;
  stillInside: boolean;
  totalMs: number;
  waitingMs: number;
  intervals: Array<{ joinedAt: number; leftAt: number | null; ms: number }>;
  status: AttendanceStatus;
  excuse: ExcusalChange | null;
}

export interface SessionDetail {
  session: SessionRow & { live: boolean; durationMs: number };
  canManage: boolean;
  ownRowOnly: boolean;
  people: PersonAttendance[];
  /** Deleted messages keep their text and who deleted them for administrators only. */
  chat: Array<Omit<Awaited<ReturnType<StatsStore['chat']>>[number], 'text' | 'deletedBy'> & { text: string | null; deletedBy: string | null }>;
  /** Only for people who manage the session: students never see recordings here. */
  recordings: RecordingView[];
  excusalHistory: ExcusalChange[];
  settings: StatsSettings;
  now: number;
}

export class StatsService {
  readonly #deps: StatsServiceDeps;

  constructor(deps: StatsServiceDeps) {
    this.#deps = deps;
  }

  get now(): number {
    return this.#deps.now();
  }

  settings() {
    return this.#deps.settings.current();
  }

  /** An administrator's save, on the version they read; false when someone saved first. */
  saveSettings(actor: BackendActor, settings: StatsSettings, version: number): Promise<boolean> {
    if (actor.role !== 'administrator') throw new ForbiddenError(phrase('common:errors.roleNotAllowed'), { code: 'ROLE_NOT_ALLOWED' });
    return this.#deps.settings.save(settings, version, actor.userId, this.now);
  }

  /** The viewer's time zone: the one their browser sends (remembered on their profile), else the remembered one, else UTC. */
  async zoneOf(actor: BackendActor, sent: unknown): Promise<string> {
    if (sent !== undefined && sent !== '') {
      if (!isTimeZone(sent)) throw new ValidationError(phrase('stats:errors.badZone'), { tz: phrase('stats:errors.badZone') }, { code: 'BAD_TIME_ZONE' });
      if ((await this.#deps.store.timeZoneOf(actor.userId)) !== sent) await this.#deps.store.rememberTimeZone(actor.userId, sent);
      return sent;
    }
    return (await this.#deps.store.timeZoneOf(actor.userId)) ?? DEFAULT_ZONE;
  }

  /** Whose sessions this person sees; a student without the setting sees none (403). */
  async scopeOf(actor: BackendActor, settings: StatsSettings): Promise<StatsScope> {
    if (actor.role === 'administrator') return { kind: 'all' };
    if (actor.role === 'instructor') return { kind: 'rooms', roomIds: await this.#deps.store.instructedRoomIds(actor.userId) };
    if (settings.studentsSeeOwnAttendance) return { kind: 'attendee', userId: actor.userId };
    throw new ForbiddenError(phrase('stats:errors.studentsNotAllowed'), { code: 'STATS_NOT_ALLOWED' });
  }

  /** The filter of a range query (the overview, its export): range, course and scope checked. */
  async filterOf(actor: BackendActor, query: OverviewQuery, zone: string): Promise<{ filter: SessionFilter; range: DateRange; settings: StatsSettings; scope: StatsScope }> {
    const { settings } = await this.#deps.settings.current();
    const scope = await this.scopeOf(actor, settings);
    const range = resolveRange(query, zone, this.now, { start: settings.termStart, end: settings.termEnd });
    const roomId = typeof query.course === 'string' && query.course !== '' ? query.course : null;
    if (roomId !== null) await this.#visibleRoom(scope, roomId);
    return { filter: { scope, from: range.from, to: range.to, roomId }, range, settings, scope };
  }

  async overview(actor: BackendActor, query: OverviewQuery, zone: string): Promise<Overview> {
    const { filter, range, settings, scope } = await this.filterOf(actor, query, zone);
    const page = pageOf(query.page);
    const now = this.now;
    const [totals, rows, courses] = await Promise.all([this.#deps.totals.totals(filter, now), this.#deps.store.overviewPage(filter, PAGE_SIZE, (page - 1) * PAGE_SIZE), this.#deps.store.courseChoices(scope)]);
    return {
      zone,
      range,
      courses,
      courseId: filter.roomId,
      page,
      pages: Math.max(1, Math.ceil(totals.sessions / PAGE_SIZE)),
      totals,
      sessions: rows.map((row) => ({ ...row, live: row.endedAt === null, durationMs: (row.endedAt ?? now) - row.startedAt })),
      termSet: settings.termStart !== null,
    };
  }

  /** One session as this person may see it; a session they may not see is not found. */
  async session(actor: BackendActor, sessionId: string): Promise<SessionDetail> {
    const { store } = this.#deps;
    const { settings } = await this.#deps.settings.current();
    const { session, canManage } = await this.#visibleSession(actor, sessionId, settings);
    const now = this.now;
    const [presence, intervals, waiting, roster, changes, chat, recordings] = await Promise.all([
      store.presence([session.id], now),
      store.intervals([session.id]),
      store.waitingTimes(session.id),
      this.#rosterAt(session, now),
      this.#deps.excusals.list([session.id]),
      canManage ? store.chat(session.id) : Promise.resolve([]),
      canManage ? this.#deps.recordings.forSession(session.id) : Promise.resolve([]),
    ]);
    const excused = excusedNow(changes, session.id);
    const end = session.endedAt ?? now;
    const people = new Map<string, PersonAttendance>();
    for (const summary of presence) {
      const enrolled = roster.find((member) => member.userId === summary.userId);
      const role = summary.role === 'instructor' ? 'instructor' : 'participant';
      const isStudent = enrolled?.role === 'student' && role === 'participant';
      people.set(summary.userId, {
        userId: summary.userId,
        name: summary.userName,
        email: summary.userEmail,
        role,
        enrolled: Boolean(enrolled),
        firstEntry: summary.firstEntry,
        lastExit: summary.lastExit,
        stillInside: summary.lastExit === null,
        totalMs: summary.totalMs,
        waitingMs: waiting.get(summary.userId) ?? 0,
        intervals: intervals.filter((interval) => interval.userId === summary.userId).map((interval) => ({ joinedAt: interval.joinedAt, leftAt: interval.leftAt, ms: (interval.leftAt ?? end) - interval.joinedAt })),
        status: role === 'instructor' ? 'instructor' : isStudent ? studentStatus(session, summary, settings, now, excused.has(summary.userId)) : 'guest',
        excuse: excused.get(summary.userId) ?? null,
      });
    }
    for (const member of roster) {
      if (member.role !== 'student' || people.has(member.userId)) continue;
      people.set(member.userId, {
        userId: member.userId,
        name: member.name,
        email: member.email,
        role: 'student',
        enrolled: true,
        firstEntry: null,
        lastExit: null,
        stillInside: false,
        totalMs: 0,
        waitingMs: waiting.get(member.userId) ?? 0,
        intervals: [],
        status: studentStatus(session, null, settings, now, excused.has(member.userId)),
        excuse: excused.get(member.userId) ?? null,
      });
    }
    const ordered = [...people.values()].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
    return {
      session: { ...session, live: session.endedAt === null, durationMs: end - session.startedAt },
      canManage,
      ownRowOnly: !canManage,
      people: canManage ? ordered : ordered.filter((person) => person.userId === actor.userId),
      chat: actor.role === 'administrator' ? chat : chat.map((message) => (message.deletedAt === null ? message : { ...message, text: null, deletedBy: null })),
      recordings,
      excusalHistory: canManage ? changes : [],
      settings,
      now,
    };
  }

  /** Marks an enrolled student Excused (with a reason), or withdraws the mark; every change is kept. */
  async excuse(actor: BackendActor, sessionId: string, change: { userId: string; excused: boolean; reason: string }): Promise<void> {
    const { settings } = await this.#deps.settings.current();
    const { session, canManage } = await this.#visibleSession(actor, sessionId, settings);
    if (!canManage) throw new ForbiddenError(phrase('stats:errors.cannotExcuse'), { code: 'STATS_NOT_MANAGED' });
    const member = (await this.#rosterAt(session, this.now)).find((entry) => entry.userId === change.userId && entry.role === 'student');
    if (!member) throw new NotFoundError(phrase('stats:errors.notEnrolled'), { code: 'NOT_ENROLLED' });
    await this.#deps.excusals.add({ liveSessionId: session.id, userId: change.userId, excused: change.excused, reason: change.reason, changedBy: actor.userId, changedByName: actor.name, changedAt: this.now });
  }

  /** A room the person may report on (administrators, its instructors); anything else is not found. */
  async managedRoom(actor: BackendActor, roomId: string): Promise<CourseChoice> {
    if (actor.role === 'student') throw new ForbiddenError(phrase('stats:errors.reportNotAllowed'), { code: 'STATS_NOT_ALLOWED' });
    const room = await this.#deps.store.findRoom(roomId);
    if (!room || (await courseAccess(actor, { id: room.id, active: true }, this.#deps.members)) !== 'manage') throw new NotFoundError(phrase('stats:errors.courseNotFound'), { code: 'COURSE_NOT_FOUND' });
    return room;
  }

  /**
   * The course's members for this session: an ended session's students as they were when it ended
   * (kept with its figures; later enrolment changes do not rewrite it), a live one's as they are now.
   */
  async #rosterAt(session: SessionRow, now: number): Promise<Awaited<ReturnType<StatsStore['roster']>>> {
    const current = await this.#deps.store.roster(session.roomId);
    if (session.endedAt === null) return current;
    const kept = await this.#deps.figures.people([session.id], now);
    const students = kept.filter((person) => person.enrolled).map((person) => ({ userId: person.userId, role: 'student' as const, name: person.userName, email: person.userEmail }));
    return [...current.filter((member) => member.role === 'instructor'), ...students];
  }

  async #visibleRoom(scope: StatsScope, roomId: string): Promise<void> {
    const room = await this.#deps.store.findRoom(roomId);
    const visible = room !== null && (scope.kind !== 'rooms' || scope.roomIds.includes(roomId));
    if (!visible) throw new NotFoundError(phrase('stats:errors.courseNotFound'), { code: 'COURSE_NOT_FOUND' });
  }

  async #visibleSession(actor: BackendActor, sessionId: string, settings: StatsSettings): Promise<{ session: SessionRow; canManage: boolean }> {
    const scope = await this.scopeOf(actor, settings);
    const session = await this.#deps.store.findSession(sessionId);
    const notFound = () => new NotFoundError(phrase('stats:errors.sessionNotFound'), { code: 'SESSION_NOT_FOUND' });
    if (!session) throw notFound();
    if (scope.kind === 'attendee') {
      const mine = await this.#deps.store.presence([session.id], this.now);
      if (!mine.some((row) => row.userId === actor.userId)) throw notFound();
      return { session, canManage: false };
    }
    if ((await courseAccess(actor, { id: session.roomId, active: true }, this.#deps.members)) !== 'manage') throw notFound();
    return { session, canManage: true };
  }
}

function rank(person: PersonAttendance): number {
  return person.role === 'instructor' ? 0 : person.enrolled ? 1 : 2;
}

function pageOf(value: unknown): number {
  if (value === undefined || value === '') return 1;
  const page = typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(page) || page < 1) throw new ValidationError(phrase('stats:errors.badPage'), { page: phrase('stats:errors.badPage') }, { code: 'BAD_PAGE' });
  return page;
}
