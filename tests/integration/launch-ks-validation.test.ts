/**
 * Which KS is a MediaSpace login, decided as Kaltura permits: the KS is parsed
 * with the partner's admin session and proved alive with a call the viewer's
 * own session may make, all in one Kaltura request.
 */
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../support/test-server.ts';

describe('GET /launch: which Kaltura sessions sign a person in', () => {
  let server: TestServer;
  let viewerId: string;

  before(async () => {
    server = await startTestServer();
    viewerId = (await server.kaltura.createUser({ role: 'viewerRole' })).id;
  });
  after(() => server.stop());

  const launch = (ks: string, accept = 'application/json') => server.agent().get(`/launch?ks=${encodeURIComponent(ks)}`, { accept });

  it('signs in a plain viewer, whose own session may not call session.get, with one Kaltura request', async () => {
    const ks = await server.kaltura.userKs(viewerId);
    const before = server.gateway.callCount();
    const response = await launch(ks, 'text/html');
    expect(response.status).to.equal(303);
    // The admin session is started once per instance; the launch itself is one multirequest.
    expect(server.gateway.callCount() - before).to.be.at.most(2);
    const again = server.gateway.callCount();
    expect((await launch(await server.kaltura.userKs(viewerId), 'text/html')).status).to.equal(303);
    expect(server.gateway.callCount() - again).to.equal(1);
  });

  it('refuses an ADMIN KS, even one naming a user with a MediaSpace role', async () => {
    const response = await launch(await server.kaltura.userKs(viewerId, { admin: true }));
    expect(response.status).to.equal(401);
    expect(response.json().error).to.include({ code: 'KS_NOT_USER_SESSION' });
    expect(response.json().error.message).to.contain('not a MediaSpace user');
  });

  for (const privileges of ['actionslimit:5', 'setrole:BASE_USER_SESSION_ROLE', 'iprestrict:127.0.0.1', 'preview:30', 'limitentry:0_abc', 'privacycontext:x,urirestrict:/x*']) {
    it(`refuses a KS restricted by ${privileges}`, async () => {
      const response = await launch(await server.kaltura.userKs(viewerId, { privileges }));
      expect(response.status).to.equal(401);
      expect(response.json().error).to.include({ code: 'KS_RESTRICTED' });
    });
  }

  it('accepts the privileges MediaSpace gives a signed-in user', async () => {
    expect((await launch(await server.kaltura.userKs(viewerId, { privileges: 'privacycontext:MediaSpace,enableentitlement,sview:*' }), 'text/html')).status).to.equal(303);
  });

  it('refuses a KS whose call limit Kaltura has used up as restricted, not as an upstream failure', async () => {
    // Widget-like one-call KS: Kaltura refuses its second call with INVALID_KS "EXCEEDED_ACTIONS_LIMIT".
    const ks = await server.kaltura.userKs(viewerId, { privileges: 'actionslimit:1' });
    for (let attempt = 0; attempt < 2; attempt++) {
      const response = await launch(ks);
      expect(response.status).to.equal(401);
      expect(response.json().error).to.include({ code: 'KS_RESTRICTED' });
    }
  });

  it('refuses a widget session (no user) with 401', async () => {
    const response = await launch(await server.kaltura.userKs('', { privileges: 'view:*,widget:1' }));
    expect(response.status).to.equal(401);
    expect(['KS_NO_USER', 'KS_RESTRICTED']).to.include(response.json().error.code);
  });

  it('answers a KS for a user Kaltura does not know with 403 and a message, not 502', async () => {
    const response = await launch(await server.kaltura.userKs('nobody-in-kaltura'));
    expect(response.status).to.equal(403);
    expect(response.json().error).to.include({ code: 'KALTURA_USER_UNKNOWN' });
    expect(response.json().error.message).to.contain('Kaltura has no user');
    const page = await launch(await server.kaltura.userKs('nobody-in-kaltura'), 'text/html');
    expect(page.status).to.equal(403);
    expect(page.text).to.contain('Kaltura has no user');
  });

  it('answers a KS of a user blocked in Kaltura with 403 and a message', async () => {
    const blocked = await server.kaltura.createUser({ role: 'viewerRole' });
    const ks = await server.kaltura.userKs(blocked.id);
    await server.kaltura.blockUser(blocked.id);
    const response = await launch(ks);
    expect(response.status).to.equal(403);
    expect(response.json().error).to.include({ code: 'KALTURA_USER_BLOCKED', message: 'Your Kaltura account is blocked.' });
  });
});
