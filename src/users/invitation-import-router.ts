/**
 * /backend/users/import, for administrators: a CSV file of people to invite,
 * its preview (who will be invited, who already has an account, one list of
 * the lines that are wrong), and the confirmation that invites them. The
 * preview is the answer to the upload itself; the confirmation sends back the
 * preview's id in its form, never in an address.
 */
import { readFile } from 'node:fs/promises';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { allowRoles, currentActor } from '../backend/backend-access.ts';
import { AppError, ValidationError } from '../lib/errors/app-error.ts';
import { wantsJson } from '../lib/http/forms.ts';
import { acceptOneFile, formatBytes, type UploadLimits } from '../lib/http/multipart.ts';
import { parseInput } from '../lib/http/validate.ts';
import { IMPORT_FILE_MAX_BYTES, IMPORT_ROWS_MAX, type ImportPreview, type ImportProblem, type InvitationImport } from './invitation-import.ts';

export interface InvitationImportRouterDeps {
  imports: InvitationImport;
  uploads: Pick<UploadLimits, 'tmpDir' | 'rateLimit'>;
}

const confirmForm = z.object({ importId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) });

export function createInvitationImportRouter({ imports, uploads }: InvitationImportRouterDeps): Router {
  const router = Router();
  router.use('/users/import', allowRoles('administrator'));
  const receiveFile = acceptOneFile({
    field: 'file',
    maxBytes: IMPORT_FILE_MAX_BYTES,
    // The form: _csrf, then the file.
    form: { fields: 1 },
    tmpDir: uploads.tmpDir,
    rateLimit: uploads.rateLimit,
    messages: { tooLarge: 'users:import.errors.fileTooLarge', tooLargeHelp: 'users:import.errors.fileTooLargeHelp', missing: 'users:import.errors.fileMissing' },
  });

  function render(req: Request, res: Response, status: number, state: { preview?: ImportPreview; problem?: AppError; problems?: ImportProblem[] } = {}) {
    res
      .status(status)
      .set('Cache-Control', 'no-store')
      .render('users/import', {
        title: req.t('users:import.title'),
        preview: state.preview ?? null,
        problem: state.problem ? { message: state.problem.message, help: state.problem.help ?? null } : null,
        problems: state.problems ?? state.preview?.problems ?? [],
        maxRows: IMPORT_ROWS_MAX,
        maxSize: formatBytes(IMPORT_FILE_MAX_BYTES),
      });
  }

  router.get('/users/import', (req, res) => render(req, res, 200));

  router.post('/users/import', async (req, res) => {
    let preview: ImportPreview;
    try {
      const file = await receiveFile(req, res);
      preview = await imports.preview(sessionOf(req), file.originalName, await readFile(file.path), req.t);
    } catch (error) {
      if (!(error instanceof AppError) || ![400, 413].includes(error.status) || wantsJson(req)) throw error;
      return render(req, res, error.status, { problem: error });
    }
    if (wantsJson(req)) return res.set('Cache-Control', 'no-store').json({ preview });
    // A file that invites nobody and has lines to fix is a form to correct; otherwise a preview to confirm.
    render(req, res, preview.toInvite.length === 0 && preview.problems.length > 0 ? 400 : 200, { preview });
  });

  router.post('/users/import/confirm', async (req, res) => {
    const { importId } = parseInput(confirmForm, req.body, req.t('users:import.errors.previewGone'));
    try {
      const outcomes = await imports.confirm(currentActor(req), sessionOf(req), importId, req.t);
      if (wantsJson(req)) return res.status(201).json({ invitations: outcomes });
      res.status(201).render('users/invited', { title: req.t('users:invited.title'), outcomes, failed: outcomes.filter((outcome) => !outcome.sent).length });
    } catch (error) {
      if (!(error instanceof ValidationError) || wantsJson(req)) throw error;
      const problems = Object.entries(error.fields).flatMap(([key, message]) => {
        const line = /^line\.(\d+)$/.exec(key)?.[1];
        return line ? [{ line: Number(line), message }] : [];
      });
      render(req, res, error.code === 'IMPORT_PREVIEW_GONE' ? 410 : 409, { problem: problems.length ? new AppError(409, req.t('users:import.errors.changed')) : error, problems });
    }
  });

  return router;
}

/** The preview belongs to the session that uploaded the file. */
function sessionOf(req: Request): string {
  return req.auth?.id ?? currentActor(req).userId;
}
