import { expect } from 'chai';
import sinon from 'sinon';
import { NotFoundError } from '../../../src/lib/errors/app-error.ts';
import type { Logger } from '../../../src/lib/logger/logger.ts';
import { RoomPassGuard } from '../../../src/rooms/room-pass-guard.ts';
import type { RoomPass } from '../../../src/rooms/room-pass-store.ts';

const START = Date.parse('2026-03-02T09:00:00Z');
const MINUTE = 60_000;

function aPass(overrides: Partial<RoomPass> = {}): RoomPass {
  return {
    id: 'pass-1',
    roomId: 'room-1',
    userId: 'u1',
    userName: 'Una',
    userEmail: null,
    role: 'participant',
    permissions: ['chat'],
    launchJti: 'jti-1',
    createdAt: START,
    expiresAt: START + 4 * 60 * MINUTE,
    authSessionId: 'session-1',
    channelId: 42,
    ...overrides,
  };
}

function scene() {
  let clock = START;
  const sessions = { holdSession: sinon.stub().resolves({ expiresAt: START + 8 * 60 * MINUTE }) };
  const channels = { roomRoleNow: sinon.stub().resolves('participant') };
  const passes = { findById: sinon.stub().resolves(null) };
  const logger = { warn: sinon.stub() } as unknown as Logger;
  const guard = new RoomPassGuard({ passes, sessions, channels, recheckMs: MINUTE, maxEntries: 100, logger, now: () => clock });
  return { guard, sessions, channels, passes, logger, advance: (ms: number) => void (clock += ms) };
}

describe('RoomPassGuard', () => {
  afterEach(() => sinon.restore());

  describe('#judge', () => {
    it('admits a pass whose session lasts and whose holder is still a member', async () => {
      const { guard, sessions } = scene();
      expect(await guard.judge(aPass())).to.equal('ok');
      expect(sessions.holdSession.calledOnceWith('session-1')).to.equal(true);
    });

    it('refuses a pass past its time, before asking anything else', async () => {
      const { guard, sessions, advance } = scene();
      advance(4 * 60 * MINUTE);
      expect(await guard.judge(aPass())).to.equal('expired');
      expect(sessions.holdSession.called).to.equal(false);
    });

    it('refuses a pass whose session ended or ran out, and one from before sessions were recorded', async () => {
      const { guard, sessions } = scene();
      sessions.holdSession.resolves(null);
      expect(await guard.judge(aPass())).to.equal('sessionEnded');
      sessions.holdSession.resolves({ expiresAt: START });
      expect(await guard.judge(aPass())).to.equal('sessionEnded');
      expect(await guard.judge(aPass({ authSessionId: null }))).to.equal('sessionEnded');
    });

    it('asks Kaltura about a channel pass at most once a minute, and not at all for other passes', async () => {
      const { guard, channels, advance } = scene();
      await guard.judge(aPass());
      advance(MINUTE - 1);
      await guard.judge(aPass());
      expect(channels.roomRoleNow.callCount).to.equal(1);
      advance(1);
      await guard.judge(aPass());
      expect(channels.roomRoleNow.callCount).to.equal(2);
      await guard.judge(aPass({ id: 'private', channelId: null }));
      expect(channels.roomRoleNow.callCount).to.equal(2);
    });

    it('puts out someone no longer a member, and an instructor whose level no longer makes them one', async () => {
      const { guard, channels } = scene();
      channels.roomRoleNow.resolves(null);
      expect(await guard.judge(aPass())).to.equal('notMember');
      channels.roomRoleNow.resolves('participant');
      expect(await guard.judge(aPass({ id: 'teacher', role: 'instructor' }))).to.equal('notMember');
      channels.roomRoleNow.resolves('instructor');
      expect(await guard.judge(aPass({ id: 'promoted' }))).to.equal('ok');
    });

    it('keeps the pass while Kaltura cannot answer, and asks again next time', async () => {
      const { guard, channels, logger } = scene();
      channels.roomRoleNow.rejects(new Error('Kaltura is down'));
      expect(await guard.judge(aPass())).to.equal('ok');
      expect((logger.warn as sinon.SinonStub).calledOnce).to.equal(true);
      channels.roomRoleNow.resolves(null);
      expect(await guard.judge(aPass())).to.equal('notMember');
    });

    it('puts out the holders of a pass to a channel Kaltura no longer has', async () => {
      const { guard, channels } = scene();
      channels.roomRoleNow.rejects(new NotFoundError('That channel no longer exists.', { code: 'CHANNEL_NOT_FOUND' }));
      expect(await guard.judge(aPass())).to.equal('notMember');
    });
  });

  describe('#verdictFor', () => {
    it('reads the pass afresh: a pass that is gone has ended', async () => {
      const { guard, passes } = scene();
      expect(await guard.verdictFor('gone')).to.equal('sessionEnded');
      passes.findById.resolves(aPass());
      expect(await guard.verdictFor('pass-1')).to.equal('ok');
    });
  });
});
