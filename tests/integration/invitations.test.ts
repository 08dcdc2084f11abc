import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { createBackendAccount, TEST_PASSWORD } from '../support/backend-accounts.ts';
import { MailCatcher } from '../support/mail-catcher.ts';
import { ManualScheduler } from '../support/manual-scheduler.ts';
import { signIn, startTestServer, type TestServer } from '../support/test-server.ts';
import type { TestAgent } from '../support/test-agent.ts';
import { createRoom, inviteFields, signedInAdministrator, storeCourseImage, uniqueEmail, type InviteRowSpec } from '../support/users-fixtures.ts';

const NEW_PASSWORD = 'a long enough new password';
const DAY_MS = 86_400_000;

describe('invitations', () => {
  let server: TestServer;
  let mail: MailCatcher;
  const clock = new ManualScheduler();

  before(async () => {
    mail = await MailCatcher.start();
    server = await startTestServer({ scheduler: clock, now: clock.now, config: { mail: { smtpUrl: mail.smtpUrl }, backend: { invitationTtlDays: 7 } } });
  });
  after(async () => {
    await server.stop();
    await mail.stop();
  });
  afterEach(() => mail.refuseMail(false));

  async function invite(agent: TestAgent, rows: InviteRowSpec[]) {
    await agent.get('/backend/users/invite');
    return agent.post('/backend/users/invite', inviteFields(rows));
  }

  async function accountByEmail(email: string) {
    return server.db.selectFrom('users').selectAll().where('email_normalized', '=', email.toLowerCase()).executeTakeFirst();
  }

  async function counts() {
    const [users, invitations, members] = await Promise.all(
      (['users', 'invitations', 'course_members'] as const).map(async (table) => Number((await server.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)),
    );
    return { users, invitations, members };
  }

  describe('the invite form', () => {
    it('offers three rows, the three roles, the courses, and says administrator access is given sparingly', async () => {
      const { agent } = await signedInAdministrator(server);
      const course = await createRoom(server, 'Form Course 101');
      const page = await agent.get('/backend/users/invite');
      expect(page.status).to.equal(200);
      for (const index of [0, 1, 2]) expect(page.text).to.contain(`name="rows[${index}][email]"`);
      expect(page.text).not.to.contain('name="rows[3][email]"');
      expect(page.text).to.contain('Administrator access should be given sparingly.');
      expect(page.text).to.contain('<option value="student"').and.contain('<option value="instructor"').and.contain('<option value="administrator"');
      expect(page.text).to.contain(`value="${course.id}"`).and.contain('Form Course 101');
      expect(page.text).to.contain('+ Invite more').and.contain('/assets/users.js');
    });

    it('adds a row without a script ("Invite more" submits), keeping what was typed and creating nothing', async () => {
      const { agent } = await signedInAdministrator(server);
      const before = await counts();
      await agent.get('/backend/users/invite');
      const email = uniqueEmail('kept');
      const page = await agent.post('/backend/users/invite', { ...inviteFields([{ name: 'Kept Typing', email }, {}, {}]), more: '1' });
      expect(page.status).to.equal(200);
      expect(page.text).to.contain('name="rows[3][email]"').and.contain('value="Kept Typing"').and.contain(`value="${email}"`);
      expect(await counts()).to.deep.equal(before);
    });
  });

  describe('inviting', () => {
    it('invites one person: an invited account in the chosen courses, and a mail with who, what, the course picture, the link and the expiry', async () => {
      const { agent } = await signedInAdministrator(server, 'Grace Hopper');
      const imageId = await storeCourseImage(server);
      const pictured = await createRoom(server, 'Compilers 201', { imageId });
      const plain = await createRoom(server, 'Navy Math 101');
      const email = uniqueEmail('instructor');

      const response = await invite(agent, [{ name: 'Ingrid Instructor', email, role: 'instructor', courses: [pictured.id, plain.id] }, {}, {}]);
      expect(response.status).to.equal(201);
      expect(response.text).to.contain('The invitation is sent.').and.contain('Ingrid Instructor');

      const account = (await accountByEmail(email))!;
      expect(account).to.include({ name: 'Ingrid Instructor', source: 'backend', backend_role: 'instructor', status: 'invited', password_hash: null });
      const memberships = await server.db.selectFrom('course_members').selectAll().where('user_id', '=', account.id).orderBy('room_id').execute();
      expect(memberships.map((row) => [row.room_id, row.role, row.source]).sort()).to.deep.equal([[pictured.id, 'instructor', 'backend'], [plain.id, 'instructor', 'backend']].sort());

      const received = await mail.next(email);
      expect(received.subject).to.equal('Grace Hopper invited you to Live Rooms');
      expect(received.text).to.contain('Hello Ingrid Instructor').and.contain('Grace Hopper invited you').and.contain('as Instructor');
      expect(received.text).to.contain('Compilers 201').and.contain('Navy Math 101');
      expect(received.text).to.contain('for 7 days');
      const expires = new Date(clock.now() + 7 * DAY_MS);
      expect(received.text).to.contain(String(expires.getUTCFullYear())).and.contain(expires.toLocaleString('en-US', { month: 'long', timeZone: 'UTC' }));
      expect(received.html).to.contain(`/images/${imageId}/invitation`).and.contain('background:#0b5cad');
      const link = MailCatcher.linkIn(received, '/invitations/');
      expect(received.html).to.contain(link);

      // Only the token's hash is kept: the database holds no usable link.
      const token = link.split('/').pop()!;
      expect(token).to.match(/^[A-Za-z0-9_-]{43}$/);
      const invitation = (await server.db.selectFrom('invitations').selectAll().where('user_id', '=', account.id).executeTakeFirstOrThrow())!;
      expect(invitation.token_hash).to.equal(createHash('sha256').update(token).digest('base64url'));
      expect(invitation.token_hash).not.to.contain(token);
      expect(Number(invitation.expires_at)).to.equal(clock.now() + 7 * DAY_MS);
      expect(invitation.sent_at).to.not.equal(null);

      const picture = await agent.getBytes(`/images/${imageId}/invitation`);
      expect(picture.status).to.equal(200);
      expect(picture.headers.get('content-type')).to.equal('image/jpeg');
    });

    it('invites several people in one submit, each with their role and courses, each with their own mail', async () => {
      const { agent } = await signedInAdministrator(server);
      const course = await createRoom(server, 'Group Course');
      const rows = [
        { name: 'Stu One', email: uniqueEmail('stu1'), role: 'student', courses: [course.id] },
        { name: 'Stu Two', email: uniqueEmail('stu2'), role: 'student', courses: [course.id] },
        { name: 'Ian Three', email: uniqueEmail('ins3'), role: 'instructor', courses: [course.id] },
        { name: 'Ada Four', email: uniqueEmail('adm4'), role: 'administrator', courses: [] },
      ];
      const response = await invite(agent, rows);
      expect(response.status).to.equal(201);
      expect(response.text).to.contain('The 4 invitations are sent.');
      const links = new Set<string>();
      for (const row of rows) {
        const account = (await accountByEmail(row.email))!;
        expect(account).to.include({ backend_role: row.role, status: 'invited' });
        const received = await mail.next(row.email);
        expect(received.text).to.contain(`Hello ${row.name}`);
        links.add(MailCatcher.linkIn(received, '/invitations/'));
      }
      expect(links.size).to.equal(4);
      const members = await server.db.selectFrom('course_members').select(['role']).where('room_id', '=', course.id).execute();
      expect(members.map((row) => row.role).sort()).to.deep.equal(['instructor', 'student', 'student']);
    });

    it('invites a whole class at once: 60 people, each in three courses, one mail each', async () => {
      const { agent } = await signedInAdministrator(server);
      const courses = await Promise.all(['Class A', 'Class B', 'Class C'].map((name) => createRoom(server, name)));
      const rows = Array.from({ length: 60 }, (_, index) => ({ name: `Pupil ${index}`, email: uniqueEmail(`class-${index}`), role: 'student', courses: courses.map((course) => course.id) }));
      const page = await agent.get('/backend/users/invite');
      expect(page.text).to.contain('data-max-rows="100"');
      const response = await agent.post('/backend/users/invite', inviteFields(rows));
      expect(response.status, response.text.slice(0, 300)).to.equal(201);
      expect(response.text).to.contain('The 60 invitations are sent.');
      for (const row of [rows[0]!, rows[59]!]) expect((await mail.next(row.email)).text).to.contain(`Hello ${row.name}`);
      for (const course of courses) expect(await server.db.selectFrom('course_members').select('user_id').where('room_id', '=', course.id).execute()).to.have.length(60);
    });

    it('answers JSON with one outcome per person', async () => {
      const { agent } = await signedInAdministrator(server);
      const course = await createRoom(server, 'Json Course');
      const emails = [uniqueEmail('json-a'), uniqueEmail('json-b')];
      const response = await agent.postJson('/backend/users/invite', {
        rows: [
          { name: 'Json A', email: emails[0], role: 'student', courses: [course.id] },
          { name: 'Json B', email: emails[1], role: 'instructor' },
        ],
      });
      expect(response.status).to.equal(201);
      const { invitations } = response.json();
      expect(invitations).to.have.length(2);
      expect(invitations[0]).to.include({ name: 'Json A', email: emails[0], role: 'student', sent: true, sendError: null });
      expect(invitations[0].courses.map((c: { id: string }) => c.id)).to.deep.equal([course.id]);
      for (const email of emails) await mail.next(email);
    });

    it('refuses every row of a submit with a field error per problem, and creates nothing', async () => {
      const { agent } = await signedInAdministrator(server);
      const existing = await createBackendAccount(server, { email: uniqueEmail('taken') });
      const mediaSpaceUser = await server.kaltura.createUser({ role: 'viewerRole', email: uniqueEmail('ms') });
      await signIn(server, mediaSpaceUser.id);
      const twice = uniqueEmail('twice');
      const good = uniqueEmail('good');
      const before = await counts();

      const response = await invite(agent, [
        { name: 'Good Person', email: good },
        { name: 'Existing Person', email: existing.email!.toUpperCase() },
        { name: 'First Twice', email: twice },
        { name: 'Second Twice', email: ` ${twice.toUpperCase()} ` },
        { name: 'MediaSpace Person', email: mediaSpaceUser.email },
        { name: '', email: 'not-an-address' },
        { name: 'x'.repeat(101), email: uniqueEmail('long') },
      ]);
      expect(response.status).to.equal(400);
      expect(response.text).to.contain('Nobody was invited');
      expect(response.text).to.contain('already has an account here');
      expect(response.text).to.contain('appears twice in this form');
      expect(response.text).to.contain('already belongs to a MediaSpace user here');
      expect(response.text).to.contain('is not a valid email address').and.contain('enter the person&#39;s full name').and.contain('must have at most 100 characters');
      expect(response.text).to.contain(`value="${good}"`).and.contain('aria-invalid="true"').and.contain('href="#invite-1-email"');
      expect(await counts()).to.deep.equal(before);
      expect(await accountByEmail(good)).to.equal(undefined);

      const json = await agent.postJson('/backend/users/invite', { rows: [{ name: 'A', email: twice, role: 'student' }, { name: 'B', email: twice, role: 'student' }, { name: 'C', email: existing.email, role: 'student' }] });
      expect(json.status).to.equal(400);
      expect(json.json().error.fields).to.have.keys('rows.1.email', 'rows.2.email');
      expect(await counts()).to.deep.equal(before);

      let arrived = true;
      await mail.next(good, { timeoutMs: 300 }).catch(() => (arrived = false));
      expect(arrived).to.equal(false);
    });

    it('asks for at least one person and refuses an unknown course', async () => {
      const { agent } = await signedInAdministrator(server);
      const blank = await invite(agent, [{}, {}, {}]);
      expect(blank.status).to.equal(400);
      expect(blank.text).to.contain('Enter at least one person to invite.');
      const unknownCourse = await invite(agent, [{ name: 'Lost Course', email: uniqueEmail('lost'), courses: ['00000000-0000-4000-8000-000000000000'] }]);
      expect(unknownCourse.status).to.equal(400);
      expect(unknownCourse.text).to.contain('includes a course that no longer exists');
    });
  });

  describe('following the link', () => {
    it('shows who the person is, lets them set a password, activates the account; they sign in with it', async () => {
      const { agent: admin } = await signedInAdministrator(server, 'Inviting Irene');
      const course = await createRoom(server, 'Welcome Course');
      const email = uniqueEmail('welcome');
      await invite(admin, [{ name: 'Wendy Welcome', email, role: 'student', courses: [course.id] }]);
      const link = MailCatcher.linkIn(await mail.next(email), '/invitations/');

      const visitor = server.agent();
      const page = await visitor.get(link);
      expect(page.status).to.equal(200);
      expect(page.headers.get('cache-control')).to.equal('no-store');
      expect(page.text).to.contain('Welcome, Wendy Welcome').and.contain('Inviting Irene invited you').and.contain('Welcome Course').and.contain(email);
      expect(page.text).to.contain('autocomplete="new-password"');

      const short = await visitor.post(link, { password: 'short', confirmPassword: 'short' });
      expect(short.status).to.equal(400);
      expect(short.text).to.contain('must have at least 10 characters');
      const mismatch = await visitor.post(link, { password: NEW_PASSWORD, confirmPassword: `${NEW_PASSWORD}!` });
      expect(mismatch.status).to.equal(400);
      expect((await accountByEmail(email))!.status).to.equal('invited');

      const accepted = await visitor.post(link, { password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
      expect(accepted.status).to.equal(303);
      expect(accepted.location).to.equal('/login?welcome=1');
      const login = await visitor.get(accepted.location!);
      expect(login.text).to.contain('Your account is ready.');

      const account = (await accountByEmail(email))!;
      expect(account.status).to.equal('active');
      const invitation = await server.db.selectFrom('invitations').selectAll().where('user_id', '=', account.id).executeTakeFirstOrThrow();
      expect(invitation.accepted_at).to.equal(clock.now());

      const signedIn = await visitor.post('/login', { email, password: NEW_PASSWORD });
      expect(signedIn.status).to.equal(303);
      // A student: signed in, and kept out of the users pages.
      expect((await visitor.get('/backend/users', { accept: 'application/json' })).status).to.equal(403);
    });

    it('answers 410 to a link used once already, and says what to do', async () => {
      const { agent: admin } = await signedInAdministrator(server);
      const email = uniqueEmail('reuse');
      await invite(admin, [{ name: 'Reuse Ray', email }]);
      const link = MailCatcher.linkIn(await mail.next(email), '/invitations/');
      const visitor = server.agent();
      await visitor.get(link);
      expect((await visitor.post(link, { password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD })).status).to.equal(303);

      const again = await visitor.get(link);
      expect(again.status).to.equal(410);
      expect(again.text).to.contain('This invitation was already accepted.').and.contain('ask the administrator who invited you for a new invitation');
      const post = await visitor.post(link, { password: 'another long password', confirmPassword: 'another long password' });
      expect(post.status).to.equal(410);
      const json = await visitor.get(link, { accept: 'application/json' });
      expect(json.status).to.equal(410);
      expect(json.json().error.code).to.equal('INVITATION_USED');
      await visitor.get('/login');
      expect((await visitor.post('/login', { email, password: 'another long password' })).status).to.equal(401);
    });

    it('answers 410 to an expired link (7 days), and a resend gives a new link with a new expiry while the old one stays dead', async () => {
      const { agent: admin } = await signedInAdministrator(server);
      const email = uniqueEmail('late');
      await invite(admin, [{ name: 'Late Lou', email }]);
      const first = MailCatcher.linkIn(await mail.next(email), '/invitations/');
      const account = (await accountByEmail(email))!;

      await clock.advance(7 * DAY_MS + 60_000);
      const expired = await server.agent().get(first);
      expect(expired.status).to.equal(410);
      expect(expired.text).to.contain('This invitation has expired.').and.contain('Ask the administrator who invited you to send a new invitation.');
      const visitor = server.agent();
      await visitor.get('/login');
      expect((await visitor.post(first, { password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD })).status).to.equal(410);

      // The administrator's session ended with the week; a new one sees the expiry in the list.
      const { agent: later } = await signedInAdministrator(server);
      const list = await later.get(`/backend/users?q=${encodeURIComponent(email)}`);
      expect(list.text).to.contain('Invitation expired on');
      const resent = await later.post(`/backend/users/${account.id}/resend-invitation`);
      expect(resent.status).to.equal(303);
      expect(resent.location).to.equal(`/backend/users/${account.id}/edit?done=resent`);
      const second = MailCatcher.linkIn(await mail.next(email), '/invitations/');
      expect(second).not.to.equal(first);
      const invitation = await server.db.selectFrom('invitations').selectAll().where('user_id', '=', account.id).executeTakeFirstOrThrow();
      expect(Number(invitation.expires_at)).to.equal(clock.now() + 7 * DAY_MS);

      expect((await server.agent().get(first)).status).to.equal(410);
      const fresh = server.agent();
      expect((await fresh.get(second)).status).to.equal(200);
      expect((await fresh.post(second, { password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD })).status).to.equal(303);
    });

    it('answers 410 to a link that was never issued, in any shape', async () => {
      const visitor = server.agent();
      for (const link of ['/invitations/not-a-token', `/invitations/${'A'.repeat(43)}`, `/invitations/${'A'.repeat(400)}`]) {
        const response = await visitor.get(link);
        expect(response.status).to.equal(410);
        expect(response.text).to.contain('This invitation link does not work.').and.contain('ask the administrator who invited you for a new invitation');
      }
    });
  });

  describe('resending', () => {
    it('gives a pending invitation a new link: the old one stops working at once', async () => {
      const { agent } = await signedInAdministrator(server);
      const email = uniqueEmail('resend');
      await invite(agent, [{ name: 'Resent Rosa', email }]);
      const first = MailCatcher.linkIn(await mail.next(email), '/invitations/');
      const account = (await accountByEmail(email))!;
      await clock.advance(60_000);
      await agent.get(`/backend/users/${account.id}/edit`);
      const resent = await agent.postJson(`/backend/users/${account.id}/resend-invitation`, {});
      expect(resent.status).to.equal(200);
      expect(resent.json().invitation.expiresAt).to.equal(clock.now() + 7 * DAY_MS);
      const second = MailCatcher.linkIn(await mail.next(email), '/invitations/');
      expect(second).not.to.equal(first);
      const old = await server.agent().get(first);
      expect(old.status).to.equal(410);
      expect(old.text).to.contain('It may have been replaced by a newer invitation');
      expect((await server.agent().get(second)).status).to.equal(200);
    });
  });

  describe('a mail that cannot be sent', () => {
    it('is reported on the result page and in the list, keeps the account, and can be resent', async () => {
      const { agent } = await signedInAdministrator(server);
      const email = uniqueEmail('bounce');
      mail.refuseMail();
      const response = await invite(agent, [{ name: 'Bounce Bea', email, role: 'instructor' }]);
      expect(response.status).to.equal(201);
      expect(response.text).to.contain('could not be sent: 550').and.contain('mailbox unavailable').and.contain('resend-invitation').and.contain('>Resend<');
      const account = (await accountByEmail(email))!;
      expect(account.status).to.equal('invited');
      const failed = await server.db.selectFrom('invitations').selectAll().where('user_id', '=', account.id).executeTakeFirstOrThrow();
      expect(failed.send_error).to.match(/^550 /);
      expect(failed.sent_at).to.equal(null);

      const list = await agent.get(`/backend/users?q=${encodeURIComponent(email)}`);
      expect(list.text).to.contain('The invitation could not be sent: 550');
      const listed = (await agent.get(`/backend/users?q=${encodeURIComponent(email)}`, { accept: 'application/json' })).json().users[0];
      expect(listed.invitation).to.include({ state: 'pending', sentAt: null });
      expect(listed.invitation.sendError).to.match(/^550 /);

      const stillFailing = await agent.post(`/backend/users/${account.id}/resend-invitation`);
      expect(stillFailing.location).to.equal(`/backend/users/${account.id}/edit?done=resendFailed`);
      expect((await agent.get(stillFailing.location!)).text).to.contain('its mail could not be sent').and.contain('The invitation could not be sent: 550');

      mail.refuseMail(false);
      await agent.get(`/backend/users/${account.id}/edit`);
      const resent = await agent.postJson(`/backend/users/${account.id}/resend-invitation`, {});
      expect(resent.status).to.equal(200);
      expect(resent.json().invitation).to.include({ sent: true, sendError: null });
      const link = MailCatcher.linkIn(await mail.next(email), '/invitations/');
      const recorded = await server.db.selectFrom('invitations').selectAll().where('user_id', '=', account.id).executeTakeFirstOrThrow();
      expect(recorded.send_error).to.equal(null);
      expect(recorded.sent_at).to.not.equal(null);
      expect((await server.agent().get(link)).status).to.equal(200);
    });
  });

  describe('revoking', () => {
    it('withdraws a pending invitation: the link stops working, the invited account and its memberships go, the address can be invited again', async () => {
      const { agent } = await signedInAdministrator(server);
      const course = await createRoom(server, 'Revoked Course');
      const email = uniqueEmail('revoke');
      await invite(agent, [{ name: 'Revoked Rex', email, courses: [course.id] }]);
      const link = MailCatcher.linkIn(await mail.next(email), '/invitations/');
      const account = (await accountByEmail(email))!;

      const edit = await agent.get(`/backend/users/${account.id}/edit`);
      expect(edit.text).to.contain('revoke-invitation').and.contain('data-confirm=');
      const revoked = await agent.post(`/backend/users/${account.id}/revoke-invitation`);
      expect(revoked.status).to.equal(303);
      expect(revoked.location).to.equal('/backend/users?done=revoked');

      expect(await accountByEmail(email)).to.equal(undefined);
      expect(await server.db.selectFrom('invitations').selectAll().where('user_id', '=', account.id).execute()).to.have.length(0);
      expect(await server.db.selectFrom('course_members').selectAll().where('user_id', '=', account.id).execute()).to.have.length(0);
      expect((await server.agent().get(link)).status).to.equal(410);
      expect((await agent.post(`/backend/users/${account.id}/revoke-invitation`, {}, { accept: 'application/json' })).status).to.equal(404);

      expect((await invite(agent, [{ name: 'Revoked Rex', email }])).status).to.equal(201);
      await mail.next(email);
    });

    it('refuses to revoke an invitation that was accepted (409): deactivate instead', async () => {
      const { agent } = await signedInAdministrator(server);
      const active = await createBackendAccount(server, { email: uniqueEmail('active') });
      const response = await agent.post(`/backend/users/${active.id}/revoke-invitation`, {}, { accept: 'application/json' });
      expect(response.status).to.equal(409);
      expect(response.json().error.help).to.contain('deactivate it instead');
      expect((await agent.post(`/backend/users/${active.id}/resend-invitation`, {}, { accept: 'application/json' })).status).to.equal(409);
    });
  });

  it('speaks the administrator’s language in the form and the mail, and the visitor’s on the invitation page', async () => {
    const { agent } = await signedInAdministrator(server, 'Claire Admin');
    const french = { headers: { 'accept-language': 'fr-FR,fr;q=0.9' } };
    const form = await agent.get('/backend/users/invite', french);
    expect(form.text).to.contain('<html lang="fr">').and.contain('L&#39;accès administrateur doit être accordé avec parcimonie.').and.contain('+ Inviter d&#39;autres personnes');
    const email = uniqueEmail('fr');
    const response = await agent.post('/backend/users/invite', inviteFields([{ name: 'Jeanne Étudiante', email }]), french);
    expect(response.status).to.equal(201);
    expect(response.text).to.contain('L&#39;invitation est envoyée.');
    const received = await mail.next(email);
    expect(received.subject).to.equal('Claire Admin vous invite chez Live Rooms');
    expect(received.text).to.contain('Bonjour Jeanne Étudiante').and.contain('en tant que Étudiant').and.contain('pendant 7 jours');
    const link = MailCatcher.linkIn(received, '/invitations/');
    expect((await server.agent().get(link, french)).text).to.contain('Bienvenue, Jeanne Étudiante');
    expect((await server.agent().get(link)).text).to.contain('Welcome, Jeanne Étudiante');
  });

  it('signs in with the password chosen through the invitation, not with any other', async () => {
    const { agent } = await signedInAdministrator(server);
    const email = uniqueEmail('pw');
    await invite(agent, [{ name: 'Pat Password', email }]);
    const link = MailCatcher.linkIn(await mail.next(email), '/invitations/');
    const visitor = server.agent();
    await visitor.get(link);
    const sameAsEmail = await visitor.post(link, { password: email, confirmPassword: email });
    expect(sameAsEmail.status).to.equal(400);
    expect(sameAsEmail.text).to.contain('must not be your email address');
    await visitor.post(link, { password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
    await visitor.get('/login');
    expect((await visitor.post('/login', { email, password: TEST_PASSWORD })).status).to.equal(401);
    expect((await visitor.post('/login', { email, password: NEW_PASSWORD })).status).to.equal(303);
  });
});
