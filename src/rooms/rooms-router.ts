import { Router, type Request } from 'express';
import { z } from 'zod';
import { parseInput } from '../lib/http/validate.ts';
import { scriptJson } from '../lib/http/script-json.ts';
import { moduleGraph } from '../lib/http/assets.ts';
import type { CookiePolicy } from '../lib/http/cookie-policy.ts';
import { NotFoundError } from '../lib/errors/app-error.ts';
import { phrase } from '../lib/i18n/phrase.ts';
import type { LaunchTokens } from './launch-tokens.ts';
import type { RoomLaunchService } from './room-launch-service.ts';
import type { LiveSessionStore } from './live-session-store.ts';
import type { RoomPermission } from './room-permissions.ts';
import type { Room } from './room-store.ts';

export const ROOM_PASS_COOKIE = 'lr_room';

/**
 * The room page's scripts, in the order they must run: the media module first, so it hears the room's first
 * welcome. Every module they import is preloaded with them, instead of being found one level of imports at a
 * time (a round trip per level on a real network).
 */
const ROOM_SCRIPTS = ['/assets/media/media-room.js', '/assets/recordings-room/recording.js', '/assets/live-room/room.js'];
const roomScripts = { entries: ROOM_SCRIPTS, preloads: moduleGraph(ROOM_SCRIPTS) };

const roomIdSchema = z.uuid();
const launchQuerySchema = z.object({ token: z.string({ error: 'rooms:fields.tokenMissing' }).min(1, 'rooms:fields.tokenMissing').max(8192, 'rooms:fields.tokenTooLong') });

const messages = {
  linkIncomplete: phrase('rooms:errors.linkIncomplete'),
  noRoomHere: phrase('rooms:errors.noRoomHere'),
};

export interface RoomsRouterDeps {
  launches: RoomLaunchService;
  liveSessions: LiveSessionStore;
  tokens: LaunchTokens;
  cookies: CookiePolicy;
  /** The course's files for views/rooms/_files.ejs; it answers null for a pass that may not see them. */
  filesPanel?: (req: Request, roomId: string, permissions: readonly RoomPermission[]) => Promise<unknown>;
  /** A private room's invitation link, for its owner only (src/my-rooms); null for anyone else. */
  invitationFor?: (room: Pick<Room, 'id' | 'kind' | 'ownerUserId'>, userId: string) => Promise<string | null>;
}

export function createRoomsRouter({ launches, liveSessions, tokens, cookies, filesPanel, invitationFor }: RoomsRouterDeps): Router {
  const router = Router();

  router.get('/.well-known/jwks.json', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').json(tokens.jwks());
  });

  router.get('/rooms/:roomId/launch', async (req, res) => {
    const roomId = roomIdOrNotFound(req.params.roomId);
    const { token } = parseInput(launchQuerySchema, req.query, messages.linkIncomplete);
    const { passToken, pass } = await launches.redeem(roomId, token);
    // One cookie per room, scoped to that room's path: admission to one room says nothing about another.
    res.cookie(ROOM_PASS_COOKIE, passToken, { ...cookies, httpOnly: true, path: `/rooms/${roomId}`, expires: new Date(pass.expiresAt) });
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
      /** Where the room's owner goes back to (My Rooms), and the link they share; only a private room's owner has them. */
      owner: room.kind === 'private' && room.ownerUserId === pass.userId,
      invitationUrl: (await invitationFor?.(room, pass.userId)) ?? null,
      back: backFrom(room, pass.userId),
    };
    const page = req.accepts(['html', 'json']) === 'html';
    const files = page ? ((await filesPanel?.(req, room.id, pass.permissions)) ?? null) : null;
    // room.js's words, in the person's language (templates: it fills in {{name}} and picks plural forms itself).
    const roomTexts = page ? scriptJson({ language: await req.resolveLanguage(), ...(req.t('rooms:client', { returnObjects: true }) as object), media: req.t('media:client', { returnObjects: true }), recording: req.t('recordings-room:client', { returnObjects: true }) }) : null;
    res.format({
      html: () => res.render('rooms/room', { ...view, filesPanel: files, roomTexts, roomScripts }),
      json: () => res.json(view),
    });
  });

  return router;
}

/** Where Leave leads back to: the channel's meeting actions, My Rooms for a private room's owner, the course's page. */
function backFrom(room: Room, userId: string): { href: string; label: string } | null {
  if (room.kind === 'channel' && room.channelId !== null) return { href: `/channels/${room.channelId}/meeting`, label: 'rooms:room.back.channel' };
  if (room.kind === 'private') return room.ownerUserId === userId ? { href: '/my-rooms', label: 'rooms:room.back.myRooms' } : null;
  if (room.kind === 'course') return { href: `/backend/courses/${encodeURIComponent(room.id)}`, label: 'rooms:room.back.course' };
  return null;
}

function roomIdOrNotFound(value: unknown): string {
  const parsed = roomIdSchema.safeParse(value);
  if (!parsed.success) throw new NotFoundError(messages.noRoomHere, { code: 'ROOM_NOT_FOUND' });
  return parsed.data;
}
