import type { Kysely } from 'kysely';

// The rooms backend: backend accounts beside MediaSpace users, courses on the
// one room model (plan, summary, description, image, version for optimistic
// concurrency), course membership, licences per plan, invitations, password
// resets, sign-in failures, stored images, files in folders and the
// organisation's branding.
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const [column, type] of [
    ['backend_role', 'text'],
    ['email_normalized', 'text'],
    ['password_hash', 'text'],
    ['display_name', 'text'],
    ['language', 'text'],
    ['picture_image_id', 'text'],
    ['deactivated_at', 'bigint'],
  ] as const) {
    await db.schema.alterTable('users').addColumn(column, type).execute();
  }
  await db.schema.alterTable('users').addColumn('status', 'text', (c) => c.notNull().defaultTo('active')).execute();
  await db.schema.alterTable('users').addColumn('version', 'integer', (c) => c.notNull().defaultTo(1)).execute();
  // One backend account per email address; MediaSpace users are keyed by their Kaltura id instead.
  await db.schema.createIndex('users_backend_email').on('users').column('email_normalized').unique().where('source' as never, '=', 'backend').execute();
  await db.schema.createIndex('users_email_normalized').on('users').column('email_normalized').execute();

  await db.schema.alterTable('auth_sessions').addColumn('source', 'text', (c) => c.notNull().defaultTo('mediaspace')).execute();

  for (const [column, type] of [
    ['summary', 'text'],
    ['description', 'text'],
    ['plan_id', 'text'],
    ['plan_limits', 'text'],
    ['image_id', 'text'],
    ['updated_by', 'text'],
  ] as const) {
    await db.schema.alterTable('rooms').addColumn(column, type).execute();
  }
  await db.schema.alterTable('rooms').addColumn('version', 'integer', (c) => c.notNull().defaultTo(1)).execute();

  await db.schema
    .createTable('course_members')
    .addColumn('room_id', 'text', (c) => c.notNull().references('rooms.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('added_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('course_members_pk', ['room_id', 'user_id'])
    .execute();
  await db.schema.createIndex('course_members_user').on('course_members').column('user_id').execute();

  await db.schema
    .createTable('plan_licences')
    .addColumn('plan_id', 'text', (c) => c.primaryKey())
    .addColumn('purchased', 'integer', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('invitations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('invited_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('sent_at', 'bigint')
    .addColumn('send_error', 'text')
    .addColumn('accepted_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .execute();
  await db.schema.createIndex('invitations_user').on('invitations').column('user_id').execute();

  await db.schema
    .createTable('password_resets')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .execute();

  await db.schema
    .createTable('sign_in_failures')
    .addColumn('email_normalized', 'text', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('first_failed_at', 'bigint', (c) => c.notNull())
    .addColumn('locked_until', 'bigint')
    .execute();

  await db.schema
    .createTable('stored_images')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('width', 'integer', (c) => c.notNull())
    .addColumn('height', 'integer', (c) => c.notNull())
    .addColumn('bytes', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('folders')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('room_id', 'text', (c) => c.notNull().references('rooms.id').onDelete('cascade'))
    .addColumn('parent_id', 'text', (c) => c.references('folders.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('folders_room_parent').on('folders').columns(['room_id', 'parent_id']).execute();

  await db.schema
    .createTable('files')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('room_id', 'text', (c) => c.notNull().references('rooms.id').onDelete('cascade'))
    .addColumn('folder_id', 'text', (c) => c.references('folders.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('bytes', 'bigint', (c) => c.notNull())
    .addColumn('storage_key', 'text', (c) => c.notNull().unique())
    .addColumn('uploaded_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('files_room_folder').on('files').columns(['room_id', 'folder_id']).execute();

  await db.schema
    .createTable('branding')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('logo_image_id', 'text')
    .addColumn('primary_color', 'text', (c) => c.notNull())
    .addColumn('secondary_color', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['branding', 'files', 'folders', 'stored_images', 'sign_in_failures', 'password_resets', 'invitations', 'plan_licences', 'course_members']) {
    await db.schema.dropTable(table).execute();
  }
  for (const column of ['version', 'updated_by', 'image_id', 'plan_limits', 'plan_id', 'description', 'summary']) {
    await db.schema.alterTable('rooms').dropColumn(column).execute();
  }
  await db.schema.alterTable('auth_sessions').dropColumn('source').execute();
  await db.schema.dropIndex('users_email_normalized').execute();
  await db.schema.dropIndex('users_backend_email').execute();
  for (const column of ['version', 'status', 'deactivated_at', 'picture_image_id', 'language', 'display_name', 'password_hash', 'email_normalized', 'backend_role']) {
    await db.schema.alterTable('users').dropColumn(column).execute();
  }
}
