/**
 * Migration 0007 moves every MediaSpace user, and everything that names them,
 * to the key `mediaspace:<Kaltura user id>`; backend accounts keep their ids.
 * Run on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { Migrator } from 'kysely';
import pg from 'pg';
import { createDatabase, MIGRATIONS, type Db } from '../../src/lib/db/database.ts';
import { TEST_DATABASES, type TestDatabase } from '../support/test-databases.ts';

const BEFORE = '0006-files';
const MIGRATION = '0007-user-keys';
const NOW = Date.parse('2026-03-02T09:00:00Z');
const BACKEND_ID = '5f0c8e8e-2f54-4c3e-9d2a-9b1d6f0a7c11';

async function openDatabase(database: TestDatabase): Promise<{ db: Db; close(): Promise<void> }> {
  if (database === 'SQLite') {
    const folder = mkdtempSync(path.join(tmpdir(), 'live-rooms-migration-'));
    const db = createDatabase({ url: null, dataDir: folder });
    return { db, close: async () => (await db.destroy(), rmSync(folder, { recursive: true, force: true })) };
  }
  const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await admin.connect();
  const schema = `live_rooms_migration_${randomBytes(4).toString('hex')}`;
  await admin.query(`CREATE SCHEMA ${schema}`);
  const url = new URL(process.env.TEST_DATABASE_URL!);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const db = createDatabase({ url: url.toString(), dataDir: '' });
  return {
    db,
    async close() {
      await db.destroy();
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    },
  };
}

function migrator(db: Db): Migrator {
  return new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS } });
}

async function migrateTo(db: Db, name: string): Promise<void> {
  const { error } = await migrator(db).migrateTo(name);
  if (error) throw error;
}

/** What a service before 0007 wrote: a MediaSpace user "kim" by their bare Kaltura id, a backend account, and their traces. */
async function seedBareIds(db: Db): Promise<void> {
  const user = { email: null, mediaspace_role: null, first_seen_at: NOW, last_seen_at: NOW, backend_role: null, email_normalized: null, password_hash: null, display_name: null, language: null, picture_image_id: null, deactivated_at: null };
  await db.insertInto('users').values([
    { ...user, id: 'kim', name: 'Kim Kaltura', email: 'kim@school.test', email_normalized: 'kim@school.test', mediaspace_role: 'privateOnlyRole', source: 'mediaspace', display_name: 'Kimmy', language: 'fr' },
    { ...user, id: BACKEND_ID, name: 'Bea Backend', email: 'bea@school.test', email_normalized: 'bea@school.test', source: 'backend', backend_role: 'instructor', password_hash: 'hash' },
  ]).execute();
  await db.insertInto('rooms').values([
    { id: 'room-private', kind: 'private', name: 'Kim’s room', channel_id: null, owner_user_id: 'kim', created_at: NOW, updated_at: NOW },
    { id: 'room-course', kind: 'course', name: 'Course', channel_id: null, owner_user_id: null, created_at: NOW, updated_at: NOW, updated_by: BACKEND_ID },
  ]).execute();
  await db.insertInto('course_members').values([
    { room_id: 'room-private', user_id: 'kim', role: 'instructor', source: 'mediaspace', added_at: NOW },
    { room_id: 'room-course', user_id: 'kim', role: 'student', source: 'backend', added_at: NOW },
    { room_id: 'room-course', user_id: BACKEND_ID, role: 'instructor', source: 'backend', added_at: NOW },
  ]).execute();
  await db.insertInto('live_sessions').values({ id: 'live-1', room_id: 'room-private', started_by: 'kim', started_at: NOW, ended_at: NOW + 1, ended_by: 'kim', end_reason: 'ended' }).execute();
  await db.insertInto('attendance').values({ id: 'att-1', live_session_id: 'live-1', room_id: 'room-private', user_id: 'kim', user_name: 'Kim', user_email: null, role: 'instructor', joined_at: NOW, left_at: null, last_seen_at: NOW }).execute();
  await db.insertInto('chat_messages').values({ id: 'chat-1', live_session_id: 'live-1', room_id: 'room-private', user_id: 'kim', user_name: 'Kim', role: 'instructor', text: 'hello', sent_at: NOW, deleted_at: NOW, deleted_by: 'kim' }).execute();
  await db.insertInto('room_removals').values({ room_id: 'room-private', user_id: 'kim', user_name: 'Kim', live_session_id: 'live-1', removed_by: 'kim', removed_at: NOW }).execute();
  await db.insertInto('room_passes').values({ id: 'pass-1', room_id: 'room-private', user_id: 'kim', user_name: 'Kim', user_email: null, role: 'instructor', permissions: '[]', launch_jti: 'jti-1', created_at: NOW, expires_at: NOW + 1 }).execute();
  await db.insertInto('stored_images').values({ id: 'img-1', purpose: 'avatar', content_type: 'image/webp', width: 1, height: 1, bytes: 1, created_by: 'kim', created_at: NOW }).execute();
  await db.insertInto('folders').values({ id: 'folder-1', room_id: 'room-course', parent_id: null, name: 'Notes', created_by: 'kim', created_at: NOW, updated_at: NOW, sibling_key: '/notes' }).execute();
  await db.insertInto('files').values({ id: 'file-1', room_id: 'room-course', folder_id: null, name: 'a.pdf', content_type: 'application/pdf', bytes: 1, storage_key: 'k1', uploaded_by: BACKEND_ID, created_at: NOW, updated_at: NOW, sibling_key: '/a.pdf' }).execute();
  const session = { user_name: 'x', user_email: null, mediaspace_role: 'viewerRole', partner_id: 1, created_at: NOW, last_seen_at: NOW, expires_at: NOW + 1 };
  await db.insertInto('auth_sessions').values([
    { ...session, id: 's-kim', user_id: 'kim', source: 'mediaspace' },
    { ...session, id: 's-bea', user_id: BACKEND_ID, source: 'backend' },
    // A session from MediaSpace of someone whose Kaltura id was a backend account's id: it leaves the account.
    { ...session, id: 's-intruder', user_id: BACKEND_ID, source: 'mediaspace' },
  ]).execute();
}

async function snapshot(db: Db) {
  return {
    users: await db.selectFrom('users').select(['id', 'name', 'email', 'display_name', 'language', 'source', 'password_hash']).orderBy('id').execute(),
    rooms: await db.selectFrom('rooms').select(['id', 'owner_user_id', 'updated_by']).orderBy('id').execute(),
    members: await db.selectFrom('course_members').select(['room_id', 'user_id', 'role']).orderBy('room_id').orderBy('user_id').execute(),
    live: await db.selectFrom('live_sessions').select(['started_by', 'ended_by']).execute(),
    attendance: await db.selectFrom('attendance').select('user_id').execute(),
    chat: await db.selectFrom('chat_messages').select(['user_id', 'deleted_by']).execute(),
    removals: await db.selectFrom('room_removals').select(['user_id', 'removed_by']).execute(),
    passes: await db.selectFrom('room_passes').select('user_id').execute(),
    images: await db.selectFrom('stored_images').select('created_by').execute(),
    folders: await db.selectFrom('folders').select('created_by').execute(),
    files: await db.selectFrom('files').select('uploaded_by').execute(),
    sessions: await db.selectFrom('auth_sessions').select(['id', 'user_id']).orderBy('id').execute(),
  };
}

for (const database of TEST_DATABASES) {
  describe(`migration ${MIGRATION} on ${database}`, () => {
    let db: Db;
    let close: () => Promise<void>;

    beforeEach(async () => {
      ({ db, close } = await openDatabase(database));
      await migrateTo(db, BEFORE);
      await seedBareIds(db);
    });
    afterEach(() => close());

    it('moves a MediaSpace user and everything that names them to their MediaSpace key; backend accounts stay as they are', async () => {
      const before = await snapshot(db);
      await migrateTo(db, MIGRATION);
      const after = await snapshot(db);
      const kim = 'mediaspace:kim';
      expect(after.users).to.deep.equal([
        { id: BACKEND_ID, name: 'Bea Backend', email: 'bea@school.test', display_name: null, language: null, source: 'backend', password_hash: 'hash' },
        { id: kim, name: 'Kim Kaltura', email: 'kim@school.test', display_name: 'Kimmy', language: 'fr', source: 'mediaspace', password_hash: null },
      ]);
      expect(after.rooms).to.deep.equal([
        { id: 'room-course', owner_user_id: null, updated_by: BACKEND_ID },
        { id: 'room-private', owner_user_id: kim, updated_by: null },
      ]);
      expect(after.members).to.deep.equal([
        { room_id: 'room-course', user_id: BACKEND_ID, role: 'instructor' },
        { room_id: 'room-course', user_id: kim, role: 'student' },
        { room_id: 'room-private', user_id: kim, role: 'instructor' },
      ]);
      expect(after.live).to.deep.equal([{ started_by: kim, ended_by: kim }]);
      expect(after.attendance).to.deep.equal([{ user_id: kim }]);
      expect(after.chat).to.deep.equal([{ user_id: kim, deleted_by: kim }]);
      expect(after.removals).to.deep.equal([{ user_id: kim, removed_by: kim }]);
      expect(after.passes).to.deep.equal([{ user_id: kim }]);
      expect(after.images).to.deep.equal([{ created_by: kim }]);
      expect(after.folders).to.deep.equal([{ created_by: kim }]);
      expect(after.files).to.deep.equal(before.files);
      expect(after.sessions).to.deep.equal([
        { id: 's-bea', user_id: BACKEND_ID },
        { id: 's-intruder', user_id: `mediaspace:${BACKEND_ID}` },
        { id: 's-kim', user_id: kim },
      ]);
    });

    it('goes back down to the bare ids it started from', async () => {
      const before = await snapshot(db);
      await migrateTo(db, MIGRATION);
      await migrateTo(db, BEFORE);
      const after = await snapshot(db);
      // Only the session that was taken for the account stays apart: it was never the account's.
      expect({ ...after, sessions: undefined }).to.deep.equal({ ...before, sessions: undefined });
      expect(after.sessions).to.deep.equal([
        { id: 's-bea', user_id: BACKEND_ID },
        { id: 's-intruder', user_id: BACKEND_ID },
        { id: 's-kim', user_id: 'kim' },
      ]);
    });
  });
}
