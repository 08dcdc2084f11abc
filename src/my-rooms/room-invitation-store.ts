/** A private room's one invitation link, by its nonce (the only code that touches room_invitations). */
import type { Db } from '../lib/db/database.ts';

export interface RoomInvitationStore {
  /** The room's current nonce; null: no link (never made, or turned off). */
  nonceOf(roomId: string): Promise<string | null>;
  roomOf(nonce: string): Promise<string | null>;
  /** The room's link becomes this nonce: the one before stops working. */
  replace(roomId: string, nonce: string, createdBy: string, now: number): Promise<void>;
  remove(roomId: string): Promise<void>;
}

export function createRoomInvitationStore(db: Db): RoomInvitationStore {
  return {
    async nonceOf(roomId) {
      return (await db.selectFrom('room_invitations').select('nonce').where('room_id', '=', roomId).executeTakeFirst())?.nonce ?? null;
    },

    async roomOf(nonce) {
      return (await db.selectFrom('room_invitations').select('room_id').where('nonce', '=', nonce).executeTakeFirst())?.room_id ?? null;
    },

    async replace(roomId, nonce, createdBy, now) {
      await db
        .insertInto('room_invitations')
        .values({ room_id: roomId, nonce, created_by: createdBy, created_at: now })
        .onConflict((oc) => oc.column('room_id').doUpdateSet({ nonce, created_by: createdBy, created_at: now }))
        .execute();
    },

    async remove(roomId) {
      await db.deleteFrom('room_invitations').where('room_id', '=', roomId).execute();
    },
  };
}
