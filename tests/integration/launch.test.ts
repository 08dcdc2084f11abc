import { expect } from 'chai';
import { OPEN_REDIRECTS } from '../support/open-redirects.ts';
import { signIn, startTestServer, type TestServer } from '../support/test-server.ts';

describe('GET /launch (arriving from MediaSpace)', () => {
  let server: TestServer;
  let viewerId: string;

  before(async () => {
    server = await startTestServer();
    viewerId = (await server.kaltura.createUser({ role: 'viewerRole' })).id;
  });
  after(() => server.stop());

  async function launch(ks: string, returnTo?: string) {
    const agent = server.agent();
    const query = new URLSearchParams({ ks, ...(returnTo !== undefined && { returnTo }) });
    return { agent, response: await agent.get(`/launch?${query}`) };
  }

  async function sessionCount(): Promise<number> {
    const row = await server.db.selectFrom('auth_sessions').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  it('validates the KS, starts a session and goes to the return path', async () => {
    const { agent, response } = await launch(await server.kaltura.userKs(viewerId), '/channels/1/meeting?x=1');
    expect(response.status).to.equal(303);
    expect(response.location).to.equal('/channels/1/meeting?x=1');
    const cookie = response.headers.getSetCookie().find((header) => header.startsWith('lr_session='))!;
    expect(cookie).to.match(/HttpOnly/i).and.match(/SameSite=Lax/i).and.match(/Path=\//).and.match(/Expires=/);
    expect(agent.cookie('lr_session')).to.have.length.greaterThan(20);
  });

  it('records the MediaSpace user so the rooms backend can list them', async () => {
    const user = await server.kaltura.createUser({ role: 'privateOnlyRole', name: 'Rita Recorded' });
    await launch(await server.kaltura.userKs(user.id));
    const row = await server.db.selectFrom('users').selectAll().where('id', '=', user.id).executeTakeFirstOrThrow();
    expect(row).to.include({ name: 'Rita Recorded', mediaspace_role: 'privateOnlyRole', source: 'mediaspace', email: user.email });
  });

  it('keeps one session when the same person launches again from another page', async () => {
    const agent = await signIn(server, viewerId);
    const first = agent.cookie('lr_session');
    const before = await sessionCount();
    await agent.get(`/launch?ks=${encodeURIComponent(await server.kaltura.userKs(viewerId))}&returnTo=/`);
    expect(agent.cookie('lr_session')).to.equal(first);
    expect(await sessionCount()).to.equal(before);
  });

  const refusals: Array<[string, () => Promise<string>, RegExp]> = [
    ['a forged KS', async () => Buffer.from('0123456789abcdef0123456789abcdef01234567|4242;4242;9999999999;0;1;someone;;;').toString('base64'), /could not be verified/],
    ['a tampered KS', async () => (await server.kaltura.userKs(viewerId)).replace(/.{4}$/, 'AAAA'), /could not be verified/],
    ['an expired KS', async () => server.kaltura.userKs(viewerId, { expiry: -10 }), /expired|could not be verified/],
    ['a KS of another Kaltura partner', async () => server.otherPartner.userKs('stranger'), /different Kaltura account/],
  ];
  for (const [what, makeKs, message] of refusals) {
    it(`answers ${what} with a 401 page that says so, and no session`, async () => {
      const before = await sessionCount();
      const { response } = await launch(await makeKs());
      expect(response.status).to.equal(401);
      expect(response.text).to.match(message);
      expect(response.headers.getSetCookie().some((header) => header.startsWith('lr_session='))).to.equal(false);
      expect(await sessionCount()).to.equal(before);
    });
  }

  it('refuses a KS that was ended in Kaltura (signed out of MediaSpace)', async () => {
    const ks = await server.kaltura.userKs(viewerId);
    await server.kaltura.endSession(ks);
    const { response } = await launch(ks);
    expect(response.status).to.equal(401);
    expect(response.text).to.contain('could not be verified');
  });

  it('answers 401 in JSON to API callers', async () => {
    const agent = server.agent();
    const response = await agent.get('/launch?ks=bm90IGEga3M=', { accept: 'application/json' });
    expect(response.status).to.equal(401);
    expect(response.json().error).to.include({ code: 'KS_INVALID' });
  });

  it('refuses a user who has no MediaSpace role with 403', async () => {
    const nobody = await server.kaltura.createUser({});
    const { response } = await launch(await server.kaltura.userKs(nobody.id));
    expect(response.status).to.equal(403);
    expect(response.text).to.contain('has no role');
  });

  it('refuses a missing or malformed KS with 400', async () => {
    expect((await server.agent().get('/launch')).status).to.equal(400);
    const malformed = await server.agent().get('/launch?ks=%3Cscript%3E');
    expect(malformed.status).to.equal(400);
    expect(malformed.text).to.contain('not a Kaltura session').and.not.contain('<script>');
    expect((await server.agent().get(`/launch?ks=${'A'.repeat(5000)}`)).status).to.equal(400);
  });

  for (const hostile of ['https://evil.example/', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)', ...OPEN_REDIRECTS]) {
    it(`never leads away from the service: returnTo=${hostile} is refused before any session exists`, async () => {
      const before = await sessionCount();
      const { response } = await launch(await server.kaltura.userKs(viewerId), hostile);
      expect(response.status).to.equal(400);
      expect(response.headers.get('location')).to.equal(null);
      expect(response.text).to.contain('must be a page of Live Rooms');
      expect(await sessionCount()).to.equal(before);
    });
  }

  it('signs out: the session ends on the server, not only in the browser', async () => {
    const agent = await signIn(server, viewerId);
    const token = agent.cookie('lr_session')!;
    await agent.get('/');
    const response = await agent.post('/sign-out');
    expect(response.status).to.equal(303);
    const replay = server.agent();
    const page = await replay.request('GET', '/channels/1/meeting', { accept: 'application/json', headers: { cookie: `lr_session=${token}` } });
    expect(page.status).to.equal(401);
  });
});

describe('module session expiry', () => {
  let server: TestServer;
  let clock: number;

  before(async () => {
    clock = Date.now();
    server = await startTestServer({ now: () => clock, config: { session: { idleMinutes: 30, absoluteHours: 8 } } });
  });
  after(() => server.stop());

  it('ends a session left idle for longer than the idle limit', async () => {
    const user = await server.kaltura.createUser({ role: 'viewerRole' });
    const channel = await server.kaltura.createChannel();
    const agent = await signIn(server, user.id);
    expect((await agent.get(`/channels/${channel.id}/meeting`, { accept: 'application/json' })).status).to.equal(200);
    clock += 31 * 60_000;
    expect((await agent.get(`/channels/${channel.id}/meeting`, { accept: 'application/json' })).status).to.equal(401);
  });

  it('trusts what Kaltura said about a KS for at most the cache lifetime (60 s), then asks again', async () => {
    const user = await server.kaltura.createUser({ role: 'viewerRole' });
    const ks = await server.kaltura.userKs(user.id);
    const launch = () => server.agent().get(`/launch?ks=${encodeURIComponent(ks)}`);
    expect((await launch()).status).to.equal(303);
    await server.kaltura.endSession(ks);
    expect((await launch()).status).to.equal(303);
    clock += 61_000;
    expect((await launch()).status).to.equal(401);
  });

  it('ends a session at its absolute expiry even while it is used', async () => {
    const user = await server.kaltura.createUser({ role: 'viewerRole' });
    const channel = await server.kaltura.createChannel();
    const agent = await signIn(server, user.id, { ksExpiry: 24 * 3600 });
    for (let step = 0; step < 20; step++) {
      clock += 29 * 60_000;
      const response = await agent.get(`/channels/${channel.id}/meeting`, { accept: 'application/json' });
      if (response.status === 401) {
        expect((step + 1) * 29).to.be.greaterThan(8 * 60);
        return;
      }
    }
    expect.fail('the session outlived its absolute expiry of 8 hours');
  });
});
