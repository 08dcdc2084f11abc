/**
 * /backend/stats/settings, for administrators: the attendance thresholds, the
 * term, whether students see their own attendance, and how long statistics are
 * kept. Saves name the version they were made on; a stale one is refused (409).
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { allowRoles, currentActor } from '../backend/backend-access.ts';
import { AppError, ConflictError, ValidationError } from '../lib/errors/app-error.ts';
import { runFormChange, versionOf, wantsJson } from '../lib/http/forms.ts';
import { parseInput } from '../lib/http/validate.ts';
import type { StatsService } from './stats-service.ts';
import { statsSettingsSchema, type StatsSettingsSnapshot } from './stats-settings.ts';

const FORM_STATUSES = new Set([400, 409]);

export function createStatsSettingsRoutes({ stats }: { stats: StatsService }): Router {
  const router = Router();
  const administrators = allowRoles('administrator');

  router.get('/stats/settings', administrators, async (req, res) => {
    const snapshot = await stats.settings();
    if (wantsJson(req)) return res.json(snapshot);
    renderForm(req, res, 200, snapshot, null, null);
  });

  router.post('/stats/settings', administrators, async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const saved = await runFormChange(
      req,
      async () => {
        const version = versionOf(body, req.t, 'stats:errors.version');
        const settings = parseInput(formSchema(req), body, req.t('common:errors.fixBelow'));
        if (!(await stats.saveSettings(currentActor(req), settings, version))) throw new ConflictError(req.t('stats:settings.stale'), { code: 'STALE_SETTINGS' });
      },
      FORM_STATUSES,
      async (error) => renderForm(req, res, error.status, await stats.settings(), body, error),
    );
    if (!saved) return;
    if (wantsJson(req)) return res.json(await stats.settings());
    res.redirect(303, '/backend/stats/settings?saved=1');
  });

  return router;
}

/** The form's fields as the settings' schema reads them: numbers from text, a ticked box, empty dates and days as none. */
function formSchema(req: Request) {
  const number = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? Number(value.trim()) : value === '' ? undefined : value);
  const none = (value: unknown) => (value === '' || value === undefined ? null : number(value));
  const date = (value: unknown) => (typeof value === 'string' ? (value.trim() === '' ? null : value.trim()) : (value ?? null));
  const whole = (min: number, max: number) => z.number({ error: req.t('stats:errors.wholeNumber', { min, max }) }).int(req.t('stats:errors.wholeNumber', { min, max })).min(min, req.t('stats:errors.wholeNumber', { min, max })).max(max, req.t('stats:errors.wholeNumber', { min, max }));
  return z
    .object({
      lateAfterMinutes: z.preprocess(number, whole(0, 600)),
      leftEarlyMinutes: z.preprocess(number, whole(0, 600)),
      presentPercent: z.preprocess(number, whole(0, 100)),
      studentsSeeOwnAttendance: z.preprocess((value) => value === 'on' || value === 'true' || value === true, z.boolean()),
      termStart: z.preprocess(date, z.string().nullable()),
      termEnd: z.preprocess(date, z.string().nullable()),
      retentionDays: z.preprocess(none, whole(1, 36_500).nullable()),
    })
    .transform((value, ctx) => {
      const checked = statsSettingsSchema.safeParse(value);
      if (checked.success) return checked.data;
      for (const issue of checked.error.issues) ctx.addIssue({ code: 'custom', path: issue.path, message: req.t(issue.message) });
      return z.NEVER;
    });
}

function renderForm(req: Request, res: Response, status: number, snapshot: StatsSettingsSnapshot, body: Record<string, unknown> | null, error: AppError | null): void {
  const values = body ?? { ...snapshot.settings, retentionDays: snapshot.settings.retentionDays ?? '', termStart: snapshot.settings.termStart ?? '', termEnd: snapshot.settings.termEnd ?? '' };
  res.status(status).render('stats/settings', {
    title: req.t('stats:settings.title'),
    snapshot,
    values: { ...values, studentsSeeOwnAttendance: body ? body.studentsSeeOwnAttendance === 'on' : snapshot.settings.studentsSeeOwnAttendance },
    version: body && typeof body.version === 'string' ? body.version : String(snapshot.version),
    errors: error instanceof ValidationError ? error.fields : {},
    error: error ? error.message : null,
    flash: req.query.saved !== undefined ? req.t('stats:settings.saved') : null,
  });
}
