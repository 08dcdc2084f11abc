/**
 * The live room's real-time channel: one WebSocket endpoint per room
 * (`/rooms/:roomId/ws`) on the service's own HTTP server. A connection is
 * authenticated by the room pass cookie its launch created, never by ids the
 * browser picks; every message is parsed against the protocol's schema; a
 * malformed, unknown or refused message gets an `error` back and the
 * connection stays up; a frame over the size limit closes with 1009.
 * Heartbeats find connections that died without saying goodbye. A connection
 * lasts no longer than its pass (src/live-room/pass-watch.ts).
 */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { parse as parseCookies } from 'cookie';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../lib/logger/logger.ts';
import { AppError } from '../lib/errors/app-error.ts';
import type { Scheduler } from '../lib/clock/scheduler.ts';
import type { RoomLaunchService } from '../rooms/room-launch-service.ts';
import type { PassVerdict, RoomPassGuard } from '../rooms/room-pass-guard.ts';
import { PassWatch } from './pass-watch.ts';
import { ROOM_PASS_COOKIE } from '../rooms/rooms-router.ts';
import type { LiveRoomService, RoomActor } from './live-room-service.ts';
import { RoomActionError } from './live-room-service.ts';
import { CLIENT_MESSAGE_TYPES, CLOSE, clientMessageSchema, describeIssue, encode, errorMessage, hasWords, inLanguage, MAX_FRAME_BYTES, type ServerMessage } from './room-protocol.ts';
import type { Audience, RoomEvent, RoomState } from './room-state.ts';
import type { LanguageChooser } from '../lib/i18n/i18n.ts';
import { phrase } from '../lib/i18n/phrase.ts';
import type { TFunction } from 'i18next';
import type { MediaConnection } from '../media/media-signalling.ts';

/** Media messages (`media.*`, SDP inside) go to the media signalling, with their own size limit. */
export interface RoomMediaHandler {
  maxMessageBytes: number;
  handle(connection: MediaConnection, raw: unknown): Promise<void>;
  leave(connection: MediaConnection): Promise<void>;
}

const messages = {
  binary: phrase('live-room:errors.binary'),
  badJson: phrase('live-room:errors.badJson'),
  unknownType: (type: string) => phrase('live-room:errors.unknownType', { type }),
  invalid: (type: string, problem: string) => phrase('live-room:errors.invalid', { type, problem }),
  internal: phrase('live-room:errors.internal'),
  waitingForAdmission: phrase('live-room:errors.waitingForAdmission'),
};

const ROOM_SOCKET_PATH = /^\/rooms\/([0-9a-f-]{36})\/ws$/;

export interface RoomSocketServerDeps {
  launches: RoomLaunchService;
  liveRooms: LiveRoomService;
  state: RoomState;
  logger: Logger;
  heartbeatMs: number;
  /** Open connections one person may hold to one room; a newer one closes their oldest. */
  maxConnectionsPerPerson: number;
  guard: RoomPassGuard;
  scheduler: Scheduler;
  /** How often open connections' passes are checked again. */
  passCheckMs: number;
  /** Origins, besides the request's own host, whose pages may open room sockets (the MediaSpace that frames rooms). */
  embedOrigins: readonly string[];
  /** Each connection's words are in its person's language, chosen once when it opens. */
  languages: LanguageChooser;
  media?: RoomMediaHandler;
}

export interface RoomSocketServer {
  connectionCount(): number;
  /** Sessions of this person were ended on purpose (sign-out, deactivation): their connections close now if their passes ended with them. */
  recheckPerson(userId: string): Promise<void>;
  close(): Promise<void>;
}

interface Connection {
  id: string;
  actor: RoomActor;
  /** The person's language, for the words in refusals and errors. */
  t: TFunction;
  socket: WebSocket;
  alive: boolean;
  /** Nothing is sent before the welcome: the welcome already reflects everything that happened until then. */
  welcomed: boolean;
  /** This connection as the media signalling knows it, made at its first media message and kept. */
  media?: MediaConnection;
  /** Welcomed as someone an instructor has yet to admit: only what is for them reaches them, and no media. */
  waiting?: boolean;
}

export function attachRoomSockets(server: http.Server, deps: RoomSocketServerDeps): RoomSocketServer {
  const { launches, liveRooms, state, logger } = deps;
  const media = deps.media;
  const sockets = new WebSocketServer({ noServer: true, maxPayload: Math.max(MAX_FRAME_BYTES, media?.maxMessageBytes ?? 0), perMessageDeflate: false });
  const rooms = new Map<string, Set<Connection>>();
  const passWatch = new PassWatch({ guard: deps.guard, scheduler: deps.scheduler, everyMs: deps.passCheckMs, logger });

  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const roomId = ROOM_SOCKET_PATH.exec(new URL(req.url ?? '/', 'http://room.invalid').pathname)?.[1];
    if (!roomId) return refuse(socket, 404, 'Not Found');
    // Browsers send cookies with cross-site WebSocket requests too; the Origin says whose page asked.
    if (!originAllowed(req, deps.embedOrigins)) return refuse(socket, 403, 'Forbidden');
    const passToken = parseCookies(req.headers.cookie ?? '')[ROOM_PASS_COOKIE];
    const acceptLanguage = req.headers['accept-language'];
    launches.enter(roomId, passToken).then(
      async ({ pass }) => {
        const actor: RoomActor = { roomId, userId: pass.userId, name: pass.userName, email: pass.userEmail, role: pass.role, permissions: pass.permissions };
        const language = await deps.languages.forPerson(pass.userId, acceptLanguage).catch((error: unknown) => {
          logger.warn({ err: error }, 'reading the language of a room connection failed');
          return deps.languages.browser(acceptLanguage);
        });
        sockets.handleUpgrade(req, socket, head, (ws) => welcome(ws, actor, { id: pass.id, expiresAt: pass.expiresAt }, deps.languages.t(language)));
      },
      (error: unknown) => {
        // 401 or 403 for a pass that no longer admits (the page asks /rooms/:id why); anything else is ours.
        const status = error instanceof AppError ? error.status : 500;
        refuse(socket, status, STATUS_CODES[status] ?? 'Error');
      },
    );
  });

  function welcome(socket: WebSocket, actor: RoomActor, pass: { id: string; expiresAt: number }, t: TFunction): void {
    const connection: Connection = { id: randomUUID(), actor, t, socket, alive: true, welcomed: false };
    localRoom(actor.roomId).add(connection);
    socket.on('pong', () => {
      connection.alive = true;
    });
    socket.on('error', (error) => logger.debug({ err: error }, 'room socket error'));
    socket.on('message', (data, isBinary) => onMessage(connection, data as Buffer, isBinary));

    // Only an admitted connection counts as someone leaving when it closes, even if it closes before admission completes.
    let stage: 'connecting' | 'admitted' | 'refused' | 'gone' = 'connecting';
    const leave = () => liveRooms.disconnect(actor).catch((error) => logger.error({ err: error }, 'room disconnect failed'));
    const unwatch = passWatch.watch({ passId: pass.id, userId: actor.userId, expiresAt: pass.expiresAt, end: (verdict) => socket.close(...closeFor(verdict)) });
    socket.once('close', () => {
      unwatch();
      forget(connection);
      if (media && stage === 'admitted') void media.leave(mediaConnection(connection)).catch((error: unknown) => logger.error({ err: error }, 'closing media failed'));
      if (stage === 'admitted') void leave();
      if (stage === 'connecting') stage = 'gone';
    });

    const admit = (welcome: ServerMessage) => {
      if (stage === 'gone') return void leave();
      stage = 'admitted';
      connection.welcomed = true;
      connection.waiting = welcome.type === 'welcome' && welcome.admission.waitingForAdmission;
      send(connection, welcome);
      closeOldestBeyondCap(connection);
    };
    liveRooms.connect(actor, admit).then(
      (outcome) => {
        if (outcome.admitted) return;
        stage = 'refused';
        forget(connection);
        connection.welcomed = true;
        send(connection, outcome.message);
        socket.close(outcome.close.code, outcome.close.reason);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'room connect failed');
        forget(connection);
        socket.close(1011, 'server error');
      },
    );
  }

  function onMessage(connection: Connection, data: Buffer, isBinary: boolean): void {
    // Anything sent before the welcome is ignored: the client has not seen the room yet.
    if (!connection.welcomed) return;
    if (isBinary) return send(connection, errorMessage('BINARY_NOT_ACCEPTED', messages.binary));
    let raw: unknown;
    try {
      raw = JSON.parse(data.toString('utf8'));
    } catch {
      if (data.length > MAX_FRAME_BYTES) return connection.socket.close(CLOSE.tooBig, 'message too big');
      return send(connection, errorMessage('BAD_JSON', messages.badJson));
    }
    const ref = typeof (raw as { ref?: unknown })?.ref === 'string' ? ((raw as { ref: string }).ref.slice(0, 64)) : undefined;
    const isMedia = media !== undefined && String((raw as { type?: unknown })?.type).startsWith('media.');
    if (data.length > MAX_FRAME_BYTES && !isMedia) return connection.socket.close(CLOSE.tooBig, 'message too big');
    if (isMedia && connection.waiting) return send(connection, errorMessage('WAITING_FOR_ADMISSION', messages.waitingForAdmission, ref));
    if (isMedia) return void media.handle(mediaConnection(connection), raw).catch((error: unknown) => refused(connection, error, ref, 'media'));
    const parsed = clientMessageSchema.safeParse(raw);
    if (!parsed.success) {
      const type = (raw as { type?: unknown })?.type;
      if (typeof type !== 'string' || !(CLIENT_MESSAGE_TYPES as string[]).includes(type)) {
        return send(connection, errorMessage('UNKNOWN_TYPE', messages.unknownType(JSON.stringify(String(type ?? '')).slice(0, 80)), ref));
      }
      return send(connection, errorMessage('INVALID_MESSAGE', messages.invalid(type, describeIssue(parsed.error)), ref));
    }
    if (parsed.data.type === 'leave') return connection.socket.close(CLOSE.left, 'left the room');
    liveRooms.handle(connection.actor, parsed.data).catch((error: unknown) => refused(connection, error, ref, parsed.data.type));
  }

  function refused(connection: Connection, error: unknown, ref: string | undefined, type: string): void {
    if (error instanceof RoomActionError) return send(connection, errorMessage(error.code, error.text, ref));
    logger.error({ err: error, type }, 'room message failed');
    send(connection, errorMessage('INTERNAL_ERROR', messages.internal, ref));
  }

  function mediaConnection(connection: Connection): MediaConnection {
    return (connection.media ??= { id: connection.id, actor: connection.actor, participantId: liveRooms.participantIdOf(connection.actor), reply: (message) => send(connection, message) });
  }

  const unsubscribe = state.subscribe((event: RoomEvent) => {
    // Encoded once for everyone it reaches: a chat line to 300 people is one JSON.stringify, not 300.
    // Only words for people (a removal, to one person) are encoded for each in their language.
    let frame: string | undefined;
    const worded = hasWords(event.message);
    for (const connection of rooms.get(event.roomId) ?? []) {
      if (!reaches(event.audience, connection)) continue;
      sendFrame(connection, worded ? encode(inLanguage(event.message, connection.t)) : (frame ??= encode(event.message)));
      if (event.close) connection.socket.close(event.close.code, event.close.reason);
    }
  });

  const heartbeat = setInterval(() => {
    for (const room of rooms.values()) {
      for (const connection of room) {
        if (!connection.alive) {
          connection.socket.terminate();
          continue;
        }
        connection.alive = false;
        connection.socket.ping();
      }
    }
    liveRooms.markPresentSeen(rooms.keys()).catch((error) => logger.warn({ err: error }, 'recording attendance heartbeat failed'));
  }, deps.heartbeatMs);
  heartbeat.unref();

  /** Tabs beyond the cap cost the service sockets and nothing to the person: the oldest goes, with a reason its page shows. */
  function closeOldestBeyondCap(newest: Connection): void {
    const theirs = [...(rooms.get(newest.actor.roomId) ?? [])].filter((connection) => connection.welcomed && connection.actor.userId === newest.actor.userId);
    for (const oldest of theirs.slice(0, Math.max(0, theirs.length - deps.maxConnectionsPerPerson))) {
      forget(oldest);
      oldest.socket.close(CLOSE.replaced, 'opened in too many tabs');
    }
  }

  function localRoom(roomId: string): Set<Connection> {
    let room = rooms.get(roomId);
    if (!room) rooms.set(roomId, (room = new Set()));
    return room;
  }

  function forget(connection: Connection): void {
    const room = rooms.get(connection.actor.roomId);
    room?.delete(connection);
    if (room?.size === 0) rooms.delete(connection.actor.roomId);
  }

  return {
    connectionCount: () => [...rooms.values()].reduce((total, room) => total + room.size, 0),
    recheckPerson: (userId) => passWatch.recheckPerson(userId),
    async close() {
      clearInterval(heartbeat);
      passWatch.stop();
      unsubscribe();
      for (const client of sockets.clients) client.terminate();
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
    },
  };
}

function send(connection: Connection, message: ServerMessage): void {
  sendFrame(connection, encode(inLanguage(message, connection.t)));
}

function sendFrame(connection: Connection, frame: string): void {
  if (!connection.welcomed) return;
  if (connection.socket.readyState === connection.socket.OPEN) connection.socket.send(frame);
}

/** The close a page understands for a pass that no longer admits (room.js shows why and does not retry). */
function closeFor(verdict: Exclude<PassVerdict, 'ok'>): [number, string] {
  if (verdict === 'notMember') return [CLOSE.notMember, 'no longer a member of the channel'];
  if (verdict === 'expired') return [CLOSE.passExpired, 'the room pass expired'];
  return [CLOSE.passEnded, 'signed out'];
}

function reaches(audience: Audience, { actor, waiting }: Connection): boolean {
  if (waiting || audience === 'waiting') return audience === 'waiting' ? Boolean(waiting) : typeof audience === 'object' && audience.userId === actor.userId;
  if (audience === 'everyone') return true;
  if (audience === 'instructors') return actor.role === 'instructor';
  if (audience === 'participants') return actor.role !== 'instructor';
  return audience.userId === actor.userId;
}

function originAllowed(req: http.IncomingMessage, embedOrigins: readonly string[]): boolean {
  const origin = req.headers.origin;
  // Non-browser clients send no Origin; they cannot ride on someone else's cookies.
  if (!origin) return true;
  if (embedOrigins.includes(origin)) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
