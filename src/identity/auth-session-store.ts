import type { Insertable } from 'kysely';
import type { Db } from '../lib/db/database.ts';
import type { AuthSessionsTable } from '../lib/db/schema.ts';
import type { MediaSpaceRole } from './mediaspace-roles.ts';

export interface AuthSession {
  id: string;
  userId: string;
  userName: string;
  userEmail: string | null;
  mediaspaceRole: MediaSpaceRole;
  partnerId: number;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  /** mediaspace: arrived with a KS; backend: signed in to the rooms backend with a password. */
  source: 'mediaspace' | 'backend';
}

export interface AuthSessionStore {
  insert(session: AuthSession): Promise<void>;
  /**
   * The one place a session id is replaced (a relaunch): the session `oldId` ends and `next`
   * begins, in one transaction. Anything tied to a session id follows it here.
   */
  rotate(oldId: string, next: AuthSession): Promise<void>;
  findById(id: string): Promise<AuthSession | null>;
  /** Records activity; a relaunch makes a new session (rotate) instead of changing this one. */
  refresh(id: string, changes: Pick<AuthSession, 'lastSeenAt'>): Promise<void>;
  delete(id: string): Promise<void>;
  /** Ends every session of one person (deactivated, or their password changed). */
  deleteForUser(userId: string): Promise<number>;
  deleteExpired(now: number, idleMs: number): Promise<number>;
}

/**
 * Records tied to a session id that must follow it when it rotates, written in the rotation's own
 * transaction (`trx`), so that no reader ever sees them tied to a session that has just ended.
 */
export type SessionFollower = (trx: Db, fromId: string, toId: string) => Promise<void>;

export function createAuthSessionStore(db: Db, followers: SessionFollower[] = []): AuthSessionStore {
  return {
    async insert(session) {
      await db.insertInto('auth_sessions').values(toRow(session)).execute();
    },

    async rotate(oldId, next) {
      await db.transaction().execute(async (trx) => {
        // The row takes the new id in place (one statement on the warm join path); gone already (a concurrent relaunch): made anew.
        const moved = await trx.updateTable('auth_sessions').set(toRow(next)).where('id', '=', oldId).executeTakeFirst();
        if (moved.numUpdatedRows === 0n) await trx.insertInto('auth_sessions').values(toRow(next)).execute();
        for (const follow of followers) await follow(trx, oldId, next.id);
      });
    },

    async findById(id) {
      const row = await db.selectFrom('auth_sessions').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) return null;
      return {
        id: row.id,
        userId: row.user_id,
        userName: row.user_name,
        userEmail: row.user_email,
        mediaspaceRole: row.mediaspace_role as MediaSpaceRole,
        partnerId: row.partner_id,
        createdAt: row.created_at,
        lastSeenAt: row.last_seen_at,
        expiresAt: row.expires_at,
        source: row.source === 'backend' ? 'backend' : 'mediaspace',
      };
    },

    async refresh(id, changes) {
      await db
        .updateTable('auth_sessions')
        .set({ last_seen_at: changes.lastSeenAt })
        .where('id', '=', id)
        .execute();
    },

    async delete(id) {
      await db.deleteFrom('auth_sessions').where('id', '=', id).execute();
    },

    async deleteForUser(userId) {
      const result = await db.deleteFrom('auth_sessions').where('user_id', '=', userId).executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async deleteExpired(now, idleMs) {
      const result = await db
        .deleteFrom('auth_sessions')
        .where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<=', now - idleMs)]))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

function toRow(session: AuthSession): Insertable<AuthSessionsTable> {
  return {
    id: session.id,
    user_id: session.userId,
    user_name: session.userName,
    user_email: session.userEmail,
    mediaspace_role: session.mediaspaceRole,
    partner_id: session.partnerId,
    created_at: session.createdAt,
    last_seen_at: session.lastSeenAt,
    expires_at: session.expiresAt,
    source: session.source,
  };
}
