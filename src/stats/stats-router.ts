/**
 * /backend/stats: Session Stats. The overview of a date range, one session's
 * attendance, chat and recordings, Excused marks, a course's report, their CSV
 * files and the statistics' settings. Every route asks the service, which
 * decides from the module's records who may see what; pages for browsers, JSON
 * for `Accept: application/json`.
 */
import { Router, type Request } from 'express';
import { z } from 'zod';
import { allowRoles, currentActor } from '../backend/backend-access.ts';
import { NotFoundError } from '../lib/errors/app-error.ts';
import { wantsJson } from '../lib/http/forms.ts';
import { parseInput } from '../lib/http/validate.ts';
import { QUICK_RANGES } from './date-range.ts';
import type { StatsService } from './stats-service.ts';
import { buildTimeline } from './stats-timeline.ts';
import { hms, isoInZone, shortLocal } from './time-zones.ts';
import type { StatsExports } from './stats-exports.ts';
import { createStatsSettingsRoutes } from './stats-settings-router.ts';
import type { CourseReports } from './course-report.ts';

export interface StatsRouterDeps {
  stats: StatsService;
  reports: CourseReports;
  exports: StatsExports;
}

const idSchema = z.uuid();

export function createStatsRouter({ stats, reports, exports }: StatsRouterDeps): Router {
  const router = Router();
  const staff = allowRoles('administrator', 'instructor');

  router.get('/stats', async (req, res) => {
    const actor = currentActor(req);
    const zone = await stats.zoneOf(actor, req.query.tz);
    const overview = await stats.overview(actor, req.query, zone);
    res.set('Cache-Control', 'no-store');
    const { settings } = await stats.settings();
    if (wantsJson(req)) return res.json(overview);
    res.render('stats/index', {
      title: req.t('stats:title'),
      overview,
      quickRanges: QUICK_RANGES,
      query: queryOf(req),
      canReport: actor.role !== 'student',
      isAdministrator: actor.role === 'administrator',
      retentionDays: settings.retentionDays,
      fmt: formatters(zone),
    });
  });

  router.get('/stats/sessions.csv', async (req, res) => {
    const actor = currentActor(req);
    await exports.overview(req, res, actor, await stats.zoneOf(actor, req.query.tz));
  });

  router.get('/stats/attendance.csv', async (req, res) => {
    const actor = currentActor(req);
    await exports.rangeIntervals(req, res, actor, await stats.zoneOf(actor, req.query.tz));
  });

  router.get('/stats/sessions/:id', async (req, res) => {
    const actor = currentActor(req);
    const zone = await stats.zoneOf(actor, req.query.tz);
    const detail = await stats.session(actor, sessionIdOf(req));
    res.set('Cache-Control', 'no-store');
    if (wantsJson(req)) return res.json(detail);
    const end = detail.session.endedAt ?? detail.now;
    res.render('stats/session', {
      title: req.t('stats:session.title', { name: detail.session.roomName }),
      detail,
      timeline: detail.canManage ? buildTimeline(detail.session.startedAt, end, detail.people.filter((person) => person.intervals.length > 0)) : null,
      fmt: formatters(zone),
      zone,
      flash: req.query.excused !== undefined ? req.t('stats:excuse.saved') : recordingFlash(req),
    });
  });

  router.get('/stats/sessions/:id/attendance.csv', async (req, res) => {
    const actor = currentActor(req);
    await exports.sessionPeople(req, res, actor, sessionIdOf(req), await stats.zoneOf(actor, req.query.tz));
  });

  router.get('/stats/sessions/:id/intervals.csv', async (req, res) => {
    const actor = currentActor(req);
    await exports.sessionIntervals(req, res, actor, sessionIdOf(req), await stats.zoneOf(actor, req.query.tz));
  });

  router.post('/stats/sessions/:id/excusals', staff, async (req, res) => {
    const sessionId = sessionIdOf(req);
    const form = parseInput(
      z
        .object({
          userId: z.string().min(1).max(200),
          excused: z.enum(['yes', 'no']),
          reason: z.string().trim().max(500, req.t('stats:errors.reasonTooLong', { max: 500 })).default(''),
        })
        .refine((value) => value.excused === 'no' || value.reason.length > 0, { message: req.t('stats:errors.reasonRequired'), path: ['reason'] }),
      req.body,
      req.t('common:errors.fixBelow'),
    );
    await stats.excuse(currentActor(req), sessionId, { userId: form.userId, excused: form.excused === 'yes', reason: form.reason });
    if (wantsJson(req)) return res.json({ saved: true });
    res.redirect(303, `/backend/stats/sessions/${sessionId}?excused=1#attendance`);
  });

  router.get('/stats/courses/:id', async (req, res) => {
    const actor = currentActor(req);
    const zone = await stats.zoneOf(actor, req.query.tz);
    const report = await reports.report(actor, courseIdOf(req), req.query, zone);
    res.set('Cache-Control', 'no-store');
    if (wantsJson(req)) return res.json(report);
    res.render('stats/course', { title: req.t('stats:report.title', { name: report.course.name }), report, quickRanges: QUICK_RANGES, query: queryOf(req), fmt: formatters(zone) });
  });

  router.get('/stats/courses/:id/report.csv', async (req, res) => {
    const actor = currentActor(req);
    await exports.courseReport(req, res, actor, courseIdOf(req), await stats.zoneOf(actor, req.query.tz));
  });

  router.use(createStatsSettingsRoutes({ stats }));
  return router;
}

/** Times and durations as the pages show them, in the viewer's zone. */
export function formatters(zone: string) {
  return { time: (instant: number | null) => (instant === null ? '' : shortLocal(instant, zone)), iso: (instant: number) => isoInZone(instant, zone), duration: hms, zone };
}

/** The range and course of this page, for links that keep them (exports, paging, the report). */
function queryOf(req: Request): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const key of ['range', 'from', 'to', 'course']) {
    const value = req.query[key];
    if (typeof value === 'string' && value !== '') kept[key] = value;
  }
  return kept;
}

/** What a recording's form (src/recordings/library) did, said after its redirect back here. */
function recordingFlash(req: Request): string | null {
  const done = req.query.recording;
  return typeof done === 'string' && ['renamed', 'deleted', 'retried', 'released'].includes(done) ? req.t(`recordings-library:flash.${done}`) : null;
}

function sessionIdOf(req: Request): string {
  const parsed = idSchema.safeParse(req.params.id);
  if (!parsed.success) throw new NotFoundError(req.t('stats:errors.sessionNotFound'), { code: 'SESSION_NOT_FOUND' });
  return parsed.data;
}

function courseIdOf(req: Request): string {
  const parsed = idSchema.safeParse(req.params.id);
  if (!parsed.success) throw new NotFoundError(req.t('stats:errors.courseNotFound'), { code: 'COURSE_NOT_FOUND' });
  return parsed.data;
}

