import type { Kysely } from 'kysely';

// A private room's invitation link: one per room, replaced when its owner makes
// a new one and deleted when they turn it off. The link carries the nonce and
// a signature with the service's secret, so the table alone names no usable link.
// And how a room admits people: a row says instructors admit each person (no row:
// everyone waiting enters when the session starts, as before).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('room_admission')
    .addColumn('room_id', 'text', (c) => c.primaryKey().references('rooms.id').onDelete('cascade'))
    .addColumn('instructors_admit', 'integer', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
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
  await db.schema.dropTable('room_admission').execute();
}
