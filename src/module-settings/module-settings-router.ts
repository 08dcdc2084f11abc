import { Router } from 'express';
import { z } from 'zod';
import { requireMediaSpaceAdmin } from '../identity/session-middleware.ts';
import { parseInput } from '../lib/http/validate.ts';
import { CHANNEL_LEVELS } from '../channels/channel-levels.ts';
import { ROOM_PERMISSIONS, ROOM_ROLES } from '../rooms/room-permissions.ts';
import { phrase } from '../lib/i18n/phrase.ts';
import type { ModuleSettingsService } from './module-settings-service.ts';
import { loadModuleManifest } from './settings-schema.ts';

const versionSchema = z.object({ version: z.coerce.number({ error: 'module-settings:fields.versionMissing' }).int().min(0) });

const messages = {
  formIncomplete: phrase('module-settings:errors.formIncomplete'),
};

export function createModuleSettingsRouter(settings: ModuleSettingsService): Router {
  const router = Router();
  router.use('/admin/module', requireMediaSpaceAdmin);

  router.get('/admin/module', async (req, res) => {
    const [snapshot, audit] = await Promise.all([settings.snapshot(), settings.audit()]);
    res.format({
      html: () => res.render('module-settings/index', settingsPageModel(snapshot, audit, req.query.saved === '1')),
      json: () => res.json({ ...snapshot, audit }),
    });
  });

  router.post('/admin/module', async (req, res) => {
    const { version } = parseInput(versionSchema, req.body, messages.formIncomplete);
    const input = req.is('application/json') ? (req.body as { settings?: unknown }).settings : settingsFromForm(req.body as FormBody);
    const who = `${req.auth!.userName} (${req.auth!.userId})`;
    const saved = await settings.save(input, version, who);
    res.format({
      html: () => res.redirect(303, '/admin/module?saved=1'),
      json: () => res.json(saved),
    });
  });

  return router;
}

type FormBody = Record<string, unknown> & { roleMapping?: Record<string, { roomRole?: unknown; permissions?: unknown }> };

/** HTML checkboxes are absent when unticked; the form's shape becomes the settings' shape here, and the schema judges it. */
function settingsFromForm(body: FormBody): unknown {
  const checked = (name: string) => body[name] === 'on' || body[name] === 'true';
  return {
    enabled: checked('enabled'),
    enableUserPrivateLiveRoom: checked('enableUserPrivateLiveRoom'),
    openInNewTab: checked('openInNewTab'),
    launchTokenLifetimeSeconds: body.launchTokenLifetimeSeconds,
    maxPrivateRoomsPerUser: body.maxPrivateRoomsPerUser,
    roleMapping: CHANNEL_LEVELS.map((level) => {
      const row = body.roleMapping?.[level];
      const permissions = row?.permissions;
      return { channelLevel: level, roomRole: row?.roomRole, permissions: Array.isArray(permissions) ? permissions : permissions === undefined ? [] : [permissions] };
    }),
  };
}

function settingsPageModel(snapshot: Awaited<ReturnType<ModuleSettingsService['snapshot']>>, audit: Awaited<ReturnType<ModuleSettingsService['audit']>>, saved: boolean) {
  const manifest = loadModuleManifest();
  return {
    manifest,
    fields: Object.fromEntries(manifest.settings.map((setting) => [setting.name, setting])),
    snapshot,
    audit,
    saved,
    channelLevels: CHANNEL_LEVELS,
    roomRoles: ROOM_ROLES,
    permissions: ROOM_PERMISSIONS,
  };
}
