/**
 * The live room's message format, version 1. Every message is JSON with a
 * `type` and the version `v`; what clients send is validated here, on the
 * server, before anything acts on it. What the server sends is typed here too,
 * so the two sides cannot drift apart silently.
 */
import type { TFunction } from 'i18next';
import { z } from 'zod';
import { say, type Text } from '../lib/i18n/phrase.ts';
import type { RoomPermission, RoomRole } from '../rooms/room-permissions.ts';
import type { MediaServerMessage } from '../media/media-protocol.ts';
import type { RecordingServerMessage, RecordingView } from '../recordings/room/recording-protocol.ts';

export const PROTOCOL_VERSION = 1;
export const CHAT_TEXT_MAX = 2000;
/** Frames larger than this are refused (close code 1009), except media messages, which carry SDP and have their own limit. */
export const MAX_FRAME_BYTES = 16 * 1024;

const base = { v: z.literal(PROTOCOL_VERSION, { error: `the protocol version must be ${PROTOCOL_VERSION}` }), ref: z.string().max(64).optional() };
/** Someone in the room, by the opaque id the room shows for them (src/live-room/participant-ids.ts). */
const participantIdSchema = z.string().min(1).max(64);

export const clientMessageSchema = z.discriminatedUnion('type', [
  z.object({ ...base, type: z.literal('session.start') }),
  z.object({ ...base, type: z.literal('session.end') }),
  z.object({
    ...base,
    type: z.literal('chat.send'),
    text: z
      .string()
      .transform((text) => text.trim())
      .pipe(z.string().min(1, 'the message is empty').max(CHAT_TEXT_MAX, `a message has at most ${CHAT_TEXT_MAX} characters`)),
  }),
  z.object({ ...base, type: z.literal('chat.delete'), messageId: z.uuid() }),
  z.object({ ...base, type: z.literal('hand.raise') }),
  z.object({ ...base, type: z.literal('hand.lower'), participantId: participantIdSchema.optional() }),
  z.object({ ...base, type: z.literal('participant.remove'), participantId: participantIdSchema }),
  z.object({ ...base, type: z.literal('participant.allow'), participantId: participantIdSchema }),
  // Admission, when instructors admit each person: the room's setting, and each waiting person in or out.
  z.object({ ...base, type: z.literal('room.admission'), instructorsAdmit: z.boolean({ error: 'instructorsAdmit must be true or false' }) }),
  z.object({ ...base, type: z.literal('participant.admit'), participantId: participantIdSchema }),
  z.object({ ...base, type: z.literal('participant.deny'), participantId: participantIdSchema }),
  z.object({ ...base, type: z.literal('participant.admitAll') }),
  // Taking one of the session's webcam places (the course's plan limits them); media itself comes later.
  z.object({ ...base, type: z.literal('camera.start') }),
  z.object({ ...base, type: z.literal('camera.stop') }),
  // Recording the session, for the whole room (src/recordings/room).
  z.object({ ...base, type: z.literal('recording.start') }),
  z.object({ ...base, type: z.literal('recording.pause') }),
  z.object({ ...base, type: z.literal('recording.resume') }),
  z.object({ ...base, type: z.literal('recording.stop') }),
  z.object({ ...base, type: z.literal('leave') }),
]);
export type ClientMessage = z.output<typeof clientMessageSchema>;
export type ClientMessageType = ClientMessage['type'];
export const CLIENT_MESSAGE_TYPES = clientMessageSchema.options.map((option) => option.shape.type.value);

export type RoomPhase = 'waiting' | 'live' | 'ended';

/**
 * People are named by `participantId`: opaque, one per person and room, stable across reconnects,
 * never a key that signing in uses.
 */
export interface PersonView {
  participantId: string;
  name: string;
  role: RoomRole;
  /** The address of their profile picture, when they have one. */
  picture?: string;
}

export interface ParticipantView extends PersonView {
  handRaisedAt: number | null;
}

export interface ChatMessageView {
  id: string;
  participantId: string;
  name: string;
  role: RoomRole;
  text: string;
  sentAt: number;
}

export interface SessionView {
  id: string;
  startedAt: number;
}

/** Someone whose webcam is on: they hold one of the session's webcam places. */
export interface CameraView {
  participantId: string;
  name: string;
  since: number;
}

export interface RemovedView {
  participantId: string;
  name: string;
  removedAt: number;
}

export interface HandView {
  participantId: string;
  name: string;
  raisedAt: number;
}

export type ServerMessage =
  | {
      type: 'welcome';
      you: PersonView & { permissions: RoomPermission[] };
      room: { id: string; name: string; kind: string };
      phase: RoomPhase;
      session: SessionView | null;
      participants: ParticipantView[];
      waiting: PersonView[];
      waitingCount: number;
      hands: HandView[];
      chat: ChatMessageView[];
      cameras: CameraView[];
      /** Instructors only: people removed from this room, whom they can let back in. */
      removed: RemovedView[];
      /** Webcam places per live session; null: no limit. */
      webcamLimit: number | null;
      /** Whether instructors admit each person, and whether this person waits for one to. */
      admission: AdmissionView;
      /** The session's recording (null where the room does not record). */
      recording: RecordingView | null;
    }
  | { type: 'session.started'; session: SessionView; participants: ParticipantView[]; hands: HandView[]; chat: ChatMessageView[] }
  | { type: 'session.ended'; endedAt: number; reason: SessionEndReason }
  | { type: 'presence.joined'; participant: ParticipantView }
  | { type: 'presence.left'; participantId: string }
  | { type: 'waiting.changed'; waiting: PersonView[]; waitingCount: number }
  | { type: 'chat.message'; message: ChatMessageView }
  | { type: 'chat.deleted'; messageId: string }
  | { type: 'hand.raised'; hand: HandView }
  | { type: 'hand.lowered'; participantId: string }
  /** To instructors: who is kept out of the room until allowed back (or the session ends). */
  | { type: 'removals.changed'; removed: RemovedView[] }
  | { type: 'camera.changed'; cameras: CameraView[]; webcamLimit: number | null }
  | { type: 'admission.changed'; instructorsAdmit: boolean }
  /** To a waiting person, before their socket closes with 4009: they come back in at once. */
  | { type: 'admission.admitted' }
  /** To a waiting person an instructor did not let in, before their socket closes with 4008. */
  | { type: 'admission.denied'; message: Text }
  /** `message` is said in each receiver's language as it is sent (see `inLanguage`). */
  | { type: 'removed'; message: Text }
  | { type: 'error'; code: string; message: Text; ref?: string }
  /** Audio and video (src/media/media-protocol.ts). */
  | MediaServerMessage
  /** Recording (src/recordings/room/recording-protocol.ts). */
  | RecordingServerMessage;

export interface AdmissionView {
  instructorsAdmit: boolean;
  waitingForAdmission: boolean;
}

export type SessionEndReason = 'ended-by-instructor' | 'no-instructor';

/**
 * Close codes a client can act on: 4000 left, 4001 removed, 4003 full, 4004 replaced by a newer tab of the
 * same person (over the per-person cap), 4005 the module session behind the pass ended (signed out,
 * account deactivated, session over), 4006 no longer a member of the room's channel, 4007 the pass's
 * time is up, 4008 an instructor did not let the waiting person in, 4009 admitted (reconnect at once:
 * the room welcomes them inside), 1009 frame too big. A connection
 * without a valid room pass never opens: its upgrade is answered with HTTP 401 instead.
 */
export const CLOSE = {
  tooBig: 1009,
  removed: 4001,
  full: 4003,
  replaced: 4004,
  passEnded: 4005,
  notMember: 4006,
  passExpired: 4007,
  denied: 4008,
  admitted: 4009,
  left: 4000,
} as const;

/** `{v:1, type:"error"}` with a message a person understands. */
export function errorMessage(code: string, message: Text, ref?: string): ServerMessage {
  return { type: 'error', code, message, ...(ref && { ref }) };
}

/** Whether a message carries words for people, which are said in each receiver's language. */
export function hasWords(message: ServerMessage): message is Extract<ServerMessage, { type: 'removed' | 'error' | 'admission.denied' }> {
  return message.type === 'removed' || message.type === 'error' || message.type === 'admission.denied';
}

/** The message with its words in the language of `t`, ready to encode. */
export function inLanguage(message: ServerMessage, t: TFunction): ServerMessage {
  return hasWords(message) ? { ...message, message: say(t, message.message) } : message;
}

/** Messages with words are encoded only after `inLanguage`: a phrase is not something to send. */
export function encode(message: ServerMessage): string {
  return JSON.stringify({ v: PROTOCOL_VERSION, ...message });
}

/** What is wrong with a message that failed its schema, for the sender: the first problem, and where. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  return `${where}${issue?.message ?? 'invalid'}`;
}
