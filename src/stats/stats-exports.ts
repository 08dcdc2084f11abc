/**
 * Session Stats' CSV files: a session's attendance (a row per person, and a
 * row per interval), a date range's overview and every interval of a range,
 * and a course's report grid. Every time twice, ISO 8601 with the viewer's
 * offset and in UTC; every duration twice, in seconds and as h:mm:ss (hours
 * past 24 never wrap). The same checks as the pages, before a byte is sent.
 */
import type { Request, Response } from 'express';
import type { BackendActor } from '../backend/backend-access.ts';
import type { CourseReports } from './course-report.ts';
import { sendCsv, type CsvCell } from './csv-stream.ts';
import type { StatsService } from './stats-service.ts';
import type { SessionFilter, StatsStore } from './stats-store.ts';
import { hms, isoInZone, isoUtc } from './time-zones.ts';

/** Sessions read per batch while a range's file is written. */
const BATCH = 200;

export class StatsExports {
  readonly #stats: StatsService;
  readonly #store: StatsStore;
  readonly #reports: CourseReports;

  constructor({ stats, store, reports }: { stats: StatsService; store: StatsStore; reports: CourseReports }) {
    this.#stats = stats;
    this.#store = store;
    this.#reports = reports;
  }

  async sessionPeople(req: Request, res: Response, actor: BackendActor, sessionId: string, zone: string): Promise<void> {
    const detail = await this.#stats.session(actor, sessionId);
    const t = req.t;
    const header = [t('stats:csv.name'), t('stats:csv.email'), t('stats:csv.role'), t('stats:csv.status'), t('stats:csv.excuse'), ...timeHeader(t, 'entered'), ...timeHeader(t, 'exited'), ...durationHeader(t, 'duration'), ...durationHeader(t, 'waiting'), t('stats:csv.intervals')];
    const rows = detail.people.map((person): CsvCell[] => [
      person.name,
      person.email,
      t(`stats:roles.${person.role}`),
      t(`stats:status.${person.status}`),
      person.excuse?.reason ?? null,
      ...times(person.firstEntry, zone),
      ...times(person.stillInside ? null : person.lastExit, zone),
      ...durations(person.totalMs),
      ...durations(person.waitingMs),
      person.intervals.length,
    ]);
    await sendCsv(res, `session-${fileDate(detail.session.startedAt, zone)}-attendance.csv`, header, from(rows));
  }

  async sessionIntervals(req: Request, res: Response, actor: BackendActor, sessionId: string, zone: string): Promise<void> {
    const detail = await this.#stats.session(actor, sessionId);
    const t = req.t;
    const header = [t('stats:csv.name'), t('stats:csv.email'), t('stats:csv.role'), ...timeHeader(t, 'entered'), ...timeHeader(t, 'exited'), ...durationHeader(t, 'duration')];
    const rows = detail.people.flatMap((person) =>
      person.intervals.map((interval): CsvCell[] => [person.name, person.email, t(`stats:roles.${person.role}`), ...times(interval.joinedAt, zone), ...times(interval.leftAt, zone), ...durations(interval.ms)]),
    );
    await sendCsv(res, `session-${fileDate(detail.session.startedAt, zone)}-intervals.csv`, header, from(rows));
  }

  async overview(req: Request, res: Response, actor: BackendActor, zone: string): Promise<void> {
    const { filter, range } = await this.#stats.filterOf(actor, req.query, zone);
    const t = req.t;
    const now = this.#stats.now;
    const header = [t('stats:csv.course'), t('stats:csv.instructors'), t('stats:csv.students'), ...timeHeader(t, 'start'), ...timeHeader(t, 'end'), ...durationHeader(t, 'duration'), t('stats:csv.live'), t('stats:csv.recording')];
    const store = this.#store;
    async function* rows(): AsyncIterable<CsvCell[]> {
      for await (const batch of sessionBatches(store, filter)) {
        for (const session of await store.decorate(batch)) {
          yield [
            session.roomName,
            session.instructors.join(', '),
            session.students,
            ...times(session.startedAt, zone),
            ...times(session.endedAt, zone),
            ...durations((session.endedAt ?? now) - session.startedAt),
            t(session.endedAt === null ? 'common:yes' : 'common:no'),
            t(session.recordings > 0 ? 'common:yes' : 'common:no'),
          ];
        }
      }
    }
    await sendCsv(res, `sessions-${range.fromDate}-${range.toDate}.csv`, header, rows());
  }

  /** Every interval of every session in the range: the largest file (a million rows), streamed batch by batch. */
  async rangeIntervals(req: Request, res: Response, actor: BackendActor, zone: string): Promise<void> {
    const { filter, range } = await this.#stats.filterOf(actor, req.query, zone);
    const t = req.t;
    const header = [t('stats:csv.course'), ...timeHeader(t, 'start'), t('stats:csv.name'), t('stats:csv.email'), t('stats:csv.role'), ...timeHeader(t, 'entered'), ...timeHeader(t, 'exited'), ...durationHeader(t, 'duration')];
    const store = this.#store;
    const roles = { instructor: t('stats:roles.instructor'), participant: t('stats:roles.participant') } as Record<string, string>;
    const mine = filter.scope.kind === 'attendee' ? filter.scope.userId : null;
    const now = this.#stats.now;
    async function* rows(): AsyncIterable<CsvCell[]> {
      for await (const batch of sessionBatches(store, filter, 50)) {
        const byId = new Map(batch.map((session) => [session.id, session]));
        for (const interval of await store.intervals(batch.map((session) => session.id))) {
          if (mine !== null && interval.userId !== mine) continue;
          const session = byId.get(interval.liveSessionId)!;
          const leftAt = interval.leftAt ?? session.endedAt;
          yield [session.roomName, ...times(session.startedAt, zone), interval.userName, interval.userEmail, roles[interval.role] ?? interval.role, ...times(interval.joinedAt, zone), ...times(leftAt, zone), ...durations((leftAt ?? now) - interval.joinedAt)];
        }
      }
    }
    await sendCsv(res, `attendance-${range.fromDate}-${range.toDate}.csv`, header, rows());
  }

  async courseReport(req: Request, res: Response, actor: BackendActor, roomId: string, zone: string): Promise<void> {
    const report = await this.#reports.report(actor, roomId, req.query, zone);
    const t = req.t;
    const header = [t('stats:csv.name'), t('stats:csv.email'), ...report.sessions.flatMap((session) => [t('stats:csv.sessionStatus', { start: isoInZone(session.startedAt, zone) }), t('stats:csv.sessionMinutes', { start: isoInZone(session.startedAt, zone) })]), t('stats:csv.attended'), t('stats:csv.rate')];
    const rows = report.students.map((student): CsvCell[] => [
      student.name,
      student.email,
      ...student.cells.flatMap((cell) => [t(`stats:status.${cell.status}`), cell.minutes]),
      student.attended,
      student.rate === null ? null : Math.round(student.rate * 1000) / 10,
    ]);
    await sendCsv(res, `course-report-${report.range.fromDate}-${report.range.toDate}.csv`, header, from(rows));
  }
}

async function* sessionBatches(store: StatsStore, filter: SessionFilter, size = BATCH) {
  let after: { startedAt: number; id: string } | null = null;
  for (;;) {
    const batch = await store.sessionsAfter(filter, after, size);
    if (batch.length === 0) return;
    yield batch;
    const last = batch[batch.length - 1]!;
    after = { startedAt: last.startedAt, id: last.id };
  }
}

async function* from<T>(rows: readonly T[]): AsyncIterable<T> {
  yield* rows;
}

function timeHeader(t: Request['t'], name: string): string[] {
  return [t(`stats:csv.${name}`), t('stats:csv.utc', { name: t(`stats:csv.${name}`) })];
}

function durationHeader(t: Request['t'], name: string): string[] {
  return [t('stats:csv.seconds', { name: t(`stats:csv.${name}`) }), t('stats:csv.hms', { name: t(`stats:csv.${name}`) })];
}

function times(instant: number | null, zone: string): CsvCell[] {
  return instant === null ? [null, null] : [isoInZone(instant, zone), isoUtc(instant)];
}

function durations(ms: number): CsvCell[] {
  return [Math.max(0, Math.round(ms / 1000)), hms(ms)];
}

function fileDate(instant: number, zone: string): string {
  return isoInZone(instant, zone).slice(0, 10);
}
