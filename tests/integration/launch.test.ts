import { expect } from 'chai';
import { OPEN_REDIRECTS } from '../support/open-redirects.ts';
import { signIn, startTestServer, type TestServer } from '../support/test-server.ts';
import { mediaSpaceUserKey } from '../../src/identity/user-keys.ts';

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
    const row = await server.db.selectFrom('users').selectAll().where('id', '=', mediaSpaceUserKey(user.id)).executeTakeFirstOrThrow();
    expect(row).to.include({ name: 'Rita Recorded', mediaspace_role: 'privateOnlyRole', source: 'mediaspace', email: user.email });
  });

  it('rotates the session id when the same person launches again: a new cookie, the old id worthless, still one session', async () => {
    const channel = await server.kaltura.createChannel();
    const agent = await signIn(server, viewerId);
    const first = agent.cookie('lr_session')!;
    const before = await sessionCount();
    expect((await agent.get(`/launch?ks=${encodeURIComponent(await server.kaltura.userKs(viewerId))}&returnTo=/`)).status).to.equal(303);
    const second = agent.cookie('lr_session')!;
    expect(second).to.be.a('string').and.not.equal(first);
    expect(await sessionCount()).to.equal(before);
    const read = (token: string) => server.agent().request('GET', `/channels/${channel.id}/meeting`, { accept: 'application/json', headers: { cookie: `lr_session=${token}` } });
    const stale = await read(first);
    expect(stale.status).to.equal(401);
    // Not cleared either: in a browser, the cookie it would clear is already the new one (another frame's relaunch).
    expect(stale.headers.getSetCookie().some((header) => header.startsWith('lr_session='))).to.equal(false);
    expect((await read(second)).status).to.equal(200);
  });

  it('lets a page opened before a relaunch (another tab, another channel frame) still post', async () => {
    const owner = await server.kaltura.createUser({ role: 'privateOnlyRole' });
    const agent = await signIn(server, owner.id);
    expect((await agent.get('/my-rooms')).status).to.equal(200);
    await agent.get(`/launch?ks=${encodeURIComponent(await server.kaltura.userKs(owner.id))}&returnTo=/`);
    // The form's CSRF token was made for the session before the relaunch.
    expect((await agent.post('/my-rooms', { name: 'Made after a relaunch' })).status).to.equal(303);
  });

  describe('where a launch comes from (login CSRF)', () => {
    const MEDIASPACE = 'https://mediaspace.school.test';
    let embedded: TestServer;
    before(async () => {
      embedded = await startTestServer({ config: { http: { embedOrigins: [MEDIASPACE] } } });
    });
    after(() => embedded.stop());

    async function launchWith(headers: Record<string, string>) {
      const user = await embedded.kaltura.createUser({ role: 'viewerRole' });
      return embedded.agent().get(`/launch?ks=${encodeURIComponent(await embedded.kaltura.userKs(user.id))}&returnTo=/`, { headers });
    }

    const accepted: Array<[string, Record<string, string>]> = [
      ['a MediaSpace page (the channel frame, the header menu)', { 'sec-fetch-site': 'cross-site', referer: `${MEDIASPACE}/channel/Physics/42` }],
      ['a MediaSpace page that sends only its origin', { 'sec-fetch-site': 'same-site', referer: `${MEDIASPACE}/` }],
      ["the service's own pages (the demo portal, My Rooms)", { 'sec-fetch-site': 'same-origin' }],
      ['the person themselves (an address typed, a bookmark)', { 'sec-fetch-site': 'none' }],
      ['a client that says nothing about where it comes from', {}],
    ];
    for (const [from, headers] of accepted) {
      it(`accepts a launch from ${from}`, async () => {
        const response = await launchWith(headers);
        expect(response.status).to.equal(303);
        expect(response.headers.getSetCookie().some((header) => header.startsWith('__Host-lr_session='))).to.equal(true);
      });
    }

    const refused: Array<[string, Record<string, string>]> = [
      ['another site', { 'sec-fetch-site': 'cross-site', referer: 'https://evil.example/trap' }],
      ['another site that hides its address', { 'sec-fetch-site': 'cross-site' }],
      ['another host of the same site', { 'sec-fetch-site': 'same-site', referer: 'https://students.school.test/' }],
      ['a sandboxed frame', { 'sec-fetch-site': 'cross-site', origin: 'null' }],
      ['another site, said by an older browser through its Referer only', { referer: 'https://evil.example/trap' }],
    ];
    for (const [from, headers] of refused) {
      it(`refuses a launch from ${from} with a page that says so, and signs nobody in`, async () => {
        const response = await launchWith(headers);
        expect(response.status).to.equal(403);
        expect(response.text).to.contain('did not come from MediaSpace');
        expect(response.headers.getSetCookie().some((header) => header.startsWith('__Host-lr_session='))).to.equal(false);
      });
    }

    it('says so in French to a French browser', async () => {
      const response = await launchWith({ 'sec-fetch-site': 'cross-site', referer: 'https://evil.example/', 'accept-language': 'fr' });
      expect(response.status).to.equal(403);
      expect(response.text).to.contain('ne vient pas de MediaSpace');
    });
  });

  it('names the session cookie __Host-lr_session wherever it is Secure (production, or an https address)', async () => {
    const secure = await startTestServer({ config: { http: { publicUrl: 'https://rooms.school.test' } } });
    try {
      const user = await secure.kaltura.createUser({ role: 'viewerRole' });
      const agent = secure.agent();
      const response = await agent.get(`/launch?ks=${encodeURIComponent(await secure.kaltura.userKs(user.id))}&returnTo=/`);
      const cookie = response.headers.getSetCookie().find((header) => header.startsWith('__Host-lr_session='));
      expect(cookie).to.match(/Secure/i).and.match(/HttpOnly/i).and.match(/Path=\/(;|$)/).and.not.match(/Domain=/i);
      expect(response.headers.getSetCookie().some((header) => header.startsWith('lr_session='))).to.equal(false);
      // The prefixed cookie is the one the service reads; an unprefixed one (planted by another host of the site) is not.
      const token = cookie!.split(';')[0]!.split('=')[1]!;
      const read = (cookieHeader: string) => secure.agent().request('GET', '/my-rooms', { accept: 'application/json', headers: { cookie: cookieHeader } });
      expect((await read(`__Host-lr_session=${token}`)).status).to.not.equal(401);
      expect((await read(`lr_session=${token}`)).status).to.equal(401);
    } finally {
      await secure.stop();
    }
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

  it('keeps the absolute expiry of the first sign-in however often the person launches again', async () => {
    const user = await server.kaltura.createUser({ role: 'viewerRole' });
    const channel = await server.kaltura.createChannel();
    const signedInAt = clock;
    const agent = await signIn(server, user.id, { ksExpiry: 24 * 3600 });
    const sessionsOf = () => server.db.selectFrom('auth_sessions').select(['created_at', 'expires_at']).where('user_id', '=', mediaSpaceUserKey(user.id)).execute();
    // Back from MediaSpace every 29 minutes, with a fresh KS each time, for 7 h 44 min.
    for (let step = 0; step < 16; step++) {
      clock += 29 * 60_000;
      const ks = await server.kaltura.userKs(user.id, { expiry: 24 * 3600 });
      expect((await agent.get(`/launch?ks=${encodeURIComponent(ks)}&returnTo=/`)).status).to.equal(303);
      expect((await sessionsOf()).map((row) => [Number(row.created_at), Number(row.expires_at)])).to.deep.equal([[signedInAt, signedInAt + 8 * 3600_000]]);
    }
    clock = signedInAt + 8 * 3600_000 + 60_000;
    expect((await agent.get(`/channels/${channel.id}/meeting`, { accept: 'application/json' })).status).to.equal(401);
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
