import type { Kysely } from 'kysely';

// The organisation's name, shown in every mail (sender, subject, body) in place of the product's.
// Null until an administrator names it on the branding page.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('branding').addColumn('organisation_name', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('branding').dropColumn('organisation_name').execute();
}
