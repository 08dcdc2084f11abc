import type { Db } from '../lib/db/database.ts';

export interface PasswordReset {
  tokenHash: string;
  userId: string;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
}

export interface PasswordResetStore {
  insert(reset: PasswordReset): Promise<void>;
  find(tokenHash: string): Promise<PasswordReset | null>;
  /** Marks the reset used; false if it was used already (two submits of one link race here) or expired meanwhile. */
  markUsed(tokenHash: string, now: number): Promise<boolean>;
  /** Older links stop working when a new one is sent or the password changes. */
  retireForUser(userId: string, now: number): Promise<void>;
}

export function createPasswordResetStore(db: Db): PasswordResetStore {
  return {
    async insert(reset) {
      await db
        .insertInto('password_resets')
        .values({ token_hash: reset.tokenHash, user_id: reset.userId, created_at: reset.createdAt, expires_at: reset.expiresAt, used_at: reset.usedAt })
        .execute();
    },
    async find(tokenHash) {
      const row = await db.selectFrom('password_resets').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
      return row
        ? { tokenHash: row.token_hash, userId: row.user_id, createdAt: Number(row.created_at), expiresAt: Number(row.expires_at), usedAt: row.used_at === null ? null : Number(row.used_at) }
        : null;
    },
    async markUsed(tokenHash, now) {
      const result = await db.updateTable('password_resets').set({ used_at: now })
        .where('token_hash', '=', tokenHash)
        .where('used_at', 'is', null)
        // Checked again here: hashing the new password between the link check and this write takes time.
        .where('expires_at', '>', now)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async retireForUser(userId, now) {
      await db.updateTable('password_resets').set({ used_at: now }).where('user_id', '=', userId).where('used_at', 'is', null).execute();
    },
  };
}
