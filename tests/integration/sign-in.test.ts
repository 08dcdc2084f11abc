import { expect } from 'chai';
import sinon from 'sinon';
import { createBackendAccount, signInWithPassword, TEST_PASSWORD } from '../support/backend-accounts.ts';
import { OPEN_REDIRECTS } from '../support/open-redirects.ts';
import { MailCatcher } from '../support/mail-catcher.ts';
import { ManualScheduler } from '../support/manual-scheduler.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { startTestServerOn, TEST_DATABASES } from '../support/test-databases.ts';
import { passwordChecks } from '../../src/sign-in/passwords.ts';

describe('signing in to the rooms backend', () => {
  let server: TestServer;
  let mail: MailCatcher;
  const clock = new ManualScheduler();

  before(async () => {
    mail = await MailCatcher.start();
    server = await startTestServer({ scheduler: clock, now: clock.now, config: { mail: { smtpUrl: mail.smtpUrl }, backend: { loginMaxFailures: 5, loginLockMinutes: 15, passwordResetTtlMinutes: 60 } } });
  });
  after(async () => {
    await server.stop();
    await mail.stop();
  });

  it('signs an active account in and goes back where the person was headed', async () => {
    const account = await createBackendAccount(server, { role: 'instructor' });
    const agent = server.agent();
    const form = await agent.get('/login?returnTo=%2Fbackend%2Fprofile');
    expect(form.status).to.equal(200);
    expect(form.text).to.contain('name="_csrf"').and.contain('autocomplete="current-password"');
    const response = await agent.post('/login', { email: account.email!.toUpperCase(), password: TEST_PASSWORD, returnTo: '/backend/profile' });
    expect(response.status).to.equal(303);
    expect(response.location).to.equal('/backend/profile');
    const cookie = response.headers.getSetCookie().find((header) => header.startsWith('lr_session='));
    expect(cookie).to.match(/HttpOnly/i).and.match(/SameSite=Lax/i);
  });

  it('never leads away from the service after signing in, however the return path is disguised', async () => {
    const account = await createBackendAccount(server);
    const agent = server.agent();
    await agent.get('/login');
    for (const hostile of OPEN_REDIRECTS) {
      const response = await agent.post('/login', { email: account.email!, password: TEST_PASSWORD, returnTo: hostile });
      expect(response.status, hostile).to.equal(400);
      expect(response.headers.get('location'), hostile).to.equal(null);
      expect(response.headers.getSetCookie().some((header) => header.startsWith('lr_session=')), hostile).to.equal(false);
    }
  });

  it('answers every wrong combination with the same message, and signs nobody in', async () => {
    const account = await createBackendAccount(server);
    const agent = server.agent();
    await agent.get('/login');
    const wrongPassword = await agent.post('/login', { email: account.email!, password: 'not the password at all' });
    const unknownEmail = await agent.post('/login', { email: 'nobody@school.test', password: TEST_PASSWORD });
    for (const response of [wrongPassword, unknownEmail]) {
      expect(response.status).to.equal(401);
      expect(response.text).to.contain('The email address or the password is not right.');
      expect(response.headers.getSetCookie().some((header) => header.startsWith('lr_session='))).to.equal(false);
    }
    expect(wrongPassword.text).to.contain(`value="${account.email}"`);
  });

  it('does not sign in invited or deactivated accounts, with the same message', async () => {
    const invited = await createBackendAccount(server, { status: 'invited' });
    const deactivated = await createBackendAccount(server, { status: 'deactivated' });
    const agent = server.agent();
    await agent.get('/login');
    for (const account of [invited, deactivated]) {
      const response = await agent.post('/login', { email: account.email!, password: TEST_PASSWORD });
      expect(response.status).to.equal(401);
      expect(response.text).to.contain('The email address or the password is not right.');
    }
  });

  it('pauses an account after five failures, even for the right password, until the lock-out ends', async () => {
    const account = await createBackendAccount(server);
    const agent = server.agent();
    await agent.get('/login');
    for (let attempt = 1; attempt <= 5; attempt++) expect((await agent.post('/login', { email: account.email!, password: `wrong ${attempt} password` })).status).to.equal(401);
    const locked = await agent.post('/login', { email: account.email!, password: TEST_PASSWORD });
    expect(locked.status).to.equal(429);
    expect(locked.text).to.contain('try again in 15 minutes');
    await clock.advance(15 * 60_000 + 1000);
    expect((await agent.post('/login', { email: account.email!, password: TEST_PASSWORD })).status).to.equal(303);
  });

  it('refuses a sign-in form without its CSRF token', async () => {
    const account = await createBackendAccount(server);
    const response = await server.agent().post('/login', { email: account.email!, password: TEST_PASSWORD }, { csrf: false });
    expect(response.status).to.equal(403);
  });

  it('sends people without a session to sign in, then back to the backend page', async () => {
    const response = await server.agent().get('/backend/courses');
    expect(response.status).to.equal(303);
    expect(response.location).to.equal('/login?returnTo=%2Fbackend%2Fcourses');
    const json = await server.agent().get('/backend/courses', { accept: 'application/json' });
    expect(json.status).to.equal(401);
  });

  it('ends the session of an account that was deactivated since', async () => {
    const account = await createBackendAccount(server);
    const agent = await signInWithPassword(server, account.email!);
    await server.db.updateTable('users').set({ status: 'deactivated' }).where('id', '=', account.id).execute();
    const response = await agent.get('/backend/profile', { accept: 'application/json' });
    expect(response.status).to.equal(401);
  });

  it('resets a password with the link from the mail, once; the old password and other sessions stop working', async () => {
    const account = await createBackendAccount(server, { name: 'Rita Reset' });
    const elsewhere = await signInWithPassword(server, account.email!);
    const agent = server.agent();
    await agent.get('/password-reset');
    const asked = await agent.post('/password-reset', { email: account.email! });
    expect(asked.status).to.equal(200);
    expect(asked.text).to.contain('If an account uses this address');

    const received = await mail.next(account.email!);
    expect(received.subject).to.equal('Reset your Live Rooms password');
    expect(received.text).to.contain('Hello Rita Reset');
    expect(received.html).to.contain('<html lang="en">');
    const link = MailCatcher.linkIn(received, '/password-reset/');

    expect((await agent.get(link)).status).to.equal(200);
    const tooShort = await agent.post(link, { password: 'short', confirmPassword: 'short' });
    expect(tooShort.status).to.equal(400);
    expect(tooShort.text).to.contain('must have at least 10 characters');
    const mismatch = await agent.post(link, { password: 'a new long password', confirmPassword: 'another long password' });
    expect(mismatch.status).to.equal(400);

    const done = await agent.post(link, { password: 'a new long password', confirmPassword: 'a new long password' });
    expect(done.status).to.equal(303);
    expect(done.location).to.equal('/login?reset=1');
    expect((await agent.get(link)).status).to.equal(410);
    expect((await agent.post(link, { password: 'yet another password', confirmPassword: 'yet another password' })).status).to.equal(410);

    await agent.get('/login');
    expect((await agent.post('/login', { email: account.email!, password: TEST_PASSWORD })).status).to.equal(401);
    expect((await agent.post('/login', { email: account.email!, password: 'a new long password' })).status).to.equal(303);
    expect((await elsewhere.get('/backend/profile', { accept: 'application/json' })).status).to.equal(401);
  });

  it('answers the same for an unknown address and sends no mail', async () => {
    const agent = server.agent();
    await agent.get('/password-reset');
    const asked = await agent.post('/password-reset', { email: 'ghost@school.test' });
    expect(asked.status).to.equal(200);
    expect(asked.text).to.contain('If an account uses this address');
    let arrived = true;
    await mail.next('ghost@school.test', { timeoutMs: 300 }).catch(() => (arrived = false));
    expect(arrived).to.equal(false);
  });

  it('refuses an expired reset link', async () => {
    const account = await createBackendAccount(server);
    const agent = server.agent();
    await agent.get('/password-reset');
    await agent.post('/password-reset', { email: account.email! });
    const link = MailCatcher.linkIn(await mail.next(account.email!), '/password-reset/');
    await clock.advance(61 * 60_000);
    const response = await agent.get(link);
    expect(response.status).to.equal(410);
    expect(response.text).to.contain('This link is no longer valid.');
    expect((await agent.get('/password-reset/not-a-token')).status).to.equal(410);
  });

  it('shows its pages in French to a French browser', async () => {
    const page = await server.agent().get('/login', { headers: { 'accept-language': 'fr-CA,fr;q=0.9,en;q=0.5' } });
    expect(page.text).to.contain('<html lang="fr">').and.contain('Mot de passe oublié');
  });
});

for (const database of TEST_DATABASES) {
  describe(`the sign-in lock-out under concurrent attempts, on ${database}`, () => {
    let server: TestServer;
    const clock = new ManualScheduler();

    before(async () => {
      server = await startTestServerOn(database, { scheduler: clock, now: clock.now, config: { backend: { loginMaxFailures: 5, loginLockMinutes: 15 } } });
    });
    after(async () => {
      await server?.stop();
    });
    afterEach(() => sinon.restore());

    for (const concurrent of [15, 60]) {
      it(`locks an account after five of ${concurrent} concurrent wrong passwords, checking no more than five`, async () => {
        const account = await createBackendAccount(server);
        const agent = server.agent();
        await agent.get('/login');
        const checks = sinon.spy(passwordChecks, 'verify');
        const answers = await Promise.all(Array.from({ length: concurrent }, (_, attempt) => agent.post('/login', { email: account.email!, password: `wrong ${attempt} password` })));
        expect(answers.filter((answer) => answer.status === 401)).to.have.length(5);
        expect(answers.filter((answer) => answer.status === 429)).to.have.length(concurrent - 5);
        expect(checks.callCount).to.equal(5);
        const row = await server.db.selectFrom('sign_in_failures').selectAll().where('email_normalized', '=', account.email!.toLowerCase()).executeTakeFirstOrThrow();
        expect(row.failures).to.equal(5);
        expect(Number(row.locked_until)).to.equal(clock.now() + 15 * 60_000);
        expect((await agent.post('/login', { email: account.email!, password: TEST_PASSWORD })).status).to.equal(429);
        await clock.advance(15 * 60_000 - 1000);
        expect((await agent.post('/login', { email: account.email!, password: TEST_PASSWORD })).status).to.equal(429);
        await clock.advance(2000);
        expect((await agent.post('/login', { email: account.email!, password: TEST_PASSWORD })).status).to.equal(303);
      });
    }

    it('counts wrong current passwords on the profile page towards the same lock-out, concurrent or not', async () => {
      const account = await createBackendAccount(server);
      const agent = await signInWithPassword(server, account.email!);
      await agent.get('/backend/profile');
      const checks = sinon.spy(passwordChecks, 'verify');
      const change = (current: string) => agent.post('/backend/profile/password', { currentPassword: current, password: 'a brand new passphrase', confirmPassword: 'a brand new passphrase' });
      const answers = await Promise.all(Array.from({ length: 12 }, (_, attempt) => change(`wrong ${attempt} password`)));
      expect(answers.filter((answer) => answer.status === 429)).to.have.length(7);
      expect(checks.callCount).to.equal(5);
      expect((await change(TEST_PASSWORD)).status).to.equal(429);
    });
  });
}
