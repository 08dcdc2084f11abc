/**
 * MediaSpace users and backend accounts never share a row or an id: a Kaltura
 * user whose id is a backend account's id (backend ids used to be visible to
 * everyone in a room) launches, and the account is untouched.
 */
import { expect } from 'chai';
import { backendPerson, createCourse } from '../support/courses.ts';
import { MailCatcher } from '../support/mail-catcher.ts';
import { signIn, startTestServer, type TestServer } from '../support/test-server.ts';
import { mediaSpaceUserKey } from '../../src/identity/user-keys.ts';
import { createAccountStore } from '../../src/users/account-store.ts';

describe('MediaSpace users and backend accounts', () => {
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

  async function userRow(id: string) {
    return server.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  it('a Kaltura user named after a backend account does not become the account: its row, email, courses and password stay its own', async () => {
    const admin = await backendPerson(server, 'administrator');
    const victim = await backendPerson(server, 'instructor', 'Vera Victim');
    const courseId = await createCourse(admin.agent, { name: 'Vera’s course', membersShown: '1', member: [`instructor:${victim.id}`, ''] });
    const accountBefore = await userRow(victim.id);

    // Someone able to create Kaltura users gives one the account's id and their own address.
    const intruder = await server.kaltura.createUser({ id: victim.id, role: 'viewerRole', name: 'Ivan Intruder', email: 'ivan@intruder.test' });
    const intruderAgent = await signIn(server, intruder.id);

    expect(await userRow(victim.id)).to.deep.equal(accountBefore);
    expect(await userRow(mediaSpaceUserKey(intruder.id))).to.include({ name: 'Ivan Intruder', email: 'ivan@intruder.test', source: 'mediaspace', backend_role: null, password_hash: null });
    const members = await server.db.selectFrom('course_members').select(['user_id', 'role']).where('room_id', '=', courseId).execute();
    expect(members).to.deep.equal([{ user_id: victim.id, role: 'instructor' }]);

    // The intruder's session is the MediaSpace user's, with none of the account's courses or rights.
    const theirCourses = (await intruderAgent.get('/backend/courses', { accept: 'application/json' })).json();
    expect(theirCourses.courses.map((course: { id: string }) => course.id)).to.not.include(courseId);
    expect((await intruderAgent.get(`/backend/courses/${courseId}`, { accept: 'application/json' })).status).to.equal(404);

    // A password reset to the intruder's address reaches nobody; the account's own address still gets its mail.
    const asker = server.agent();
    await asker.get('/password-reset');
    await asker.post('/password-reset', { email: 'ivan@intruder.test' });
    await asker.post('/password-reset', { email: victim.email });
    const received = await mail.next(victim.email);
    expect(received.text).to.contain('Hello Vera Victim');
    expect(mail.received.filter((message) => message.to.includes('ivan@intruder.test'))).to.deep.equal([]);
    expect(await server.db.selectFrom('password_resets').select('user_id').execute()).to.deep.equal([{ user_id: victim.id }]);
  });

  it('records a MediaSpace user under their MediaSpace key, never under the bare Kaltura user id', async () => {
    const user = await server.kaltura.createUser({ role: 'viewerRole', name: 'Kim Kaltura' });
    await signIn(server, user.id);
    expect(await userRow(user.id)).to.equal(undefined);
    expect(await userRow(mediaSpaceUserKey(user.id))).to.include({ name: 'Kim Kaltura', source: 'mediaspace' });
  });

  it('gives no backend account a MediaSpace user key', async () => {
    const accounts = createAccountStore(server.db);
    const account = { id: mediaSpaceUserKey('someone'), name: 'Sly', email: 'sly@school.test', backendRole: 'administrator' as const, status: 'active' as const, createdAt: Date.now() };
    let refused: unknown = null;
    await accounts.insertBackendAccount(account).catch((error: unknown) => (refused = error));
    expect(refused).to.be.an('error');
    expect(await userRow(account.id)).to.equal(undefined);
  });
});
