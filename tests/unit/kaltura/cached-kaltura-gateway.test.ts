import { expect } from 'chai';
import sinon from 'sinon';
import { createCachedKalturaGateway } from '../../../src/kaltura/cached-kaltura-gateway.ts';
import type { ChannelAccess, KalturaGateway, KsIdentity } from '../../../src/kaltura/kaltura-gateway.ts';

function identity(overrides: Partial<KsIdentity> = {}): KsIdentity {
  return { userId: 'u1', partnerId: 1, expiresAt: Date.now() + 3600_000, user: { id: 'u1' }, roleMetadataXml: null, ...overrides };
}

function access(level = 3): ChannelAccess {
  return { channel: { id: 7, name: 'Seven' }, membership: { permissionLevel: level, active: true } };
}

function fakeGateway(): sinon.SinonStubbedInstance<KalturaGateway> & KalturaGateway {
  return {
    resolveKs: sinon.stub().resolves(identity()),
    getChannel: sinon.stub().resolves(access().channel),
    getMembership: sinon.stub().resolves(access().membership),
    getChannelAccess: sinon.stub().resolves(access()),
    listUserChannels: sinon.stub().resolves([]),
    listUsers: sinon.stub().resolves([]),
    startUserSession: sinon.stub().resolves('ks'),
    callCount: sinon.stub().returns(0),
  } as never;
}

const options = { ksTtlSeconds: 60, channelTtlSeconds: 60, membershipTtlSeconds: 30, maxEntries: 100 };

describe('CachedKalturaGateway', () => {
  afterEach(() => sinon.restore());

  describe('#resolveKs', () => {
    it('asks Kaltura once for the same KS, and once for concurrent look-ups', async () => {
      const inner = fakeGateway();
      const gateway = createCachedKalturaGateway(inner, options);
      await Promise.all([gateway.resolveKs('ks-a'), gateway.resolveKs('ks-a'), gateway.resolveKs('ks-a')]);
      await gateway.resolveKs('ks-a');
      expect(inner.resolveKs.callCount).to.equal(1);
      await gateway.resolveKs('ks-b');
      expect(inner.resolveKs.callCount).to.equal(2);
    });

    it('does not remember a failure', async () => {
      const inner = fakeGateway();
      inner.resolveKs.onFirstCall().rejects(new Error('Kaltura down'));
      const gateway = createCachedKalturaGateway(inner, options);
      await gateway.resolveKs('ks').then(() => expect.fail('should have failed'), (error: Error) => expect(error.message).to.equal('Kaltura down'));
      expect((await gateway.resolveKs('ks')).userId).to.equal('u1');
    });
  });

  describe('#getChannelAccess', () => {
    it('reads channel and membership in one call, then serves them from memory', async () => {
      const inner = fakeGateway();
      const gateway = createCachedKalturaGateway(inner, options);
      await gateway.getChannelAccess(7, 'u1');
      await gateway.getChannelAccess(7, 'u1');
      expect(inner.getChannelAccess.callCount).to.equal(1);
      expect(inner.getMembership.callCount).to.equal(0);
    });

    it('asks only for the membership of a second user once the channel is known', async () => {
      const inner = fakeGateway();
      const gateway = createCachedKalturaGateway(inner, options);
      await gateway.getChannelAccess(7, 'u1');
      await gateway.getChannelAccess(7, 'u2');
      expect(inner.getChannelAccess.callCount).to.equal(1);
      expect(inner.getMembership.calledOnceWith(7, 'u2')).to.equal(true);
    });

    it('remembers "not a member" too, so non-members do not cost a call each time', async () => {
      const inner = fakeGateway();
      inner.getChannelAccess.resolves({ channel: access().channel, membership: null });
      const gateway = createCachedKalturaGateway(inner, options);
      expect((await gateway.getChannelAccess(7, 'u1')).membership).to.equal(null);
      expect((await gateway.getChannelAccess(7, 'u1')).membership).to.equal(null);
      expect(inner.getChannelAccess.callCount).to.equal(1);
    });

    it('goes to Kaltura when asked for a fresh answer (Start), and keeps the fresh answer', async () => {
      const inner = fakeGateway();
      const gateway = createCachedKalturaGateway(inner, options);
      await gateway.getChannelAccess(7, 'u1');
      inner.getChannelAccess.resolves(access(0));
      expect((await gateway.getChannelAccess(7, 'u1', { fresh: true })).membership?.permissionLevel).to.equal(0);
      expect((await gateway.getChannelAccess(7, 'u1')).membership?.permissionLevel).to.equal(0);
      expect(inner.getChannelAccess.callCount).to.equal(2);
    });

    it('forgets a channel and its memberships on request', async () => {
      const inner = fakeGateway();
      const gateway = createCachedKalturaGateway(inner, options);
      await gateway.getChannelAccess(7, 'u1');
      gateway.forgetChannel(7);
      await gateway.getChannelAccess(7, 'u1');
      expect(inner.getChannelAccess.callCount).to.equal(2);
    });
  });
});
