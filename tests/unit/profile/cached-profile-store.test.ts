import { expect } from 'chai';
import sinon from 'sinon';
import { createCachedProfileStore, LANGUAGE_TTL_MS } from '../../../src/profile/cached-profile-store.ts';
import type { ProfileStore } from '../../../src/profile/profile-store.ts';

const AT = Date.parse('2026-03-02T09:00:00Z');

function fakeStore(language: string | null = 'fr') {
  return {
    languageOf: sinon.stub().resolves(language),
    updateDetails: sinon.stub().resolves(true),
    setPicture: sinon.stub().resolves(true),
  } satisfies ProfileStore;
}

function storeOnClock(inner: ProfileStore) {
  let clock = AT;
  const store = createCachedProfileStore(inner, { maxEntries: 100, now: () => clock });
  return { store, advance: (ms: number) => void (clock += ms) };
}

describe('createCachedProfileStore', () => {
  afterEach(() => sinon.restore());

  describe('#languageOf', () => {
    it('reads a person’s language once for every page of a visit, and again once its lifetime has passed', async () => {
      const inner = fakeStore('fr');
      const { store, advance } = storeOnClock(inner);
      expect(await Promise.all([store.languageOf('u1'), store.languageOf('u1')])).to.deep.equal(['fr', 'fr']);
      advance(LANGUAGE_TTL_MS);
      expect(await store.languageOf('u1')).to.equal('fr');
      expect(inner.languageOf.callCount).to.equal(1);
      advance(1);
      await store.languageOf('u1');
      expect(inner.languageOf.callCount).to.equal(2);
    });

    it('remembers that someone chose no language, and keeps people apart', async () => {
      const inner = fakeStore(null);
      const { store } = storeOnClock(inner);
      expect(await store.languageOf('u1')).to.equal(null);
      expect(await store.languageOf('u1')).to.equal(null);
      await store.languageOf('u2');
      expect(inner.languageOf.args.map(([userId]) => userId)).to.deep.equal(['u1', 'u2']);
    });
  });

  describe('#updateDetails', () => {
    it('forgets the person’s language once the change is written, so their next page is in the new one', async () => {
      const inner = fakeStore('en');
      const { store } = storeOnClock(inner);
      await store.languageOf('u1');
      await store.languageOf('u2');
      inner.languageOf.resolves('fr');
      expect(await store.updateDetails('u1', { displayName: null, language: 'fr' }, 3)).to.equal(true);
      expect(inner.updateDetails.calledOnceWithExactly('u1', { displayName: null, language: 'fr' }, 3)).to.equal(true);
      expect(await store.languageOf('u1')).to.equal('fr');
      expect(await store.languageOf('u2')).to.equal('en');
    });

    it('forgets it when the write failed too, as it may have happened anyway', async () => {
      const inner = fakeStore('en');
      const { store } = storeOnClock(inner);
      await store.languageOf('u1');
      inner.updateDetails.rejects(new Error('database away'));
      await store.updateDetails('u1', { displayName: null, language: 'fr' }, 3).then(() => expect.fail('should fail'), (error: Error) => expect(error.message).to.equal('database away'));
      await store.languageOf('u1');
      expect(inner.languageOf.callCount).to.equal(2);
    });
  });

  describe('#setPicture', () => {
    it('passes through without forgetting the language', async () => {
      const inner = fakeStore('fr');
      const { store } = storeOnClock(inner);
      await store.languageOf('u1');
      expect(await store.setPicture('u1', 'image-1', 4)).to.equal(true);
      await store.languageOf('u1');
      expect(inner.languageOf.callCount).to.equal(1);
    });
  });
});
