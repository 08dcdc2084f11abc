import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDatabase, migrateToLatest, type Db } from '../../../src/lib/db/database.ts';
import { createPasswordResetStore } from '../../../src/sign-in/password-reset-store.ts';

describe('password reset store', () => {
  let dataDir: string;
  let db: Db;

  beforeEach(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'resets-'));
    db = createDatabase({ url: null, dataDir });
    await migrateToLatest(db);
    await db.insertInto('users').values({ id: 'u1', name: 'Ada', email: 'ada@example.org', mediaspace_role: null, source: 'backend', first_seen_at: 0, last_seen_at: 0 } as never).execute();
  });

  afterEach(async () => {
    await db.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('uses a link once, and not once it has expired (the password hash between the check and the use takes time)', async () => {
    const resets = createPasswordResetStore(db);
    await resets.insert({ tokenHash: 'fresh', userId: 'u1', createdAt: 0, expiresAt: 1000, usedAt: null });
    await resets.insert({ tokenHash: 'stale', userId: 'u1', createdAt: 0, expiresAt: 1000, usedAt: null });

    expect(await resets.markUsed('fresh', 999)).to.equal(true);
    expect(await resets.markUsed('fresh', 999)).to.equal(false);
    expect(await resets.markUsed('stale', 1000)).to.equal(false);
    expect((await resets.find('stale'))?.usedAt).to.equal(null);
  });
});
