import { expect } from 'chai';
import { LEVEL } from '../support/kaltura-seed.ts';
import { signIn, startTestServer, type TestServer } from '../support/test-server.ts';

const MEDIASPACE = 'https://mediaspace.uni.example';

describe('embedding in MediaSpace', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ config: { http: { embedOrigins: [MEDIASPACE] } } });
  });
  after(() => server.stop());

  async function menuFor(role: string | null, headers: Record<string, string> = {}) {
    const user = await server.kaltura.createUser(role ? { role } : {});
    return server.agent().get(`/embed/menu?ks=${encodeURIComponent(await server.kaltura.userKs(user.id))}`, { accept: 'application/json', headers });
  }

  it('serves the snippet as JavaScript that other origins may load', async () => {
    const response = await server.agent().get('/embed/live-rooms.js', { accept: '*/*' });
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.contain('javascript');
    expect(response.headers.get('cross-origin-resource-policy')).to.equal('cross-origin');
    expect(response.text).to.contain('data-live-rooms').and.contain('/launch?ks=');
  });

  it('lets only the configured MediaSpace origins frame the module', async () => {
    const response = await server.agent().get('/');
    expect(response.headers.get('content-security-policy')).to.contain(`frame-ancestors 'self' ${MEDIASPACE}`);
    expect(response.headers.get('x-frame-options')).to.equal(null);
  });

  it('offers My Rooms to Private Only and above, and the settings to administrators', async () => {
    const ids = async (role: string) => (await menuFor(role)).json().items.map((item: { id: string }) => item.id);
    expect(await ids('viewerRole')).to.deep.equal([]);
    expect(await ids('privateOnlyRole')).to.deep.equal(['my-rooms']);
    expect(await ids('adminRole')).to.deep.equal(['my-rooms', 'module-settings']);
  });

  it('answers CORS only to the configured MediaSpace origins, never with credentials', async () => {
    const allowed = await menuFor('viewerRole', { origin: MEDIASPACE });
    expect(allowed.headers.get('access-control-allow-origin')).to.equal(MEDIASPACE);
    expect(allowed.headers.get('access-control-allow-credentials')).to.equal(null);
    const other = await menuFor('viewerRole', { origin: 'https://evil.example' });
    expect(other.headers.get('access-control-allow-origin')).to.equal(null);
  });

  it('refuses an invalid KS (401) and a user with no role (403)', async () => {
    expect((await server.agent().get('/embed/menu?ks=Zm9yZ2Vk', { accept: 'application/json' })).status).to.equal(401);
    expect((await menuFor(null)).status).to.equal(403);
  });

  it('uses SameSite=None; Secure; Partitioned cookies when MediaSpace frames the module from another site', async () => {
    const user = await server.kaltura.createUser({ role: 'viewerRole' });
    const response = await server.agent().get(`/launch?ks=${encodeURIComponent(await server.kaltura.userKs(user.id))}`);
    // Secure, Path=/ and no Domain: the __Host- prefix holds for a partitioned cookie too.
    const cookie = response.headers.getSetCookie().find((header) => header.startsWith('__Host-lr_session='))!;
    expect(cookie).to.match(/SameSite=None/i).and.match(/Secure/i).and.match(/Partitioned/i).and.match(/HttpOnly/i).and.match(/Path=\/(;|$)/).and.not.match(/Domain=/i);
  });
});

describe('security headers', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  it('sends a strict CSP, nosniff and no x-powered-by on every page', async () => {
    const response = await server.agent().get('/no-such-page');
    expect(response.status).to.equal(404);
    expect(response.headers.get('content-security-policy')).to.contain("script-src 'self'").and.contain("object-src 'none'");
    expect(response.headers.get('x-content-type-options')).to.equal('nosniff');
    expect(response.headers.get('x-powered-by')).to.equal(null);
  });

  it('escapes what it echoes: hostile channel and user names are shown as text', async () => {
    const user = await server.kaltura.createUser({ role: 'viewerRole', name: '<script>alert("name")</script>' });
    // Kaltura refuses '>' in category names; '<' and quotes still reach the page.
    const channel = await server.kaltura.createChannel('<img src=x onerror="alert(1)" ');
    await server.kaltura.addMember(channel.id, user.id, LEVEL.member);
    const agent = await signIn(server, user.id);
    await agent.get(`/channels/${channel.id}/meeting`);
    const room = await agent.follow(await agent.post(`/channels/${channel.id}/meeting/join`));
    expect(room.text).to.contain('&lt;img src=x onerror=&#34;alert(1)&#34;').and.not.contain('<img src=x');
    expect(room.text).to.contain('&lt;script&gt;alert(&#34;name&#34;)&lt;/script&gt;').and.not.contain('<script>alert');
  });

  it('answers oversized and malformed bodies with 413 and 400, and keeps serving', async () => {
    const agent = server.agent();
    await agent.get('/');
    const big = await agent.request('POST', '/my-rooms', { accept: 'application/json', headers: { 'content-type': 'application/json', 'x-csrf-token': agent.csrfToken! }, body: JSON.stringify({ name: 'x'.repeat(100_000) }) });
    expect(big.status).to.equal(413);
    const broken = await agent.request('POST', '/my-rooms', { accept: 'application/json', headers: { 'content-type': 'application/json', 'x-csrf-token': agent.csrfToken! }, body: '{"name":' });
    expect(broken.status).to.equal(400);
    expect((await agent.get('/healthz', { accept: 'application/json' })).status).to.equal(200);
  });
});
