import { expect } from 'chai';
import { signIn, startTestServer, type TestServer } from '../support/test-server.ts';

describe('My Rooms', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ settings: { enabled: true, enableUserPrivateLiveRoom: true, maxPrivateRoomsPerUser: 3 } });
  });
  after(() => server.stop());

  async function privateOnlyUser(name = 'Pat Private') {
    return signIn(server, (await server.kaltura.createUser({ role: 'privateOnlyRole', name })).id);
  }

  it('lists no rooms at first, with a + New Room form', async () => {
    const agent = await privateOnlyUser();
    const page = await agent.get('/my-rooms');
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('+ New Room').and.contain('You have no rooms yet').and.contain('name="_csrf"');
  });

  it('creates a room with a trimmed name and launches it as its main instructor', async () => {
    const agent = await privateOnlyUser('Olga Owner');
    await agent.get('/my-rooms');
    const created = await agent.post('/my-rooms', { name: '   Office   hours  ' });
    expect(created.status).to.equal(303);
    const list = await agent.get('/my-rooms', { accept: 'application/json' });
    const [room] = list.json().rooms;
    expect(room).to.include({ name: 'Office hours', live: false });

    await agent.get('/my-rooms');
    const launched = await agent.post(`/my-rooms/${room.id}/launch`);
    expect(launched.status).to.equal(303);
    const page = await agent.follow(launched);
    expect(page.text).to.contain('Office hours').and.contain('Olga Owner').and.contain('data-room-role="instructor"');
    for (const permission of ['startSession', 'endSession', 'removeParticipants', 'record', 'manageFiles']) expect(page.text).to.contain(`data-permission="${permission}"`);
  });

  it('accepts 1 and 100 characters and refuses empty, blank and 101-character names, creating nothing', async () => {
    const agent = await privateOnlyUser();
    await agent.get('/my-rooms');
    expect((await agent.post('/my-rooms', { name: 'A' }, { accept: 'application/json' })).status).to.equal(201);
    expect((await agent.post('/my-rooms', { name: 'B'.repeat(100) }, { accept: 'application/json' })).status).to.equal(201);
    for (const name of ['', '    ', 'C'.repeat(101), 'bad\u200bname']) {
      const response = await agent.post('/my-rooms', { name }, { accept: 'application/json' });
      expect(response.status, JSON.stringify(name)).to.equal(400);
      expect(response.json().error.fields).to.have.property('name');
    }
    const page = await agent.post('/my-rooms', { name: 'D'.repeat(101) });
    expect(page.status).to.equal(400);
    expect(page.text).to.contain('at most 100 characters').and.contain('aria-invalid="true"');
    expect((await agent.get('/my-rooms', { accept: 'application/json' })).json().rooms).to.have.length(2);
  });

  it('stops at the per-user room limit with a message', async () => {
    const agent = await privateOnlyUser();
    await agent.get('/my-rooms');
    for (const name of ['one', 'two', 'three']) expect((await agent.post('/my-rooms', { name }, { accept: 'application/json' })).status).to.equal(201);
    const fourth = await agent.post('/my-rooms', { name: 'four' }, { accept: 'application/json' });
    expect(fourth.status).to.equal(409);
    expect(fourth.json().error.message).to.contain('already have 3 rooms');
  });

  it('shows nobody else\'s rooms and refuses to launch them (404, as if they did not exist)', async () => {
    const owner = await privateOnlyUser('Owner');
    await owner.get('/my-rooms');
    await owner.post('/my-rooms', { name: 'Secret planning' });
    const roomId = (await owner.get('/my-rooms', { accept: 'application/json' })).json().rooms[0].id;

    const other = await privateOnlyUser('Other');
    const page = await other.get('/my-rooms');
    expect(page.text).to.not.contain('Secret planning');
    const launch = await other.post(`/my-rooms/${roomId}/launch`);
    expect(launch.status).to.equal(404);
    expect((await other.post('/my-rooms/not-a-room/launch')).status).to.equal(404);
  });

  it('is for Private Only and above: a viewer gets 403 with a message, admins get in', async () => {
    const viewer = await signIn(server, (await server.kaltura.createUser({ role: 'viewerRole' })).id);
    const refused = await viewer.get('/my-rooms');
    expect(refused.status).to.equal(403);
    expect(refused.text).to.contain('Private Only role or above');
    const admin = await signIn(server, (await server.kaltura.createUser({ role: 'adminRole' })).id);
    expect((await admin.get('/my-rooms')).status).to.equal(200);
    const legacy = await signIn(server, (await server.kaltura.createUser({ partnerData: 'role=privateOnlyRole' })).id);
    expect((await legacy.get('/my-rooms')).status).to.equal(200);
  });

  it('asks people without a session to come from MediaSpace (401)', async () => {
    expect((await server.agent().get('/my-rooms')).status).to.equal(401);
  });

  for (const settings of [{ enabled: true, enableUserPrivateLiveRoom: false }, { enabled: false, enableUserPrivateLiveRoom: true }]) {
    it(`does not exist (404) with ${JSON.stringify(settings)}, menu entry included`, async () => {
      const off = await startTestServer({ settings });
      try {
        const agent = await signIn(off, (await off.kaltura.createUser({ role: 'adminRole' })).id);
        expect((await agent.get('/my-rooms')).status).to.equal(404);
        expect((await agent.post('/my-rooms', { name: 'x' })).status).to.equal(404);
        const menu = await off.agent().get(`/embed/menu?ks=${encodeURIComponent(await off.kaltura.userKs((await off.kaltura.createUser({ role: 'privateOnlyRole' })).id))}`, { accept: 'application/json' });
        expect(menu.json().items.map((item: { id: string }) => item.id)).to.not.include('my-rooms');
      } finally {
        await off.stop();
      }
    });
  }
});
