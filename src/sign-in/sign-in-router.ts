/**
 * /login, /password-reset: the rooms backend's own sign-in for accounts an
 * administrator invited. MediaSpace users never see these; they arrive with
 * their KS through /launch.
 */
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { AppError, ValidationError } from '../lib/errors/app-error.ts';
import type { CookiePolicy } from '../lib/http/cookie-policy.ts';
import { safeReturnPath } from '../lib/http/return-path.ts';
import { addressKey } from '../lib/http/rate-limits.ts';
import { parseInput } from '../lib/http/validate.ts';
import { createSessionCookie } from '../identity/session-cookie.ts';
import { newPasswordSchema, PASSWORD_MIN, PASSWORD_MAX } from './passwords.ts';
import type { SignInService } from './sign-in-service.ts';
import { normaliseEmail } from '../users/account-store.ts';

const AFTER_SIGN_IN = '/backend/courses';
const TOKEN = /^[A-Za-z0-9_-]{20,100}$/;

export interface SignInRouterDeps {
  signIn: SignInService;
  cookies: CookiePolicy;
  /** Per address (a large budget: a school signs in from one), in front of the per-account limit and lock-out. */
  signInRateLimit: RequestHandler;
  /** Requests naming one account (its email), from any address. */
  accountRateLimit: RequestHandler;
}

export function passwordMessages(t: Request['t']) {
  return { tooShort: t('sign-in:passwordTooShort', { min: PASSWORD_MIN }), tooLong: t('sign-in:passwordTooLong', { max: PASSWORD_MAX }), mismatch: t('sign-in:passwordMismatch') };
}

export function createSignInRouter({ signIn, cookies, signInRateLimit, accountRateLimit }: SignInRouterDeps): Router {
  const router = Router();
  const sessionCookie = createSessionCookie(cookies);

  function renderLogin(req: Request, res: Response, status: number, view: { email?: string; error?: string | null; notice?: string | null }) {
    res.status(status).render('sign-in/login', {
      title: req.t('sign-in:title'),
      email: view.email ?? '',
      error: view.error ?? null,
      notice: view.notice ?? null,
      returnTo: typeof req.query.returnTo === 'string' || typeof req.body?.returnTo === 'string' ? String(req.body?.returnTo ?? req.query.returnTo) : '',
    });
  }

  router.get('/login', (req, res) => {
    const notice = req.query.reset === '1' ? req.t('sign-in:passwordChanged') : req.query.welcome === '1' ? req.t('sign-in:accountReady') : null;
    renderLogin(req, res, 200, { notice });
  });

  router.post('/login', signInRateLimit, accountRateLimit, async (req, res) => {
    const form = parseInput(z.object({ email: z.string().trim().max(254), password: z.string().max(1000), returnTo: z.string().max(2048).optional() }), req.body);
    const returnPath = safeReturnPath(form.returnTo, AFTER_SIGN_IN);
    if (!form.email || !form.password) return renderLogin(req, res, 400, { email: form.email, error: req.t('sign-in:missingFields') });
    let result;
    try {
      result = await signIn.signIn(form.email, form.password, req.t);
    } catch (error) {
      if (error instanceof AppError && (error.status === 401 || error.status === 429)) return renderLogin(req, res, error.status, { email: form.email, error: error.message });
      throw error;
    }
    sessionCookie.set(res, result.token, result.session.expiresAt);
    res.set('Cache-Control', 'no-store').redirect(303, returnPath);
  });

  router.get('/password-reset', (req, res) => {
    res.render('sign-in/reset-request', { title: req.t('sign-in:resetTitle'), sent: false, email: '' });
  });

  router.post('/password-reset', signInRateLimit, accountRateLimit, async (req, res) => {
    const form = parseInput(z.object({ email: z.string().trim().max(254) }), req.body);
    if (!z.email().safeParse(form.email).success) {
      return res.status(400).render('sign-in/reset-request', { title: req.t('sign-in:resetTitle'), sent: false, email: form.email, error: req.t('sign-in:emailInvalid') });
    }
    await signIn.requestPasswordReset(form.email, req.t);
    res.render('sign-in/reset-request', { title: req.t('sign-in:resetTitle'), sent: true, email: form.email });
  });

  router.get('/password-reset/:token', async (req, res) => {
    const token = validToken(req);
    await signIn.checkResetLink(token, req.t);
    res.set('Cache-Control', 'no-store').render('sign-in/reset-password', { title: req.t('sign-in:newPasswordTitle'), errors: {}, min: PASSWORD_MIN });
  });

  router.post('/password-reset/:token', signInRateLimit, async (req, res) => {
    const token = validToken(req);
    await signIn.checkResetLink(token, req.t);
    try {
      const form = parseInput(newPasswordSchema(passwordMessages(req.t)), req.body, req.t('common:errors.fixBelow'));
      await signIn.resetPassword(token, form.password, req.t);
    } catch (error) {
      if (error instanceof ValidationError) {
        return res.status(400).render('sign-in/reset-password', { title: req.t('sign-in:newPasswordTitle'), errors: error.fields, min: PASSWORD_MIN });
      }
      throw error;
    }
    res.redirect(303, '/login?reset=1');
  });

  return router;
}

function validToken(req: Request): string {
  const token = String(req.params.token);
  if (!TOKEN.test(token)) throw new AppError(410, req.t('sign-in:resetLinkInvalid'), { code: 'RESET_LINK_INVALID', help: req.t('sign-in:resetLinkInvalidHelp') });
  return token;
}

/**
 * The account a sign-in form names (its email address, normalised), else the client's address:
 * attempts on one account count together from anywhere, and people behind one address do not share.
 */
export function accountOrAddress(req: Request): string {
  const email: unknown = req.body?.email;
  return typeof email === 'string' && email.trim() !== '' ? `account:${normaliseEmail(email)}` : addressKey(req);
}
