import { expect } from 'chai';
import { LEVEL } from '../support/kaltura-seed.ts';
import { RoomClient } from '../support/room-client.ts';
import type { TestAgent } from '../support/test-agent.ts';
import { mediaSpaceUserKey } from '../../src/identity/user-keys.ts';
import { signIn, startTestServer, type TestServer } from '../support/test-server.ts';

/**
 * What the service remembers between requests (sessions, channel rooms, live
 * state) must never show a person something that a write has already changed.
 * The clock stands still unless a test moves it, so nothing here is right
 * merely because a remembered answer aged out.
 */
describe('remembered state', () => {
  let server: TestServer;
  let clock: number;
  const clients: RoomClient[] = [];

  before(async () => {
    clock = Date.now();
    server = await startTestServer({ now: () => clock });
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.socket.terminate();
  });
  after(() => server.stop());

  async function meetingJson(agent: TestAgent, channelId: number) {
    const response = await agent.get(`/channels/${channelId}/meeting`, { accept: 'application/json' });
    expect(response.status, response.text).to.equal(200);
    return response.json();
  }

  async function channelWithManagerAndMember() {
    const channel = await server.kaltura.createChannel();
    const manager = await server.kaltura.createUser({ role: 'viewerRole', name: 'Maria Manager' });
    const member = await server.kaltura.createUser({ role: 'viewerRole', name: 'Mel Member' });
    await server.kaltura.addMember(channel.id, manager.id, LEVEL.manager);
    await server.kaltura.addMember(channel.id, member.id, LEVEL.member);
    return { channel, manager: await signIn(server, manager.id), member: await signIn(server, member.id) };
  }

  async function lastSeenOf(kalturaUserId: string): Promise<number> {
    const row = await server.db.selectFrom('users').select('last_seen_at').where('id', '=', mediaSpaceUserKey(kalturaUserId)).executeTakeFirstOrThrow();
    return Number(row.last_seen_at);
  }

  describe('live state', () => {
    it('shows a meeting live to everyone at once after a Start, and not live at once after it ends', async () => {
      const { channel, manager, member } = await channelWithManagerAndMember();
      // Both have just looked: "not live" is remembered, and the room exists once someone joined.
      expect((await member.post(`/channels/${channel.id}/meeting/join`, {}, { accept: 'application/json' })).status).to.equal(200);
      expect(await meetingJson(member, channel.id)).to.include({ live: false });
      expect(await meetingJson(manager, channel.id)).to.include({ live: false });

      const started = await manager.post(`/channels/${channel.id}/meeting/start`, {}, { accept: 'application/json' });
      expect(started.status).to.equal(200);
      expect(await meetingJson(member, channel.id)).to.include({ live: true });
      expect(await meetingJson(manager, channel.id)).to.include({ live: true }).and.deep.include({ actions: ['join'] });

      const instructor = await RoomClient.launch(manager, started.json().launchUrl);
      clients.push(instructor);
      await instructor.next('welcome');
      instructor.send({ type: 'session.end' });
      await instructor.next('session.ended');
      expect(await meetingJson(member, channel.id)).to.include({ live: false });
    });

    it('keeps joins in the channel room after the channel is renamed in MediaSpace', async () => {
      const { channel, manager, member } = await channelWithManagerAndMember();
      const first = (await member.post(`/channels/${channel.id}/meeting/join`, {}, { accept: 'application/json' })).json();
      await server.kaltura.renameChannel(channel.id, 'Renamed seminar');
      // Start asks Kaltura afresh, so it learns the new name and the room follows it.
      const started = (await manager.post(`/channels/${channel.id}/meeting/start`, {}, { accept: 'application/json' })).json();
      expect(started.roomId).to.equal(first.roomId);
      const room = await server.db.selectFrom('rooms').select('name').where('id', '=', first.roomId).executeTakeFirstOrThrow();
      expect(room.name).to.equal('Renamed seminar');
    });
  });

  describe('module sessions', () => {
    it('writes no profile when the same person launches again within a minute, and records activity after that', async () => {
      const user = await server.kaltura.createUser({ role: 'viewerRole' });
      const ks = await server.kaltura.userKs(user.id);
      const agent = server.agent();
      const launch = () => agent.get(`/launch?ks=${encodeURIComponent(ks)}`);
      expect((await launch()).status).to.equal(303);
      const firstSeen = await lastSeenOf(user.id);

      clock += 30_000;
      expect((await launch()).status).to.equal(303);
      expect(await lastSeenOf(user.id)).to.equal(firstSeen);

      clock += 31_000;
      expect((await launch()).status).to.equal(303);
      expect(await lastSeenOf(user.id)).to.equal(clock);
    });

    it('judges a remembered session against the clock: it ends at its expiry, not when it is next read from the database', async () => {
      const user = await server.kaltura.createUser({ role: 'viewerRole' });
      const channel = await server.kaltura.createChannel();
      // The session cannot outlive its KS: this one ends in two minutes.
      const agent = await signIn(server, user.id, { ksExpiry: 120 });
      const read = async () => (await agent.get(`/channels/${channel.id}/meeting`, { accept: 'application/json' })).status;
      clock += 100_000;
      expect(await read()).to.equal(200);
      clock += 5_000;
      expect(await read()).to.equal(200);
      // 16 s after the last read: the session is still remembered, and past its expiry.
      clock += 16_000;
      expect(await read()).to.equal(401);
    });

    it('ends a session at once when the person signs out, on every page', async () => {
      const user = await server.kaltura.createUser({ role: 'viewerRole' });
      const channel = await server.kaltura.createChannel();
      const agent = await signIn(server, user.id);
      const token = agent.cookie('lr_session')!;
      expect((await agent.get(`/channels/${channel.id}/meeting`, { accept: 'application/json' })).status).to.equal(200);
      await agent.get('/');
      expect((await agent.post('/sign-out')).status).to.equal(303);
      const replay = await server.agent().request('GET', `/channels/${channel.id}/meeting`, { accept: 'application/json', headers: { cookie: `lr_session=${token}` } });
      expect(replay.status).to.equal(401);
    });
  });
});
