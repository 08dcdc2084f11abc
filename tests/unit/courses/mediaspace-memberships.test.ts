import { expect } from 'chai';
import sinon from 'sinon';
import { courseRoleForChannelLevel, createMediaSpaceMemberships, RECORDED_MEMBERSHIP_TTL_MS } from '../../../src/courses/mediaspace-memberships.ts';

describe('createMediaSpaceMemberships', () => {
  afterEach(() => sinon.restore());

  function recorder() {
    let clock = Date.parse('2026-03-02T09:00:00Z');
    const store = { recordFromMediaSpace: sinon.stub().resolves() };
    const memberships = createMediaSpaceMemberships(store, { maxEntries: 100, now: () => clock });
    return { store, memberships, advance: (ms: number) => void (clock += ms) };
  }

  describe('#record', () => {
    it('writes a membership once while it is remembered, so a join storm writes it once', async () => {
      const { store, memberships } = recorder();
      await Promise.all(Array.from({ length: 20 }, () => memberships.record('room-1', 'u1', 'student')));
      expect(store.recordFromMediaSpace.callCount).to.equal(1);
      expect(store.recordFromMediaSpace.firstCall.args[0]).to.include({ roomId: 'room-1', userId: 'u1', role: 'student' });
    });

    it('writes again when the role changed, and after the memory lapsed', async () => {
      const { store, memberships, advance } = recorder();
      await memberships.record('room-1', 'u1', 'student');
      await memberships.record('room-1', 'u1', 'instructor');
      advance(RECORDED_MEMBERSHIP_TTL_MS + 1);
      await memberships.record('room-1', 'u1', 'instructor');
      expect(store.recordFromMediaSpace.getCalls().map((call) => call.args[0].role)).to.deep.equal(['student', 'instructor', 'instructor']);
    });

    it('remembers nothing of a failed write', async () => {
      const { store, memberships } = recorder();
      store.recordFromMediaSpace.onFirstCall().rejects(new Error('database away'));
      await memberships.record('room-1', 'u1', 'student').then(() => expect.fail('should fail'), (error: Error) => expect(error.message).to.equal('database away'));
      await memberships.record('room-1', 'u1', 'student');
      expect(store.recordFromMediaSpace.callCount).to.equal(2);
    });
  });

  describe('courseRoleForChannelLevel', () => {
    it('makes Managers and Moderators instructors, Contributors and Members students', () => {
      expect((['manager', 'moderator', 'contributor', 'member'] as const).map(courseRoleForChannelLevel)).to.deep.equal(['instructor', 'instructor', 'student', 'student']);
    });
  });
});
