import { expect } from 'chai';
import sinon from 'sinon';
import type { AuthSession, AuthSessionStore } from '../../../src/identity/auth-session-store.ts';
import { AUTH_SESSION_TTL_MS, createCachedAuthSessionStore } from '../../../src/identity/cached-auth-session-store.ts';

function session(overrides: Partial<AuthSession> = {}): AuthSession {
  const at = Date.parse('2026-03-02T09:00:00Z');
  return {
    id: 'hash-1',
    userId: 'u1',
    userName: 'Una User',
    userEmail: null,
    mediaspaceRole: 'viewerRole',
    partnerId: 1,
    createdAt: at,
    lastSeenAt: at,
    expiresAt: at + 8 * 3600_000,
    source: 'mediaspace',
    ...overrides,
  };
}

function fakeStore(stored: AuthSession | null = session()) {
  return {
    insert: sinon.stub().resolves(),
    rotate: sinon.stub().resolves(),
    findById: sinon.stub().resolves(stored),
    refresh: sinon.stub().resolves(),
    delete: sinon.stub().resolves(),
    deleteForUser: sinon.stub().resolves(1),
    deleteExpired: sinon.stub().resolves(1),
  } satisfies AuthSessionStore;
}

function storeOnClock(inner: AuthSessionStore) {
  let clock = Date.parse('2026-03-02T09:00:00Z');
  const store = createCachedAuthSessionStore(inner, { maxEntries: 100, now: () => clock });
  return { store, advance: (ms: number) => void (clock += ms) };
}

describe('createCachedAuthSessionStore', () => {
  afterEach(() => sinon.restore());

  describe('#findById', () => {
    it('reads a session once for the pages of one visit, and again once its lifetime has passed', async () => {
      const inner = fakeStore();
      const { store, advance } = storeOnClock(inner);
      await store.findById('hash-1');
      advance(AUTH_SESSION_TTL_MS);
      expect(await store.findById('hash-1')).to.deep.equal(session());
      expect(inner.findById.callCount).to.equal(1);
      advance(1);
      await store.findById('hash-1');
      expect(inner.findById.callCount).to.equal(2);
    });
  });

  describe('writes', () => {
    it('a sign-out is seen at once', async () => {
      const inner = fakeStore();
      const { store } = storeOnClock(inner);
      await store.findById('hash-1');
      await store.delete('hash-1');
      inner.findById.resolves(null);
      expect(await store.findById('hash-1')).to.equal(null);
    });

    it('a refresh is seen at once: the next read asks the store again (here it has a new MediaSpace role)', async () => {
      const inner = fakeStore();
      const { store } = storeOnClock(inner);
      await store.findById('hash-1');
      await store.refresh('hash-1', { lastSeenAt: Date.now() });
      inner.findById.resolves(session({ mediaspaceRole: 'adminRole' }));
      expect((await store.findById('hash-1'))?.mediaspaceRole).to.equal('adminRole');
    });

    it('a new session replaces a remembered "no such session"', async () => {
      const inner = fakeStore(null);
      const { store } = storeOnClock(inner);
      expect(await store.findById('hash-1')).to.equal(null);
      await store.insert(session());
      inner.findById.resolves(session());
      expect(await store.findById('hash-1')).to.deep.equal(session());
    });

    it('a rotation (a relaunch) ends the old id at once, and the new one is known without a read', async () => {
      const inner = fakeStore(null);
      const { store } = storeOnClock(inner);
      inner.findById.withArgs('hash-1').resolves(session());
      expect(await store.findById('hash-1')).to.deep.equal(session());
      expect(await store.findById('hash-2')).to.equal(null);
      await store.rotate('hash-1', session({ id: 'hash-2' }));
      inner.findById.withArgs('hash-1').resolves(null);
      expect(await store.findById('hash-1')).to.equal(null);
      expect(await store.findById('hash-2')).to.deep.equal(session({ id: 'hash-2' }));
      expect(inner.findById.withArgs('hash-2').callCount).to.equal(1);
    });

    for (const [what, write] of [
      ['ending every session of a person', (store: AuthSessionStore) => store.deleteForUser('u1')],
      ['purging expired sessions', (store: AuthSessionStore) => store.deleteExpired(Date.now(), 60_000)],
    ] as const) {
      it(`${what} forgets every remembered session`, async () => {
        const inner = fakeStore();
        const { store } = storeOnClock(inner);
        await store.findById('hash-1');
        await write(store);
        inner.findById.resolves(null);
        expect(await store.findById('hash-1')).to.equal(null);
      });
    }
  });
});
