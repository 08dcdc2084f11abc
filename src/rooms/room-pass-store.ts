import type { Db } from '../lib/db/database.ts';
import { isUniqueViolation } from '../lib/db/database.ts';
import type { RoomPermission, RoomRole } from './room-permissions.ts';

/** A person's admission to one room, made when a launch token is redeemed; the room cookie points at it. */
export interface RoomPass {
  id: string;
  roomId: string;
  userId: string;
  userName: string;
  userEmail: string | null;
  role: RoomRole;
  permissions: RoomPermission[];
  launchJti: string;
  createdAt: number;
  /** Never past the expiry of the module session that launched it. */
  expiresAt: number;
  /** The module session that launched it (auth_sessions.id): the pass lasts no longer than that session. Null: a pass from before sessions were recorded, refused. */
  authSessionId: string | null;
  /** The channel whose membership granted the pass, re-checked with Kaltura while it is used; null: granted otherwise. */
  channelId: number | null;
}

export interface RoomPassStore {
  /** Records the token as used and issues the pass in one transaction; false when the token was used before. */
  redeem(pass: RoomPass, tokenExpiresAt: number): Promise<boolean>;
  findById(id: string): Promise<RoomPass | null>;
  /** The session behind some passes changed id (rotated on a relaunch): they follow it, inside the rotation's transaction when given one. */
  moveToSession(fromSessionId: string, toSessionId: string, trx?: Db): Promise<void>;
  /** Expired passes, and passes whose module session is gone. */
  deleteExpired(now: number): Promise<void>;
}

export function createRoomPassStore(db: Db): RoomPassStore {
  return {
    async redeem(pass, tokenExpiresAt) {
      try {
        await db.transaction().execute(async (trx) => {
          await trx.insertInto('used_launch_tokens').values({ jti: pass.launchJti, expires_at: tokenExpiresAt }).execute();
          await trx
            .insertInto('room_passes')
            .values({
              id: pass.id,
              room_id: pass.roomId,
              user_id: pass.userId,
              user_name: pass.userName,
              user_email: pass.userEmail,
              role: pass.role,
              permissions: JSON.stringify(pass.permissions),
              launch_jti: pass.launchJti,
              created_at: pass.createdAt,
              expires_at: pass.expiresAt,
              auth_session_id: pass.authSessionId,
              channel_id: pass.channelId,
            })
            .execute();
        });
        return true;
      } catch (error) {
        if (isUniqueViolation(error)) return false;
        throw error;
      }
    },

    async findById(id) {
      const row = await db.selectFrom('room_passes').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) return null;
      return {
        id: row.id,
        roomId: row.room_id,
        userId: row.user_id,
        userName: row.user_name,
        userEmail: row.user_email,
        role: row.role as RoomRole,
        permissions: JSON.parse(row.permissions) as RoomPermission[],
        launchJti: row.launch_jti,
        createdAt: row.created_at,
        expiresAt: Number(row.expires_at),
        authSessionId: row.auth_session_id,
        channelId: row.channel_id === null ? null : Number(row.channel_id),
      };
    },

    async moveToSession(fromSessionId, toSessionId, trx = db) {
      await trx.updateTable('room_passes').set({ auth_session_id: toSessionId }).where('auth_session_id', '=', fromSessionId).execute();
    },

    async deleteExpired(now) {
      await db
        .deleteFrom('room_passes')
        .where((eb) => eb.or([eb('expires_at', '<=', now), eb('auth_session_id', 'is', null), eb.not(eb.exists(eb.selectFrom('auth_sessions').select('id').whereRef('auth_sessions.id', '=', 'room_passes.auth_session_id')))]))
        .execute();
      // A used jti must be remembered only until the token could no longer verify anyway.
      await db.deleteFrom('used_launch_tokens').where('expires_at', '<=', now - 60_000).execute();
    },
  };
}
