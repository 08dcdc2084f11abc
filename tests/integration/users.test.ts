import { randomBytes, randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { createBackendAccount, signInWithPassword, TEST_PASSWORD } from '../support/backend-accounts.ts';
import { MailCatcher } from '../support/mail-catcher.ts';
import { skipWithoutPostgres, startTestServerOn } from '../support/test-databases.ts';
import { signIn, startTestServer, type TestServer } from '../support/test-server.ts';
import type { TestAgent } from '../support/test-agent.ts';
import { mediaSpaceUserKey } from '../../src/identity/user-keys.ts';
import { createRoom, inviteFields, signedInAdministrator, uniqueEmail } from '../support/users-fixtures.ts';

/** A word no other test's names contain, so searches see only this test's people. */
const tag = () => `t${randomBytes(4).toString('hex')}`;

async function listUsers(agent: TestAgent, query: Record<string, string>) {
  const response = await agent.get(`/backend/users?${new URLSearchParams(query)}`, { accept: 'application/json' });
  expect(response.status).to.equal(200);
  return response.json() as { users: Array<Record<string, any>>; total: number; page: number; pages: number; pageSize: number };
}

/** A signed-in agent that has read a page of its own session, so its CSRF token is good. */
async function withCsrf(agent: TestAgent): Promise<TestAgent> {
  await agent.get('/login');
  return agent;
}

describe('users', () => {
  let server: TestServer;
  let mail: MailCatcher;

  before(async () => {
    mail = await MailCatcher.start();
    server = await startTestServer({ config: { mail: { smtpUrl: mail.smtpUrl } } });
  });
  after(async () => {
    await server.stop();
    await mail.stop();
  });

  describe('access', () => {
    it('answers 403 to non-administrators on every users route, backend accounts and MediaSpace users alike', async () => {
      const target = await createBackendAccount(server, { role: 'student', status: 'invited' });
      const course = await createRoom(server, 'Matrix Course');
      const viewer = await server.kaltura.createUser({ role: 'viewerRole' });
      const teaching = await server.kaltura.createUser({ role: 'privateOnlyRole' });
      await server.db.insertInto('users').values({ id: mediaSpaceUserKey(teaching.id), name: teaching.name, email: teaching.email, mediaspace_role: 'privateOnlyRole', source: 'mediaspace', first_seen_at: Date.now(), last_seen_at: Date.now() }).execute();
      await server.db.insertInto('course_members').values({ room_id: course.id, user_id: mediaSpaceUserKey(teaching.id), role: 'instructor', source: 'mediaspace', added_at: Date.now() }).execute();
      const people: Record<string, TestAgent> = {
        'backend student': await signInWithPassword(server, (await createBackendAccount(server, { role: 'student' })).email!),
        'backend instructor': await signInWithPassword(server, (await createBackendAccount(server, { role: 'instructor' })).email!),
        'MediaSpace viewer': await signIn(server, viewer.id),
        'MediaSpace instructor of a course': await signIn(server, teaching.id),
      };
      const id = encodeURIComponent(target.id);
      const routes: Array<[string, string, unknown?]> = [
        ['GET', '/backend/users'],
        ['GET', '/backend/users?role=administrator'],
        ['GET', '/backend/users/invite'],
        ['POST', '/backend/users/invite', { rows: [{ name: 'Sneaky', email: uniqueEmail('sneaky'), role: 'administrator' }] }],
        ['GET', `/backend/users/${id}/edit`],
        ['POST', `/backend/users/${id}/edit`, { version: 1, role: 'administrator', courses: [] }],
        ['POST', `/backend/users/${id}/deactivate`, { version: 1 }],
        ['POST', `/backend/users/${id}/reactivate`, { version: 1 }],
        ['POST', `/backend/users/${id}/resend-invitation`, {}],
        ['POST', `/backend/users/${id}/revoke-invitation`, {}],
      ];
      for (const [who, agent] of Object.entries(people)) {
        await withCsrf(agent);
        for (const [method, path, body] of routes) {
          const response = method === 'GET' ? await agent.get(path, { accept: 'application/json' }) : await agent.postJson(path, body);
          expect(response.status, `${who}: ${method} ${path}`).to.equal(403);
          expect(response.json().error.code, `${who}: ${method} ${path}`).to.equal('ROLE_NOT_ALLOWED');
        }
        const page = await agent.get('/backend/users');
        expect(page.status).to.equal(403);
      }
      expect(await server.db.selectFrom('users').select('id').where('name', '=', 'Sneaky').execute()).to.have.length(0);
      expect((await server.db.selectFrom('users').select(['status', 'backend_role']).where('id', '=', target.id).executeTakeFirstOrThrow())).to.deep.equal({ status: 'invited', backend_role: 'student' });
    });

    it('sends people without a session to sign in', async () => {
      const response = await server.agent().get('/backend/users');
      expect(response.status).to.equal(303);
      expect(response.location).to.equal('/login?returnTo=%2Fbackend%2Fusers');
    });
  });

  describe('the list', () => {
    it('searches names and email addresses in any case, and filters by role and status', async () => {
      const { agent } = await signedInAdministrator(server);
      const word = tag();
      const zelda = await createBackendAccount(server, { role: 'instructor', name: `Zelda ${word}`, email: uniqueEmail('zelda') });
      const link = await createBackendAccount(server, { role: 'student', name: `Link ${word.toUpperCase()}`, email: uniqueEmail('link') });
      const ganon = await createBackendAccount(server, { role: 'student', name: `Ganon ${word}`, email: uniqueEmail('ganon'), status: 'deactivated' });
      const impa = await createBackendAccount(server, { role: 'administrator', name: 'Impa Elsewhere', email: `impa-${word}@school.test` });

      expect((await listUsers(agent, { q: word })).users.map((user) => user.id).sort()).to.deep.equal([zelda.id, link.id, ganon.id, impa.id].sort());
      expect((await listUsers(agent, { q: `zELDA ${word.toUpperCase()}` })).users.map((user) => user.id)).to.deep.equal([zelda.id]);
      expect((await listUsers(agent, { q: `IMPA-${word}` })).users.map((user) => user.id)).to.deep.equal([impa.id]);
      expect((await listUsers(agent, { q: word, role: 'student' })).users.map((user) => user.name)).to.deep.equal([`Ganon ${word}`, `Link ${word.toUpperCase()}`]);
      expect((await listUsers(agent, { q: word, role: 'instructor' })).users.map((user) => user.id)).to.deep.equal([zelda.id]);
      expect((await listUsers(agent, { q: word, role: 'administrator' })).users.map((user) => user.id)).to.deep.equal([impa.id]);
      expect((await listUsers(agent, { q: word, status: 'deactivated' })).users.map((user) => user.id)).to.deep.equal([ganon.id]);
      expect((await listUsers(agent, { q: word, role: 'mediaspace' })).total).to.equal(0);
      // Wildcards are searched for as themselves.
      expect((await listUsers(agent, { q: `${word}%` })).total).to.equal(0);
      expect((await listUsers(agent, { q: '_'.repeat(12) })).total).to.equal(0);

      const page = await agent.get(`/backend/users?q=${encodeURIComponent(word)}&role=student`);
      expect(page.status).to.equal(200);
      expect(page.text).to.contain(`Link ${word.toUpperCase()}`).and.contain('Deactivated').and.contain('2 people');
      expect(page.text).not.to.contain(`Zelda ${word}`);
      expect(page.text).to.contain('<option value="student" selected>');
    });

    it('shows each person’s status and courses', async () => {
      const { agent } = await signedInAdministrator(server);
      const word = tag();
      const course = await createRoom(server, `Biology ${word}`);
      await agent.get('/backend/users/invite');
      const email = uniqueEmail('pending');
      await agent.post('/backend/users/invite', inviteFields([{ name: `Pending ${word}`, email, role: 'student', courses: [course.id] }]));
      await mail.next(email);
      const [user] = (await listUsers(agent, { q: word })).users;
      expect(user).to.include({ name: `Pending ${word}`, status: 'invited', source: 'backend', accessRole: 'student', backendRole: 'student' });
      expect(user!.invitation).to.include({ state: 'pending', sendError: null });
      expect(user!.courses).to.deep.equal([{ roomId: course.id, name: `Biology ${word}`, kind: 'course', role: 'student', source: 'backend' }]);
      const page = await agent.get(`/backend/users?q=${word}`);
      expect(page.text).to.contain('Invited: the link works until').and.contain(`Biology ${word}`);
    });

    it('searches letters beyond ASCII in any case, on SQLite as on PostgreSQL', async () => {
      const { agent } = await signedInAdministrator(server);
      const word = tag();
      const elodie = await createBackendAccount(server, { role: 'student', name: `Élodie Œuvre ${word}`, email: uniqueEmail('elodie') });
      expect((await listUsers(agent, { q: `élodie œuvre ${word}` })).users.map((user) => user.id)).to.deep.equal([elodie.id]);
      expect((await listUsers(agent, { q: `ÉLODIE ŒUVRE ${word.toUpperCase()}` })).users.map((user) => user.id)).to.deep.equal([elodie.id]);
    });

    it('pages through many people, keeping the search in the page links', async () => {
      const { agent } = await signedInAdministrator(server);
      const word = tag();
      for (let index = 0; index < 27; index++) await createBackendAccount(server, { role: 'student', name: `Many ${word} ${String(index).padStart(2, '0')}`, email: uniqueEmail(`many${index}`) });
      const first = await listUsers(agent, { q: word });
      expect(first).to.include({ total: 27, page: 1, pages: 2, pageSize: 25 });
      expect(first.users).to.have.length(25);
      const second = await listUsers(agent, { q: word, page: '2' });
      expect(second.users.map((user) => user.name)).to.deep.equal([`Many ${word} 25`, `Many ${word} 26`]);
      const html = await agent.get(`/backend/users?q=${word}`);
      expect(html.text).to.contain(`href="/backend/users?q=${word}&amp;page=2"`).and.contain('Page 1 of 2');
      expect((await listUsers(agent, { q: word, page: 'nonsense' })).page).to.equal(1);
    });
  });

  describe('MediaSpace users', () => {
    it('appear after their first launch, marked as from MediaSpace with their MediaSpace role', async () => {
      const { agent } = await signedInAdministrator(server);
      const word = tag();
      const viewer = await server.kaltura.createUser({ role: 'viewerRole', name: `Viewer ${word}`, email: uniqueEmail('viewer') });
      const admin = await server.kaltura.createUser({ role: 'adminRole', name: `Kms Admin ${word}`, email: uniqueEmail('kmsadmin') });
      expect((await listUsers(agent, { q: word })).total).to.equal(0);

      await signIn(server, viewer.id);
      await signIn(server, admin.id);
      const listed = await listUsers(agent, { q: word });
      expect(listed.users.map((user) => [user.name, user.source, user.mediaspaceRole, user.accessRole, user.backendRole, user.status])).to.deep.equal([
        [`Kms Admin ${word}`, 'mediaspace', 'adminRole', 'administrator', null, 'active'],
        [`Viewer ${word}`, 'mediaspace', 'viewerRole', 'student', null, 'active'],
      ]);
      expect((await listUsers(agent, { q: word, role: 'mediaspace' })).total).to.equal(2);
      expect((await listUsers(agent, { q: word, role: 'administrator' })).users.map((user) => user.id)).to.deep.equal([mediaSpaceUserKey(admin.id)]);

      const page = await agent.get(`/backend/users?q=${word}`);
      expect(page.text).to.contain('data-source="mediaspace"').and.contain('From MediaSpace').and.contain('MediaSpace role: Viewer').and.contain('MediaSpace role: Admin');
    });

    it('keep their role from MediaSpace; their courses are given here, and memberships from MediaSpace stay', async () => {
      const { agent } = await signedInAdministrator(server);
      const viewer = await server.kaltura.createUser({ role: 'viewerRole', email: uniqueEmail('ms-courses') });
      await signIn(server, viewer.id);
      const given = await createRoom(server, 'Given Course');
      const channelRoom = await createRoom(server, 'Their Channel', { kind: 'channel' });
      await server.db.insertInto('course_members').values({ room_id: channelRoom.id, user_id: mediaSpaceUserKey(viewer.id), role: 'student', source: 'mediaspace', added_at: Date.now() }).execute();
      const path = `/backend/users/${encodeURIComponent(mediaSpaceUserKey(viewer.id))}/edit`;

      const page = await agent.get(path);
      expect(page.status).to.equal(200);
      expect(page.text).not.to.contain('name="role"');
      expect(page.text).to.contain('name="courseRole"').and.contain('their role is set in MediaSpace');
      const { user } = (await agent.get(path, { accept: 'application/json' })).json();

      const withRole = await agent.post(path, { version: String(user.version), role: 'administrator', courses: [given.id] });
      expect(withRole.status).to.equal(400);
      expect(withRole.text).to.contain('the role of a MediaSpace user comes from MediaSpace');

      const saved = await agent.post(path, { version: String(user.version), courseRole: 'instructor', courses: [given.id] });
      expect(saved.status).to.equal(303);
      expect(saved.location).to.equal(`${path}?done=saved`);
      const memberships = await server.db.selectFrom('course_members').select(['room_id', 'role', 'source']).where('user_id', '=', mediaSpaceUserKey(viewer.id)).execute();
      expect(memberships.sort((a, b) => a.room_id.localeCompare(b.room_id))).to.deep.equal(
        [
          { room_id: given.id, role: 'instructor', source: 'backend' },
          { room_id: channelRoom.id, role: 'student', source: 'mediaspace' },
        ].sort((a, b) => a.room_id.localeCompare(b.room_id)),
      );
      const after = (await agent.get(path, { accept: 'application/json' })).json().user;
      expect(after).to.include({ accessRole: 'instructor', mediaspaceRole: 'viewerRole', backendRole: null, version: user.version + 1 });

      await agent.get(path);
      expect((await agent.post(path, { version: String(after.version), courseRole: 'student' })).status).to.equal(303);
      const left = await server.db.selectFrom('course_members').select(['room_id', 'source']).where('user_id', '=', mediaSpaceUserKey(viewer.id)).execute();
      expect(left).to.deep.equal([{ room_id: channelRoom.id, source: 'mediaspace' }]);
    });
  });

  describe('editing a person', () => {
    it('changes a role and courses together; the courses follow the role', async () => {
      const { agent } = await signedInAdministrator(server);
      const first = await createRoom(server, 'First Course');
      const second = await createRoom(server, 'Second Course');
      const person = await createBackendAccount(server, { role: 'instructor', email: uniqueEmail('edit') });
      await server.db.insertInto('course_members').values({ room_id: first.id, user_id: person.id, role: 'instructor', source: 'backend', added_at: Date.now() }).execute();
      const path = `/backend/users/${person.id}/edit`;

      const page = await agent.get(path);
      expect(page.text).to.contain('<option value="instructor" selected>').and.contain(`value="${first.id}" checked`).and.contain('Administrator access should be given sparingly.');
      const saved = await agent.post(path, { version: String(person.version), role: 'student', courses: [second.id] });
      expect(saved.status).to.equal(303);
      expect((await agent.get(saved.location!)).text).to.contain('The changes are saved.');

      const account = await server.db.selectFrom('users').select(['backend_role', 'version']).where('id', '=', person.id).executeTakeFirstOrThrow();
      expect(account).to.deep.equal({ backend_role: 'student', version: person.version + 1 });
      expect(await server.db.selectFrom('course_members').select(['room_id', 'role', 'source']).where('user_id', '=', person.id).execute()).to.deep.equal([{ room_id: second.id, role: 'student', source: 'backend' }]);

      await agent.get(path);
      const promoted = await agent.postJson(path, { version: person.version + 1, role: 'instructor', courses: [first.id, second.id] });
      expect(promoted.status).to.equal(200);
      expect(promoted.json().user.courses.map((course: { role: string }) => course.role)).to.deep.equal(['instructor', 'instructor']);
      const invalid = await agent.postJson(path, { version: person.version + 2, role: 'superuser', courses: [randomUUID()] });
      expect(invalid.status).to.equal(400);
      expect(invalid.json().error.fields).to.have.keys('role', 'courses');
    });

    it('refuses a stale edit with 409, changing nothing and keeping what the person chose', async () => {
      const { agent } = await signedInAdministrator(server);
      const course = await createRoom(server, 'Contested Course');
      const person = await createBackendAccount(server, { role: 'student', email: uniqueEmail('stale') });
      const path = `/backend/users/${person.id}/edit`;
      await agent.get(path);
      // Someone else saves first.
      expect((await agent.post(path, { version: String(person.version), role: 'instructor' })).status).to.equal(303);

      await agent.get(path);
      const stale = await agent.post(path, { version: String(person.version), role: 'administrator', courses: [course.id] });
      expect(stale.status).to.equal(409);
      expect(stale.text).to.contain('Someone else changed this while you were editing it.').and.contain('data-conflict');
      expect(stale.text).to.contain('<option value="administrator" selected>').and.contain(`value="${course.id}" checked`);
      expect(stale.text).to.contain(`name="version" value="${person.version + 1}"`);
      const saved = await server.db.selectFrom('users').select(['backend_role', 'version']).where('id', '=', person.id).executeTakeFirstOrThrow();
      expect(saved).to.deep.equal({ backend_role: 'instructor', version: person.version + 1 });
      expect(await server.db.selectFrom('course_members').selectAll().where('user_id', '=', person.id).execute()).to.have.length(0);

      const json = await agent.postJson(path, { version: person.version, role: 'student', courses: [] });
      expect(json.status).to.equal(409);
      expect(json.json().error.code).to.equal('STALE_VERSION');
      const deactivate = await agent.postJson(`/backend/users/${person.id}/deactivate`, { version: person.version });
      expect(deactivate.status).to.equal(409);
    });

    it('does not let administrators demote or deactivate themselves', async () => {
      const { id, agent } = await signedInAdministrator(server);
      const path = `/backend/users/${id}/edit`;
      const page = await agent.get(path);
      expect(page.text).to.contain('You cannot deactivate your own account.').and.not.contain(`/backend/users/${id}/deactivate`);
      const { user } = (await agent.get(path, { accept: 'application/json' })).json();
      const demote = await agent.post(path, { version: String(user.version), role: 'instructor' });
      expect(demote.status).to.equal(400);
      expect(demote.text).to.contain('you cannot take away your own administrator access');
      const deactivate = await agent.postJson(`/backend/users/${id}/deactivate`, { version: user.version });
      expect(deactivate.status).to.equal(400);
      expect(deactivate.json().error.code).to.equal('CANNOT_DEACTIVATE_SELF');
      expect(await server.db.selectFrom('users').select(['backend_role', 'status']).where('id', '=', id).executeTakeFirstOrThrow()).to.deep.equal({ backend_role: 'administrator', status: 'active' });

      const kmsAdmin = await server.kaltura.createUser({ role: 'adminRole' });
      const kms = await withCsrf(await signIn(server, kmsAdmin.id));
      const self = (await kms.get(`/backend/users/${encodeURIComponent(mediaSpaceUserKey(kmsAdmin.id))}/edit`, { accept: 'application/json' })).json().user;
      expect((await kms.postJson(`/backend/users/${encodeURIComponent(mediaSpaceUserKey(kmsAdmin.id))}/deactivate`, { version: self.version })).status).to.equal(400);
    });

    it('answers 404 for someone who does not exist', async () => {
      const { agent } = await signedInAdministrator(server);
      expect((await agent.get('/backend/users/nobody-at-all/edit', { accept: 'application/json' })).status).to.equal(404);
      expect((await agent.postJson('/backend/users/nobody-at-all/edit', { version: 1, role: 'student' })).status).to.equal(404);
    });
  });

  describe('deactivating', () => {
    it('ends the person’s sessions and keeps them out until they are reactivated', async () => {
      const { agent } = await signedInAdministrator(server);
      const person = await createBackendAccount(server, { role: 'instructor', email: uniqueEmail('leaving') });
      const theirs = await signInWithPassword(server, person.email!);
      const elsewhere = await signInWithPassword(server, person.email!);
      // Signed in: an instructor is refused the users pages, not asked to sign in.
      expect((await theirs.get('/backend/users', { accept: 'application/json' })).status).to.equal(403);

      const path = `/backend/users/${person.id}/edit`;
      const page = await agent.get(path);
      expect(page.text).to.contain(`/backend/users/${person.id}/deactivate`).and.contain('data-confirm=');
      const deactivated = await agent.post(`/backend/users/${person.id}/deactivate`, { version: String(person.version) });
      expect(deactivated.status).to.equal(303);
      expect(deactivated.location).to.equal(`${path}?done=deactivated`);
      expect((await agent.get(deactivated.location!)).text).to.contain('The account is deactivated and its sessions have ended.').and.contain('Reactivate');

      for (const session of [theirs, elsewhere]) expect((await session.get('/backend/users', { accept: 'application/json' })).status).to.equal(401);
      expect(await server.db.selectFrom('auth_sessions').selectAll().where('user_id', '=', person.id).execute()).to.have.length(0);
      const again = server.agent();
      await again.get('/login');
      expect((await again.post('/login', { email: person.email!, password: TEST_PASSWORD })).status).to.equal(401);
      expect((await listUsers(agent, { q: person.email!, status: 'deactivated' })).total).to.equal(1);

      expect((await agent.postJson(`/backend/users/${person.id}/deactivate`, { version: person.version + 1 })).status).to.equal(409);
      const reactivated = await agent.postJson(`/backend/users/${person.id}/reactivate`, { version: person.version + 1 });
      expect(reactivated.status).to.equal(200);
      expect(reactivated.json().user).to.include({ status: 'active', version: person.version + 2 });
      expect((await again.post('/login', { email: person.email!, password: TEST_PASSWORD })).status).to.equal(303);
    });

    it('deactivates a MediaSpace user too: their session ends and a new launch does not open the backend', async () => {
      const { agent } = await signedInAdministrator(server);
      const viewer = await server.kaltura.createUser({ role: 'viewerRole' });
      const theirs = await signIn(server, viewer.id);
      const user = (await agent.get(`/backend/users/${encodeURIComponent(mediaSpaceUserKey(viewer.id))}/edit`, { accept: 'application/json' })).json().user;
      await agent.get(`/backend/users/${encodeURIComponent(mediaSpaceUserKey(viewer.id))}/edit`);
      expect((await agent.post(`/backend/users/${encodeURIComponent(mediaSpaceUserKey(viewer.id))}/deactivate`, { version: String(user.version) })).status).to.equal(303);
      expect((await theirs.get('/backend/users', { accept: 'application/json' })).status).to.equal(401);
      const relaunched = await signIn(server, viewer.id);
      expect((await relaunched.get('/backend/users', { accept: 'application/json' })).status).to.equal(401);
      expect((await listUsers(agent, { q: viewer.id.slice(5) })).users[0]).to.include({ status: 'deactivated', source: 'mediaspace' });
    });

    it('offers revoke, not deactivate, for a pending invitation, and reactivates only the deactivated', async () => {
      const { agent } = await signedInAdministrator(server);
      const invited = await createBackendAccount(server, { status: 'invited', email: uniqueEmail('pending') });
      const active = await createBackendAccount(server, { email: uniqueEmail('active') });
      expect((await agent.postJson(`/backend/users/${invited.id}/deactivate`, { version: invited.version })).status).to.equal(409);
      expect((await agent.postJson(`/backend/users/${active.id}/reactivate`, { version: active.version })).status).to.equal(409);
      expect((await agent.get(`/backend/users/${invited.id}/edit`)).text).to.contain('revoke-invitation').and.not.contain(`/backend/users/${invited.id}/deactivate`);
    });
  });
});

describe('users on PostgreSQL', function () {
  let server: TestServer;
  let mail: MailCatcher;

  before(async function () {
    skipWithoutPostgres(this);
    mail = await MailCatcher.start();
    server = await startTestServerOn('PostgreSQL', { config: { mail: { smtpUrl: mail.smtpUrl } } });
  });
  after(async () => {
    await server?.stop();
    await mail?.stop();
  });

  it('invites several people in one transaction, rolls a refused submit back, searches, edits and accepts the same way', async () => {
    const { agent } = await signedInAdministrator(server);
    const course = await createRoom(server, 'Postgres Course');
    const word = tag();
    const emails = [uniqueEmail('pg-a'), uniqueEmail('pg-b')];
    await agent.get('/backend/users/invite');
    const created = await agent.post('/backend/users/invite', inviteFields([{ name: `Pg A ${word}`, email: emails[0], role: 'instructor', courses: [course.id] }, { name: `Pg B ${word}`, email: emails[1] }]));
    expect(created.status).to.equal(201);

    const before = Number((await server.db.selectFrom('users').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const refused = await agent.post('/backend/users/invite', inviteFields([{ name: 'New One', email: uniqueEmail('pg-new') }, { name: 'Again', email: emails[0]!.toUpperCase() }]));
    expect(refused.status).to.equal(400);
    expect(Number((await server.db.selectFrom('users').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)).to.equal(before);

    const found = await listUsers(agent, { q: word.toUpperCase(), role: 'instructor' });
    expect(found.users.map((user) => user.name)).to.deep.equal([`Pg A ${word}`]);
    expect(found.users[0]!.courses[0]).to.include({ roomId: course.id, role: 'instructor' });

    const [first] = found.users;
    await agent.get(`/backend/users/${first!.id}/edit`);
    expect((await agent.post(`/backend/users/${first!.id}/edit`, { version: String(first!.version), role: 'student', courses: [course.id] })).status).to.equal(303);
    expect((await agent.post(`/backend/users/${first!.id}/edit`, { version: String(first!.version), role: 'instructor' })).status).to.equal(409);

    const link = MailCatcher.linkIn(await mail.next(emails[1]!), '/invitations/');
    const visitor = server.agent();
    await visitor.get(link);
    expect((await visitor.post(link, { password: 'a long postgres password', confirmPassword: 'a long postgres password' })).status).to.equal(303);
    expect((await visitor.get(link)).status).to.equal(410);
    await mail.next(emails[0]!);
  });
});
