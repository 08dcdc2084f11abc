import { expect } from 'chai';
import sinon from 'sinon';
import { ShortLivedCache } from '../../../src/lib/cache/short-lived-cache.ts';

const TTL_MS = 2_000;

function cacheOnClock() {
  let clock = Date.parse('2026-03-02T09:00:00Z');
  const cache = new ShortLivedCache<string, { value: string } | null>({ ttlMs: TTL_MS, maxEntries: 100, now: () => clock });
  return { cache, advance: (ms: number) => void (clock += ms) };
}

/** A promise with its resolve in hand, to hold a load open while a write happens. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}

describe('ShortLivedCache', () => {
  afterEach(() => sinon.restore());

  describe('#get', () => {
    it('loads once and answers from memory until the lifetime has passed on the injected clock', async () => {
      const { cache, advance } = cacheOnClock();
      const load = sinon.stub().resolves({ value: 'a' });
      await cache.get('k', load);
      advance(TTL_MS);
      expect(await cache.get('k', load)).to.deep.equal({ value: 'a' });
      expect(load.callCount).to.equal(1);
      advance(1);
      await cache.get('k', load);
      expect(load.callCount).to.equal(2);
    });

    it('remembers "there is none" too', async () => {
      const { cache } = cacheOnClock();
      const load = sinon.stub().resolves(null);
      expect(await cache.get('k', load)).to.equal(null);
      expect(await cache.get('k', load)).to.equal(null);
      expect(load.callCount).to.equal(1);
    });

    it('shares one load between concurrent misses of the same key', async () => {
      const { cache } = cacheOnClock();
      const load = sinon.stub().resolves({ value: 'a' });
      await Promise.all([cache.get('k', load), cache.get('k', load), cache.get('k', load)]);
      expect(load.callCount).to.equal(1);
    });

    it('does not remember a failed load', async () => {
      const { cache } = cacheOnClock();
      const load = sinon.stub();
      load.onFirstCall().rejects(new Error('database gone'));
      load.resolves({ value: 'a' });
      await cache.get('k', load).then(() => expect.fail('should have failed'), (error: Error) => expect(error.message).to.equal('database gone'));
      expect(await cache.get('k', load)).to.deep.equal({ value: 'a' });
    });

    it('freezes what it remembers, since every caller shares it', async () => {
      const { cache } = cacheOnClock();
      const value = await cache.get('k', async () => ({ value: 'a' }));
      expect(Object.isFrozen(value)).to.equal(true);
    });
  });

  describe('#forgetAfter', () => {
    it('answers the write and reads afresh afterwards', async () => {
      const { cache } = cacheOnClock();
      const load = sinon.stub();
      load.onFirstCall().resolves({ value: 'before' });
      load.onSecondCall().resolves({ value: 'after' });
      await cache.get('k', load);
      expect(await cache.forgetAfter('k', Promise.resolve(42))).to.equal(42);
      expect(await cache.get('k', load)).to.deep.equal({ value: 'after' });
    });

    it('forgets also when the write failed, since it may have happened anyway', async () => {
      const { cache } = cacheOnClock();
      const load = sinon.stub().resolves({ value: 'a' });
      await cache.get('k', load);
      await cache.forgetAfter('k', Promise.reject(new Error('connection lost'))).catch(() => undefined);
      await cache.get('k', load);
      expect(load.callCount).to.equal(2);
    });

    it('never remembers what a load read while a write was under way', async () => {
      const { cache } = cacheOnClock();
      const stale = deferred<{ value: string }>();
      const reading = cache.get('k', () => stale.promise);
      await cache.forgetAfter('k', Promise.resolve());
      stale.resolve({ value: 'read before the write' });
      expect(await reading).to.deep.equal({ value: 'read before the write' });
      expect(await cache.get('k', async () => ({ value: 'after the write' }))).to.deep.equal({ value: 'after the write' });
    });

    it('does not hand a load that raced a write to callers who come after the write', async () => {
      const { cache } = cacheOnClock();
      const stale = deferred<{ value: string }>();
      void cache.get('k', () => stale.promise);
      await cache.forgetAfter('k', Promise.resolve());
      const fresh = cache.get('k', async () => ({ value: 'after the write' }));
      stale.resolve({ value: 'read before the write' });
      expect(await fresh).to.deep.equal({ value: 'after the write' });
    });
  });

  describe('#rememberAfter', () => {
    it('answers the next look-up with what was written, without loading it', async () => {
      const { cache } = cacheOnClock();
      const load = sinon.stub().resolves(null);
      expect(await cache.get('k', load)).to.equal(null);
      await cache.rememberAfter('k', { value: 'new' }, Promise.resolve());
      expect(await cache.get('k', load)).to.deep.equal({ value: 'new' });
      expect(load.callCount).to.equal(1);
    });

    it('remembers nothing when the write failed, and reads afresh', async () => {
      const { cache } = cacheOnClock();
      const failure = await cache.rememberAfter('k', { value: 'new' }, Promise.reject(new Error('disk full'))).then(() => null, (error: unknown) => error);
      expect(failure).to.be.an('error');
      const load = sinon.stub().resolves(null);
      expect(await cache.get('k', load)).to.equal(null);
      expect(load.callCount).to.equal(1);
    });
  });

  describe('#clearAfter', () => {
    it('forgets every key', async () => {
      const { cache } = cacheOnClock();
      const load = sinon.stub().resolves({ value: 'a' });
      await cache.get('k1', load);
      await cache.get('k2', load);
      await cache.clearAfter(Promise.resolve());
      await cache.get('k1', load);
      await cache.get('k2', load);
      expect(load.callCount).to.equal(4);
    });
  });
});
