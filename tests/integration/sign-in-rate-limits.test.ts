/**
 * Sign-in and password reset at the shipped limits: a school behind one
 * address signs in together, while requests naming one account are counted
 * from anywhere (the lock-out after wrong passwords comes on top).
 */
import { expect } from 'chai';
import { loadConfig } from '../../src/lib/config/config.ts';
import { createBackendAccount, signInWithPassword, TEST_PASSWORD } from '../support/backend-accounts.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

const SHIPPED = loadConfig({ environment: { NODE_ENV: 'development' } }).rateLimit;
const SCHOOL = 40;

describe('sign-in rate limits at the shipped defaults', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ config: { rateLimit: { signInsPerWindow: SHIPPED.signInsPerWindow, signInsPerAccountPerWindow: SHIPPED.signInsPerAccountPerWindow } } });
  });
  after(() => server.stop());

  it(`gives an address a budget a school's morning fits: ${SCHOOL} people sign in from one address within a minute`, async () => {
    expect(SHIPPED.signInsPerWindow).to.be.at.least(SCHOOL * 2);
    const people = await Promise.all(Array.from({ length: SCHOOL }, (_, index) => createBackendAccount(server, { role: 'student', email: `pupil-${index}@school.test` })));
    for (const person of people) await signInWithPassword(server, person.email!);
  });

  it('counts requests naming one account from anywhere: one over the budget is refused with a message, another account still signs in', async () => {
    const target = await createBackendAccount(server, { email: 'flooded@school.test' });
    const other = await createBackendAccount(server, { email: 'neighbour@school.test' });
    const agent = server.agent();
    await agent.get('/password-reset');
    for (let attempt = 0; attempt < SHIPPED.signInsPerAccountPerWindow; attempt++) {
      // The same account however it is written.
      const email = attempt % 2 === 0 ? target.email! : `  ${target.email!.toUpperCase()} `;
      expect((await agent.post('/password-reset', { email })).status, `request ${attempt + 1}`).to.equal(200);
    }
    const refused = await agent.post('/password-reset', { email: target.email! });
    expect(refused.status).to.equal(429);
    expect(refused.text).to.contain('Too many attempts for this account.').and.contain('Wait a minute and try again.');
    // Sign-in counts in the same account's budget, from a fresh client too.
    const elsewhere = server.agent();
    await elsewhere.get('/login');
    expect((await elsewhere.post('/login', { email: target.email!, password: TEST_PASSWORD })).status).to.equal(429);
    await signInWithPassword(server, other.email!);
  });
});
