import { Router, type RequestHandler } from 'express';
import { NotFoundError, ValidationError } from '../lib/errors/app-error.ts';
import { phrase } from '../lib/i18n/phrase.ts';
import { requireRoleAtLeast } from '../identity/session-middleware.ts';
import { requireSettings } from '../module-settings/module-gates.ts';
import type { ModuleSettingsService } from '../module-settings/module-settings-service.ts';
import { sendLaunch } from '../rooms/send-launch.ts';
import { MyRoomsService, ROOM_NAME_MAX } from './my-rooms-service.ts';

const messages = {
  notEnabled: phrase('my-rooms:errors.notEnabled'),
  roleTooLow: phrase('my-rooms:errors.roleTooLow'),
};

export function createMyRoomsRouter({ myRooms, settings, actionRateLimit }: { myRooms: MyRoomsService; settings: ModuleSettingsService; actionRateLimit: RequestHandler }): Router {
  const router = Router();
  router.use(
    '/my-rooms',
    requireSettings(settings, (current) => current.enabled && current.enableUserPrivateLiveRoom, () =>
      new NotFoundError(messages.notEnabled, { code: 'PRIVATE_ROOMS_NOT_ENABLED' }),
    ),
    requireRoleAtLeast('privateOnlyRole', messages.roleTooLow),
  );

  router.get('/my-rooms', async (req, res) => {
    const rooms = await myRooms.list(req.auth!);
    res.format({
      html: () => res.render('my-rooms/index', { rooms, error: null, draftName: '', nameMax: ROOM_NAME_MAX, created: req.query.created ?? null }),
      json: () => res.json({ rooms: rooms.map(({ id, name, live, createdAt }) => ({ id, name, live, createdAt })) }),
    });
  });

  router.post('/my-rooms', actionRateLimit, async (req, res) => {
    try {
      const room = await myRooms.create(req.auth!, req.body);
      res.format({
        html: () => res.redirect(303, `/my-rooms?created=${encodeURIComponent(room.id)}`),
        json: () => res.status(201).json({ id: room.id, name: room.name }),
      });
    } catch (error) {
      // A browser keeps what was typed and sees the problem next to the field.
      if (!(error instanceof ValidationError) || !req.accepts('html') || req.accepts(['json', 'html']) === 'json') throw error;
      const rooms = await myRooms.list(req.auth!);
      await req.resolveLanguage();
      const nameProblem = error.sayFields(req.t).name;
      const problem = nameProblem ? req.t('my-rooms:nameProblem', { problem: nameProblem }) : error.say(req.t).message;
      res.status(400).render('my-rooms/index', { rooms, error: problem, draftName: String((req.body as { name?: unknown }).name ?? ''), nameMax: ROOM_NAME_MAX, created: null });
    }
  });

  router.post('/my-rooms/:roomId/launch', actionRateLimit, async (req, res) => {
    sendLaunch(res, await myRooms.launch(req.auth!, String(req.params.roomId)));
  });

  return router;
}
