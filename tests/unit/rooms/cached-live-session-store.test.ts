import { expect } from 'chai';
import sinon from 'sinon';
import { createCachedLiveSessionStore, LIVE_SESSION_TTL_MS } from '../../../src/rooms/cached-live-session-store.ts';
import type { LiveSession, LiveSessionStore } from '../../../src/rooms/live-session-store.ts';

const AT = Date.parse('2026-03-02T09:00:00Z');

function liveSession(overrides: Partial<LiveSession> = {}): LiveSession {
  return { id: 'session-1', roomId: 'room-7', startedBy: 'u1', startedAt: AT, endedAt: null, ...overrides };
}

function fakeStore(live: LiveSession | null = null) {
  return {
    findLive: sinon.stub().resolves(live),
    startLive: sinon.stub().resolves(liveSession()),
    end: sinon.stub().resolves(true),
    listLive: sinon.stub().resolves([]),
  } satisfies LiveSessionStore;
}

function storeOnClock(inner: LiveSessionStore) {
  let clock = AT;
  const store = createCachedLiveSessionStore(inner, { maxEntries: 100, now: () => clock });
  return { store, advance: (ms: number) => void (clock += ms) };
}

describe('createCachedLiveSessionStore', () => {
  afterEach(() => sinon.restore());

  describe('#findLive', () => {
    it('remembers "not live" for a moment, then asks again', async () => {
      const inner = fakeStore();
      const { store, advance } = storeOnClock(inner);
      await store.findLive('room-7');
      advance(LIVE_SESSION_TTL_MS);
      expect(await store.findLive('room-7')).to.equal(null);
      expect(inner.findLive.callCount).to.equal(1);
      advance(1);
      await store.findLive('room-7');
      expect(inner.findLive.callCount).to.equal(2);
    });
  });

  describe('writes', () => {
    it('a Start is seen at once, not after the remembered "not live" has aged', async () => {
      const inner = fakeStore();
      const { store } = storeOnClock(inner);
      expect(await store.findLive('room-7')).to.equal(null);
      await store.startLive('room-7', 'u1', AT);
      inner.findLive.resolves(liveSession());
      expect(await store.findLive('room-7')).to.deep.equal(liveSession());
    });

    it('an End is seen at once, in every room remembered', async () => {
      const inner = fakeStore(liveSession());
      const { store } = storeOnClock(inner);
      await store.findLive('room-7');
      await store.end('session-1', 'u1', 'ended', AT);
      inner.findLive.resolves(null);
      expect(await store.findLive('room-7')).to.equal(null);
      expect(inner.end.calledOnceWith('session-1', 'u1', 'ended', AT)).to.equal(true);
    });
  });
});
