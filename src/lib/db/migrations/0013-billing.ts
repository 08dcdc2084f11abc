import type { Kysely } from 'kysely';

// Plans and Billing through Stripe: the organisation's Stripe customer and
// subscription (one row), the webhook events already handled (Stripe sends an
// event again until it is answered 2xx, so each is applied once), and the audit
// trail of plan, licence, address and payment-method changes.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('billing_account')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text')
    .addColumn('subscription_id', 'text')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('billing_events')
    .addColumn('event_id', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('billing_audit')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('actor_id', 'text')
    .addColumn('actor_name', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('billing_audit_at').on('billing_audit').column('at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('billing_audit').execute();
  await db.schema.dropTable('billing_events').execute();
  await db.schema.dropTable('billing_account').execute();
}
