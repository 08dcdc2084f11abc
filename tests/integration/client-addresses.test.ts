import { expect } from 'chai';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import type { TestAgent } from '../support/test-agent.ts';

const SIGN_INS_PER_WINDOW = 3;

/** Wrong passwords from one client, each claiming another address in X-Forwarded-For. */
async function signInsWithRotatingAddresses(agent: TestAgent, count: number, forwardedFor: (attempt: number) => string): Promise<number[]> {
  await agent.get('/login');
  const statuses: number[] = [];
  for (let attempt = 0; attempt < count; attempt++) {
    const response = await agent.post('/login', { email: 'nobody@school.test', password: 'not the password' }, { headers: { 'x-forwarded-for': forwardedFor(attempt) } });
    statuses.push(response.status);
  }
  return statuses;
}

describe('client addresses behind proxies', () => {
  describe('in production with no trusted proxy configured', () => {
    let server: TestServer;

    before(async () => {
      server = await startTestServer({
        environment: { NODE_ENV: 'production', DEMO_MODE: 'true' },
        config: { log: { level: 'silent' }, rateLimit: { signInsPerWindow: SIGN_INS_PER_WINDOW } },
      });
    });
    after(() => server.stop());

    it('ignores X-Forwarded-For: a rotating header does not reset the sign-in limit of the address', async () => {
      const statuses = await signInsWithRotatingAddresses(server.agent(), SIGN_INS_PER_WINDOW + 2, (attempt) => `203.0.113.${attempt + 1}`);
      expect(statuses.slice(0, SIGN_INS_PER_WINDOW)).to.deep.equal(Array(SIGN_INS_PER_WINDOW).fill(401));
      expect(statuses.slice(SIGN_INS_PER_WINDOW)).to.deep.equal([429, 429]);
    });
  });

  describe('with the proxy in front configured (TRUSTED_PROXIES)', () => {
    let server: TestServer;

    before(async () => {
      server = await startTestServer({ environment: { TRUSTED_PROXIES: '127.0.0.1, 10.0.0.0/8' }, config: { rateLimit: { signInsPerWindow: SIGN_INS_PER_WINDOW } } });
    });
    after(() => server.stop());

    it('takes the client address the proxy forwards: each client has its own limit', async () => {
      const rotating = await signInsWithRotatingAddresses(server.agent(), SIGN_INS_PER_WINDOW + 2, (attempt) => `198.51.100.${attempt + 1}`);
      expect(rotating).to.deep.equal(Array(SIGN_INS_PER_WINDOW + 2).fill(401));
      const oneClient = await signInsWithRotatingAddresses(server.agent(), SIGN_INS_PER_WINDOW + 1, () => '198.51.100.200');
      expect(oneClient.at(-1)).to.equal(429);
    });

    it('believes only the configured proxies: an address a client put before them counts for nothing', async () => {
      // The client claims an address of its own; the trusted proxies appended theirs. The first untrusted one from the right is the client.
      const spoofed = await signInsWithRotatingAddresses(server.agent(), SIGN_INS_PER_WINDOW + 1, (attempt) => `192.0.2.${attempt + 1}, 198.51.100.201, 10.1.2.3`);
      expect(spoofed.at(-1)).to.equal(429);
    });
  });
});
