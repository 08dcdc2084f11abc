import { randomUUID } from 'node:crypto';
import type { Db } from '../lib/db/database.ts';

export interface LiveSession {
  id: string;
  roomId: string;
  startedBy: string;
  startedAt: number;
  endedAt: number | null;
}

export interface LiveSessionStore {
  findLive(roomId: string): Promise<LiveSession | null>;
  /** Starts the room's session, or answers the one already live: starting twice is one session. */
  startLive(roomId: string, startedBy: string, now: number): Promise<LiveSession>;
  /** Ends the session if it is still live; false if it had ended already. */
  end(sessionId: string, endedBy: string, reason: string, now: number): Promise<boolean>;
  listLive(): Promise<LiveSession[]>;
}

export function createLiveSessionStore(db: Db): LiveSessionStore {
  async function findLive(roomId: string): Promise<LiveSession | null> {
    const row = await db.selectFrom('live_sessions').selectAll().where('room_id', '=', roomId).where('ended_at', 'is', null).executeTakeFirst();
    return row ? toLiveSession(row) : null;
  }

  return {
    findLive,
    async startLive(roomId, startedBy, now) {
      const live = await findLive(roomId);
      if (live) return live;
      // The partial unique index (one live session per room) settles a race between two starters.
      await db
        .insertInto('live_sessions')
        .values({ id: randomUUID(), room_id: roomId, started_by: startedBy, started_at: now, ended_at: null })
        .onConflict((oc) => oc.column('room_id').where('ended_at', 'is', null).doNothing())
        .execute();
      return (await findLive(roomId))!;
    },

    async end(sessionId, endedBy, reason, now) {
      const result = await db
        .updateTable('live_sessions')
        .set({ ended_at: now, ended_by: endedBy, end_reason: reason })
        .where('id', '=', sessionId)
        .where('ended_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async listLive() {
      return (await db.selectFrom('live_sessions').selectAll().where('ended_at', 'is', null).execute()).map(toLiveSession);
    },
  };
}

function toLiveSession(row: { id: string; room_id: string; started_by: string; started_at: number; ended_at: number | null }): LiveSession {
  return { id: row.id, roomId: row.room_id, startedBy: row.started_by, startedAt: Number(row.started_at), endedAt: row.ended_at === null ? null : Number(row.ended_at) };
}
