import { randomUUID } from 'node:crypto';
import type { Db } from '../lib/db/database.ts';

/** One stretch of time a person spent in a live session; a reconnect within the grace period continues it. */
export interface AttendanceInterval {
  id: string;
  liveSessionId: string;
  roomId: string;
  userId: string;
  userName: string;
  userEmail: string | null;
  role: string;
  joinedAt: number;
  leftAt: number | null;
  lastSeenAt: number;
}

export interface AttendanceStore {
  open(interval: Omit<AttendanceInterval, 'id' | 'leftAt' | 'lastSeenAt'>): Promise<AttendanceInterval>;
  close(id: string, leftAt: number): Promise<void>;
  /** Everyone still in when the session ends leaves at its end. */
  closeAllOpen(liveSessionId: string, leftAt: number): Promise<void>;
  markSeen(ids: readonly string[], at: number): Promise<void>;
  listOpen(): Promise<AttendanceInterval[]>;
  listForSession(liveSessionId: string): Promise<AttendanceInterval[]>;
}

export function createAttendanceStore(db: Db): AttendanceStore {
  return {
    async open(interval) {
      const row = { ...interval, id: randomUUID(), leftAt: null, lastSeenAt: interval.joinedAt };
      await db
        .insertInto('attendance')
        .values({
          id: row.id,
          live_session_id: row.liveSessionId,
          room_id: row.roomId,
          user_id: row.userId,
          user_name: row.userName,
          user_email: row.userEmail,
          role: row.role,
          joined_at: row.joinedAt,
          left_at: null,
          last_seen_at: row.lastSeenAt,
        })
        .execute();
      return row;
    },

    async close(id, leftAt) {
      await db.updateTable('attendance').set({ left_at: leftAt, last_seen_at: leftAt }).where('id', '=', id).where('left_at', 'is', null).execute();
    },

    async closeAllOpen(liveSessionId, leftAt) {
      await db.updateTable('attendance').set({ left_at: leftAt }).where('live_session_id', '=', liveSessionId).where('left_at', 'is', null).execute();
    },

    async markSeen(ids, at) {
      if (ids.length === 0) return;
      await db.updateTable('attendance').set({ last_seen_at: at }).where('id', 'in', [...ids]).where('left_at', 'is', null).execute();
    },

    async listOpen() {
      return (await db.selectFrom('attendance').selectAll().where('left_at', 'is', null).execute()).map(toInterval);
    },

    async listForSession(liveSessionId) {
      return (await db.selectFrom('attendance').selectAll().where('live_session_id', '=', liveSessionId).orderBy('joined_at').execute()).map(toInterval);
    },
  };
}

function toInterval(row: {
  id: string;
  live_session_id: string;
  room_id: string;
  user_id: string;
  user_name: string;
  user_email: string | null;
  role: string;
  joined_at: number;
  left_at: number | null;
  last_seen_at: number;
}): AttendanceInterval {
  return {
    id: row.id,
    liveSessionId: row.live_session_id,
    roomId: row.room_id,
    userId: row.user_id,
    userName: row.user_name,
    userEmail: row.user_email,
    role: row.role,
    joinedAt: Number(row.joined_at),
    leftAt: row.left_at === null ? null : Number(row.left_at),
    lastSeenAt: Number(row.last_seen_at),
  };
}
