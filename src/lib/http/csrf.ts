/**
 * CSRF protection for every form and every state-changing request: a
 * double-submit token bound to the signed-in person (or, before they have a
 * session, to a random visitor id), sent in the hidden `_csrf` field or the
 * `X-CSRF-Token` header.
 */
import { randomBytes } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { doubleCsrf } from 'csrf-csrf';
import { cookieName, type CookiePolicy } from './cookie-policy.ts';

export const VISITOR_COOKIE = 'lr_visitor';

export interface CsrfProtection {
  /** Gives every visitor an identifier before they have a session, and offers `res.locals.csrfToken()` to views. */
  prepare: RequestHandler;
  protect: RequestHandler;
}

/**
 * The hidden `_csrf` field, or the X-CSRF-Token header (scripts). A multipart
 * upload is checked before its body is read, so that nothing is written for a
 * forged one: its form carries the token in its action's query instead.
 */
function tokenFromRequest(req: Request): string | undefined {
  const fromBody = (req.body as Record<string, unknown> | undefined)?._csrf;
  if (typeof fromBody === 'string') return fromBody;
  const fromHeader = req.get('x-csrf-token');
  if (fromHeader) return fromHeader;
  const fromQuery = req.query?._csrf;
  return req.is('multipart/form-data') && typeof fromQuery === 'string' ? fromQuery : undefined;
}

export function createCsrfProtection(secret: string, cookies: CookiePolicy): CsrfProtection {
  const cookieOptions = { sameSite: cookies.sameSite, secure: cookies.secure, partitioned: cookies.partitioned, httpOnly: true, path: '/' } as const;
  const { generateCsrfToken, doubleCsrfProtection } = doubleCsrf({
    getSecret: () => secret,
    // The person, not the session id: a relaunch rotates the session id, and a page opened before it (another tab,
    // another channel frame) must still be able to post. Another person's token is still refused.
    getSessionIdentifier: (req: Request) => req.auth?.userId ?? String(req.cookies?.[VISITOR_COOKIE] ?? ''),
    cookieName: cookieName('lr_csrf', cookies),
    cookieOptions,
    getCsrfTokenFromRequest: tokenFromRequest,
    errorConfig: { statusCode: 403, code: 'CSRF_INVALID', message: 'invalid csrf token' },
  });

  return {
    prepare(req, res, next) {
      if (!req.auth && !req.cookies?.[VISITOR_COOKIE]) {
        const visitorId = randomBytes(16).toString('base64url');
        req.cookies[VISITOR_COOKIE] = visitorId;
        res.cookie(VISITOR_COOKIE, visitorId, { ...cookieOptions, maxAge: 24 * 3600 * 1000 });
      }
      let token: string | undefined;
      res.locals.csrfToken = () => (token ??= generateCsrfToken(req, res));
      next();
    },
    protect: doubleCsrfProtection,
  };
}
