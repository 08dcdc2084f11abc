import { randomUUID } from 'node:crypto';
import type { Db } from '../lib/db/database.ts';

/**
 * Time people spend in a room's waiting room, kept apart from attendance (time
 * inside a live session): an arrival opens a visit, leaving closes it, and a
 * session that starts admits everyone still waiting into it.
 */
export interface WaitingRoomStore {
  arrive(visit: { roomId: string; userId: string; userName: string; userEmail: string | null; arrivedAt: number }): Promise<void>;
  /** The person left the waiting room without being admitted. */
  leave(roomId: string, userId: string, at: number): Promise<void>;
  /** The session started: everyone waiting is admitted into it. */
  admitAll(roomId: string, liveSessionId: string, at: number): Promise<void>;
}

export function createWaitingRoomStore(db: Db): WaitingRoomStore {
  return {
    async arrive(visit) {
      await db
        .insertInto('waiting_room_visits')
        .values({ id: randomUUID(), room_id: visit.roomId, user_id: visit.userId, user_name: visit.userName, user_email: visit.userEmail, arrived_at: visit.arrivedAt, live_session_id: null, admitted_at: null, left_at: null })
        .execute();
    },

    async leave(roomId, userId, at) {
      await db.updateTable('waiting_room_visits').set({ left_at: at }).where('room_id', '=', roomId).where('user_id', '=', userId).where('live_session_id', 'is', null).where('left_at', 'is', null).execute();
    },

    async admitAll(roomId, liveSessionId, at) {
      await db
        .updateTable('waiting_room_visits')
        .set({ live_session_id: liveSessionId, admitted_at: at })
        .where('room_id', '=', roomId)
        .where('live_session_id', 'is', null)
        .where('left_at', 'is', null)
        .execute();
    },
  };
}
