import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import type { CookiePolicy } from '../lib/http/cookie-policy.ts';
import { safeReturnPath } from '../lib/http/return-path.ts';
import { parseInput } from '../lib/http/validate.ts';
import { phrase } from '../lib/i18n/phrase.ts';
import type { IdentityService } from './identity-service.ts';
import { createSessionCookie } from './session-cookie.ts';
import { requireLaunchFromMediaSpace, type LaunchSources } from './launch-origin.ts';

// A KS is base64 (v1) or "v2|partner|base64url" (v2); nothing else belongs in one.
// Problems are keys of identity.json, said in the person's language where they are shown.
const launchQuerySchema = z.object({
  ks: z
    .string({ error: 'identity:fields.ksMissing' })
    .min(1, 'identity:fields.ksMissing')
    .max(4096, 'identity:fields.tooLong')
    .regex(/^[A-Za-z0-9+/=_\-|.]+$/, 'identity:fields.notKs'),
  returnTo: z.string().max(2048, 'identity:fields.tooLong').optional(),
});

const messages = {
  linkIncomplete: phrase('identity:errors.linkIncomplete'),
};

export interface IdentityRouterDeps {
  identity: IdentityService;
  cookies: CookiePolicy;
  launchRateLimit: RequestHandler;
  defaultReturnPath: string;
  /** Where a launch may come from (login CSRF): this service and the MediaSpace embed origins. */
  launchSources: LaunchSources;
}

export function createIdentityRouter({ identity, cookies, launchRateLimit, defaultReturnPath, launchSources }: IdentityRouterDeps): Router {
  const router = Router();
  const sessionCookie = createSessionCookie(cookies);

  router.get('/launch', launchRateLimit, requireLaunchFromMediaSpace(launchSources), async (req, res) => {
    const query = parseInput(launchQuerySchema, req.query, messages.linkIncomplete);
    // Check where we would go before anything is created: a bad returnTo leaves no session behind.
    const returnPath = safeReturnPath(query.returnTo, defaultReturnPath);
    // The session middleware has already found the browser's current session, if any.
    const { token, session } = await identity.launch(query.ks, req.auth ?? null);
    sessionCookie.set(res, token, session.expiresAt);
    res.set('Cache-Control', 'no-store').redirect(303, returnPath);
  });

  router.post('/sign-out', async (req, res) => {
    const token = sessionCookie.read(req);
    if (token) await identity.signOut(token);
    sessionCookie.clear(res);
    res.redirect(303, '/');
  });

  return router;
}
