import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { currentSession, requireSession } from '../identity/session-middleware.ts';
import { parseInput } from '../lib/http/validate.ts';
import { moduleNotEnabled, requireModuleEnabled } from '../module-settings/module-gates.ts';
import type { ModuleSettingsService } from '../module-settings/module-settings-service.ts';
import type { ChannelMeetingService } from './channel-meeting-service.ts';
import { sendLaunch } from '../rooms/send-launch.ts';
import { phrase } from '../lib/i18n/phrase.ts';

const messages = {
  notAChannel: phrase('channels:errors.notAChannel'),
};

/** Kaltura category ids are positive 32-bit integers; anything else cannot name a channel. */
const channelParamsSchema = z.object({
  channelId: z
    .string()
    .regex(/^[1-9][0-9]{0,9}$/, 'channels:fields.channelIdNotNumber')
    .transform(Number)
    .refine((id) => id <= 2_147_483_647, 'channels:fields.channelIdTooLarge'),
});

export interface ChannelsRouterDeps {
  meetings: ChannelMeetingService;
  settings: ModuleSettingsService;
  actionRateLimit: RequestHandler;
}

export function createChannelsRouter({ meetings, settings, actionRateLimit }: ChannelsRouterDeps): Router {
  const router = Router();
  const channelIdOf = (params: unknown) => parseInput(channelParamsSchema, params, messages.notAChannel).channelId;

  router.get('/channels/:channelId/meeting', async (req, res) => {
    if (!(await settings.current()).enabled) {
      // MediaSpace shows nothing in the channel buttons while the module is off.
      return res.format({
        html: () => res.render('channels/meeting', { meeting: null, openInNewTab: false }),
        json: () => {
          throw moduleNotEnabled();
        },
      });
    }
    const channelId = channelIdOf(req.params);
    const [meeting, current] = await Promise.all([meetings.describe(channelId, currentSession(req)), settings.current()]);
    res.set('Cache-Control', 'no-store');
    res.format({
      html: () => res.render('channels/meeting', { meeting, openInNewTab: current.openInNewTab }),
      json: () => res.json(meeting),
    });
  });

  const enabled = requireModuleEnabled(settings);
  router.post('/channels/:channelId/meeting/start', actionRateLimit, enabled, requireSession, async (req, res) => {
    sendLaunch(res, await meetings.start(channelIdOf(req.params), req.auth!));
  });
  router.post('/channels/:channelId/meeting/join', actionRateLimit, enabled, requireSession, async (req, res) => {
    sendLaunch(res, await meetings.join(channelIdOf(req.params), req.auth!));
  });

  return router;
}
