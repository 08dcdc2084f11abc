import { sql } from 'kysely';
import type { Db } from '../lib/db/database.ts';

export interface LockOutRule {
  maxFailures: number;
  lockMs: number;
}

/** An attempt may go on to the password check, or the address is locked until `lockedUntil`. */
export type AttemptDecision = { allowed: true } | { allowed: false; lockedUntil: number };

/**
 * Failed sign-ins per email address, kept in the database so that every instance of the service counts the same.
 * An attempt is counted before its password is checked, in one atomic statement: concurrent attempts cannot
 * read the same count, and once the limit is reached no further attempt costs a password check.
 */
export interface SignInFailureStore {
  /** Counts an attempt unless the address is locked; the attempt that reaches the limit locks it. A right password then clears. */
  countAttempt(email: string, now: number, rule: LockOutRule): Promise<AttemptDecision>;
  clear(email: string): Promise<void>;
}

export function createSignInFailureStore(db: Db): SignInFailureStore {
  return {
    async countAttempt(email, now, { maxFailures, lockMs }) {
      const lockEnd = now + Math.round(lockMs);
      // Failures count within one lock-out window, and a lock that has ended starts a new one: an old failure does not add up forever.
      const fresh = sql<boolean>`(sign_in_failures.locked_until is not null and sign_in_failures.locked_until <= ${now}) or sign_in_failures.first_failed_at < ${now - Math.round(lockMs)}`;
      const count = sql<number>`case when ${fresh} then 1 else sign_in_failures.failures + 1 end`;
      const counted = await db
        .insertInto('sign_in_failures')
        .values({ email_normalized: email, failures: 1, first_failed_at: now, locked_until: maxFailures <= 1 ? lockEnd : null })
        .onConflict((oc) =>
          oc
            .column('email_normalized')
            .doUpdateSet({
              failures: count,
              first_failed_at: sql<number>`case when ${fresh} then cast(${now} as bigint) else sign_in_failures.first_failed_at end`,
              locked_until: sql<number | null>`case when ${count} >= ${maxFailures} then cast(${lockEnd} as bigint) else null end`,
            })
            .where(sql<boolean>`sign_in_failures.locked_until is null or sign_in_failures.locked_until <= ${now}`),
        )
        .returning('failures')
        .executeTakeFirst();
      if (counted) return { allowed: true };
      const row = await db.selectFrom('sign_in_failures').select('locked_until').where('email_normalized', '=', email).executeTakeFirst();
      return { allowed: false, lockedUntil: Number(row?.locked_until ?? lockEnd) };
    },
    async clear(email) {
      await db.deleteFrom('sign_in_failures').where('email_normalized', '=', email).execute();
    },
  };
}
