/**
 * The course form at the size of a real school: hundreds of people in the system, a course with
 * hundreds of members, all through the page's own form fields. The form holds one field per
 * member, never one per person in the system, and the upload parser takes what the form holds.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { createAccountStore } from '../../src/users/account-store.ts';
import { COURSE_FORM_LIMITS } from '../../src/courses/course-form.ts';
import { backendPerson, courseAs, courseForm, courseFormOnPage, type BackendPerson } from '../support/courses.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

const PEOPLE = 300;
const FRENCH = { 'accept-language': 'fr-FR,fr;q=0.9' };

describe('courses at the size of a school', () => {
  let server: TestServer;
  let admin: BackendPerson;
  let people: Array<{ id: string; email: string }>;

  before(async () => {
    server = await startTestServer();
    admin = await backendPerson(server, 'administrator', 'Ada Admin');
    const accounts = createAccountStore(server.db);
    people = [];
    for (let index = 0; index < PEOPLE; index += 1) {
      const id = randomUUID();
      const email = `pupil-${String(index).padStart(3, '0')}@school.test`;
      await accounts.insertBackendAccount({ id, name: `Pupil ${String(index).padStart(3, '0')}`, email, backendRole: 'student', status: 'invited', createdAt: Date.now() });
      people.push({ id, email });
    }
  });
  after(async () => {
    await server.stop();
  });

  function fieldCount(form: FormData): number {
    let count = 0;
    form.forEach(() => (count += 1));
    return count;
  }

  it(`creates a course of 250 members from the page, with ${PEOPLE} people in the system and no field per person`, async () => {
    const page = await admin.agent.get('/backend/courses/new');
    expect(page.status).to.equal(200);
    expect(page.text.match(/name="member"/g) ?? []).to.have.length(0);
    const chosen = people.slice(0, 250);
    const form = courseFormOnPage(page.text, { name: 'Year 7 assembly', summary: 'Everyone in year 7', description: 'Mondays', addMembers: chosen.map((person) => person.email).join('\n') });
    expect(fieldCount(form)).to.be.below(20);
    const created = await admin.agent.postMultipart('/backend/courses', form);
    expect(created.status, created.text.slice(0, 300)).to.equal(303);
    const id = created.location!.split('/')[3]!.split('?')[0]!;
    const course = (await courseAs(admin.agent, id)).json();
    expect(course.members).to.have.length(250);
    expect(new Set(course.members.map((member: { role: string }) => member.role))).to.deep.equal(new Set(['student']));

    // The edit page holds one role per member (250), and saves back as it is.
    const edit = await admin.agent.get(`/backend/courses/${id}/edit`);
    expect(edit.text.match(/<select id="course-member-\d+" name="member"/g)).to.have.length(250);
    const teacher = people[260]!;
    const saved = await admin.agent.postMultipart(`/backend/courses/${id}`, courseFormOnPage(edit.text, { addMembers: teacher.email, addRole: 'instructor' }));
    expect(saved.status, saved.text.slice(0, 300)).to.equal(303);
    const after = (await courseAs(admin.agent, id)).json();
    expect(after.members).to.have.length(251);
    expect(after.members.find((member: { userId: string }) => member.userId === teacher.id).role).to.equal('instructor');
  });

  it('names the addresses it does not know, keeps what was typed and stores nothing, in French', async () => {
    const page = await admin.agent.get('/backend/courses/new', { headers: FRENCH });
    const typed = `${people[0]!.email}\nnobody@school.test\nnot-an-address`;
    const refused = await admin.agent.postMultipart('/backend/courses', courseFormOnPage(page.text, { name: 'Refusé', summary: 'r', description: 'r', addMembers: typed }), { headers: FRENCH });
    expect(refused.status).to.equal(400);
    expect(refused.text).to.contain('Ceci n&#39;est pas une adresse e-mail : not-an-address.');
    expect(refused.text).to.contain(`>${typed}</textarea>`);
    const unknown = await admin.agent.postMultipart('/backend/courses', courseFormOnPage(page.text, { name: 'Refusé', summary: 'r', description: 'r', addMembers: `${people[0]!.email} nobody@school.test` }), { headers: FRENCH });
    expect(unknown.status).to.equal(400);
    expect(unknown.text).to.contain('Personne dans le système n&#39;a cette adresse : nobody@school.test.');
    expect(await server.db.selectFrom('rooms').select('id').where('name', '=', 'Refusé').execute()).to.have.length(0);
  });

  it('finds people as one types, a few at a time, for administrators only', async () => {
    const found = await admin.agent.get('/backend/courses/people?q=pupil', { accept: 'application/json' });
    expect(found.json().people).to.have.length(20);
    const one = await admin.agent.get('/backend/courses/people?q=pupil-042%40', { accept: 'application/json' });
    expect(one.json().people.map((person: { id: string }) => person.id)).to.deep.equal([people[42]!.id]);
    // Wildcards are letters like any other.
    expect((await admin.agent.get('/backend/courses/people?q=%25', { accept: 'application/json' })).json().people).to.deep.equal([]);
    const teacher = await backendPerson(server, 'instructor');
    expect((await teacher.agent.get('/backend/courses/people?q=pupil', { accept: 'application/json' })).status).to.equal(403);
  });

  it('refuses a form holding more than the course form can, with a message in the person\'s language', async () => {
    const fields: Record<string, string[]> = { member: Array.from({ length: COURSE_FORM_LIMITS.fields }, (_, index) => `student:someone-${index}`), membersShown: ['1'] };
    const response = await admin.agent.postMultipart('/backend/courses', courseForm(fields), { headers: FRENCH });
    expect(response.status).to.equal(413);
    expect(response.text).to.contain('Ce formulaire contient plus qu&#39;il ne peut');
  });
});
