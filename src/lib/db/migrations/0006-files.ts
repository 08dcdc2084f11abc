import type { Kysely } from 'kysely';

// Files in folders: one name per folder. sibling_key is "<parent folder id, or
// empty at the course's top>/<the name in lower case>", unique per course, so
// two folders (or two files) in one place can never share a name, whatever
// races between requests or instances; NULL keys (rows written before this
// migration) never collide.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('folders').addColumn('sibling_key', 'text').execute();
  await db.schema.alterTable('files').addColumn('sibling_key', 'text').execute();
  await db.schema.createIndex('folders_sibling_key').on('folders').columns(['room_id', 'sibling_key']).unique().execute();
  await db.schema.createIndex('files_sibling_key').on('files').columns(['room_id', 'sibling_key']).unique().execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('files_sibling_key').execute();
  await db.schema.dropIndex('folders_sibling_key').execute();
  await db.schema.alterTable('files').dropColumn('sibling_key').execute();
  await db.schema.alterTable('folders').dropColumn('sibling_key').execute();
}
