import type { Db } from '../lib/db/database.ts';

export interface SignInFailures {
  failures: number;
  firstFailedAt: number;
  lockedUntil: number | null;
}

/** Failed sign-ins per email address, kept in the database so that every instance of the service counts the same. */
export interface SignInFailureStore {
  find(email: string): Promise<SignInFailures | null>;
  save(email: string, failures: SignInFailures): Promise<void>;
  clear(email: string): Promise<void>;
}

export function createSignInFailureStore(db: Db): SignInFailureStore {
  return {
    async find(email) {
      const row = await db.selectFrom('sign_in_failures').selectAll().where('email_normalized', '=', email).executeTakeFirst();
      return row ? { failures: row.failures, firstFailedAt: Number(row.first_failed_at), lockedUntil: row.locked_until === null ? null : Number(row.locked_until) } : null;
    },
    async save(email, { failures, firstFailedAt, lockedUntil }) {
      await db
        .insertInto('sign_in_failures')
        .values({ email_normalized: email, failures, first_failed_at: firstFailedAt, locked_until: lockedUntil })
        .onConflict((oc) => oc.column('email_normalized').doUpdateSet({ failures, first_failed_at: firstFailedAt, locked_until: lockedUntil }))
        .execute();
    },
    async clear(email) {
      await db.deleteFrom('sign_in_failures').where('email_normalized', '=', email).execute();
    },
  };
}
