import { expect } from 'chai';
import sinon from 'sinon';
import type { AuthSession, AuthSessionStore } from '../../../src/identity/auth-session-store.ts';
import { IdentityService } from '../../../src/identity/identity-service.ts';
import type { UserStore } from '../../../src/identity/user-store.ts';
import type { CachedKalturaGateway } from '../../../src/kaltura/cached-kaltura-gateway.ts';
import type { KsIdentity } from '../../../src/kaltura/kaltura-gateway.ts';

const START = Date.parse('2026-03-02T09:00:00Z');
const MINUTE = 60_000;

function ksIdentity(role = 'viewerRole', overrides: Partial<KsIdentity> = {}): KsIdentity {
  return {
    userId: 'u1',
    partnerId: 1,
    expiresAt: START + 24 * 3600_000,
    user: { id: 'u1', fullName: 'Una User', email: 'una@example.edu' },
    roleMetadataXml: `<metadata><role>${role}</role></metadata>`,
    ...overrides,
  };
}

function scene() {
  let clock = START;
  const gateway = { resolveKs: sinon.stub().resolves(ksIdentity()) };
  const sessions = {
    insert: sinon.stub().resolves(),
    rotate: sinon.stub().resolves(),
    findById: sinon.stub().resolves(null),
    refresh: sinon.stub().resolves(),
    delete: sinon.stub().resolves(),
    deleteForUser: sinon.stub().resolves(0),
    deleteExpired: sinon.stub().resolves(0),
  } satisfies AuthSessionStore;
  const users = { recordMediaSpaceUser: sinon.stub().resolves() } satisfies UserStore;
  const identity = new IdentityService(gateway as unknown as CachedKalturaGateway, sessions, users, { idleMs: 30 * MINUTE, absoluteMs: 8 * 3600_000, now: () => clock });
  /** The browser comes back holding the session its first launch made. */
  const relaunch = (current: AuthSession) => identity.launch('ks', current);
  return { identity, gateway, sessions, users, relaunch, advance: (ms: number) => void (clock += ms) };
}

describe('IdentityService', () => {
  afterEach(() => sinon.restore());

  describe('#launch', () => {
    it('records the MediaSpace user and starts a session on the first launch', async () => {
      const { identity, sessions, users } = scene();
      const { token, session } = await identity.launch('ks', null);
      expect(token).to.be.a('string');
      expect(session).to.include({ userId: 'mediaspace:u1', userName: 'Una User', mediaspaceRole: 'viewerRole' });
      expect(users.recordMediaSpaceUser.calledOnce).to.equal(true);
      expect(sessions.insert.calledOnce).to.equal(true);
    });

    it('keys the person by their Kaltura user id in the MediaSpace id space, never by the bare id', async () => {
      const { identity, users } = scene();
      const { session } = await identity.launch('ks', null);
      expect(session.userId).to.equal('mediaspace:u1');
      expect(users.recordMediaSpaceUser.lastCall.args[0]).to.include({ id: 'mediaspace:u1' });
    });

    it('rotates the session id on a relaunch within a minute: one store write, no profile write', async () => {
      const { identity, sessions, users, relaunch, advance } = scene();
      const first = await identity.launch('ks', null);
      advance(MINUTE - 1);
      const again = await relaunch(first.session);
      expect(again.token).to.be.a('string').and.not.equal(first.token);
      expect(again.session.id).to.not.equal(first.session.id);
      expect(sessions.rotate.calledOnceWithExactly(first.session.id, again.session)).to.equal(true);
      expect(sessions.refresh.callCount).to.equal(0);
      expect(users.recordMediaSpaceUser.callCount).to.equal(1);
    });

    it('writes a changed MediaSpace role at once, to the user and to the new session', async () => {
      const { identity, gateway, users, relaunch, advance } = scene();
      const { session } = await identity.launch('ks', null);
      gateway.resolveKs.resolves(ksIdentity('privateOnlyRole'));
      advance(1_000);
      const again = await relaunch(session);
      expect(again.session.mediaspaceRole).to.equal('privateOnlyRole');
      expect(users.recordMediaSpaceUser.lastCall.args[0]).to.include({ mediaspaceRole: 'privateOnlyRole' });
    });

    it('keeps the absolute expiry of the first sign-in on every relaunch', async () => {
      const { identity, gateway, relaunch, advance } = scene();
      const first = await identity.launch('ks', null);
      expect(first.session.expiresAt).to.equal(START + 8 * 3600_000);
      let current = first.session;
      for (let hour = 1; hour <= 7; hour++) {
        advance(3600_000);
        gateway.resolveKs.resolves(ksIdentity('viewerRole', { expiresAt: START + (hour + 24) * 3600_000 }));
        current = (await relaunch(current)).session;
        expect(current).to.include({ createdAt: START, expiresAt: START + 8 * 3600_000, lastSeenAt: START + hour * 3600_000 });
      }
    });

    it("lets a later KS carry a session its short first KS would have ended, up to the first sign-in's lifetime", async () => {
      const { identity, gateway, relaunch, advance } = scene();
      gateway.resolveKs.resolves(ksIdentity('viewerRole', { expiresAt: START + 10 * MINUTE }));
      const first = await identity.launch('ks', null);
      expect(first.session.expiresAt).to.equal(START + 10 * MINUTE);
      advance(5 * MINUTE);
      gateway.resolveKs.resolves(ksIdentity('viewerRole', { expiresAt: START + 20 * 3600_000 }));
      expect((await relaunch(first.session)).session.expiresAt).to.equal(START + 8 * 3600_000);
    });

    it('starts a new session when the browser holds someone else\'s, and ends theirs', async () => {
      const { identity, gateway, sessions } = scene();
      const { session } = await identity.launch('ks', null);
      gateway.resolveKs.resolves(ksIdentity('viewerRole', { userId: 'u2', user: { id: 'u2', fullName: 'Otto Other' } }));
      const other = await identity.launch('ks-2', session);
      expect(other.token).to.be.a('string');
      expect(other.session).to.include({ userId: 'mediaspace:u2' });
      expect(sessions.rotate.calledOnceWithExactly(session.id, other.session)).to.equal(true);
    });
  });

  describe('#signOut and #signOutEverywhere', () => {
    it('tell whoever listens whose sessions ended, so their room sockets close at once', async () => {
      const { identity, sessions } = scene();
      const ended: string[] = [];
      identity.onSessionsEnded((userId) => ended.push(userId));
      sessions.findById.resolves({ id: 'hash', userId: 'u1' } as AuthSession);
      await identity.signOut('cookie-value');
      await identity.signOutEverywhere('u2');
      sessions.findById.resolves(null);
      await identity.signOut('unknown-cookie');
      expect(ended).to.deep.equal(['u1', 'u2']);
      expect(sessions.delete.callCount).to.equal(2);
    });
  });

  describe('#holdSession', () => {
    it('answers the session by its id while it lasts, touching it as a page would', async () => {
      const { identity, sessions, advance } = scene();
      const session = { id: 'hash', userId: 'u1', lastSeenAt: START, expiresAt: START + 8 * 3600_000 } as AuthSession;
      sessions.findById.withArgs('hash').resolves(session);
      advance(2 * MINUTE);
      expect(await identity.holdSession('hash')).to.include({ id: 'hash', lastSeenAt: START + 2 * MINUTE });
      expect(sessions.refresh.calledOnceWith('hash', { lastSeenAt: START + 2 * MINUTE })).to.equal(true);
      advance(8 * 3600_000);
      expect(await identity.holdSession('hash')).to.equal(null);
    });
  });
});
