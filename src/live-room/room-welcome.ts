/**
 * The welcome a person's connection receives when admitted: who they are in
 * the room, its phase, and everything they may see of it now (people, the
 * waiting room for instructors, hands, chat, cameras, recording). Made inside
 * the room's queue, so every later event follows it in order.
 */
import type { LiveSession } from '../rooms/live-session-store.ts';
import type { Room } from '../rooms/room-store.ts';
import type { Admission } from './admission.ts';
import type { RoomPlanRules, RoomRecordingHooks } from './live-room-deps.ts';
import type { RoomActor } from './live-room-service.ts';
import type { ServerMessage, SessionView } from './room-protocol.ts';
import type { RoomViews } from './room-views.ts';

export interface RoomWelcomeDeps {
  rooms: { findById(id: string): Promise<Room | null> };
  admission: Admission;
  plans: RoomPlanRules;
  views: RoomViews;
  recording?: RoomRecordingHooks;
}

/** `waits`: the person waits for an instructor to admit them, and sees nothing of the session yet. */
export async function welcomeMessage(deps: RoomWelcomeDeps, actor: RoomActor, session: LiveSession | null, waits: boolean): Promise<ServerMessage> {
  const { views } = deps;
  const room = await deps.rooms.findById(actor.roomId);
  const instructorsAdmit = await deps.admission.instructorsAdmit(actor.roomId);
  const inside = actor.role === 'instructor' || session !== null;
  const waiting = await views.waiting(actor.roomId);
  return {
    type: 'welcome',
    you: { participantId: views.idOf(actor.roomId, actor.userId), name: actor.name, role: actor.role, permissions: [...actor.permissions] },
    room: { id: actor.roomId, name: room?.name ?? '', kind: room?.kind ?? 'channel' },
    phase: session ? 'live' : 'waiting',
    session: session ? sessionView(session) : null,
    participants: inside ? await views.participants(actor.roomId) : [],
    waiting: actor.role === 'instructor' ? waiting : [],
    waitingCount: waiting.length,
    hands: inside ? await views.hands(actor.roomId) : [],
    chat: session ? await views.chatHistory(session) : [],
    cameras: session ? await views.webcams(actor.roomId) : [],
    removed: actor.role === 'instructor' ? await views.removed(actor.roomId) : [],
    webcamLimit: room ? deps.plans.webcamLimit(room) : null,
    admission: { instructorsAdmit, waitingForAdmission: waits },
    recording: (await deps.recording?.snapshot(actor.roomId)) ?? null,
  };
}

export function sessionView(session: LiveSession): SessionView {
  return { id: session.id, startedAt: session.startedAt };
}
