/**
 * How the module reaches a MediaSpace page: one script (`/embed/live-rooms.js`)
 * that a MediaSpace theme or custom script loads, which fills the
 * `channelButtons` area with the channel's meeting actions (an iframe of
 * /channels/:id/meeting, entered through /launch with the user's KS) and the
 * `headerMenu` with My Rooms and, for administrators, the module settings.
 */
import path from 'node:path';
import { allowEmbedOrigins } from './allow-embed-origins.ts';
import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { parseInput } from '../lib/http/validate.ts';
import type { IdentityService } from '../identity/identity-service.ts';
import { hasRoleAtLeast, isMediaSpaceAdmin } from '../identity/mediaspace-roles.ts';
import { mediaSpaceUserKey } from '../identity/user-keys.ts';
import type { ModuleSettingsService } from '../module-settings/module-settings-service.ts';
import type { LanguageChooser } from '../lib/i18n/i18n.ts';
import { phrase } from '../lib/i18n/phrase.ts';

const SNIPPET_FILE = path.resolve(import.meta.dirname, 'public/live-rooms.js');

const menuQuerySchema = z.object({
  ks: z.string({ error: 'embed:fields.ksMissing' }).min(1, 'embed:fields.ksMissing').max(4096, 'embed:fields.ksTooLong').regex(/^[A-Za-z0-9+/=_\-|.]+$/, 'embed:fields.notKs'),
});

const messages = {
  menuIncomplete: phrase('embed:errors.menuIncomplete'),
};

export interface MenuItem {
  id: 'my-rooms' | 'module-settings';
  /** In the person's language: their profile's choice, else their browser's. */
  label: string;
  /** A path of this service, reached through /launch so the module session is made first. */
  returnTo: string;
}

export interface EmbedRouterDeps {
  identity: IdentityService;
  settings: ModuleSettingsService;
  embedOrigins: readonly string[];
  launchRateLimit: RequestHandler;
  languages: LanguageChooser;
}

export function createEmbedRouter({ identity, settings, embedOrigins, launchRateLimit, languages }: EmbedRouterDeps): Router {
  const router = Router();

  router.get('/embed/live-rooms.js', (_req, res) => {
    // Loaded by MediaSpace pages on another origin.
    res.set({ 'Cross-Origin-Resource-Policy': 'cross-origin', 'Cache-Control': 'public, max-age=300' });
    res.type('application/javascript').sendFile(SNIPPET_FILE);
  });

  router.get('/embed/menu', allowEmbedOrigins(embedOrigins), launchRateLimit, async (req, res) => {
    const { ks } = parseInput(menuQuerySchema, req.query, messages.menuIncomplete);
    const [{ identity: person, role }, current] = await Promise.all([identity.identify(ks), settings.current()]);
    // The menu comes without the module's cookie: the KS says whose language it is.
    const t = languages.t(await languages.forPerson(mediaSpaceUserKey(person.userId), req.get('accept-language')));
    const items: MenuItem[] = [];
    if (current.enabled && current.enableUserPrivateLiveRoom && hasRoleAtLeast(role, 'privateOnlyRole')) {
      items.push({ id: 'my-rooms', label: t('embed:menu.myRooms'), returnTo: '/my-rooms' });
    }
    // Administrators always see the settings: that is where the module is turned on.
    if (isMediaSpaceAdmin(role)) items.push({ id: 'module-settings', label: t('embed:menu.settings'), returnTo: '/admin/module' });
    res.set('Cache-Control', 'private, no-store').json({ items });
  });

  return router;
}
