import { expect } from 'chai';
import { LEVEL } from '../support/kaltura-seed.ts';
import { signIn, startTestServer, type TestServer } from '../support/test-server.ts';
import type { TestAgent } from '../support/test-agent.ts';

describe('module settings (/admin/module)', () => {
  let server: TestServer;

  beforeEach(async () => {
    server = await startTestServer({ settings: {} });
  });
  afterEach(() => server.stop());

  async function admin(role = 'adminRole'): Promise<TestAgent> {
    return signIn(server, (await server.kaltura.createUser({ role, name: 'Ada Admin' })).id);
  }

  function formOf(overrides: Record<string, string | string[]> = {}): Record<string, string | string[]> {
    return {
      version: '0',
      launchTokenLifetimeSeconds: '60',
      maxPrivateRoomsPerUser: '20',
      'roleMapping[manager][roomRole]': 'instructor',
      'roleMapping[manager][permissions][]': ['startSession', 'endSession', 'chat'],
      'roleMapping[moderator][roomRole]': 'instructor',
      'roleMapping[moderator][permissions][]': ['startSession', 'chat'],
      'roleMapping[contributor][roomRole]': 'participant',
      'roleMapping[contributor][permissions][]': ['chat'],
      'roleMapping[member][roomRole]': 'participant',
      'roleMapping[member][permissions][]': ['chat', 'raiseHand'],
      ...overrides,
    };
  }

  it('is only for adminRole and unmoderatedAdminRole', async () => {
    for (const role of ['viewerRole', 'privateOnlyRole', 'anonymousRole']) {
      const agent = await signIn(server, (await server.kaltura.createUser({ role })).id);
      expect((await agent.get('/admin/module')).status, role).to.equal(403);
      expect((await agent.post('/admin/module', formOf({ enabled: 'on' }))).status, role).to.equal(403);
    }
    expect((await (await admin('adminRole')).get('/admin/module')).status).to.equal(200);
    const owner = await signIn(server, (await server.kaltura.createUser({ isAdmin: true })).id);
    expect((await owner.get('/admin/module')).status).to.equal(200);
    expect((await server.agent().get('/admin/module')).status).to.equal(401);
  });

  it('shows the manifest defaults: module off, private rooms off, rooms open within the page', async () => {
    const agent = await admin();
    const json = (await agent.get('/admin/module', { accept: 'application/json' })).json();
    expect(json.settings).to.include({ enabled: false, enableUserPrivateLiveRoom: false, openInNewTab: false });
    expect(json).to.include({ version: 0, source: 'defaults-and-config' });
  });

  it('saves, applies without a restart and keeps an audit trail of who changed what', async () => {
    const agent = await admin();
    const manager = await server.kaltura.createUser({ role: 'viewerRole' });
    const channel = await server.kaltura.createChannel();
    await server.kaltura.addMember(channel.id, manager.id, LEVEL.manager);
    const managerAgent = await signIn(server, manager.id);
    expect((await managerAgent.get(`/channels/${channel.id}/meeting`, { accept: 'application/json' })).status).to.equal(404);

    await agent.get('/admin/module');
    const saved = await agent.post('/admin/module', formOf({ enabled: 'on', openInNewTab: 'on' }));
    expect(saved.status).to.equal(303);
    expect((await managerAgent.get(`/channels/${channel.id}/meeting`, { accept: 'application/json' })).json()).to.deep.include({ actions: ['start'] });

    const page = await agent.get('/admin/module');
    // The history names settings by their labels, never by their keys.
    expect(page.text).to.contain('Ada Admin').and.contain('<td>Enable Live Rooms</td>').and.contain('<td>Open rooms in a new tab</td>');
    expect(page.text).not.to.contain('<code>enabled</code>').and.not.contain('<code>openInNewTab</code>');
    const json = (await agent.get('/admin/module', { accept: 'application/json' })).json();
    const enabledChange = json.audit.find((entry: { setting: string }) => entry.setting === 'enabled');
    expect(enabledChange).to.include({ oldValue: false, newValue: true });
    expect(enabledChange.changedBy).to.contain('Ada Admin');
    expect(json.audit.map((entry: { setting: string }) => entry.setting)).to.include('roleMapping').and.not.include('enableUserPrivateLiveRoom');
  });

  it('applies a new role mapping to the next launch token', async () => {
    const agent = await admin();
    await agent.get('/admin/module');
    await agent.post('/admin/module', formOf({ enabled: 'on' }));
    const member = await server.kaltura.createUser({ role: 'viewerRole' });
    const channel = await server.kaltura.createChannel();
    await server.kaltura.addMember(channel.id, member.id, LEVEL.member);
    const memberAgent = await signIn(server, member.id);
    await memberAgent.get(`/channels/${channel.id}/meeting`);
    const room = await memberAgent.follow(await memberAgent.post(`/channels/${channel.id}/meeting/join`));
    expect(room.text).to.contain('data-permission="raiseHand"').and.contain('data-permission="chat"').and.not.contain('data-permission="camera"');
  });

  it('refuses invalid values with 400, naming the field, and changes nothing', async () => {
    const agent = await admin();
    await agent.get('/admin/module');
    const badValues: Array<Record<string, string | string[]>> = [
      { launchTokenLifetimeSeconds: '600' },
      { maxPrivateRoomsPerUser: '0' },
      { 'roleMapping[member][roomRole]': 'owner' },
      { 'roleMapping[member][permissions][]': ['chat', 'selfDestruct'] },
    ];
    for (const bad of badValues) {
      const response = await agent.post('/admin/module', formOf({ enabled: 'on', ...bad }), { accept: 'application/json' });
      expect(response.status, JSON.stringify(bad)).to.equal(400);
      expect(response.json().error.fields).to.not.be.empty;
    }
    const json = (await agent.get('/admin/module', { accept: 'application/json' })).json();
    expect(json).to.include({ version: 0 });
    expect(json.audit).to.have.length(0);
  });

  it('refuses a save based on a stale version (two administrators at once) with 409', async () => {
    const first = await admin();
    const second = await admin();
    await first.get('/admin/module');
    await second.get('/admin/module');
    expect((await first.post('/admin/module', formOf({ enabled: 'on' }))).status).to.equal(303);
    const late = await second.post('/admin/module', formOf({ openInNewTab: 'on' }));
    expect(late.status).to.equal(409);
    expect(late.text).to.contain('Another administrator saved the settings');
    const json = (await first.get('/admin/module', { accept: 'application/json' })).json();
    expect(json.settings).to.include({ enabled: true, openInNewTab: false });
  });

  it('refuses a form without its CSRF token', async () => {
    const agent = await admin();
    await agent.get('/admin/module');
    expect((await agent.post('/admin/module', formOf({ enabled: 'on' }), { csrf: false })).status).to.equal(403);
  });

  describe('initial settings from config and MODULE_SETTINGS', () => {
    it('uses them until an administrator saves the page', async () => {
      const configured = await startTestServer({ settings: { enabled: true, openInNewTab: true } });
      try {
        const agent = await signIn(configured, (await configured.kaltura.createUser({ role: 'adminRole' })).id);
        expect((await agent.get('/admin/module', { accept: 'application/json' })).json().settings).to.include({ enabled: true, openInNewTab: true });
        await agent.get('/admin/module');
        await agent.post('/admin/module', formOf({ enabled: 'on' }));
        expect((await agent.get('/admin/module', { accept: 'application/json' })).json()).to.deep.include({ source: 'saved' }).and.nested.include({ 'settings.openInNewTab': false });
      } finally {
        await configured.stop();
      }
    });
  });
});
