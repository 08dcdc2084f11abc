/**
 * What the backend's forms share: a page answers with the form again when the
 * person can fix what went wrong, keeping what they typed; a caller asking for
 * JSON gets the error handler's JSON instead. Saves name the version they were
 * made on (optimistic concurrency).
 */
import type { Request } from 'express';
import { z } from 'zod';
import { AppError } from '../errors/app-error.ts';
import { parseInput } from './validate.ts';

export function wantsJson(req: Request): boolean {
  return req.accepts(['html', 'json']) === 'json';
}

/** The version a form's save was made on; `problemKey` is the translation key of what is said when it is missing or not one. */
export function versionOf(body: unknown, t: Request['t'], problemKey: string): number {
  const problem = t(problemKey);
  return parseInput(z.object({ version: z.coerce.number({ error: problem }).int(problem).min(0, problem) }), body, t('common:errors.fixBelow')).version;
}

/**
 * Runs a form's change and says whether it was made. An AppError with one of `formStatuses` is a
 * problem the person can fix: for a page, `showForm` answers with it instead.
 */
export async function runFormChange(req: Request, change: () => Promise<unknown>, formStatuses: ReadonlySet<number>, showForm: (error: AppError) => Promise<void>): Promise<boolean> {
  try {
    await change();
    return true;
  } catch (error) {
    if (wantsJson(req) || !(error instanceof AppError) || !formStatuses.has(error.status)) throw error;
    await showForm(error);
    return false;
  }
}
