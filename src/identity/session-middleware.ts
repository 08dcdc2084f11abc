import type { Request, RequestHandler } from 'express';
import type { AuthSession } from './auth-session-store.ts';
import type { CookiePolicy } from '../lib/http/cookie-policy.ts';
import { createSessionCookie } from './session-cookie.ts';
import { ForbiddenError, UnauthorizedError } from '../lib/errors/app-error.ts';
import type { IdentityService } from './identity-service.ts';
import { hasRoleAtLeast, isMediaSpaceAdmin, type MediaSpaceRole } from './mediaspace-roles.ts';
import { phrase, type Text } from '../lib/i18n/phrase.ts';


const messages = {
  noSession: phrase('identity:errors.noSession'),
  noSessionHelp: phrase('identity:errors.noSessionHelp'),
  roleTooLowHelp: (role: MediaSpaceRole) => phrase('identity:errors.roleTooLowHelp', { role: phrase(`users:mediaspaceRoles.${role}`) }),
  notAdministrator: phrase('identity:errors.notAdministrator'),
};

/** Puts the person's module session, if any, on `req.auth`; never trusts anything else the browser says about who they are. */
export function loadSession(identity: IdentityService, cookies: CookiePolicy): RequestHandler {
  const sessionCookie = createSessionCookie(cookies);
  return async (req, res, next) => {
    const token = sessionCookie.read(req);
    // An unknown or ended session is not cleared from the browser: a relaunch in another frame or
    // tab may have rotated it a moment ago, and clearing it here would remove the new cookie too.
    const session = token ? await identity.findSession(token) : null;
    if (session) req.auth = session;
    res.locals.auth = req.auth ?? null;
    next();
  };
}

/** The person's module session; a request without one is answered 401. */
export function currentSession(req: Request): AuthSession {
  if (!req.auth) {
    throw new UnauthorizedError(messages.noSession, {
      help: messages.noSessionHelp,
      code: 'NO_SESSION',
    });
  }
  return req.auth;
}

export const requireSession: RequestHandler = (req, _res, next) => {
  currentSession(req);
  next();
};

export function requireRoleAtLeast(minimum: MediaSpaceRole, message: Text): RequestHandler {
  return (req, _res, next) => {
    if (!req.auth) return requireSession(req, _res, next);
    if (!hasRoleAtLeast(req.auth.mediaspaceRole, minimum)) {
      throw new ForbiddenError(message, { help: messages.roleTooLowHelp(req.auth.mediaspaceRole), code: 'ROLE_TOO_LOW' });
    }
    next();
  };
}

export const requireMediaSpaceAdmin: RequestHandler = (req, res, next) => {
  if (!req.auth) return requireSession(req, res, next);
  if (!isMediaSpaceAdmin(req.auth.mediaspaceRole)) {
    throw new ForbiddenError(messages.notAdministrator, { code: 'NOT_AN_ADMINISTRATOR' });
  }
  next();
};
