/**
 * /backend/profile: every backend role, MediaSpace users included, edits
 * their own picture, display name and language; backend accounts also change
 * their password. Forms answer with the page again (field errors, 400, 409,
 * 413, 429) keeping what was typed, or JSON for `Accept: application/json`.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { currentActor } from '../backend/backend-access.ts';
import { AppError, ValidationError } from '../lib/errors/app-error.ts';
import type { CookiePolicy } from '../lib/http/cookie-policy.ts';
import { runFormChange, versionOf, wantsJson } from '../lib/http/forms.ts';
import { acceptOneFile, formatBytes, type ImageUploads } from '../lib/http/multipart.ts';
import { parseInput } from '../lib/http/validate.ts';
import { LANGUAGE_NAMES, LANGUAGES, type Language } from '../lib/i18n/i18n.ts';
import { ImageService } from '../images/image-service.ts';
import { createSessionCookie } from '../identity/session-cookie.ts';
import { newPasswordSchema, PASSWORD_MAX, PASSWORD_MIN } from '../sign-in/passwords.ts';
import { passwordMessages } from '../sign-in/sign-in-router.ts';
import type { Account } from '../users/account-store.ts';
import { ProfileService } from './profile-service.ts';

export const DISPLAY_NAME_MAX = 100;
/** Line breaks, tabs and other control characters have no place in a name. */
const CONTROL_CHARACTERS = /\p{Cc}/u;
/** Statuses a form answers with its own page; anything else goes to the error page. */
const FORM_STATUSES = new Set([400, 403, 409, 413, 429]);

type Section = 'picture' | 'details' | 'password';

export interface ProfileRouterDeps {
  profiles: ProfileService;
  cookies: CookiePolicy;
  uploads: ImageUploads;
}

function detailsSchema(t: Request['t']) {
  return z.object({
    displayName: z
      .string({ error: t('profile:errors.nameRequired') })
      .trim()
      .min(1, t('profile:errors.nameRequired'))
      .max(DISPLAY_NAME_MAX, t('profile:errors.nameTooLong', { max: DISPLAY_NAME_MAX }))
      .refine((name) => !CONTROL_CHARACTERS.test(name), t('profile:errors.nameCharacters')),
    language: z.enum(LANGUAGES, { error: t('profile:errors.language') }),
  });
}

/** What pages and JSON callers see of a profile. */
export function profileView(account: Account) {
  return {
    id: account.id,
    name: account.name,
    givenName: account.givenName,
    displayName: account.name === account.givenName ? null : account.name,
    email: account.email,
    source: account.source,
    language: account.language,
    picture: account.pictureImageId ? { small: ImageService.url(account.pictureImageId, 'small'), large: ImageService.url(account.pictureImageId, 'large') } : null,
    canChangePassword: ProfileService.canChangePassword(account),
    version: account.version,
  };
}

export function createProfileRouter({ profiles, cookies, uploads }: ProfileRouterDeps): Router {
  const router = Router();
  const sessionCookie = createSessionCookie(cookies);
  const receivePicture = acceptOneFile({
    field: 'picture',
    maxBytes: uploads.maxImageBytes,
    // The picture form: _csrf and version.
    form: { fields: 2 },
    tmpDir: uploads.tmpDir,
    rateLimit: uploads.rateLimit,
    messages: { tooLarge: 'profile:errors.pictureTooLarge', tooLargeHelp: 'profile:errors.pictureTooLargeHelp', missing: 'profile:errors.pictureMissing' },
  });

  interface PageState {
    section?: Section;
    status?: number;
    error?: AppError | null;
    form?: { displayName?: string; language?: string };
    notice?: string | null;
  }

  async function render(req: Request, res: Response, state: PageState = {}) {
    const t = req.t;
    const account = await profiles.profileOf(currentActor(req).userId, t);
    const profile = profileView(account);
    const error = state.error ?? null;
    res
      .status(state.status ?? 200)
      .set('Cache-Control', 'no-store')
      .render('profile/index', {
        title: t('profile:title'),
        profile,
        languages: LANGUAGES.map((code) => ({ code, name: LANGUAGE_NAMES[code] })),
        form: { displayName: state.form?.displayName ?? profile.name, language: state.form?.language ?? profile.language ?? res.locals.language },
        section: state.section ?? null,
        problem: error ? { message: error.message, help: error.help ?? null } : null,
        // A picture over the size limit is that field's error too.
        errors: error instanceof ValidationError ? error.fields : error?.status === 413 ? { picture: error.message } : {},
        maxImage: formatBytes(uploads.maxImageBytes),
        nameMax: DISPLAY_NAME_MAX,
        passwordMin: PASSWORD_MIN,
        flash: state.notice ?? null,
      });
  }

  /**
   * Runs a form's change and says whether it was made; a problem the person can fix is shown on
   * the page instead, in the section of the form, with its status. JSON callers get the error
   * handler's JSON.
   */
  function submit(req: Request, res: Response, section: Section, form: PageState['form'], change: () => Promise<unknown>): Promise<boolean> {
    return runFormChange(req, change, FORM_STATUSES, (error) => render(req, res, { section, status: error.status, error, form }));
  }

  async function answer(req: Request, res: Response, saved: string) {
    if (wantsJson(req)) {
      const account = await profiles.profileOf(currentActor(req).userId, req.t);
      return res.set('Cache-Control', 'no-store').json({ profile: profileView(account) });
    }
    res.redirect(303, `/backend/profile?saved=${saved}`);
  }

  router.get('/profile', async (req, res) => {
    if (wantsJson(req)) return answer(req, res, '');
    const saved = typeof req.query.saved === 'string' && /^(details|picture|pictureRemoved|password)$/.test(req.query.saved) ? req.query.saved : null;
    await render(req, res, { notice: saved ? req.t(`profile:saved.${saved}`) : null });
  });

  router.post('/profile', async (req, res) => {
    const { userId } = currentActor(req);
    const typed = { displayName: String(req.body?.displayName ?? ''), language: String(req.body?.language ?? '') };
    const saved = await submit(req, res, 'details', typed, async () => {
      const version = versionOf(req.body, req.t, 'profile:errors.version');
      const details = parseInput(detailsSchema(req.t), req.body, req.t('common:errors.fixBelow'), undefined, {
        displayName: req.t('profile:details.displayName'),
        language: req.t('profile:details.language'),
      });
      await profiles.updateDetails(userId, { displayName: details.displayName, language: details.language as Language }, version, req.t);
    });
    if (saved) await answer(req, res, 'details');
  });

  router.post('/profile/picture', async (req, res) => {
    const { userId } = currentActor(req);
    const saved = await submit(req, res, 'picture', {}, async () => {
      const file = await receivePicture(req, res);
      await profiles.replacePicture(userId, file, versionOf(req.body, req.t, 'profile:errors.version'), req.t);
    });
    if (saved) await answer(req, res, 'picture');
  });

  router.post('/profile/picture/remove', async (req, res) => {
    const { userId } = currentActor(req);
    if (await submit(req, res, 'picture', {}, () => profiles.removePicture(userId, versionOf(req.body, req.t, 'profile:errors.version'), req.t))) await answer(req, res, 'pictureRemoved');
  });

  router.post('/profile/password', async (req, res) => {
    const { userId } = currentActor(req);
    const changed = await submit(req, res, 'password', {}, async () => {
      // Before reading the form: there is nothing to check for someone who has no password here.
      if (!ProfileService.canChangePassword(currentActor(req))) throw new AppError(403, req.t('profile:password.notForMediaSpace'), { code: 'NO_PASSWORD_HERE' });
      const form = parseInput(
        z.object({ currentPassword: z.string().max(PASSWORD_MAX * 5).min(1, req.t('profile:password.currentRequired')) }).and(newPasswordSchema(passwordMessages(req.t))),
        { currentPassword: '', password: '', confirmPassword: '', ...req.body },
        req.t('common:errors.fixBelow'),
        undefined,
        { currentPassword: req.t('profile:password.current'), password: req.t('sign-in:newPassword'), confirmPassword: req.t('sign-in:confirmPassword') },
      );
      const result = await profiles.changePassword(userId, form.currentPassword, form.password, req.t);
      // This browser stays signed in with a new session; every other one has ended.
      sessionCookie.set(res, result.token, result.session.expiresAt);
    });
    if (!changed) return;
    if (wantsJson(req)) return res.set('Cache-Control', 'no-store').json({ changed: true });
    res.redirect(303, '/backend/profile?saved=password');
  });

  return router;
}
