import { expect } from 'chai';
import { startTestServer, type TestServer } from '../support/test-server.ts';

describe('rate limits', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ config: { rateLimit: { windowSeconds: 60, launchesPerWindow: 3, actionsPerWindow: 1000 } } });
  });
  after(() => server.stop());

  it('answers launches over the limit with 429 and a message, and keeps serving everything else', async () => {
    const user = await server.kaltura.createUser({ role: 'viewerRole' });
    const ks = await server.kaltura.userKs(user.id);
    for (let attempt = 0; attempt < 3; attempt++) expect((await server.agent().get(`/launch?ks=${encodeURIComponent(ks)}`)).status).to.equal(303);
    const limited = await server.agent().get(`/launch?ks=${encodeURIComponent(ks)}`, { accept: 'application/json' });
    expect(limited.status).to.equal(429);
    expect(limited.json().error.message).to.equal('Too many requests from your address.');
    expect(limited.headers.get('ratelimit-policy')).to.contain('3');
    expect((await server.agent().get('/healthz', { accept: 'application/json' })).status).to.equal(200);
  });
});
