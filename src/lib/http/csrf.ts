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

/** The multipart token read ahead of the body (see readMultipartToken). */
const multipartTokens = new WeakMap<Request, string>();

/** The hidden `_csrf` field, or the X-CSRF-Token header (scripts). */
function tokenFromRequest(req: Request): string | undefined {
  const fromBody = (req.body as Record<string, unknown> | undefined)?._csrf;
  if (typeof fromBody === 'string') return fromBody;
  const fromHeader = req.get('x-csrf-token');
  if (fromHeader) return fromHeader;
  return multipartTokens.get(req);
}

/** Bytes enough for the first part's headers and a token; a form whose first part is longer has no token first. */
const FIRST_PART_MAX = 4096;

/**
 * A multipart upload is checked before its files are read, so that nothing is written for a
 * forged one; a token in the address would be shown, logged and bookmarked. So every multipart
 * form has its hidden `_csrf` field first (browsers send fields in the form's order), and this
 * reads just that first part, then puts the bytes back for the upload parser. Anything else
 * first, and the request has no token.
 */
function readMultipartToken(req: Request): Promise<string | undefined> {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(req.get('content-type') ?? '');
  if (!boundary) return Promise.resolve(undefined);
  const delimiter = `--${boundary[1] ?? boundary[2]}`;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let length = 0;
    let done = false;
    const finish = (token: string | undefined) => {
      if (done) return;
      done = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onEnd);
      req.off('close', onEnd);
      req.pause();
      // A body that ended (or broke off) before its first part did has no token; there is nothing to give back.
      if (chunks.length > 0 && !req.readableEnded && !req.destroyed) req.unshift(Buffer.concat(chunks));
      resolve(token);
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      const head = Buffer.concat(chunks).subarray(0, FIRST_PART_MAX).toString('latin1');
      const end = head.indexOf(`\r\n${delimiter}`, delimiter.length);
      if (end >= 0) {
        const part = /^--[^\r\n]*\r\n((?:[^\r\n]+\r\n)+)\r\n([\s\S]*)$/.exec(head.slice(0, end));
        const named = part && /content-disposition:\s*form-data;\s*name="_csrf"\s*\r\n/i.test(part[1]!) ? part[2] : undefined;
        finish(named);
      } else if (length >= FIRST_PART_MAX) finish(undefined);
    };
    const onEnd = () => finish(undefined);
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onEnd);
    req.on('close', onEnd);
  });
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
    protect(req, res, next) {
      const multipart = !['GET', 'HEAD', 'OPTIONS'].includes(req.method) && req.is('multipart/form-data') && !req.get('x-csrf-token');
      if (!multipart) return doubleCsrfProtection(req, res, next);
      readMultipartToken(req).then((token) => {
        if (token !== undefined) multipartTokens.set(req, token);
        doubleCsrfProtection(req, res, next);
      }, next);
    },
  };
}
