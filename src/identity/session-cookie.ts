/**
 * The module session's cookie: its name (`__Host-lr_session` wherever the policy makes it
 * Secure, see cookieName) and its attributes, decided once, for everything that sets, reads
 * or clears it.
 */
import type { Request, Response } from 'express';
import { cookieName, type CookiePolicy } from '../lib/http/cookie-policy.ts';

export const SESSION_COOKIE_BASE = 'lr_session';

export interface SessionCookie {
  readonly name: string;
  /** The cookie's value, when it looks like one of ours. */
  read(req: Request): string | null;
  set(res: Response, token: string, expiresAt: number): void;
  clear(res: Response): void;
}

export function createSessionCookie(policy: CookiePolicy): SessionCookie {
  const name = cookieName(SESSION_COOKIE_BASE, policy);
  const attributes = { ...policy, httpOnly: true, path: '/' } as const;
  return {
    name,
    read(req) {
      const token: unknown = req.cookies?.[name];
      return typeof token === 'string' && token.length > 0 && token.length < 200 ? token : null;
    },
    set(res, token, expiresAt) {
      res.cookie(name, token, { ...attributes, expires: new Date(expiresAt) });
    },
    clear(res) {
      res.clearCookie(name, attributes);
    },
  };
}
