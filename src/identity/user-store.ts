import type { Db } from '../lib/db/database.ts';

export interface KnownUser {
  id: string;
  name: string;
  email: string | null;
  mediaspaceRole: string | null;
  source: 'mediaspace';
}

/** Users the module has met; MediaSpace users are recorded at their launch so the rooms backend can list them. */
export interface UserStore {
  recordMediaSpaceUser(user: Omit<KnownUser, 'source'>, seenAt: number): Promise<void>;
}

export function createUserStore(db: Db): UserStore {
  return {
    async recordMediaSpaceUser(user, seenAt) {
      await db
        .insertInto('users')
        .values({
          id: user.id,
          name: user.name,
          email: user.email,
          email_normalized: user.email?.trim().toLowerCase() || null,
          mediaspace_role: user.mediaspaceRole,
          source: 'mediaspace',
          first_seen_at: seenAt,
          last_seen_at: seenAt,
        })
        .onConflict((oc) => oc.column('id').doUpdateSet({ name: user.name, email: user.email, email_normalized: user.email?.trim().toLowerCase() || null, mediaspace_role: user.mediaspaceRole, last_seen_at: seenAt }))
        .execute();
    },
  };
}
