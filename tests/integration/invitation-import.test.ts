import { expect } from 'chai';
import { createBackendAccount } from '../support/backend-accounts.ts';
import { MailCatcher } from '../support/mail-catcher.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import type { AgentResponse, TestAgent } from '../support/test-agent.ts';
import { createRoom, signedInAdministrator, uniqueEmail } from '../support/users-fixtures.ts';

const FRENCH = { headers: { 'accept-language': 'fr-FR,fr;q=0.9' } };

describe('inviting from a CSV file (/backend/users/import)', () => {
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

  /** Uploads through the page's own form: its action, its token as the first field, then the file. */
  async function upload(agent: TestAgent, csv: string | Buffer, options: { headers?: Record<string, string>; name?: string } = {}): Promise<AgentResponse> {
    const page = await agent.get('/backend/users/import', options);
    expect(page.status).to.equal(200);
    const form = /<form method="post" action="(\/backend\/users\/import)" enctype="multipart\/form-data"[^>]*>\s*(?:<%#[^>]*>)?\s*<input type="hidden" name="_csrf" value="([^"]+)">/.exec(page.text);
    expect(form, 'the upload form, its token first').to.not.equal(null);
    const body = new FormData();
    body.append('_csrf', form![2]!);
    body.append('file', new Blob([typeof csv === 'string' ? csv : new Uint8Array(csv)], { type: 'text/csv' }), options.name ?? 'class.csv');
    return agent.postMultipart(form![1]!, body, options);
  }

  function importIdIn(page: AgentResponse): string {
    const match = /<form method="post" action="\/backend\/users\/import\/confirm">[\s\S]*?name="importId" value="([^"]+)"/.exec(page.text);
    expect(match, 'a confirmation form').to.not.equal(null);
    return match![1]!;
  }

  function problemsIn(page: AgentResponse): string[] {
    const list = /<ul class="field-errors" data-import-problems>([\s\S]*?)<\/ul>/.exec(page.text)?.[1] ?? '';
    return [...list.matchAll(/<li>([\s\S]*?)<\/li>/g)].map((match) => match[1]!.replace(/&#39;/g, "'").replace(/&#34;|&quot;/g, '"'));
  }

  async function userCount(): Promise<number> {
    return Number((await server.db.selectFrom('users').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  }

  async function account(email: string) {
    return server.db.selectFrom('users').selectAll().where('email_normalized', '=', email.toLowerCase()).executeTakeFirst();
  }

  it('previews a class (UTF-8 with its BOM): who will be invited, who already has an account, one list of the wrong lines; creates them only on confirmation', async () => {
    const { agent } = await signedInAdministrator(server);
    const chemistry = await createRoom(server, 'Chemistry 101');
    const physics = await createRoom(server, 'Physics 201');
    const existing = await createBackendAccount(server, { role: 'student', email: uniqueEmail('existing') });
    const [elodie, omar, twice, formula] = [uniqueEmail('elodie'), uniqueEmail('omar'), uniqueEmail('twice'), uniqueEmail('formula')];
    const csv = [
      'email,name,role,courses',
      `${elodie},Élodie Dupré,instructor,Chemistry 101|physics 201`,
      `${omar},"Omar, Jr.",,Chemistry 101`,
      `${existing.email},Already Here,student,`,
      `${twice},First Twice,student,`,
      `${twice.toUpperCase()},Second Twice,student,`,
      `not-an-address,Bad Address,student,`,
      `${formula},"=HYPERLINK(""http://evil.test"",""x"")",student,`,
      `${uniqueEmail('role')},Rita Role,teacher,`,
      `${uniqueEmail('course')},Carl Course,student,Alchemy 999`,
    ].join('\r\n');
    const before = await userCount();

    const preview = await upload(agent, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(csv)]));
    expect(preview.status, preview.text.slice(0, 500)).to.equal(200);
    expect(preview.text).to.contain('3 people will be invited from class.csv');
    expect(preview.text).to.contain('Élodie Dupré').and.contain('Omar, Jr.').and.contain('Chemistry 101, Physics 201');
    expect(preview.text).to.contain('1 person already has an account').and.contain(`Line 4: Already Here (${existing.email})`);
    expect(problemsIn(preview)).to.deep.equal([
      'Line 6: the same email address as line 5.',
      'Line 7: Email address: is not a valid email address',
      'Line 8: the Name starts with “=”, which a spreadsheet would run as a formula. Remove that character.',
      'Line 9: the role “teacher” is not one of student, instructor, administrator.',
      'Line 10: there is no course named “Alchemy 999”.',
    ]);
    expect(preview.text).to.contain('Invite the 3 people').and.contain('Nothing is created until you confirm.');
    expect(await userCount(), 'nothing before the confirmation').to.equal(before);
    expect(preview.text).not.to.match(/action="[^"]*(_csrf|importId)=/);

    const importId = importIdIn(preview);
    const done = await agent.post('/backend/users/import/confirm', { importId });
    expect(done.status, done.text.slice(0, 500)).to.equal(201);
    expect(await userCount()).to.equal(before + 3);
    const invited = await account(elodie);
    expect(invited).to.include({ name: 'Élodie Dupré', status: 'invited', backend_role: 'instructor' });
    const courses = await server.db.selectFrom('course_members').select(['room_id', 'role']).where('user_id', '=', invited!.id).orderBy('room_id').execute();
    expect(courses.map((row) => row.room_id).sort()).to.deep.equal([chemistry.id, physics.id].sort());
    expect((await account(omar))?.backend_role).to.equal('student');
    expect((await mail.next(elodie)).text).to.contain('Hello Élodie Dupré');
    expect(await account(formula)).to.equal(undefined);

    const again = await agent.post('/backend/users/import/confirm', { importId });
    expect(again.status, 'a preview is used once').to.equal(410);
    expect(again.text).to.contain('This preview is no longer available');
    expect(await userCount()).to.equal(before + 3);
  });

  it('reads a French spreadsheet: semicolons, French headers and roles, Windows-1252 accents, and answers in French', async () => {
    const { agent } = await signedInAdministrator(server, 'Claire Admin');
    await createRoom(server, 'Histoire 1');
    const [zoe, leo] = [uniqueEmail('zoe'), uniqueEmail('leo')];
    const csv = ['Courriel;Nom;Rôle;Cours', `${zoe};Zoé Lefèvre;Formatrice;Histoire 1`, `${leo};+33 Léo;Étudiant;`].join('\r\n');

    const preview = await upload(agent, Buffer.from(csv, 'latin1'), { ...FRENCH, name: 'élèves.csv' });
    expect(preview.status, preview.text.slice(0, 500)).to.equal(200);
    expect(preview.text).to.contain('<html lang="fr">').and.contain('1 personne sera invitée depuis élèves.csv').and.contain('Zoé Lefèvre').and.contain('Formateur');
    expect(problemsIn(preview)).to.deep.equal(["Ligne 3: la cellule Nom commence par « + », qu'un tableur exécuterait comme une formule. Retirez ce caractère."]);

    expect((await agent.post('/backend/users/import/confirm', { importId: importIdIn(preview) }, FRENCH)).status).to.equal(201);
    expect(await account(zoe)).to.include({ name: 'Zoé Lefèvre', backend_role: 'instructor' });
    expect((await mail.next(zoe)).subject).to.equal('Claire Admin vous invite chez Live Rooms');
  });

  it('refuses a malformed file, naming the line, with nothing to confirm and nothing created', async () => {
    const { agent } = await signedInAdministrator(server);
    const before = await userCount();
    const page = await upload(agent, `email,name\n${uniqueEmail('ok')},Fine\n${uniqueEmail('bad')},"Unclosed quote\n`);
    expect(page.status).to.equal(400);
    expect(problemsIn(page)[0]).to.match(/^Line 3: the file cannot be read as CSV from this line on/);
    expect(page.text).not.to.contain('name="importId"');
    expect(await userCount()).to.equal(before);

    const french = await upload(agent, 'prénom;âge\nA;1\n', FRENCH);
    expect(french.status).to.equal(400);
    expect(problemsIn(french)).to.deep.equal(['Ligne 1: la première ligne doit nommer les colonnes : email et nom (au choix rôle et cours).']);
  });

  it('refuses more than 1000 people in one file, and a file over its size limit', async () => {
    const { agent } = await signedInAdministrator(server);
    const lines = ['email,name', ...Array.from({ length: 1001 }, (_, index) => `person${index}@crowd.test,Person ${index}`)];
    const page = await upload(agent, lines.join('\n'));
    expect(page.status).to.equal(400);
    expect(problemsIn(page)).to.deep.equal(['Line 1002: the file has 1001 people; at most 1000 can be invited at once. Split it into smaller files.']);
    expect(await account('person0@crowd.test')).to.equal(undefined);

    const huge = await upload(agent, `email,name\n${'x'.repeat(600 * 1024)}\n`);
    expect(huge.status).to.equal(413);
    expect(huge.text).to.contain('The file is larger than the limit of');
    expect((await agent.get('/backend/users')).status, 'the server keeps serving').to.equal(200);
  });

  it('invites 1000 people from one file in one confirmation, every mail sent', async function () {
    this.timeout(120_000);
    const { agent } = await signedInAdministrator(server);
    const course = await createRoom(server, 'Intake 2027');
    const emails = Array.from({ length: 1000 }, (_, index) => `student${index}-${course.id.slice(0, 8)}@intake.test`);
    const csv = ['email;name;role;courses', ...emails.map((email, index) => `${email};Student ${index};student;Intake 2027`)].join('\n');
    const started = performance.now();
    const preview = await upload(agent, csv);
    const previewMs = performance.now() - started;
    expect(preview.text).to.contain('1000 people will be invited');
    const done = await agent.post('/backend/users/import/confirm', { importId: importIdIn(preview) });
    const confirmMs = performance.now() - started - previewMs;
    expect(done.status, done.text.slice(0, 300)).to.equal(201);
    expect(Number((await server.db.selectFrom('course_members').select((eb) => eb.fn.countAll().as('n')).where('room_id', '=', course.id).executeTakeFirstOrThrow()).n)).to.equal(1000);
    expect((await mail.next(emails[999]!, { timeoutMs: 30_000 })).text).to.contain('Hello Student 999');
    console.log(`      preview of 1000 lines ${Math.round(previewMs)} ms, confirmation with 1000 mails ${Math.round(confirmMs)} ms`);
  });

  it('confirms only for the session that read the file, and invites nobody when an address was taken since the preview', async () => {
    const { agent } = await signedInAdministrator(server);
    const [first, taken] = [uniqueEmail('first'), uniqueEmail('taken')];
    const preview = await upload(agent, `email,name\n${first},First Person\n${taken},Taken Later\n`);
    const importId = importIdIn(preview);

    const other = (await signedInAdministrator(server, 'Other Admin')).agent;
    expect((await other.post('/backend/users/import/confirm', { importId })).status).to.equal(410);

    await createBackendAccount(server, { role: 'student', email: taken });
    const before = await userCount();
    const refused = await agent.post('/backend/users/import/confirm', { importId });
    expect(refused.status).to.equal(409);
    expect(refused.text).to.contain('Nobody was invited');
    expect(problemsIn(refused)).to.have.length(1);
    expect(problemsIn(refused)[0]).to.match(/^Line 3: /);
    expect(await userCount()).to.equal(before);
    expect(await account(first)).to.equal(undefined);
  });
});
