/**
 * The demo portal: a stand-in for MediaSpace, on only with the built-in
 * Kaltura emulator. It lists the demo users, signs in as one by asking Kaltura
 * (the emulator) for a KS, and then shows that user's channels with the
 * module's additions loaded through the same snippet a real MediaSpace uses.
 */
import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import type { CookiePolicy } from '../lib/http/cookie-policy.ts';
import { parseInput } from '../lib/http/validate.ts';
import { UnauthorizedError } from '../lib/errors/app-error.ts';
import type { CachedKalturaGateway } from '../kaltura/cached-kaltura-gateway.ts';
import { displayNameOf } from '../kaltura/kaltura-records.ts';
import { resolveMediaSpaceRole } from '../identity/mediaspace-roles.ts';
import { phrase } from '../lib/i18n/phrase.ts';
import { channelLevelFromKaltura } from '../channels/channel-levels.ts';
import { createSessionCookie } from '../identity/session-cookie.ts';
import { kalturaUserIdOf } from '../identity/user-keys.ts';
import type { IdentityService } from '../identity/identity-service.ts';

/** The portal's own "MediaSpace session": it holds the KS, as MediaSpace would. */
const PORTAL_COOKIE = 'demo_ks';
const PORTAL_SESSION_SECONDS = 4 * 3600;

const signInSchema = z.object({ userId: z.string({ error: 'demo-portal:fields.userRequired' }).min(1, 'demo-portal:fields.userRequired').max(100) });

const messages = {
  pickUser: phrase('demo-portal:errors.pickUser'),
  notSignedIn: phrase('demo-portal:errors.notSignedIn'),
  notSignedInHelp: phrase('demo-portal:errors.notSignedInHelp'),
};

export interface DemoPortalDeps {
  gateway: CachedKalturaGateway;
  identity: IdentityService;
  cookies: CookiePolicy;
  actionRateLimit: RequestHandler;
}

export function createDemoPortalRouter({ gateway, identity, cookies, actionRateLimit }: DemoPortalDeps): Router {
  const router = Router();
  const sessionCookie = createSessionCookie(cookies);

  router.get('/', async (_req, res) => {
    const directory = await gateway.listUsers();
    const users = directory
      .map(({ user, roleMetadataXml }) => {
        const role = resolveMediaSpaceRole({ isAdmin: user.isAdmin, roleMetadataXml, partnerData: user.partnerData });
        return { id: user.id, name: displayNameOf(user), email: user.email ?? '', role };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
    res.render('demo-portal/sign-in', { users });
  });

  router.post('/demo/sign-in', actionRateLimit, async (req, res) => {
    const { userId } = parseInput(signInSchema, req.body, messages.pickUser);
    const ks = await gateway.startUserSession(userId, PORTAL_SESSION_SECONDS);
    res.cookie(PORTAL_COOKIE, ks, { ...cookies, httpOnly: true, path: '/', maxAge: PORTAL_SESSION_SECONDS * 1000 });
    // Arrive in Live Rooms the way MediaSpace sends people: through /launch with the KS.
    res.redirect(303, `/launch?ks=${encodeURIComponent(ks)}&returnTo=${encodeURIComponent('/demo/portal')}`);
  });

  router.get('/demo/portal', async (req, res) => {
    const ks = req.cookies?.[PORTAL_COOKIE];
    if (typeof ks !== 'string' || !req.auth) {
      throw new UnauthorizedError(messages.notSignedIn, { help: messages.notSignedInHelp, code: 'DEMO_NOT_SIGNED_IN' });
    }
    const kalturaUserId = kalturaUserIdOf(req.auth.userId);
    const channels = (kalturaUserId === null ? [] : await gateway.listUserChannels(kalturaUserId)).map(({ channel, permissionLevel }) => ({
      id: channel.id,
      name: channel.name,
      description: channel.description ?? '',
      level: channelLevelFromKaltura(permissionLevel),
    }));
    res.render('demo-portal/portal', { ks, user: req.auth, channels });
  });

  router.post('/demo/sign-out', async (req, res) => {
    const token = sessionCookie.read(req);
    if (token) await identity.signOut(token);
    res.clearCookie(PORTAL_COOKIE, { ...cookies, httpOnly: true, path: '/' });
    sessionCookie.clear(res);
    res.redirect(303, '/');
  });

  return router;
}
