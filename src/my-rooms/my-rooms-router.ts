import { Router, type RequestHandler, type Response } from 'express';
import { NotFoundError, ValidationError } from '../lib/errors/app-error.ts';
import { phrase } from '../lib/i18n/phrase.ts';
import { requireRoleAtLeast, requireSession } from '../identity/session-middleware.ts';
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
  const privateRoomsOn = requireSettings(settings, (current) => current.enabled && current.enableUserPrivateLiveRoom, () =>
    new NotFoundError(messages.notEnabled, { code: 'PRIVATE_ROOMS_NOT_ENABLED' }),
  );
  router.use('/my-rooms', privateRoomsOn, requireRoleAtLeast('privateOnlyRole', messages.roleTooLow));
  // Invitation links are for anyone signed in to MediaSpace, whatever their role; they work while private rooms are on.
  router.use('/room-invitations', privateRoomsOn, requireSession);

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

  /** Back to the room's entry on My Rooms, where its new (or no) invitation link shows. */
  const backToRoom = (res: Response, roomId: string, answer: object) =>
    res.format({
      html: () => res.redirect(303, `/my-rooms#room-${encodeURIComponent(roomId)}`),
      json: () => res.json(answer),
    });
  router.post('/my-rooms/:roomId/invitation', actionRateLimit, async (req, res) => {
    const roomId = String(req.params.roomId);
    backToRoom(res, roomId, { invitationUrl: await myRooms.renewInvitation(req.auth!, roomId) });
  });
  router.post('/my-rooms/:roomId/invitation/delete', actionRateLimit, async (req, res) => {
    const roomId = String(req.params.roomId);
    await myRooms.revokeInvitation(req.auth!, roomId);
    backToRoom(res, roomId, { invitationUrl: null });
  });

  // Opening the link shows what it leads to; joining is a POST (CSRF-protected), so a page elsewhere cannot send someone in.
  router.get('/room-invitations/:code', async (req, res) => {
    const room = await myRooms.invitedRoom(String(req.params.code));
    res.set('Cache-Control', 'no-store');
    res.format({
      html: () => res.render('my-rooms/invitation', { room: { name: room.name }, code: String(req.params.code) }),
      json: () => res.json({ room: { name: room.name } }),
    });
  });
  router.post('/room-invitations/:code', actionRateLimit, async (req, res) => {
    sendLaunch(res, await myRooms.joinByInvitation(req.auth!, String(req.params.code)));
  });

  return router;
}
