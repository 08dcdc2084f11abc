/**
 * /backend/recordings/:id: a recording's player source (HTTP range requests,
 * as a <video> element asks), its download, rename, delete (with a
 * confirmation page), an administrator's Retry and release; and
 * /backend/courses/:id/recording-hours, where administrators add hours to a
 * course. Every route asks the library, which decides who may do what. Forms
 * go back to the recording's session page in Session Stats.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { allowRoles, currentActor, type BackendActor } from '../../backend/backend-access.ts';
import { contentDisposition } from '../../files/file-names.ts';
import { NotFoundError } from '../../lib/errors/app-error.ts';
import { versionOf, wantsJson } from '../../lib/http/forms.ts';
import { parseInput } from '../../lib/http/validate.ts';
import { hms, shortLocal } from '../../stats/time-zones.ts';
import type { RecordingLibrary } from './recording-library.ts';
import { MAX_GRANT_HOURS } from './recording-library.ts';

export const TITLE_MAX = 200;
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
const idSchema = z.uuid();

export interface RecordingLibraryRouterDeps {
  library: RecordingLibrary;
  /** The viewer's time zone, as Session Stats keeps it (src/stats/stats-service.ts). */
  zoneOf: (actor: BackendActor, sent: unknown) => Promise<string>;
}

export function createRecordingLibraryRouter({ library, zoneOf }: RecordingLibraryRouterDeps): Router {
  const router = Router();
  const administrators = allowRoles('administrator');

  router.get('/recordings/:id/video', async (req, res) => {
    const file = await library.file(currentActor(req), recordingIdOf(req));
    await sendRecording(res, file.path, null);
  });

  router.get('/recordings/:id/download', async (req, res) => {
    const file = await library.file(currentActor(req), recordingIdOf(req));
    await sendRecording(res, file.path, file.fileName);
  });

  router.post('/recordings/:id/rename', async (req, res) => {
    const { title } = parseInput(
      z.object({
        title: z
          .string()
          .trim()
          .min(1, req.t('recordings-library:errors.titleEmpty'))
          .max(TITLE_MAX, req.t('recordings-library:errors.titleTooLong', { max: TITLE_MAX }))
          .refine((value) => !INVISIBLE.test(value), req.t('recordings-library:errors.titleInvisible')),
      }),
      req.body,
      req.t('common:errors.fixBelow'),
      undefined,
      { title: req.t('recordings-library:rename.label') },
    );
    const sessionId = await library.rename(currentActor(req), recordingIdOf(req), versionOfForm(req), title.normalize('NFC'));
    done(req, res, sessionId, 'renamed');
  });

  router.get('/recordings/:id/delete', async (req, res) => {
    const recording = await library.view(currentActor(req), recordingIdOf(req));
    res.set('Cache-Control', 'no-store');
    res.render('recordings/delete', { title: req.t('recordings-library:delete.title', { name: recording.title }), recording, recorded: hms(recording.recordedSeconds * 1000) });
  });

  router.post('/recordings/:id/delete', async (req, res) => {
    const deleteEntry = (req.body as { deleteEntry?: unknown }).deleteEntry === 'yes';
    const sessionId = await library.delete(currentActor(req), recordingIdOf(req), versionOfForm(req), deleteEntry);
    done(req, res, sessionId, 'deleted');
  });

  router.post('/recordings/:id/retry', administrators, async (req, res) => {
    const { kind } = parseInput(z.object({ kind: z.enum(['process', 'publish']) }), req.body, req.t('common:errors.fixBelow'));
    const sessionId = await library.retry(currentActor(req), recordingIdOf(req), versionOfForm(req), kind);
    done(req, res, sessionId, 'retried');
  });

  router.post('/recordings/:id/release', administrators, async (req, res) => {
    const sessionId = await library.release(currentActor(req), recordingIdOf(req), versionOfForm(req));
    done(req, res, sessionId, 'released');
  });

  router.get('/courses/:id/recording-hours', administrators, async (req, res) => {
    const actor = currentActor(req);
    const hours = await library.hours(actor, roomIdOf(req));
    res.set('Cache-Control', 'no-store');
    if (wantsJson(req)) return res.json(hours);
    const zone = await zoneOf(actor, req.query.tz);
    res.render('recordings/hours', {
      title: req.t('recordings-library:hours.title', { name: hours.room.name }),
      ...hours,
      fmt: { hours: (seconds: number) => hms(seconds * 1000), time: (instant: number) => shortLocal(instant, zone), zone },
      flash: req.query.granted !== undefined ? req.t('recordings-library:hours.grantedFlash') : null,
    });
  });

  router.post('/courses/:id/recording-hours', administrators, async (req, res) => {
    const form = parseInput(
      z.object({
        hours: z.coerce
          .number({ error: req.t('recordings-library:errors.hoursInvalid', { max: MAX_GRANT_HOURS }) })
          .gt(0, req.t('recordings-library:errors.hoursInvalid', { max: MAX_GRANT_HOURS }))
          .max(MAX_GRANT_HOURS, req.t('recordings-library:errors.hoursInvalid', { max: MAX_GRANT_HOURS })),
        note: z.string().trim().max(500, req.t('recordings-library:errors.noteTooLong', { max: 500 })).default(''),
      }),
      req.body,
      req.t('common:errors.fixBelow'),
      undefined,
      { hours: req.t('recordings-library:hours.hours'), note: req.t('recordings-library:hours.note') },
    );
    const roomId = roomIdOf(req);
    await library.grant(currentActor(req), roomId, form.hours, form.note === '' ? null : form.note);
    if (wantsJson(req)) return res.status(201).json({ granted: true });
    res.redirect(303, `/backend/courses/${roomId}/recording-hours?granted=1`);
  });

  return router;
}

/**
 * Sends the final MP4: inline for the player, or as an attachment under the recording's name.
 * Ranges (206, 416, If-Range) are answered by send, under Express's res.sendFile.
 */
async function sendRecording(res: Response, path: string, attachmentName: string | null): Promise<void> {
  res.set({ 'Content-Type': 'video/mp4', 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'private, no-cache' });
  if (attachmentName !== null) res.set('Content-Disposition', contentDisposition(attachmentName));
  await new Promise<void>((resolve, reject) => {
    res.sendFile(path, { dotfiles: 'allow', cacheControl: false }, (error?: Error) => {
      // A player that stops reading (seeking, pausing, closing) is no error of ours.
      if (!error || res.headersSent) return resolve();
      reject(error);
    });
  });
}

function done(req: Request, res: Response, sessionId: string, what: string): void {
  if (wantsJson(req)) return void res.json({ [what]: true });
  res.redirect(303, `/backend/stats/sessions/${sessionId}?recording=${what}#recordings-heading`);
}

function versionOfForm(req: Request): number {
  return versionOf(req.body, req.t, 'recordings-library:errors.versionMissing');
}

function recordingIdOf(req: Request): string {
  const parsed = idSchema.safeParse(req.params.id);
  if (!parsed.success) throw new NotFoundError(req.t('recordings-library:errors.notFound'), { code: 'RECORDING_NOT_FOUND' });
  return parsed.data;
}

function roomIdOf(req: Request): string {
  const parsed = idSchema.safeParse(req.params.id);
  if (!parsed.success) throw new NotFoundError(req.t('recordings-library:errors.courseNotFound'), { code: 'COURSE_NOT_FOUND' });
  return parsed.data;
}
