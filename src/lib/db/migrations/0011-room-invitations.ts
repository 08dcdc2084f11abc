import type { Kysely } from 'kysely';

// A private room's invitation link: one per room, replaced when its owner makes
// a new one and deleted when they turn it off. The link carries the nonce and
// a signature with the service's secret, so the table alone names no usable link.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('room_invitations')
    .addColumn('room_id', 'text', (c) => c.primaryKey().references('rooms.id').onDelete('cascade'))
    .addColumn('nonce', 'text', (c) => c.notNull().unique())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('room_invitations').execute();
}
