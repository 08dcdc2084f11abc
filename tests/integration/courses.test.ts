import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { eventually } from '../support/manual-scheduler.ts';
import {
  backendPerson,
  COURSE_DEFAULTS,
  courseAs,
  courseForm,
  courseFormOnPage,
  courseRows,
  createCourse,
  editCourse,
  filesIn,
  jpegPictureOfSize,
  pngPicture,
  setLicences,
  type BackendPerson,
} from '../support/courses.ts';
import { mediaSpaceUserKey } from '../../src/identity/user-keys.ts';
import { signIn, startTestServer, type TestServer } from '../support/test-server.ts';

const MB = 1024 * 1024;

describe('courses in the rooms backend', () => {
  let server: TestServer;
  let admin: BackendPerson;

  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.stop();
  });
  beforeEach(async () => {
    admin = await backendPerson(server, 'administrator', 'Ada Admin');
  });

  /** Nothing of a refused course: no room row, no stored image, no picture files, no temporary upload. */
  async function expectNothingStored(before: { rooms: number; images: number }) {
    expect(await courseRows(server)).to.have.length(before.rooms);
    expect(await server.db.selectFrom('stored_images').selectAll().execute()).to.have.length(before.images);
    expect(filesIn(server, 'images').filter((name) => !name.includes(path.sep))).to.have.length(before.images);
    await eventually(() => expect(filesIn(server, 'uploads-tmp').filter((name) => name.endsWith('.upload'))).to.deep.equal([]));
  }

  async function counts() {
    return { rooms: (await courseRows(server)).length, images: (await server.db.selectFrom('stored_images').selectAll().execute()).length };
  }

  describe('the course list', () => {
    it('shows an administrator every course as a card, + Add new course and the plans and licences', async () => {
      const id = await createCourse(admin.agent, { name: 'Card course' }, await pngPicture());
      const page = await admin.agent.get('/backend/courses');
      expect(page.status).to.equal(200);
      expect(page.text).to.contain('data-action="add-course"').and.contain('id="licences"');
      const card = page.text.slice(page.text.indexOf(`data-course-id="${id}"`));
      expect(card).to.match(/<img class="course-card__image" src="\/images\/[0-9a-f-]{36}\/card"/);
      expect(card).to.contain('Card course').and.contain(COURSE_DEFAULTS.summary).and.contain('Inactive').and.contain('data-status="inactive"');
      expect(page.text).not.to.contain('data-live="true"');
      // Counted words follow the plural rules: no "classroom(s)".
      expect(page.text).to.contain('1 virtual classroom,').and.contain('2 hours of cloud recording').and.contain('1 self-paced course<').and.not.contain('(s)');
    });

    it('shows a neutral placeholder for a course without a picture', async () => {
      const id = await createCourse(admin.agent, { name: 'No picture' });
      const page = await admin.agent.get('/backend/courses');
      const card = page.text.slice(page.text.indexOf(`data-course-id="${id}"`));
      expect(card.slice(0, 400)).to.contain('data-placeholder="true"');
    });

    it('answers JSON with the cards and the licences', async () => {
      const id = await createCourse(admin.agent, { name: 'Json course' });
      const body = (await admin.agent.get('/backend/courses', { accept: 'application/json' })).json();
      const course = body.courses.find((candidate: { id: string }) => candidate.id === id);
      expect(course).to.deep.include({ name: 'Json course', kind: 'course', active: false, live: false, access: 'manage', imageUrl: null });
      expect(course.plan).to.deep.equal({ id: 'inactive', label: 'Inactive', active: false });
      expect(body.licences.map((licence: { planId: string }) => licence.planId)).to.deep.equal(['smart_15', 'smart_25', 'smart_custom']);
    });
  });

  describe('+ Add new course', () => {
    it('offers the form with the plans of the catalogue, live counters, the picture hint and a multipart action with the CSRF token', async () => {
      const page = await admin.agent.get('/backend/courses/new');
      expect(page.status).to.equal(200);
      // The token is the form's first field, never in the address (shown, logged, bookmarked).
      expect(page.text).to.match(/<form method="post" action="\/backend\/courses" enctype="multipart\/form-data"[^>]*>\s*<input type="hidden" name="_csrf"/).and.not.contain('_csrf=');
      for (const label of ['Inactive', 'Smart_15', 'Smart_25', 'Smart_custom']) expect(page.text).to.contain(`>${label}</option>`);
      expect(page.text).to.contain('maxlength="100"').and.contain('maxlength="150"').and.contain('maxlength="500"');
      expect(page.text).to.contain('data-counter="course-summary-counter"').and.contain('data-counter="course-description-counter"');
      expect(page.text).to.contain('2560×1440').and.contain('accept="image/png,image/jpeg,image/webp"');
      // Nobody is listed by default: people are found by searching, never one field per person in the system.
      expect(page.text).not.to.contain(`data-person="${admin.id}"`);
      expect(page.text).to.contain('data-member-picker').and.contain('name="addMembers"');
    });

    it('stores the course with its picture: the original kept, card and invitation variants made', async () => {
      const response = await admin.agent.postMultipart('/backend/courses', courseForm({ name: '  Bill’s   Math Class ' }, await pngPicture(1280, 720)));
      expect(response.status).to.equal(303);
      expect(response.location).to.match(/^\/backend\/courses\/[0-9a-f-]{36}\?created=1$/);
      const shown = await admin.agent.follow(response);
      expect(shown.text).to.contain('The course was created.').and.contain('Bill’s Math Class');
      const id = response.location!.split('/')[3]!.split('?')[0]!;
      const row = await server.db.selectFrom('rooms').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      expect(row).to.include({ kind: 'course', name: 'Bill’s Math Class', plan_id: 'inactive', summary: COURSE_DEFAULTS.summary, updated_by: admin.id });
      expect(filesIn(server, 'images', row.image_id!).sort()).to.deep.equal(['card', 'invitation', 'original']);
      const card = await admin.agent.getBytes(`/images/${row.image_id}/card`);
      expect(card.status).to.equal(200);
      expect(card.headers.get('content-type')).to.equal('image/webp');
    });

    it('gives the course to people already in the system: backend accounts and MediaSpace users who launched once', async () => {
      const teacher = await backendPerson(server, 'instructor', 'Tess Teacher');
      const mediaspaceUser = await server.kaltura.createUser({ role: 'viewerRole', name: 'Mo MediaSpace' });
      await signIn(server, mediaspaceUser.id);
      const found = async (q: string) => (await admin.agent.get(`/backend/courses/people?q=${encodeURIComponent(q)}`, { accept: 'application/json' })).json().people.map((person: { id: string }) => person.id);
      expect(await found('mo media')).to.deep.equal([mediaSpaceUserKey(mediaspaceUser.id)]);
      expect(await found('TESS')).to.deep.equal([teacher.id]);
      expect(await found('')).to.deep.equal([]);
      const id = await createCourse(admin.agent, { membersShown: '1', member: [`instructor:${teacher.id}`, `student:${mediaSpaceUserKey(mediaspaceUser.id)}`, ''] });
      const members = await server.db.selectFrom('course_members').selectAll().where('room_id', '=', id).orderBy('role').execute();
      expect(members.map(({ user_id, role, source }) => ({ user_id, role, source }))).to.deep.equal([
        { user_id: teacher.id, role: 'instructor', source: 'backend' },
        { user_id: mediaSpaceUserKey(mediaspaceUser.id), role: 'student', source: 'backend' },
      ]);
    });

    it('refuses someone who is not in the system, storing nothing', async () => {
      const before = await counts();
      const response = await admin.agent.postMultipart('/backend/courses', courseForm({ membersShown: '1', member: 'student:nobody-here' }, await pngPicture()));
      expect(response.status).to.equal(400);
      expect(response.text).to.contain('names someone who is not in the system');
      await expectNothingStored(before);
    });

    it('answers JSON: 201 with the course', async () => {
      await admin.agent.get('/backend/courses/new');
      const response = await admin.agent.postMultipart('/backend/courses', courseForm({ name: 'Api course' }), { accept: 'application/json' });
      expect(response.status, response.text).to.equal(201);
      expect(response.json().course).to.deep.include({ name: 'Api course', kind: 'course', access: 'manage', version: 1 });
    });
  });

  describe('validation limits, exactly at the edge', () => {
    const edges: Array<{ field: 'name' | 'summary' | 'description'; max: number }> = [
      { field: 'name', max: 100 },
      { field: 'summary', max: 150 },
      { field: 'description', max: 500 },
    ];
    for (const { field, max } of edges) {
      it(`accepts a ${field} of ${max} characters and refuses ${max + 1}, keeping what was typed`, async () => {
        const atLimit = `${field.slice(0, 1).toUpperCase()}${'x'.repeat(max - 1)}`;
        await createCourse(admin.agent, { [field]: atLimit });
        const before = await counts();
        const over = `${atLimit}y`;
        const refused = await admin.agent.postMultipart('/backend/courses', courseForm({ [field]: over, name: field === 'name' ? over : 'Kept name' }, await pngPicture()));
        expect(refused.status).to.equal(400);
        expect(refused.text).to.contain(`must be at most ${max} characters`).and.contain(`id="course-${field}-error"`);
        expect(refused.text).to.contain(over);
        if (field !== 'name') expect(refused.text).to.contain('value="Kept name"');
        await expectNothingStored(before);
      });
    }

    it('counts a line break as one character, as the browser\'s counter does', async () => {
      const description = `${'a'.repeat(249)}\r\n${'b'.repeat(250)}`;
      const id = await createCourse(admin.agent, { description });
      expect((await courseAs(admin.agent, id)).json().description).to.equal(`${'a'.repeat(249)}\n${'b'.repeat(250)}`);
    });

    it('requires a name, a summary and a description (spaces alone are nothing)', async () => {
      const before = await counts();
      const refused = await admin.agent.postMultipart('/backend/courses', courseForm({ name: '   ', summary: '', description: ' \r\n ' }));
      expect(refused.status).to.equal(400);
      for (const field of ['name', 'summary', 'description']) expect(refused.text).to.contain(`id="course-${field}-error" class="field-error">this is required`);
      await expectNothingStored(before);
    });

    it('says a left-out name, summary or description is required, in words (not a parser message)', async () => {
      const before = await counts();
      const refused = await admin.agent.postJson('/backend/courses', { plan: 'inactive' });
      expect(refused.status).to.equal(400);
      expect(refused.text).to.contain('this is required').and.not.to.contain('nonoptional');
      // One field wrong: the message names it by its label, not by the key the form sends.
      const onlyName = await admin.agent.postJson('/backend/courses', { plan: 'inactive', summary: 's', description: 'd' });
      expect(onlyName.json().error.message).to.equal('Some fields need your attention. Course name: this is required.');
      await expectNothingStored(before);
    });

    it('accepts a picture of exactly 10 MB', async () => {
      const id = await createCourse(admin.agent, { name: 'Ten megabytes' }, await jpegPictureOfSize(10 * MB));
      const row = await server.db.selectFrom('rooms').select('image_id').where('id', '=', id).executeTakeFirstOrThrow();
      // What is kept is the picture re-encoded without its padding or metadata, and its record says how large that is.
      const stored = await server.db.selectFrom('stored_images').select('bytes').where('id', '=', row.image_id!).executeTakeFirstOrThrow();
      expect(stored.bytes).to.equal(statSync(path.join(server.dataDir, 'images', row.image_id!, 'original')).size);
    });

    it('refuses a picture of 10 MB and one byte with 413, storing nothing', async () => {
      const before = await counts();
      const refused = await admin.agent.postMultipart('/backend/courses', courseForm({ name: 'Too big' }, await jpegPictureOfSize(10 * MB + 1)));
      expect(refused.status).to.equal(413);
      expect(refused.text).to.contain('larger than the limit of 10 MB');
      await expectNothingStored(before);
    });

    it('refuses a file that is not a PNG, JPEG or WebP picture with 400, whatever its name says, storing nothing', async () => {
      const before = await counts();
      const refused = await admin.agent.postMultipart('/backend/courses', courseForm({ name: 'Fake picture' }, { bytes: Buffer.from('GIF89a not really a picture'), name: 'photo.png', type: 'image/png' }));
      expect(refused.status).to.equal(400);
      expect(refused.text).to.contain('The picture must be a PNG, JPEG or WebP image.').and.contain('value="Fake picture"');
      await expectNothingStored(before);
    });

    it('refuses a plan that is not in the catalogue', async () => {
      const before = await counts();
      const refused = await admin.agent.postMultipart('/backend/courses', courseForm({ plan: 'smart_1000' }));
      expect(refused.status).to.equal(400);
      expect(refused.text).to.contain('is not a plan of the catalogue');
      await expectNothingStored(before);
    });

    it('checks the limits a Smart_custom course carries, and stores them with the course', async () => {
      await setLicences(admin.agent, { smart_custom: 1 });
      const refused = await admin.agent.postMultipart('/backend/courses', courseForm({ plan: 'smart_custom', webcamUsers: '0', virtualClassrooms: '1', cloudRecordingHours: '3', selfPacedCourses: '2' }));
      expect(refused.status).to.equal(400);
      expect(refused.text).to.contain('id="course-webcamUsers-error" class="field-error">must be between 1 and 1000');
      const id = await createCourse(admin.agent, { plan: 'smart_custom', webcamUsers: '40', virtualClassrooms: '2', cloudRecordingHours: '7.5', selfPacedCourses: '3' });
      expect((await courseAs(admin.agent, id)).json().limits).to.deep.equal({ webcamUsers: 40, virtualClassrooms: 2, cloudRecordingHours: 7.5, selfPacedCourses: 3 });
      expect(await editCourse(admin.agent, id, { plan: 'inactive' })).to.have.property('status', 303);
    });
  });

  describe('editing', () => {
    it('shows the form filled in with the course and its version', async () => {
      const id = await createCourse(admin.agent, { name: 'Prefilled', summary: 'A short summary' }, await pngPicture());
      const page = await admin.agent.get(`/backend/courses/${id}/edit`);
      expect(page.status).to.equal(200);
      expect(page.text).to.contain('value="Prefilled"').and.contain('>A short summary</textarea>').and.contain('name="version" value="1"');
      expect(page.text).to.match(/action="\/backend\/courses\/[0-9a-f-]{36}"/).and.contain('name="removeImage"').and.not.contain('_csrf=');
      expect(page.text).to.contain('<option value="inactive" selected>');
    });

    it('saves a change, and a new picture replaces the old one, which is deleted', async () => {
      const id = await createCourse(admin.agent, {}, await pngPicture());
      const oldImage = (await server.db.selectFrom('rooms').select('image_id').where('id', '=', id).executeTakeFirstOrThrow()).image_id!;
      const saved = await editCourse(admin.agent, id, { name: 'Renamed' }, await pngPicture(640, 360));
      expect(saved.status).to.equal(303);
      expect(saved.location).to.equal(`/backend/courses/${id}?saved=1`);
      const row = await server.db.selectFrom('rooms').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      expect(row).to.include({ name: 'Renamed', version: 2 });
      expect(row.image_id).to.be.a('string').and.not.equal(oldImage);
      expect(existsSync(path.join(server.dataDir, 'images', oldImage))).to.equal(false);
      expect(await server.db.selectFrom('stored_images').selectAll().where('id', '=', oldImage).execute()).to.deep.equal([]);
      expect(filesIn(server, 'images', row.image_id!).sort()).to.deep.equal(['card', 'invitation', 'original']);

      expect((await editCourse(admin.agent, id, { removeImage: 'on' })).status).to.equal(303);
      expect(existsSync(path.join(server.dataDir, 'images', row.image_id!))).to.equal(false);
      expect((await courseAs(admin.agent, id)).json().imageUrl).to.equal(null);
    });

    it('refuses a save made on a stale version with 409, a clear message and the input kept, changing nothing', async () => {
      const id = await createCourse(admin.agent, { name: 'Shared course' });
      const otherAdmin = await backendPerson(server, 'administrator');
      expect((await editCourse(otherAdmin.agent, id, { summary: 'The other admin was first' })).status).to.equal(303);
      const before = await counts();
      const stale = await admin.agent.postMultipart(`/backend/courses/${id}`, courseForm({ name: 'Shared course', summary: 'My late change', version: 1 }, await pngPicture()));
      expect(stale.status).to.equal(409);
      expect(stale.text).to.contain('Someone else changed this while you were editing it. Your changes were not saved.');
      expect(stale.text).to.contain('>My late change</textarea>');
      expect((await courseAs(admin.agent, id)).json()).to.include({ summary: 'The other admin was first', version: 2 });
      await expectNothingStored(before);

      const json = await admin.agent.postMultipart(`/backend/courses/${id}`, courseForm({ version: 1 }), { accept: 'application/json' });
      expect(json.status).to.equal(409);
      expect(json.json().error.code).to.equal('STALE_VERSION');
    });

    it('lets an instructor prepare their course, but not change its plan or members', async () => {
      const teacher = await backendPerson(server, 'instructor');
      const id = await createCourse(admin.agent, { membersShown: '1', member: `instructor:${teacher.id}` });
      const page = await teacher.agent.get(`/backend/courses/${id}/edit`);
      expect(page.status).to.equal(200);
      expect(page.text).not.to.contain('name="plan"').and.not.to.contain('name="membersShown"');
      expect((await editCourse(teacher.agent, id, { description: 'Prepared by the instructor' })).status).to.equal(303);
      expect((await courseAs(teacher.agent, id)).json()).to.include({ description: 'Prepared by the instructor' });
      const planChange = await editCourse(teacher.agent, id, { plan: 'smart_15' }, undefined, { accept: 'application/json' });
      expect(planChange.status).to.equal(403);
      expect(planChange.json().error.code).to.equal('ADMINISTRATORS_ONLY');
      const membersChange = await editCourse(teacher.agent, id, { membersShown: '1', member: [] }, undefined, { accept: 'application/json' });
      expect(membersChange.status).to.equal(403);
      expect((await courseAs(admin.agent, id)).json().plan.id).to.equal('inactive');
      expect((await courseAs(admin.agent, id)).json().members).to.have.length(1);
    });

    it("saves an instructor's change sent with exactly the fields of the instructor's page (no plan, no members)", async () => {
      const teacher = await backendPerson(server, 'instructor');
      const id = await createCourse(admin.agent, { plan: 'inactive', membersShown: '1', member: `instructor:${teacher.id}` });
      const page = await teacher.agent.get(`/backend/courses/${id}/edit`);
      const form = courseFormOnPage(page.text, { description: 'Saved from the instructor page' });
      const names = new Set<string>();
      form.forEach((_value, name) => names.add(name));
      expect([...names].sort()).to.deep.equal(['_csrf', 'description', 'image', 'name', 'summary', 'version']);
      const saved = await teacher.agent.postMultipart(`/backend/courses/${id}`, form);
      expect(saved.status, saved.text.replace(/[\s\S]*<main/, "").slice(0, 800)).to.equal(303);
      const course = (await courseAs(admin.agent, id)).json();
      expect(course).to.include({ description: 'Saved from the instructor page', version: 2 });
      expect(course.plan.id).to.equal('inactive');
      expect(course.members).to.have.length(1);
    });

    it("saves an administrator's change sent with exactly the fields of the administrator's page", async () => {
      const teacher = await backendPerson(server, 'instructor');
      await setLicences(admin.agent, { smart_15: 2 });
      const id = await createCourse(admin.agent, { plan: 'smart_15', membersShown: '1', member: `instructor:${teacher.id}` });
      const page = await admin.agent.get(`/backend/courses/${id}/edit`);
      const form = courseFormOnPage(page.text, { summary: 'Saved from the administrator page' });
      expect(form.has('plan') && form.has('membersShown') && form.has('member')).to.equal(true);
      const saved = await admin.agent.postMultipart(`/backend/courses/${id}`, form);
      expect(saved.status, saved.text.replace(/[\s\S]*<main/, "").slice(0, 800)).to.equal(303);
      const course = (await courseAs(admin.agent, id)).json();
      expect(course).to.include({ summary: 'Saved from the administrator page', version: 2 });
      expect(course.plan.id).to.equal('smart_15');
      expect(course.members.map((member: { userId: string; role: string }) => [member.userId, member.role])).to.deep.equal([[teacher.id, 'instructor']]);
    });
  });

  describe('delete', () => {
    it('asks for confirmation first: a page that names what goes, and a bare POST deletes nothing', async () => {
      const id = await createCourse(admin.agent, { name: 'Keep me' });
      const page = await admin.agent.get(`/backend/courses/${id}/delete`);
      expect(page.status).to.equal(200);
      expect(page.text).to.contain('data-confirm="Delete Keep me and everything in it?"').and.contain('name="confirm" value="delete"');
      const bare = await admin.agent.post(`/backend/courses/${id}/delete`, {});
      expect(bare.status).to.equal(400);
      expect(await courseRows(server)).to.satisfy((rows: Array<{ id: string }>) => rows.some((row) => row.id === id));
    });

    it('leaves nothing behind: members, folders, files (records and stored bytes), picture, room passes', async () => {
      const student = await backendPerson(server, 'student');
      await setLicences(admin.agent, { smart_25: 5 });
      const id = await createCourse(admin.agent, { plan: 'smart_25', membersShown: '1', member: `student:${student.id}` }, await pngPicture());
      const imageId = (await server.db.selectFrom('rooms').select('image_id').where('id', '=', id).executeTakeFirstOrThrow()).image_id!;
      // The files capability's records and bytes (<data folder>/files/<storage key>).
      const now = Date.now();
      await server.db.insertInto('folders').values({ id: 'f-top', room_id: id, parent_id: null, name: 'Week 1', created_by: admin.id, created_at: now, updated_at: now }).execute();
      await server.db.insertInto('folders').values({ id: 'f-sub', room_id: id, parent_id: 'f-top', name: 'Slides', created_by: admin.id, created_at: now, updated_at: now }).execute();
      const keys = [randomBytes(16).toString('hex'), randomBytes(16).toString('hex')];
      mkdirSync(path.join(server.dataDir, 'files'), { recursive: true });
      for (const [index, key] of keys.entries()) {
        writeFileSync(path.join(server.dataDir, 'files', key), `file ${index}`);
        await server.db
          .insertInto('files')
          .values({ id: `file-${index}`, room_id: id, folder_id: index === 0 ? 'f-sub' : null, name: `notes-${index}.txt`, content_type: 'text/plain', bytes: 6, storage_key: key, uploaded_by: admin.id, created_at: now, updated_at: now })
          .execute();
      }
      const entered = await student.agent.post(`/backend/courses/${id}/enter`, {});
      expect(entered.status).to.equal(303);
      expect((await student.agent.get(entered.location!)).status).to.equal(303);
      expect(await server.db.selectFrom('room_passes').selectAll().where('room_id', '=', id).execute()).to.have.length(1);

      await admin.agent.get(`/backend/courses/${id}/delete`);
      const deleted = await admin.agent.post(`/backend/courses/${id}/delete`, { confirm: 'delete' });
      expect(deleted.status).to.equal(303);
      expect(deleted.location).to.equal('/backend/courses?deleted=1');

      for (const table of ['rooms', 'course_members', 'folders', 'files', 'room_passes'] as const) {
        const column = table === 'rooms' ? 'id' : 'room_id';
        expect(await server.db.selectFrom(table).selectAll().where(column, '=', id).execute(), table).to.deep.equal([]);
      }
      expect(await server.db.selectFrom('stored_images').selectAll().where('id', '=', imageId).execute()).to.deep.equal([]);
      expect(existsSync(path.join(server.dataDir, 'images', imageId))).to.equal(false);
      for (const key of keys) expect(existsSync(path.join(server.dataDir, 'files', key))).to.equal(false);
      expect((await courseAs(admin.agent, id)).status).to.equal(404);
      // The licence is free again.
      const licence = (await admin.agent.get('/backend/courses', { accept: 'application/json' })).json().licences.find((entry: { planId: string }) => entry.planId === 'smart_25');
      expect(licence.inUse).to.equal(0);
    });

    it('is for administrators only', async () => {
      const teacher = await backendPerson(server, 'instructor');
      const id = await createCourse(admin.agent, { membersShown: '1', member: `instructor:${teacher.id}` });
      expect((await teacher.agent.get(`/backend/courses/${id}/delete`)).status).to.equal(403);
      expect((await teacher.agent.post(`/backend/courses/${id}/delete`, { confirm: 'delete' })).status).to.equal(403);
      expect(await courseRows(server)).to.satisfy((rows: Array<{ id: string }>) => rows.some((row) => row.id === id));
    });
  });

  describe('plans and licences', () => {
    beforeEach(async () => {
      // Every test starts from no Smart_15 course and no licences.
      await server.db.updateTable('rooms').set({ plan_id: 'inactive' }).where('plan_id', 'in', ['smart_15', 'smart_25', 'smart_custom']).execute();
      await server.db.deleteFrom('plan_licences').execute();
    });

    it('lets an administrator set the purchased licences, and shows how many are in use', async () => {
      const saved = await setLicences(admin.agent, { smart_15: 2, smart_25: 0, smart_custom: 1 });
      expect(saved.status).to.equal(303);
      expect(saved.location).to.equal('/backend/courses?licences=saved');
      expect(saved.headers.get('location')).to.equal('/backend/courses?licences=saved#licences');
      const page = await admin.agent.get('/backend/courses');
      expect(page.text).to.contain('id="licences-smart_15" name="licences[smart_15]"').and.match(/name="licences\[smart_15\]"[^>]*value="2"/);
      expect((await admin.agent.post('/backend/courses/licences', { 'licences[smart_15]': '-1' })).status).to.equal(400);
      expect((await admin.agent.post('/backend/courses/licences', { 'licences[inactive]': '3' })).status).to.equal(400);
      const teacher = await backendPerson(server, 'instructor');
      expect((await setLicences(teacher.agent, { smart_15: 10 })).status).to.equal(403);
    });

    it('refuses activating one course more than the licences allow, saying how many are in use', async () => {
      await setLicences(admin.agent, { smart_15: 2 });
      await createCourse(admin.agent, { name: 'First', plan: 'smart_15' });
      await createCourse(admin.agent, { name: 'Second', plan: 'smart_15' });
      const before = await counts();
      const third = await admin.agent.postMultipart('/backend/courses', courseForm({ name: 'Third', plan: 'smart_15' }, await pngPicture()));
      expect(third.status).to.equal(409);
      expect(third.text).to.contain('All 2 Smart_15 licences are in use (2 of 2), so this course cannot be active on Smart_15.');
      expect(third.text).to.contain('value="Third"');
      await expectNothingStored(before);

      const waiting = await createCourse(admin.agent, { name: 'Waiting', plan: 'inactive' });
      const activate = await editCourse(admin.agent, waiting, { plan: 'smart_15' }, undefined, { accept: 'application/json' });
      expect(activate.status).to.equal(409);
      expect(activate.json().error).to.include({ code: 'NO_FREE_LICENCE', message: 'All 2 Smart_15 licences are in use (2 of 2), so this course cannot be active on Smart_15.' });
      // The refusal says where licences are added: the Plans menu entry is not there yet.
      expect(activate.json().error.help).to.contain('under Plans and licences, at the bottom of the Courses page');
      expect((await courseAs(admin.agent, waiting)).json()).to.deep.include({ active: false, version: 1 });
    });

    it('says so when no licence of the plan was ever purchased', async () => {
      const refused = await admin.agent.postMultipart('/backend/courses', courseForm({ plan: 'smart_25' }), { accept: 'application/json' });
      expect(refused.status).to.equal(409);
      expect(refused.json().error.message).to.equal('No Smart_25 licence has been purchased, so no course can be active on Smart_25.');
    });

    it('refuses fewer licences than courses active on the plan', async () => {
      await setLicences(admin.agent, { smart_15: 2 });
      await createCourse(admin.agent, { plan: 'smart_15' });
      await createCourse(admin.agent, { plan: 'smart_15' });
      const lowered = await setLicences(admin.agent, { smart_15: 1 });
      expect(lowered.status).to.equal(409);
      expect(lowered.text).to.contain('Smart_15 needs at least 2 licences: 2 courses are active on it.');
      const none = await setLicences(admin.agent, { smart_15: 0 });
      expect(none.text).not.to.contain('more than 0 licences');
      expect((await admin.agent.get('/backend/courses', { accept: 'application/json' })).json().licences[0]).to.include({ purchased: 2, inUse: 2 });
    });

    it('gives the last licence to exactly one of two activations racing for it', async () => {
      await setLicences(admin.agent, { smart_15: 1 });
      const first = await createCourse(admin.agent, { name: 'Racer A' });
      const second = await createCourse(admin.agent, { name: 'Racer B' });
      const answers = await Promise.all([first, second].map((id) => editCourse(admin.agent, id, { plan: 'smart_15' }, undefined, { accept: 'application/json' })));
      expect(answers.map((answer) => answer.status).sort()).to.deep.equal([200, 409]);
      const active = await server.db.selectFrom('rooms').select('id').where('plan_id', '=', 'smart_15').execute();
      expect(active).to.have.length(1);
    });

    it('keeps channel and private rooms outside the licence count until an administrator puts one on a plan', async () => {
      const owner = await server.kaltura.createUser({ role: 'privateOnlyRole' });
      const ownerAgent = await signIn(server, owner.id);
      await ownerAgent.get('/my-rooms');
      expect((await ownerAgent.post('/my-rooms', { name: 'Office hours' })).status).to.equal(303);
      const room = await server.db.selectFrom('rooms').selectAll().where('owner_user_id', '=', mediaSpaceUserKey(owner.id)).executeTakeFirstOrThrow();
      expect(room.plan_id).to.equal(null);
      const listed = (await admin.agent.get('/backend/courses', { accept: 'application/json' })).json().courses.find((course: { id: string }) => course.id === room.id);
      expect(listed).to.deep.include({ kind: 'private', plan: null, active: true });
      const page = await admin.agent.get(`/backend/courses/${room.id}/edit`);
      expect(page.text).to.contain('No plan (MediaSpace room, outside the licence count)');

      await setLicences(admin.agent, { smart_15: 1 });
      expect((await editCourse(admin.agent, room.id, { plan: 'smart_15' })).status).to.equal(303);
      expect((await admin.agent.postMultipart('/backend/courses', courseForm({ plan: 'smart_15' }), { accept: 'application/json' })).status).to.equal(409);
      expect((await editCourse(admin.agent, room.id, { plan: '' })).status).to.equal(303);
      expect((await courseAs(admin.agent, room.id)).json()).to.deep.include({ plan: null, active: true });
    });
  });

  describe('who sees which course', () => {
    it('shows administrators everything, instructors their courses active or not, students their active courses, outsiders nothing', async () => {
      await setLicences(admin.agent, { smart_25: 50 });
      const teacher = await backendPerson(server, 'instructor');
      const student = await backendPerson(server, 'student');
      const outsider = await backendPerson(server, 'student');
      const members = { membersShown: '1', member: [`instructor:${teacher.id}`, `student:${student.id}`] };
      const active = await createCourse(admin.agent, { name: 'Visible active', plan: 'smart_25', ...members });
      const inactive = await createCourse(admin.agent, { name: 'Visible inactive', plan: 'inactive', ...members });
      const elsewhere = await createCourse(admin.agent, { name: 'Someone else\'s', plan: 'smart_25' });

      const ids = async (person: BackendPerson) => (await person.agent.get('/backend/courses', { accept: 'application/json' })).json().courses.map((course: { id: string }) => course.id);
      expect(await ids(admin)).to.include.members([active, inactive, elsewhere]);
      expect(await ids(teacher)).to.have.members([active, inactive]);
      expect(await ids(student)).to.have.members([active]);
      expect(await ids(outsider)).to.deep.equal([]);

      expect((await courseAs(student.agent, active)).json()).to.include({ access: 'attend' });
      expect((await courseAs(student.agent, active)).json()).not.to.have.property('members');
      expect((await courseAs(student.agent, inactive)).status).to.equal(404);
      expect((await courseAs(outsider.agent, active)).status).to.equal(404);
      expect((await courseAs(teacher.agent, inactive)).json()).to.include({ access: 'manage' });
      expect((await courseAs(teacher.agent, elsewhere)).status).to.equal(404);

      expect((await student.agent.get('/backend/courses')).text).to.contain('Visible active').and.not.contain('Visible inactive').and.not.contain('data-action="add-course"');
      expect((await student.agent.get('/backend/courses/new')).status).to.equal(403);
      expect((await student.agent.postMultipart('/backend/courses', courseForm())).status).to.equal(403);
      expect((await teacher.agent.postMultipart('/backend/courses', courseForm())).status).to.equal(403);
      expect((await student.agent.get(`/backend/courses/${active}/edit`)).status).to.equal(403);
      expect((await outsider.agent.get(`/backend/courses/${active}/edit`)).status).to.equal(404);
      expect((await student.agent.postMultipart(`/backend/courses/${active}`, courseForm({ version: 1 }))).status).to.equal(403);
      expect((await server.agent().get('/backend/courses')).status).to.equal(303);
    });
  });

  describe('entering a course\'s room', () => {
    it('takes instructors in as instructors, even into an inactive course to prepare', async () => {
      const teacher = await backendPerson(server, 'instructor', 'Ines Instructor');
      const id = await createCourse(admin.agent, { name: 'Preparation', membersShown: '1', member: `instructor:${teacher.id}` });
      const page = await teacher.agent.get(`/backend/courses/${id}`);
      expect(page.text).to.contain('Enter the room to prepare');
      const entered = await teacher.agent.post(`/backend/courses/${id}/enter`, {});
      expect(entered.status).to.equal(303);
      expect(entered.location).to.match(new RegExp(`^/rooms/${id}/launch\\?token=`));
      const room = await teacher.agent.follow(entered);
      expect(room.status).to.equal(200);
      expect(room.text).to.contain('data-room-role="instructor"');
      const json = await teacher.agent.post(`/backend/courses/${id}/enter`, {}, { accept: 'application/json' });
      expect(json.json()).to.include({ roomId: id, roomRole: 'instructor' });
    });

    it('takes students into active courses as participants, and not into inactive ones', async () => {
      await setLicences(admin.agent, { smart_custom: 20 });
      const student = await backendPerson(server, 'student');
      const members = { membersShown: '1', member: `student:${student.id}` };
      const active = await createCourse(admin.agent, { plan: 'smart_custom', ...members });
      const inactive = await createCourse(admin.agent, { plan: 'inactive', ...members });
      const entered = await student.agent.post(`/backend/courses/${active}/enter`, {}, { accept: 'application/json' });
      expect(entered.json()).to.include({ roomRole: 'participant' });
      expect((await student.agent.follow(await student.agent.get(entered.json().launchUrl))).text).to.contain('data-room-role="participant"');
      expect((await student.agent.post(`/backend/courses/${inactive}/enter`, {})).status).to.equal(404);
    });
  });
});
