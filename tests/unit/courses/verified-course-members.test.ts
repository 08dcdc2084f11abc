import { expect } from 'chai';
import sinon from 'sinon';
import type { CourseMemberStore, MembershipInRoom } from '../../../src/courses/course-member-store.ts';
import { createVerifiedCourseMembers } from '../../../src/courses/verified-course-members.ts';
import type { ChannelMembership } from '../../../src/kaltura/kaltura-gateway.ts';
import { UpstreamError } from '../../../src/lib/errors/app-error.ts';

const MANAGER = 0;
const MEMBER = 3;

function membership(fields: Partial<MembershipInRoom> = {}): MembershipInRoom {
  return { roomId: 'room-1', userId: 'mediaspace:u1', role: 'instructor', source: 'mediaspace', addedAt: 1000, channelId: 7, ...fields };
}

function verified(recorded: MembershipInRoom[], kaltura: ChannelMembership | null | Error) {
  const members = {
    findInRoom: sinon.stub().callsFake(async (roomId: string, userId: string) => recorded.find((m) => m.roomId === roomId && m.userId === userId) ?? null),
    listInRoomsOf: sinon.stub().callsFake(async (userId: string) => recorded.filter((m) => m.userId === userId)),
    followMediaSpace: sinon.stub().resolves(),
  };
  const gateway = { getMembership: kaltura instanceof Error ? sinon.stub().rejects(kaltura) : sinon.stub().resolves(kaltura) };
  const recorder = { forget: sinon.stub() };
  const store = createVerifiedCourseMembers({ members: members as unknown as CourseMemberStore, gateway, recorder });
  return { store, members, gateway, recorder };
}

describe('createVerifiedCourseMembers', () => {
  afterEach(() => sinon.restore());

  describe('#roleIn', () => {
    it('answers the role Kaltura gives a channel member, changing nothing when it is the recorded one', async () => {
      const { store, members, gateway } = verified([membership()], { permissionLevel: MANAGER, active: true });
      expect(await store.roleIn('room-1', 'mediaspace:u1')).to.equal('instructor');
      expect(gateway.getMembership.firstCall.args).to.deep.equal([7, 'u1']);
      expect(members.followMediaSpace.called).to.equal(false);
    });

    it('never asks Kaltura about a backend account: a channel membership on its id counts for nothing', async () => {
      const { store, gateway } = verified([membership({ userId: 'b7c1e0a2-0000-4000-8000-000000000001' })], { permissionLevel: MANAGER, active: true });
      expect(await store.roleIn('room-1', 'b7c1e0a2-0000-4000-8000-000000000001')).to.equal(null);
      expect(gateway.getMembership.called).to.equal(false);
    });

    it('follows a new level, and forgets what the recorder remembers', async () => {
      const { store, members, recorder } = verified([membership()], { permissionLevel: MEMBER, active: true });
      expect(await store.roleIn('room-1', 'mediaspace:u1')).to.equal('student');
      expect(members.followMediaSpace.firstCall.args).to.deep.equal(['room-1', 'mediaspace:u1', 'student']);
      expect(recorder.forget.firstCall.args).to.deep.equal(['room-1', 'mediaspace:u1']);
    });

    for (const [what, kaltura] of [['removed', null], ['no longer active', { permissionLevel: MANAGER, active: false }], ['at level NONE', { permissionLevel: 4, active: true }]] as const) {
      it(`removes the membership of a person ${what} in the channel`, async () => {
        const { store, members } = verified([membership()], kaltura);
        expect(await store.roleIn('room-1', 'mediaspace:u1')).to.equal(null);
        expect(members.followMediaSpace.firstCall.args).to.deep.equal(['room-1', 'mediaspace:u1', null]);
      });
    }

    it('does not ask Kaltura about a membership an administrator set, or a private room\'s owner', async () => {
      const { store, gateway } = verified([membership({ source: 'backend' }), membership({ roomId: 'private-1', channelId: null })], null);
      expect(await store.roleIn('room-1', 'mediaspace:u1')).to.equal('instructor');
      expect(await store.roleIn('private-1', 'mediaspace:u1')).to.equal('instructor');
      expect(gateway.getMembership.called).to.equal(false);
    });

    it('passes Kaltura\'s failure on and changes nothing', async () => {
      const { store, members } = verified([membership()], new UpstreamError('Kaltura could not be reached.'));
      const failure = await store.roleIn('room-1', 'mediaspace:u1').then(() => null, (error: unknown) => error);
      expect(failure).to.be.instanceOf(UpstreamError);
      expect(members.followMediaSpace.called).to.equal(false);
    });
  });

  describe('#isInstructorAnywhere', () => {
    it('counts only the memberships Kaltura still confirms as instructing', async () => {
      const { store } = verified([membership(), membership({ roomId: 'room-2', role: 'student', channelId: 8 })], { permissionLevel: MEMBER, active: true });
      expect(await store.isInstructorAnywhere('mediaspace:u1')).to.equal(false);
    });

    it('keeps an instructor who owns a private room', async () => {
      const { store } = verified([membership(), membership({ roomId: 'private-1', channelId: null })], null);
      expect(await store.isInstructorAnywhere('mediaspace:u1')).to.equal(true);
    });
  });
});
