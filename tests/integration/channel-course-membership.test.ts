import { expect } from 'chai';
import { LEVEL } from '../support/kaltura-seed.ts';
import { backendPerson, courseAs, editCourse } from '../support/courses.ts';
import type { TestAgent } from '../support/test-agent.ts';
import { mediaSpaceUserKey } from '../../src/identity/user-keys.ts';
import { signIn, startTestServer, type TestServer } from '../support/test-server.ts';

/**
 * A channel's course in the rooms backend follows Kaltura's categoryUser
 * records: removed from the channel or given another level in MediaSpace, the
 * person's access changes once Kaltura's remembered answer (30 s) has aged.
 * The clock stands still unless a test moves it.
 */
describe('channel course membership follows Kaltura', () => {
  const MEMBERSHIP_REMEMBERED_MS = 30_000;
  let server: TestServer;
  let clock: number;

  before(async () => {
    clock = Date.now();
    server = await startTestServer({ now: () => clock });
  });
  after(() => server.stop());

  /** A channel whose Manager started its meeting: the channel's room exists and they are recorded as its instructor. */
  async function startedByManager(level: number = LEVEL.manager) {
    const channel = await server.kaltura.createChannel();
    const person = await server.kaltura.createUser({ role: 'viewerRole' });
    await server.kaltura.addMember(channel.id, person.id, level);
    const agent = await signIn(server, person.id);
    await agent.get(`/channels/${channel.id}/meeting`);
    expect((await agent.post(`/channels/${channel.id}/meeting/start`, {}, { accept: 'application/json' })).status).to.equal(200);
    const room = await server.db.selectFrom('rooms').select('id').where('channel_id', '=', channel.id).executeTakeFirstOrThrow();
    return { channel, person, agent, roomId: room.id };
  }

  async function courseList(agent: TestAgent): Promise<Array<{ id: string; access: string }>> {
    const response = await agent.get('/backend/courses', { accept: 'application/json' });
    expect(response.status, response.text).to.equal(200);
    return response.json().courses.map((course: { id: string; access: string }) => ({ id: course.id, access: course.access }));
  }

  async function newFolder(agent: TestAgent, roomId: string, name: string) {
    await agent.get(`/backend/courses/${roomId}/files`);
    return agent.postJson(`/backend/courses/${roomId}/folders`, { name, parent: '' });
  }

  function membershipOf(roomId: string, kalturaUserId: string) {
    return server.db.selectFrom('course_members').select(['role', 'source']).where('room_id', '=', roomId).where('user_id', '=', mediaSpaceUserKey(kalturaUserId)).executeTakeFirst();
  }

  it('takes the channel\'s course away from a Manager removed from the channel', async () => {
    const { channel, person, agent, roomId } = await startedByManager();
    expect(await courseList(agent)).to.deep.equal([{ id: roomId, access: 'manage' }]);
    expect((await agent.get('/backend/courses')).text).to.contain('data-backend-role="instructor"');
    expect((await newFolder(agent, roomId, 'Week 1')).status).to.equal(201);

    await server.kaltura.removeMember(channel.id, person.id);
    clock += MEMBERSHIP_REMEMBERED_MS + 1000;

    expect(await courseList(agent)).to.deep.equal([]);
    expect((await agent.get('/backend/courses')).text).to.contain('data-backend-role="student"');
    expect((await agent.get(`/backend/courses/${roomId}/files`, { accept: 'application/json' })).status).to.equal(404);
    expect((await courseAs(agent, roomId)).status).to.equal(404);
    expect(await membershipOf(roomId, person.id)).to.equal(undefined);
  });

  it('makes a Manager demoted to Member a student of the channel\'s course', async () => {
    const { channel, person, agent, roomId } = await startedByManager();
    await server.kaltura.setMemberLevel(channel.id, person.id, LEVEL.member);
    clock += MEMBERSHIP_REMEMBERED_MS + 1000;

    expect(await courseList(agent)).to.deep.equal([{ id: roomId, access: 'attend' }]);
    expect((await agent.get(`/backend/courses/${roomId}/files`, { accept: 'application/json' })).status).to.equal(200);
    expect((await newFolder(agent, roomId, 'Not mine to make')).status).to.equal(403);
    expect(await membershipOf(roomId, person.id)).to.deep.equal({ role: 'student', source: 'mediaspace' });

    // Promoted again in MediaSpace: the role follows without a new Start.
    await server.kaltura.setMemberLevel(channel.id, person.id, LEVEL.moderator);
    clock += MEMBERSHIP_REMEMBERED_MS + 1000;
    expect(await courseList(agent)).to.deep.equal([{ id: roomId, access: 'manage' }]);
  });

  it('records a removed Manager again when they come back and start the meeting', async () => {
    const { channel, person, agent, roomId } = await startedByManager();
    await server.kaltura.removeMember(channel.id, person.id);
    clock += MEMBERSHIP_REMEMBERED_MS + 1000;
    expect(await courseList(agent)).to.deep.equal([]);

    await server.kaltura.addMember(channel.id, person.id, LEVEL.manager);
    await agent.get(`/channels/${channel.id}/meeting`);
    expect((await agent.post(`/channels/${channel.id}/meeting/start`, {}, { accept: 'application/json' })).status).to.equal(200);
    expect(await courseList(agent)).to.deep.equal([{ id: roomId, access: 'manage' }]);
  });

  it('leaves a membership an administrator set in the backend as it is, whatever Kaltura says', async () => {
    const { channel, roomId } = await startedByManager();
    const person = await server.kaltura.createUser({ role: 'viewerRole' });
    await server.kaltura.addMember(channel.id, person.id, LEVEL.member);
    const agent = await signIn(server, person.id);
    await agent.get(`/channels/${channel.id}/meeting`);
    expect((await agent.post(`/channels/${channel.id}/meeting/join`, {}, { accept: 'application/json' })).status).to.equal(200);
    expect(await membershipOf(roomId, person.id)).to.deep.equal({ role: 'student', source: 'mediaspace' });
    // The administrator makes this Member an instructor of the channel's course.
    const admin = await backendPerson(server, 'administrator');
    expect((await editCourse(admin.agent, roomId, { membersShown: '1', member: `instructor:${mediaSpaceUserKey(person.id)}` })).status).to.equal(303);
    expect(await membershipOf(roomId, person.id)).to.deep.equal({ role: 'instructor', source: 'backend' });

    await server.kaltura.removeMember(channel.id, person.id);
    clock += MEMBERSHIP_REMEMBERED_MS + 1000;

    expect(await courseList(agent)).to.deep.equal([{ id: roomId, access: 'manage' }]);
    expect((await newFolder(agent, roomId, 'Still mine')).status).to.equal(201);
    expect(await membershipOf(roomId, person.id)).to.deep.equal({ role: 'instructor', source: 'backend' });
  });
});
