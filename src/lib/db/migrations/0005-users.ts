import type { Kysely } from 'kysely';

// Users and invitations: an account has at most one invitation, renewed in
// place when it is resent (a new token, a new expiry), so that an old link
// stops working the moment a new one exists.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('invitations_one_per_user').on('invitations').column('user_id').unique().execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('invitations_one_per_user').execute();
}
