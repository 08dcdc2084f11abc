/**
 * Channels that inherit their members (Kaltura inheritanceType INHERIT): the
 * memberships Kaltura answers for them are the parent's, stamped with the
 * parent's categoryId. Members of the parent get Join, its managers Start, and
 * the channel's course in the rooms backend follows the parent's records.
 */
import { expect } from 'chai';
import { LEVEL } from '../support/kaltura-seed.ts';
import { signIn, startTestServer, type TestServer } from '../support/test-server.ts';

describe('Channels that inherit their members from a parent category', () => {
  let server: TestServer;
  let clock: number;

  before(async () => {
    clock = Date.now();
    server = await startTestServer({ now: () => clock });
  });
  after(() => server.stop());

  async function inheritedChannel() {
    const parent = await server.kaltura.createChannel();
    const middle = await server.kaltura.createChannel(undefined, { inheritFrom: parent.id });
    const channel = await server.kaltura.createChannel(undefined, { inheritFrom: middle.id });
    const manager = await server.kaltura.createUser({ role: 'viewerRole' });
    const member = await server.kaltura.createUser({ role: 'viewerRole' });
    await server.kaltura.addMember(parent.id, manager.id, LEVEL.manager);
    await server.kaltura.addMember(parent.id, member.id, LEVEL.member);
    return { parent, channel, manager, member };
  }

  it('offers Start to a manager and Join to a member of the parent, two levels up, and lets them in', async () => {
    const { channel, manager, member } = await inheritedChannel();
    const managerAgent = await signIn(server, manager.id);
    const asManager = await managerAgent.get(`/channels/${channel.id}/meeting`, { accept: 'application/json' });
    expect(asManager.json()).to.include({ membership: 'manager', roomRole: 'instructor' });
    expect(asManager.json().actions).to.deep.equal(['start']);
    expect((await managerAgent.post(`/channels/${channel.id}/meeting/start`, {}, { accept: 'application/json' })).status).to.equal(200);

    const memberAgent = await signIn(server, member.id);
    const asMember = await memberAgent.get(`/channels/${channel.id}/meeting`, { accept: 'application/json' });
    expect(asMember.json()).to.include({ membership: 'member', roomRole: 'participant', live: true });
    const joined = await memberAgent.post(`/channels/${channel.id}/meeting/join`);
    expect(joined.status).to.equal(303);
  });

  it('keeps the channel\'s course in the rooms backend for the parent\'s manager, and takes it away when the parent drops them', async () => {
    const { parent, channel, manager } = await inheritedChannel();
    const agent = await signIn(server, manager.id);
    await agent.get(`/channels/${channel.id}/meeting`);
    expect((await agent.post(`/channels/${channel.id}/meeting/start`, {}, { accept: 'application/json' })).status).to.equal(200);
    const room = await server.db.selectFrom('rooms').select('id').where('channel_id', '=', channel.id).executeTakeFirstOrThrow();
    clock += 31_000;
    const courses = async () => (await agent.get('/backend/courses', { accept: 'application/json' })).json().courses.map((course: { id: string }) => course.id);
    expect(await courses()).to.deep.equal([room.id]);

    await server.kaltura.removeMember(parent.id, manager.id);
    clock += 31_000;
    expect(await courses()).to.deep.equal([]);
  });

  it('refuses someone who is a member of neither', async () => {
    const { channel } = await inheritedChannel();
    const outsider = await signIn(server, (await server.kaltura.createUser({ role: 'viewerRole' })).id);
    await outsider.get(`/channels/${channel.id}/meeting`);
    expect((await outsider.post(`/channels/${channel.id}/meeting/join`)).status).to.equal(403);
  });
});
