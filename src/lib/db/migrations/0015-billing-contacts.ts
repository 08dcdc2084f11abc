import type { Kysely } from 'kysely';

// Billing contacts beyond Stripe's one customer email: addresses kept by the
// service, each mailed a link to every invoice Stripe finalises, in the language
// of the administrator who added it. One row per address (lower case).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('billing_contacts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('added_by', 'text', (c) => c.notNull())
    .addColumn('added_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('billing_contacts').execute();
}
