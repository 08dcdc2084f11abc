import type { Db } from '../lib/db/database.ts';

export interface Removal {
  roomId: string;
  userId: string;
  userName: string;
  liveSessionId: string | null;
  removedBy: string;
  removedAt: number;
}

/** People an instructor removed: kept out (new launches included) until allowed back or the session ends. */
export interface RemovalStore {
  remove(removal: Removal): Promise<void>;
  allow(roomId: string, userId: string): Promise<boolean>;
  isRemoved(roomId: string, userId: string): Promise<boolean>;
  list(roomId: string): Promise<Removal[]>;
  clearRoom(roomId: string): Promise<void>;
}

export function createRemovalStore(db: Db): RemovalStore {
  return {
    async remove(removal) {
      await db
        .insertInto('room_removals')
        .values({
          room_id: removal.roomId,
          user_id: removal.userId,
          user_name: removal.userName,
          live_session_id: removal.liveSessionId,
          removed_by: removal.removedBy,
          removed_at: removal.removedAt,
        })
        .onConflict((oc) => oc.columns(['room_id', 'user_id']).doNothing())
        .execute();
    },

    async allow(roomId, userId) {
      const result = await db.deleteFrom('room_removals').where('room_id', '=', roomId).where('user_id', '=', userId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    async isRemoved(roomId, userId) {
      return (await db.selectFrom('room_removals').select('user_id').where('room_id', '=', roomId).where('user_id', '=', userId).executeTakeFirst()) !== undefined;
    },

    async list(roomId) {
      const rows = await db.selectFrom('room_removals').selectAll().where('room_id', '=', roomId).orderBy('removed_at').execute();
      return rows.map((row) => ({
        roomId: row.room_id,
        userId: row.user_id,
        userName: row.user_name,
        liveSessionId: row.live_session_id,
        removedBy: row.removed_by,
        removedAt: Number(row.removed_at),
      }));
    },

    async clearRoom(roomId) {
      await db.deleteFrom('room_removals').where('room_id', '=', roomId).execute();
    },
  };
}
