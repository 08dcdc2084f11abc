/**
 * The same queries on PostgreSQL, the production database: migrations, the
 * launch, a channel's Start and Join, My Rooms and the settings audit, against
 * a fresh schema. Runs when TEST_DATABASE_URL is set (.ci/run sets it up).
 */
import { expect } from 'chai';
import { hashOpaqueToken } from '../../src/lib/secrets/opaque-tokens.ts';
import { LEVEL } from '../support/kaltura-seed.ts';
import { skipWithoutPostgres, startTestServerOn } from '../support/test-databases.ts';
import { signIn, type TestServer } from '../support/test-server.ts';

describe('on PostgreSQL', function () {
  let server: TestServer;

  before(async function () {
    skipWithoutPostgres(this);
    server = await startTestServerOn('PostgreSQL');
  });

  after(async () => {
    await server?.stop();
  });

  it('migrates a second server\'s schema while another schema of the database holds the migration tables (another install, a parallel test)', async function () {
    this.timeout(60_000);
    const second = await startTestServerOn('PostgreSQL');
    try {
      expect(await second.db.selectFrom('live_session_people').select('user_id').execute()).to.deep.equal([]);
    } finally {
      await second.stop();
    }
  });

  it('rotates a relaunched session in place: a new cookie, the old one worthless, still one session row', async () => {
    const viewer = await server.kaltura.createUser({ role: 'viewerRole' });
    const agent = await signIn(server, viewer.id);
    const first = agent.cookie('lr_session')!;
    const rows = () => server.db.selectFrom('auth_sessions').select('id').where('user_id', '=', `mediaspace:${viewer.id}`).execute();
    expect(await rows()).to.have.length(1);
    expect((await agent.get(`/launch?ks=${encodeURIComponent(await server.kaltura.userKs(viewer.id))}&returnTo=/`)).status).to.equal(303);
    expect(agent.cookie('lr_session')).to.be.a('string').and.not.equal(first);
    expect(await rows()).to.deep.equal([{ id: hashOpaqueToken(agent.cookie('lr_session')!) }]);
  });

  it('starts and joins a channel meeting, keeping one room and one live session', async () => {
    const channel = await server.kaltura.createChannel('Postgres seminar');
    const manager = await server.kaltura.createUser({ role: 'viewerRole' });
    const member = await server.kaltura.createUser({ role: 'viewerRole' });
    await server.kaltura.addMember(channel.id, manager.id, LEVEL.manager);
    await server.kaltura.addMember(channel.id, member.id, LEVEL.member);

    const managerAgent = await signIn(server, manager.id);
    await managerAgent.get(`/channels/${channel.id}/meeting`);
    const started = await managerAgent.follow(await managerAgent.post(`/channels/${channel.id}/meeting/start`));
    expect(started.text).to.contain('data-room-role="instructor"');
    await managerAgent.post(`/channels/${channel.id}/meeting/start`);

    const memberAgent = await signIn(server, member.id);
    await memberAgent.get(`/channels/${channel.id}/meeting`);
    expect((await memberAgent.get(`/channels/${channel.id}/meeting`, { accept: 'application/json' })).json()).to.include({ live: true });
    const joined = await memberAgent.follow(await memberAgent.post(`/channels/${channel.id}/meeting/join`));
    expect(joined.text).to.contain('data-room-role="participant"');

    const rooms = await server.db.selectFrom('rooms').selectAll().where('channel_id', '=', channel.id).execute();
    expect(rooms).to.have.length(1);
    expect(await server.db.selectFrom('live_sessions').selectAll().where('room_id', '=', rooms[0]!.id).execute()).to.have.length(1);
  });

  it('keeps private rooms, refuses a replayed launch token and audits settings', async () => {
    const owner = await signIn(server, (await server.kaltura.createUser({ role: 'adminRole', name: 'Pg Admin' })).id);
    await owner.get('/my-rooms');
    expect((await owner.post('/my-rooms', { name: 'Pg room' })).status).to.equal(303);
    const room = (await owner.get('/my-rooms', { accept: 'application/json' })).json().rooms[0];
    await owner.get('/my-rooms');
    const { launchUrl } = (await owner.post(`/my-rooms/${room.id}/launch`, {}, { accept: 'application/json' })).json();
    expect((await owner.get(launchUrl)).status).to.equal(303);
    expect((await server.agent().get(launchUrl)).status).to.equal(401);

    await owner.get('/admin/module');
    const settings = (await owner.get('/admin/module', { accept: 'application/json' })).json();
    const saved = await owner.postJson('/admin/module', { version: settings.version, settings: { ...settings.settings, openInNewTab: true } });
    expect(saved.status).to.equal(200);
    const audit = (await owner.get('/admin/module', { accept: 'application/json' })).json().audit;
    expect(audit.map((entry: { setting: string }) => entry.setting)).to.deep.equal(['openInNewTab']);
  });
});
