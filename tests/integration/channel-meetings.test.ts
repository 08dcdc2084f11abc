import { expect } from 'chai';
import { LEVEL, MEMBERSHIP_STATUS } from '../support/kaltura-seed.ts';
import { signIn, startTestServer, type TestServer } from '../support/test-server.ts';
import type { TestAgent } from '../support/test-agent.ts';

describe('channel meetings', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  /** A channel with one member at each level, and an outsider. */
  async function channelWithMembers() {
    const channel = await server.kaltura.createChannel(`Seminar ${Math.random().toString(36).slice(2, 7)}`);
    const people: Record<string, string> = {};
    for (const [level, value] of Object.entries(LEVEL)) {
      const user = await server.kaltura.createUser({ role: 'viewerRole', name: `${level} person` });
      if (level !== 'none') await server.kaltura.addMember(channel.id, user.id, value);
      people[level] = user.id;
    }
    people.outsider = (await server.kaltura.createUser({ role: 'viewerRole' })).id;
    return { channel, people };
  }

  async function meetingJson(agent: TestAgent, channelId: number) {
    const response = await agent.get(`/channels/${channelId}/meeting`, { accept: 'application/json' });
    expect(response.status).to.equal(200);
    return response.json();
  }

  describe('GET /channels/:channelId/meeting', () => {
    it('shows Start Meeting to a Manager and Join Meeting to a Member, in the page and in JSON', async () => {
      const { channel, people } = await channelWithMembers();
      const manager = await signIn(server, people.manager!);
      expect(await meetingJson(manager, channel.id)).to.deep.equal({ channelId: channel.id, channelName: channel.name, membership: 'manager', roomRole: 'instructor', actions: ['start'], live: false, endsInMinutes: null, removed: false, inactive: false });
      const page = await manager.get(`/channels/${channel.id}/meeting`);
      expect(page.text).to.contain('Start Meeting').and.not.contain('Join Meeting');

      const member = await signIn(server, people.member!);
      expect(await meetingJson(member, channel.id)).to.include({ membership: 'member', roomRole: 'participant' });
      expect((await member.get(`/channels/${channel.id}/meeting`)).text).to.contain('Join Meeting').and.not.contain('Start Meeting');
    });

    it('shows nothing to a non-member, a NONE-level member or a deactivated member', async () => {
      const { channel, people } = await channelWithMembers();
      const deactivated = (await server.kaltura.createUser({ role: 'viewerRole' })).id;
      await server.kaltura.addMember(channel.id, deactivated, LEVEL.manager, MEMBERSHIP_STATUS.notActive);
      for (const userId of [people.outsider!, people.none!, deactivated]) {
        const agent = await signIn(server, userId);
        expect(await meetingJson(agent, channel.id)).to.include({ membership: null, roomRole: null, live: false }).and.deep.include({ actions: [] });
        const page = await agent.get(`/channels/${channel.id}/meeting`);
        expect(page.status).to.equal(200);
        expect(page.text).to.not.contain('Meeting</button>').and.not.contain('<form');
      }
    });

    it('answers 401 without a session, 404 for an unknown channel and 400 for ids that cannot be channels', async () => {
      expect((await server.agent().get('/channels/2001/meeting', { accept: 'application/json' })).status).to.equal(401);
      const agent = await signIn(server, (await server.kaltura.createUser({ role: 'viewerRole' })).id);
      const unknown = await agent.get('/channels/1999999/meeting', { accept: 'application/json' });
      expect(unknown.status).to.equal(404);
      expect(unknown.json().error.message).to.equal('There is no channel with this id.');
      for (const id of ['abc', '-1', '0', '1.5', '99999999999', '2147483648', `${'9'.repeat(400)}`]) {
        const response = await agent.get(`/channels/${id}/meeting`, { accept: 'application/json' });
        expect(response.status, id).to.equal(400);
        expect(response.json().error.fields).to.have.property('channelId');
      }
    });
  });

  describe('POST /channels/:channelId/meeting/start', () => {
    it('creates the channel room once, marks the meeting live and sends the Manager in as instructor', async () => {
      const { channel, people } = await channelWithMembers();
      const manager = await signIn(server, people.manager!);
      await manager.get(`/channels/${channel.id}/meeting`);
      const started = await manager.post(`/channels/${channel.id}/meeting/start`);
      expect(started.status).to.equal(303);
      expect(started.location).to.match(/^\/rooms\/[0-9a-f-]{36}\/launch\?token=/);

      const room = await manager.follow(started);
      expect(room.status).to.equal(200);
      expect(room.text).to.contain(channel.name).and.contain('data-room-role="instructor"').and.contain('data-permission="endSession"');

      const rooms = await server.db.selectFrom('rooms').selectAll().where('channel_id', '=', channel.id).execute();
      expect(rooms).to.have.length(1);
      expect(await meetingJson(manager, channel.id)).to.include({ live: true }).and.deep.include({ actions: ['join'] });

      // A Moderator starting again joins the same live meeting in the same room.
      const moderator = await signIn(server, people.moderator!);
      await moderator.get(`/channels/${channel.id}/meeting`);
      const again = await moderator.post(`/channels/${channel.id}/meeting/start`, {}, { accept: 'application/json' });
      expect(again.json()).to.include({ roomId: rooms[0]!.id, roomRole: 'instructor' });
      const live = await server.db.selectFrom('live_sessions').selectAll().where('room_id', '=', rooms[0]!.id).execute();
      expect(live).to.have.length(1);
    });

    it('refuses Contributors and Members with 403 and a reason, and creates nothing', async () => {
      const { channel, people } = await channelWithMembers();
      for (const level of ['contributor', 'member'] as const) {
        const agent = await signIn(server, people[level]!);
        await agent.get(`/channels/${channel.id}/meeting`);
        const response = await agent.post(`/channels/${channel.id}/meeting/start`);
        expect(response.status).to.equal(403);
        expect(response.text).to.contain('does not let you start');
      }
      expect(await server.db.selectFrom('rooms').selectAll().where('channel_id', '=', channel.id).execute()).to.have.length(0);
    });

    it('asks Kaltura afresh: a Manager demoted in MediaSpace a moment ago can no longer start', async () => {
      const { channel, people } = await channelWithMembers();
      const manager = await signIn(server, people.manager!);
      expect(await meetingJson(manager, channel.id)).to.deep.include({ actions: ['start'] });
      await server.kaltura.setMemberLevel(channel.id, people.manager!, LEVEL.member);
      await manager.get(`/channels/${channel.id}/meeting`);
      expect((await manager.post(`/channels/${channel.id}/meeting/start`)).status).to.equal(403);
    });

    it('follows a channel renamed in MediaSpace', async () => {
      const { channel, people } = await channelWithMembers();
      const manager = await signIn(server, people.manager!);
      await manager.get(`/channels/${channel.id}/meeting`);
      await manager.post(`/channels/${channel.id}/meeting/start`);
      await server.kaltura.renameChannel(channel.id, 'Renamed seminar');
      const response = await manager.post(`/channels/${channel.id}/meeting/start`, {}, { accept: 'application/json' });
      const room = await server.db.selectFrom('rooms').selectAll().where('id', '=', response.json().roomId).executeTakeFirstOrThrow();
      expect(room.name).to.equal('Renamed seminar');
    });
  });

  describe('POST /channels/:channelId/meeting/join', () => {
    it('sends each member in with the role their level maps to', async () => {
      const { channel, people } = await channelWithMembers();
      for (const [level, role] of [['manager', 'instructor'], ['moderator', 'instructor'], ['contributor', 'participant'], ['member', 'participant']] as const) {
        const agent = await signIn(server, people[level]!);
        await agent.get(`/channels/${channel.id}/meeting`);
        const joined = await agent.post(`/channels/${channel.id}/meeting/join`);
        expect(joined.status, level).to.equal(303);
        const room = await agent.follow(joined);
        expect(room.text, level).to.contain(`data-room-role="${role}"`);
      }
    });

    it('refuses a non-member with a 403 page that says why', async () => {
      const { channel, people } = await channelWithMembers();
      const outsider = await signIn(server, people.outsider!);
      await outsider.get(`/channels/${channel.id}/meeting`);
      const response = await outsider.post(`/channels/${channel.id}/meeting/join`);
      expect(response.status).to.equal(403);
      expect(response.text).to.contain('not a member of this channel');
    });

    it('answers 404 for an unknown channel and leaves no room behind', async () => {
      const agent = await signIn(server, (await server.kaltura.createUser({ role: 'viewerRole' })).id);
      await agent.get('/');
      const before = await server.db.selectFrom('rooms').selectAll().execute();
      expect((await agent.post('/channels/1999998/meeting/join')).status).to.equal(404);
      expect(await server.db.selectFrom('rooms').selectAll().execute()).to.have.length(before.length);
    });

    it('refuses a POST without the CSRF token, or with a wrong one', async () => {
      const { channel, people } = await channelWithMembers();
      const member = await signIn(server, people.member!);
      await member.get(`/channels/${channel.id}/meeting`);
      expect((await member.post(`/channels/${channel.id}/meeting/join`, {}, { csrf: false })).status).to.equal(403);
      const wrong = await member.post(`/channels/${channel.id}/meeting/join`, { _csrf: 'forged-token' });
      expect(wrong.status).to.equal(403);
      expect(wrong.text).to.contain('did not come from Live Rooms');
    });
  });

  describe('when the module is not enabled', () => {
    let off: TestServer;
    before(async () => {
      off = await startTestServer({ settings: { enabled: false } });
    });
    after(() => off.stop());

    it('renders an empty channel fragment and answers the POSTs 404 "module not enabled"', async () => {
      const user = await off.kaltura.createUser({ role: 'viewerRole' });
      const channel = await off.kaltura.createChannel();
      await off.kaltura.addMember(channel.id, user.id, LEVEL.manager);
      const agent = await signIn(off, user.id);
      const page = await agent.get(`/channels/${channel.id}/meeting`);
      expect(page.status).to.equal(200);
      expect(page.text).to.not.contain('Start Meeting').and.not.contain('<form');
      for (const action of ['start', 'join']) {
        const response = await agent.post(`/channels/${channel.id}/meeting/${action}`, {}, { accept: 'application/json' });
        expect(response.status).to.equal(404);
        expect(response.json().error.message).to.contain('module not enabled');
      }
      expect(await off.db.selectFrom('rooms').selectAll().execute()).to.have.length(0);
    });
  });
});
