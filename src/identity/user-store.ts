import type { Db } from '../lib/db/database.ts';
import { isMediaSpaceUserKey } from './user-keys.ts';

export interface KnownUser {
  id: string;
  name: string;
  email: string | null;
  mediaspaceRole: string | null;
  source: 'mediaspace';
}

/** Users the module has met; MediaSpace users are recorded at their launch so the rooms backend can list them. */
export interface UserStore {
  /** `user.id` is a MediaSpace user's key (src/identity/user-keys.ts); only a MediaSpace user's row is ever changed. */
  recordMediaSpaceUser(user: Omit<KnownUser, 'source'>, seenAt: number): Promise<void>;
}

export function createUserStore(db: Db): UserStore {
  return {
    async recordMediaSpaceUser(user, seenAt) {
      if (!isMediaSpaceUserKey(user.id)) throw new Error('a MediaSpace user is recorded under a MediaSpace key only');
      const emailNormalized = user.email?.trim().toLowerCase() || null;
      await db
        .insertInto('users')
        .values({
          id: user.id,
          name: user.name,
          email: user.email,
          email_normalized: emailNormalized,
          mediaspace_role: user.mediaspaceRole,
          source: 'mediaspace',
          first_seen_at: seenAt,
          last_seen_at: seenAt,
        })
        .onConflict((oc) =>
          oc
            .column('id')
            .doUpdateSet({ name: user.name, email: user.email, email_normalized: emailNormalized, mediaspace_role: user.mediaspaceRole, last_seen_at: seenAt })
            // Never another source's row, whatever its id.
            .where('users.source', '=', 'mediaspace'),
        )
        .execute();
    },
  };
}
