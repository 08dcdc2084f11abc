import { Router, type Request } from 'express';
import { z } from 'zod';
import { parseInput } from '../lib/http/validate.ts';
import type { CookiePolicy } from '../lib/http/cookie-policy.ts';
import { NotFoundError } from '../lib/errors/app-error.ts';
import type { LaunchTokens } from './launch-tokens.ts';
import type { RoomLaunchService } from './room-launch-service.ts';
import type { LiveSessionStore } from './live-session-store.ts';
import { PERMISSION_LABELS, type RoomPermission } from './room-permissions.ts';

export const ROOM_PASS_COOKIE = 'lr_room';

const roomIdSchema = z.uuid();
const launchQuerySchema = z.object({ token: z.string({ error: 'is missing' }).min(1, 'is missing').max(8192, 'is too long') });

export interface RoomsRouterDeps {
  launches: RoomLaunchService;
  liveSessions: LiveSessionStore;
  tokens: LaunchTokens;
  cookies: CookiePolicy;
  passLifetimeMs: number;
  /** The course's files for views/rooms/_files.ejs; it answers null for a pass that may not see them. */
  filesPanel?: (req: Request, roomId: string, permissions: readonly RoomPermission[]) => Promise<unknown>;
}

export function createRoomsRouter({ launches, liveSessions, tokens, cookies, passLifetimeMs, filesPanel }: RoomsRouterDeps): Router {
  const router = Router();

  router.get('/.well-known/jwks.json', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').json(tokens.jwks());
  });

  router.get('/rooms/:roomId/launch', async (req, res) => {
    const roomId = roomIdOrNotFound(req.params.roomId);
    const { token } = parseInput(launchQuerySchema, req.query, 'The link into the room is incomplete.');
    const { passToken } = await launches.redeem(roomId, token);
    // One cookie per room, scoped to that room's path: admission to one room says nothing about another.
    res.cookie(ROOM_PASS_COOKIE, passToken, { ...cookies, httpOnly: true, path: `/rooms/${roomId}`, maxAge: passLifetimeMs });
    res.redirect(303, `/rooms/${roomId}`);
  });

  router.get('/rooms/:roomId', async (req, res) => {
    const roomId = roomIdOrNotFound(req.params.roomId);
    const { room, pass } = await launches.enter(roomId, req.cookies?.[ROOM_PASS_COOKIE]);
    const live = await liveSessions.findLive(room.id);
    const view = {
      room: { id: room.id, name: room.name, kind: room.kind, channelId: room.channelId },
      user: { id: pass.userId, name: pass.userName, email: pass.userEmail },
      role: pass.role,
      permissions: pass.permissions,
      live: live !== null,
    };
    const files = req.accepts(['html', 'json']) === 'html' ? ((await filesPanel?.(req, room.id, pass.permissions)) ?? null) : null;
    res.format({
      html: () => res.render('rooms/room', { ...view, permissionLabels: PERMISSION_LABELS, filesPanel: files }),
      json: () => res.json(view),
    });
  });

  return router;
}

function roomIdOrNotFound(value: unknown): string {
  const parsed = roomIdSchema.safeParse(value);
  if (!parsed.success) throw new NotFoundError('There is no room at this address.', { code: 'ROOM_NOT_FOUND' });
  return parsed.data;
}
