/**
 * Course files through the real app: folders, uploads, downloads, rename,
 * move, delete, limits, CSRF and who may do what. Runs on SQLite, and on
 * PostgreSQL too when TEST_DATABASE_URL is set.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { courseFileBuilders as builders, uploadFiles as upload } from '../support/course-files.ts';
import { TEST_DATABASES, startTestServerOn } from '../support/test-databases.ts';
import type { TestServer } from '../support/test-server.ts';
import { withTokenFirst, type TestAgent } from '../support/test-agent.ts';

async function newFolder(agent: TestAgent, courseId: string, name: string, parent: string | null = null): Promise<string> {
  const response = await agent.postJson(`/backend/courses/${courseId}/folders`, { name, parent: parent ?? '' });
  expect(response.status, response.text).to.equal(201);
  return response.json().folder.id;
}

async function listing(agent: TestAgent, courseId: string, folderId: string | null = null) {
  const response = await agent.get(`/backend/courses/${courseId}/files${folderId ? `?folder=${folderId}` : ''}`, { accept: 'application/json' });
  expect(response.status, response.text).to.equal(200);
  return response.json();
}

for (const database of TEST_DATABASES) {
  describe(`course files (${database})`, () => {
    let server: TestServer;
    const { course, person } = builders(() => server);
    const storageDir = () => path.join(server.dataDir, 'files');
    const tmpDir = () => path.join(server.dataDir, 'uploads-tmp');
    const stored = () => (existsSync(storageDir()) ? readdirSync(storageDir()) : []);
    const leftInTmp = () => (existsSync(tmpDir()) ? readdirSync(tmpDir(), { recursive: true }) : []);
    const fileRows = (courseId: string) => server.db.selectFrom('files').selectAll().where('room_id', '=', courseId).execute();

    before(async () => {
      server = await startTestServerOn(database, { config: { uploads: { maxFileMegabytes: 1, maxFilesPerUpload: 3 } } });
    });
    after(() => server?.stop());

    describe('GET /backend/files', () => {
      it('lists every course for administrators and their own courses for instructors, with counts', async () => {
        const mine = await course({ name: 'Algebra files' });
        const other = await course({ name: 'Biology files' });
        const instructor = await person('instructor', { courseId: mine, as: 'instructor' });
        await upload(instructor, mine, null, [['a.txt', 'hello']]);
        const admin = await person('administrator');

        const forAdmin = (await admin.get('/backend/files', { accept: 'application/json' })).json().courses;
        expect(forAdmin.map((entry: { id: string }) => entry.id)).to.include.members([mine, other]);
        const forInstructor = (await instructor.get('/backend/files', { accept: 'application/json' })).json().courses;
        expect(forInstructor).to.have.length(1);
        expect(forInstructor[0]).to.include({ id: mine, access: 'manage', files: 1, bytes: 5, active: true });

        const page = await instructor.get('/backend/files');
        expect(page.status).to.equal(200);
        expect(page.text).to.contain('Algebra files').and.contain(`href="/backend/courses/${mine}/files"`);
        expect(page.text).to.not.contain('Biology files');
        expect(page.text).to.contain('data-nav="files" aria-current="page"');
      });

      it('is not for students, who reach their course files from the course', async () => {
        const id = await course();
        const student = await person('student', { courseId: id, as: 'student' });
        expect((await student.get('/backend/files', { accept: 'application/json' })).status).to.equal(403);
        expect((await student.get(`/backend/courses/${id}/files`)).status).to.equal(200);
      });

      it('sends people without a session to sign in', async () => {
        const response = await server.agent().get('/backend/files');
        expect(response.status).to.equal(303);
        expect(response.location).to.match(/^\/login\?returnTo=/);
      });
    });

    describe('folders', () => {
      it('creates folders and subfolders and shows them with breadcrumbs', async () => {
        const id = await course({ name: 'Chemistry' });
        const instructor = await person('instructor', { courseId: id, as: 'instructor' });
        const week = await newFolder(instructor, id, '  Week 1  ');
        const slides = await newFolder(instructor, id, 'Slides', week);

        const top = await listing(instructor, id);
        expect(top.folders.map((folder: { name: string }) => folder.name)).to.deep.equal(['Week 1']);
        const inside = await listing(instructor, id, slides);
        expect(inside.breadcrumbs.map((crumb: { name: string }) => crumb.name)).to.deep.equal(['Chemistry', 'Week 1', 'Slides']);
        expect(inside.folder).to.include({ id: slides, parentId: week });

        const page = await instructor.get(`/backend/courses/${id}/files?folder=${slides}`);
        expect(page.status).to.equal(200);
        expect(page.text).to.contain('aria-label="Where you are"').and.contain(`href="/backend/courses/${id}/files?folder=${week}"`).and.contain('aria-current="page">Slides<');
        expect(page.text).to.contain('enctype="multipart/form-data"').and.match(/action="\/backend\/courses\/[^"]+\/files\/upload\?folder=[^"&]+"/).and.not.contain('_csrf=');
      });

      it('creates through the plain form and comes back to the folder with a notice', async () => {
        const id = await course();
        const instructor = await person('instructor', { courseId: id, as: 'instructor' });
        await instructor.get(`/backend/courses/${id}/files`);
        const created = await instructor.post(`/backend/courses/${id}/folders`, { name: 'Readings', parent: '' });
        expect(created.status).to.equal(303);
        const page = await instructor.follow(created);
        expect(page.text).to.contain('The folder was created.').and.contain('Readings');
      });

      it('accepts 1 and 200 characters and refuses empty, 201 characters, slashes, dots and invisible characters', async () => {
        const id = await course();
        const instructor = await person('instructor', { courseId: id, as: 'instructor' });
        await newFolder(instructor, id, 'x');
        await newFolder(instructor, id, 'é'.repeat(200));
        for (const name of ['', '   ', 'y'.repeat(201), 'a/b', 'a\\b', '..', '.', 'tab\there', 'zero\u200bwidth', 'line\nbreak', 'bidi\u202ename']) {
          const response = await instructor.postJson(`/backend/courses/${id}/folders`, { name, parent: '' });
          expect(response.status, JSON.stringify(name)).to.equal(400);
          expect(response.json().error.fields).to.have.property('name');
        }
        expect((await listing(instructor, id)).folders).to.have.length(2);
      });

      it('keeps a name in NFC, so composed and decomposed forms are one name', async () => {
        const id = await course();
        const instructor = await person('instructor', { courseId: id, as: 'instructor' });
        await newFolder(instructor, id, 'Cafe\u0301');
        expect((await listing(instructor, id)).folders[0].name).to.equal('Café');
        expect((await instructor.postJson(`/backend/courses/${id}/folders`, { name: 'CAFÉ', parent: '' })).status).to.equal(409);
      });

      it('refuses a second folder of the same name (whatever the case) in one place, but not elsewhere', async () => {
        const id = await course();
        const instructor = await person('instructor', { courseId: id, as: 'instructor' });
        const week = await newFolder(instructor, id, 'Week');
        const again = await instructor.postJson(`/backend/courses/${id}/folders`, { name: 'week', parent: '' });
        expect(again.status).to.equal(409);
        expect(again.json().error).to.include({ code: 'NAME_TAKEN' });
        await newFolder(instructor, id, 'Week', week);

        await instructor.get(`/backend/courses/${id}/files`);
        const page = await instructor.post(`/backend/courses/${id}/folders`, { name: 'WEEK', parent: '' });
        expect(page.status).to.equal(409);
        expect(page.text).to.contain('value="WEEK"').and.contain('aria-invalid="true"').and.contain('is already in this folder');
      });

      it('shows the problem beside the field and keeps what was typed (400)', async () => {
        const id = await course();
        const instructor = await person('instructor', { courseId: id, as: 'instructor' });
        await instructor.get(`/backend/courses/${id}/files`);
        const page = await instructor.post(`/backend/courses/${id}/folders`, { name: 'z'.repeat(201), parent: '' });
        expect(page.status).to.equal(400);
        expect(page.text).to.contain(`value="${'z'.repeat(201)}"`).and.contain('at most 200 characters').and.contain('aria-invalid="true"');
      });

      it('renames, and moves within the course, but never into itself or below itself', async () => {
        const id = await course();
        const instructor = await person('instructor', { courseId: id, as: 'instructor' });
        const a = await newFolder(instructor, id, 'A');
        const b = await newFolder(instructor, id, 'B', a);
        const c = await newFolder(instructor, id, 'C', b);
        const d = await newFolder(instructor, id, 'D');

        for (const target of [a, b, c]) {
          const response = await instructor.postJson(`/backend/courses/${id}/folders/${a}/move`, { parent: target });
          expect(response.status, target).to.equal(400);
          expect(response.json().error.fields).to.have.property('parent');
        }
        expect((await instructor.postJson(`/backend/courses/${id}/folders/${b}/move`, { parent: d })).json().folder).to.include({ parentId: d });
        expect((await instructor.postJson(`/backend/courses/${id}/folders/${b}/move`, { parent: '' })).json().folder).to.include({ parentId: null });
        expect((await listing(instructor, id, b)).folders.map((folder: { id: string }) => folder.id)).to.deep.equal([c]);

        expect((await instructor.postJson(`/backend/courses/${id}/folders/${b}/rename`, { name: 'Bee' })).json().folder).to.include({ name: 'Bee' });
        expect((await instructor.postJson(`/backend/courses/${id}/folders/${d}/rename`, { name: 'bee' })).status).to.equal(409);
        expect((await instructor.postJson(`/backend/courses/${id}/folders/${d}/rename`, { name: 'Bad/name' })).status).to.equal(400);
        await newFolder(instructor, id, 'Bee', d);
        expect((await instructor.postJson(`/backend/courses/${id}/folders/${b}/move`, { parent: d })).status).to.equal(409);

        await instructor.get(`/backend/courses/${id}/folders/${b}/edit`);
        const page = await instructor.post(`/backend/courses/${id}/folders/${b}/move`, { parent: c });
        expect(page.status).to.equal(400);
        expect(page.text).to.contain('Choose a place outside this folder').and.contain('aria-invalid="true"');
        // The list of places offers neither the folder itself nor its subfolders.
        const edit = await instructor.get(`/backend/courses/${id}/folders/${b}/edit`);
        expect(edit.text).to.contain(`value="${d}"`).and.contain(`value="${a}"`);
        expect(edit.text).to.not.contain(`value="${b}"`).and.not.contain(`value="${c}"`);
      });

      it('asks before deleting a folder, then removes its subfolders, their file records and stored files', async () => {
        const id = await course();
        const instructor = await person('instructor', { courseId: id, as: 'instructor' });
        const week = await newFolder(instructor, id, 'Week 2');
        const sub = await newFolder(instructor, id, 'Exercises', week);
        const keep = await newFolder(instructor, id, 'Keep');
        expect((await upload(instructor, id, week, [['one.txt', '1'], ['two.txt', '22']])).status).to.equal(201);
        expect((await upload(instructor, id, sub, [['three.txt', '333']])).status).to.equal(201);
        expect((await upload(instructor, id, keep, [['kept.txt', 'kept']])).status).to.equal(201);
        const keys = (await fileRows(id)).map((row) => row.storage_key);
        expect(stored()).to.include.members(keys);

        const confirm = await instructor.get(`/backend/courses/${id}/folders/${week}/delete`);
        expect(confirm.status).to.equal(200);
        expect(confirm.text).to.contain('Delete the folder Week 2?').and.contain('This also deletes its 1 subfolder and 3 files (6 bytes).').and.contain('name="confirm" value="yes"');
        const unconfirmed = await instructor.postJson(`/backend/courses/${id}/folders/${week}/delete`, {});
        expect(unconfirmed.status).to.equal(400);
        expect(await fileRows(id)).to.have.length(4);

        const deleted = await instructor.post(`/backend/courses/${id}/folders/${week}/delete`, { confirm: 'yes' });
        expect(deleted.status).to.equal(303);
        expect((await instructor.follow(deleted)).text).to.contain('The folder and its content were deleted.');
        const rows = await fileRows(id);
        expect(rows.map((row) => row.name)).to.deep.equal(['kept.txt']);
        expect(await server.db.selectFrom('folders').select('id').where('room_id', '=', id).execute()).to.deep.equal([{ id: keep }]);
        const left = stored();
        expect(left).to.include(rows[0]!.storage_key);
        for (const key of keys.filter((key) => key !== rows[0]!.storage_key)) expect(left).to.not.include(key);
        expect((await instructor.get(`/backend/courses/${id}/files?folder=${sub}`, { accept: 'application/json' })).status).to.equal(404);
      });
    });

    describe('uploads and downloads', () => {
      it('uploads several files at once and downloads each with its bytes, name and safe headers', async () => {
        const id = await course();
        const instructor = await person('instructor', { courseId: id, as: 'instructor' }, 'Ines Instructor');
        const folder = await newFolder(instructor, id, 'Handouts');
        const pdf = randomBytes(4096);
        const response = await upload(instructor, id, folder, [['notes.pdf', pdf], ['Übersicht 日本.txt', 'grüße'], ['page.html', '<script>alert(1)</script>']]);
        expect(response.status, response.text).to.equal(201);
        const uploaded = response.json().files;
        expect(uploaded.map((file: { name: string }) => file.name)).to.deep.equal(['notes.pdf', 'Übersicht 日本.txt', 'page.html']);
        expect(response.json().location).to.equal(`/backend/courses/${id}/files?folder=${folder}&notice=uploaded&count=3`);

        const files = (await listing(instructor, id, folder)).files;
        expect(files.map((file: { name: string }) => file.name)).to.deep.equal(['notes.pdf', 'page.html', 'Übersicht 日本.txt']);
        expect(files[0]).to.include({ bytes: 4096, contentType: 'application/pdf', uploaderName: 'Ines Instructor' });

        const download = await instructor.getBytes(files[0].downloadUrl);
        expect(download.status).to.equal(200);
        expect(download.bytes.equals(pdf)).to.equal(true);
        expect(download.headers.get('content-type')).to.equal('application/pdf');
        expect(download.headers.get('content-disposition')).to.equal(`attachment; filename="notes.pdf"; filename*=UTF-8''notes.pdf`);
        expect(download.headers.get('x-content-type-options')).to.equal('nosniff');
        expect(download.headers.get('content-security-policy')).to.contain('sandbox');

        const unicode = await instructor.getBytes(files[2].downloadUrl);
        expect(unicode.bytes.toString()).to.equal('grüße');
        expect(unicode.headers.get('content-disposition')).to.equal(`attachment; filename="Ubersicht __.txt"; filename*=UTF-8''%C3%9Cbersicht%20%E6%97%A5%E6%9C%AC.txt`);

        const html = await instructor.getBytes(files[1].downloadUrl);
        expect(html.headers.get('content-type')).to.equal('application/octet-stream');
        expect(html.headers.get('content-disposition')).to.match(/^attachment;/);

        const page = await instructor.get(`/backend/courses/${id}/files?folder=${folder}`);
        expect(page.text).to.contain('notes.pdf').and.contain('4 KB').and.contain('PDF').and.contain('Ines Instructor').and.contain('<time datetime=');
        expect(page.text).to.contain('src="/assets/files.js"').and.contain('data-upload').and.contain('<progress');
      });

      it('numbers a name already in the folder instead of replacing the file', async () => {
        const id = await course();
        const instructor = await person('instructor', { courseId: id, as: 'instructor' });
        await upload(instructor, id, null, [['report.pdf', 'first']]);
        const second = await upload(instructor, id, null, [['Report.pdf', 'second'], ['report.pdf', 'third']]);
        expect(second.json().files.map((file: { name: string }) => file.name)).to.deep.equal(['Report (2).pdf', 'report (3).pdf']);
        const names = (await listing(instructor, id)).files.map((file: { name: string }) => file.name);
        expect(names).to.have.members(['report.pdf', 'Report (2).pdf', 'report (3).pdf']);
      });

      it('works without the script: the form posts with its token in the query and the folder comes back with a notice', async () => {
        const id = await course();
        const instructor = await person('instructor', { courseId: id, as: 'instructor' });
        const response = await upload(instructor, id, null, [['a.txt', 'a'], ['b.txt', 'b']], { accept: 'text/html' });
        expect(response.status).to.equal(303);
        const page = await instructor.follow(response);
        expect(page.text).to.contain('2 files were uploaded.').and.contain('a.txt').and.contain('b.txt');
      });

      it('cleans names that come with an upload, and no quote, CR or LF reaches the download header', async () => {
        const id = await course();
        const instructor = await person('instructor', { courseId: id, as: 'instructor' });
        const boundary = '----files-test-boundary';
        // A client that says exactly what it wants: a name with quotes, CR LF and a path (RFC 5987 in the part header).
        const body = [
          `--${boundary}`,
          'Content-Disposition: form-data; name="_csrf"',
          '',
          instructor.csrfToken,
          `--${boundary}`,
          `Content-Disposition: form-data; name="files"; filename*=UTF-8''..%2F..%2Fevil%22name%0D%0AX-Injected%3A%20yes.txt`,
          'Content-Type: text/html',
          '',
          'payload',
          `--${boundary}--`,
          '',
        ].join('\r\n');
        const response = await instructor.request('POST', `/backend/courses/${id}/files/upload`, {
          accept: 'application/json',
          headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
          body,
        });
        expect(response.status, response.text).to.equal(201);
        const [file] = response.json().files;
        expect(file.name).to.equal('evil"nameX-Injected: yes.txt');
        const download = await instructor.getBytes(file.downloadUrl);
        expect(download.headers.get('content-disposition')).to.equal(`attachment; filename="evil_nameX-Injected: yes.txt"; filename*=UTF-8''evil%22nameX-Injected%3A%20yes.txt`);
        expect(download.headers.get('x-injected')).to.equal(null);
        expect(download.headers.get('content-type')).to.equal('text/plain; charset=utf-8');
      });

      it('renames a file (typed names with CR or LF are refused) and sends it under its new name', async () => {
        const id = await course();
        const instructor = await person('instructor', { courseId: id, as: 'instructor' });
        const [file] = (await upload(instructor, id, null, [['draft.txt', 'text']])).json().files;
        for (const name of ['bad\r\nSet-Cookie: x=1', 'quote"\nline', '', 'a/b']) {
          const refused = await instructor.postJson(`/backend/courses/${id}/files/${file.id}/rename`, { name });
          expect(refused.status, JSON.stringify(name)).to.equal(400);
        }
        const renamed = await instructor.postJson(`/backend/courses/${id}/files/${file.id}/rename`, { name: 'Résumé "final"; v2 ✓.pdf' });
        expect(renamed.status).to.equal(200);
        expect(renamed.json().file).to.include({ name: 'Résumé "final"; v2 ✓.pdf', contentType: 'application/pdf' });
        const download = await instructor.getBytes(file.downloadUrl);
        expect(download.bytes.toString()).to.equal('text');
        expect(download.headers.get('content-disposition')).to.equal(`attachment; filename="Resume _final__ v2 _.pdf"; filename*=UTF-8''R%C3%A9sum%C3%A9%20%22final%22%3B%20v2%20%E2%9C%93.pdf`);

        await upload(instructor, id, null, [['other.txt', 'o']]);
        expect((await instructor.postJson(`/backend/courses/${id}/files/${file.id}/rename`, { name: 'OTHER.txt' })).status).to.equal(409);
        await instructor.get(`/backend/courses/${id}/files/${file.id}/edit`);
        const page = await instructor.post(`/backend/courses/${id}/files/${file.id}/rename`, { name: 'x'.repeat(201) });
        expect(page.status).to.equal(400);
        expect(page.text).to.contain(`value="${'x'.repeat(201)}"`).and.contain('aria-invalid="true"');
      });

      it('moves a file between folders of its course, refusing a name already there', async () => {
        const id = await course();
        const instructor = await person('instructor', { courseId: id, as: 'instructor' });
        const folder = await newFolder(instructor, id, 'Archive');
        const [file] = (await upload(instructor, id, null, [['plan.txt', 'p']])).json().files;
        const moved = await instructor.postJson(`/backend/courses/${id}/files/${file.id}/move`, { folder });
        expect(moved.json().file).to.include({ folderId: folder });
        expect((await listing(instructor, id)).files).to.have.length(0);
        expect((await listing(instructor, id, folder)).files.map((entry: { id: string }) => entry.id)).to.deep.equal([file.id]);

        const [twin] = (await upload(instructor, id, null, [['plan.txt', 'twin']])).json().files;
        expect((await instructor.postJson(`/backend/courses/${id}/files/${twin.id}/move`, { folder })).status).to.equal(409);
        expect((await instructor.postJson(`/backend/courses/${id}/files/${file.id}/move`, { folder: '' })).status).to.equal(409);
        expect((await instructor.postJson(`/backend/courses/${id}/files/${file.id}/move`, { folder: randomUUID() })).status).to.equal(404);
      });

      it('deletes a file: its record and its stored bytes', async () => {
        const id = await course();
        const instructor = await person('instructor', { courseId: id, as: 'instructor' });
        const [file] = (await upload(instructor, id, null, [['gone.txt', 'bye']])).json().files;
        const [row] = await fileRows(id);
        expect(stored()).to.include(row!.storage_key);
        await instructor.get(`/backend/courses/${id}/files`);
        const deleted = await instructor.post(`/backend/courses/${id}/files/${file.id}/delete`);
        expect(deleted.status).to.equal(303);
        expect((await instructor.follow(deleted)).text).to.contain('The file was deleted.');
        expect(await fileRows(id)).to.have.length(0);
        expect(stored()).to.not.include(row!.storage_key);
        expect((await instructor.getBytes(file.downloadUrl)).status).to.equal(404);
      });
    });

    describe('limits and bad input', () => {
      it('refuses a file of 1 MB + 1 byte with 413 naming the limit, and keeps nothing of the upload', async () => {
        const id = await course();
        const instructor = await person('instructor', { courseId: id, as: 'instructor' });
        const before = stored();
        const response = await upload(instructor, id, null, [['fine.txt', 'small'], ['big.bin', Buffer.alloc(1024 * 1024 + 1, 7)]]);
        expect(response.status).to.equal(413);
        expect(response.json().error.message).to.contain('1 MB');
        expect(await fileRows(id)).to.have.length(0);
        expect(stored()).to.deep.equal(before);
        expect(leftInTmp()).to.deep.equal([]);

        const page = await upload(instructor, id, null, [['big.bin', Buffer.alloc(1024 * 1024 + 1, 7)]], { accept: 'text/html' });
        expect(page.status).to.equal(413);
        expect(page.text).to.contain('larger than the limit of 1 MB').and.contain('enctype="multipart/form-data"');

        const exact = await upload(instructor, id, null, [['exact.bin', Buffer.alloc(1024 * 1024, 7)]]);
        expect(exact.status).to.equal(201);
      });

      it('refuses more files than allowed at once (413), keeping none of them', async () => {
        const id = await course();
        const instructor = await person('instructor', { courseId: id, as: 'instructor' });
        const response = await upload(instructor, id, null, [['1.txt', '1'], ['2.txt', '2'], ['3.txt', '3'], ['4.txt', '4']]);
        expect(response.status).to.equal(413);
        expect(response.json().error.message).to.contain('At most 3 files');
        expect(await fileRows(id)).to.have.length(0);
        expect(leftInTmp()).to.deep.equal([]);
      });

      it('keeps nothing of an upload that was cut short', async () => {
        const id = await course();
        const instructor = await person('instructor', { courseId: id, as: 'instructor' });
        const boundary = '----cut-short';
        const body = `--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${instructor.csrfToken}\r\n--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="half.bin"\r\nContent-Type: application/octet-stream\r\n\r\n${'x'.repeat(50_000)}`;
        const response = await instructor.request('POST', `/backend/courses/${id}/files/upload`, {
          accept: 'application/json',
          headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
          body,
        });
        expect(response.status).to.equal(400);
        expect(await fileRows(id)).to.have.length(0);
        expect(leftInTmp()).to.deep.equal([]);
      });

      it('keeps nothing when storage fails (500), and works again once storage is back', async () => {
        const id = await course();
        const instructor = await person('instructor', { courseId: id, as: 'instructor' });
        const aside = `${storageDir()}.aside`;
        renameSync(storageDir(), aside);
        // A file where the storage folder should be: every move into storage fails.
        writeFileSync(storageDir(), 'not a folder');
        try {
          const response = await upload(instructor, id, null, [['a.txt', 'a'], ['b.txt', 'b']]);
          expect(response.status).to.equal(500);
          expect(response.json().error).to.include({ code: 'STORAGE_FAILED' });
          expect(await fileRows(id)).to.have.length(0);
          expect(leftInTmp()).to.deep.equal([]);
        } finally {
          rmSync(storageDir(), { force: true });
          renameSync(aside, storageDir());
        }
        expect((await upload(instructor, id, null, [['a.txt', 'a']])).status).to.equal(201);
      });

      it('refuses an upload without files, or with files in another field', async () => {
        const id = await course();
        const instructor = await person('instructor', { courseId: id, as: 'instructor' });
        expect((await upload(instructor, id, null, [])).status).to.equal(400);
        const form = new FormData();
        form.append('other', new Blob(['x']), 'x.txt');
        expect((await instructor.postMultipart(`/backend/courses/${id}/files/upload`, form, { accept: 'application/json' })).status).to.equal(400);
        expect(await fileRows(id)).to.have.length(0);
      });

      it('stores nothing for an upload with a missing or forged CSRF token', async () => {
        const id = await course();
        const instructor = await person('instructor', { courseId: id, as: 'instructor' });
        const missing = await upload(instructor, id, null, [['a.txt', 'a']], { csrf: false });
        expect(missing.status).to.equal(403);
        const form = new FormData();
        form.append('files', new Blob(['a']), 'a.txt');
        const forged = await instructor.request('POST', `/backend/courses/${id}/files/upload`, { accept: 'application/json', body: withTokenFirst(form, 'forged-token') });
        expect(forged.status).to.equal(403);
        const otherSession = await person('instructor', { courseId: id, as: 'instructor' });
        const stolen = await instructor.request('POST', `/backend/courses/${id}/files/upload`, { accept: 'application/json', body: withTokenFirst(form, otherSession.csrfToken!) });
        expect(stolen.status).to.equal(403);
        // The token in the address is no longer read: it would be shown, logged and bookmarked.
        const inAddress = await instructor.request('POST', `/backend/courses/${id}/files/upload?_csrf=${encodeURIComponent(instructor.csrfToken!)}`, { accept: 'application/json', body: form });
        expect(inAddress.status).to.equal(403);
        // Behind another field, the token is not first: refused before the file is read.
        const late = new FormData();
        late.append('files', new Blob(['a']), 'a.txt');
        late.append('_csrf', instructor.csrfToken!);
        expect((await instructor.request('POST', `/backend/courses/${id}/files/upload`, { accept: 'application/json', body: late })).status).to.equal(403);
        expect(await fileRows(id)).to.have.length(0);
        expect(leftInTmp()).to.deep.equal([]);
      });

      it('answers 404 for ids that cannot be ids', async () => {
        const id = await course();
        const instructor = await person('instructor', { courseId: id, as: 'instructor' });
        for (const url of [`/backend/courses/not-a-course/files`, `/backend/courses/${id}/files?folder=nope`, `/backend/courses/${id}/files/..%2F..%2Fetc/download`, `/backend/courses/${id}/files/${randomUUID()}/download`]) {
          expect((await instructor.get(url, { accept: 'application/json' })).status, url).to.equal(404);
        }
      });
    });

    describe('who may do what', () => {
      it('lets students of an active course list and download, but not upload, change or delete', async () => {
        const id = await course();
        const instructor = await person('instructor', { courseId: id, as: 'instructor' });
        const folder = await newFolder(instructor, id, 'Week 3');
        const [file] = (await upload(instructor, id, folder, [['reading.txt', 'read me']])).json().files;
        const student = await person('student', { courseId: id, as: 'student' });

        const list = await listing(student, id, folder);
        expect(list.access).to.equal('attend');
        expect(list.files.map((entry: { name: string }) => entry.name)).to.deep.equal(['reading.txt']);
        const page = await student.get(`/backend/courses/${id}/files?folder=${folder}`);
        expect(page.text).to.contain('reading.txt').and.not.contain('enctype="multipart/form-data"').and.not.contain('/rename').and.not.contain('/delete');
        const download = await student.getBytes(file.downloadUrl);
        expect(download.status).to.equal(200);
        expect(download.bytes.toString()).to.equal('read me');

        expect((await upload(student, id, folder, [['mine.txt', 'x']])).status).to.equal(403);
        expect((await student.postJson(`/backend/courses/${id}/folders`, { name: 'Mine', parent: '' })).status).to.equal(403);
        expect((await student.postJson(`/backend/courses/${id}/files/${file.id}/rename`, { name: 'x.txt' })).status).to.equal(403);
        expect((await student.postJson(`/backend/courses/${id}/files/${file.id}/move`, { folder: '' })).status).to.equal(403);
        expect((await student.postJson(`/backend/courses/${id}/files/${file.id}/delete`, {})).status).to.equal(403);
        expect((await student.postJson(`/backend/courses/${id}/folders/${folder}/delete`, { confirm: true })).status).to.equal(403);
        expect((await student.get(`/backend/courses/${id}/folders/${folder}/edit`)).status).to.equal(403);
        expect((await fileRows(id)).map((row) => row.name)).to.deep.equal(['reading.txt']);
        expect(leftInTmp()).to.deep.equal([]);
      });

      it('hides an inactive course from its students (404), not from its instructors', async () => {
        const id = await course({ plan: 'inactive' });
        const instructor = await person('instructor', { courseId: id, as: 'instructor' });
        const [file] = (await upload(instructor, id, null, [['prep.txt', 'prep']])).json().files;
        const page = await instructor.get(`/backend/courses/${id}/files`);
        expect(page.text).to.contain('This course is inactive');
        const student = await person('student', { courseId: id, as: 'student' });
        expect((await student.get(`/backend/courses/${id}/files`, { accept: 'application/json' })).status).to.equal(404);
        expect((await student.getBytes(file.downloadUrl)).status).to.equal(404);
      });

      it('tells outsiders nothing: every action on another course answers 404', async () => {
        const id = await course();
        const instructor = await person('instructor', { courseId: id, as: 'instructor' });
        const folder = await newFolder(instructor, id, 'Private');
        const [file] = (await upload(instructor, id, folder, [['secret.txt', 'secret']])).json().files;
        const other = await course();
        const outsider = await person('instructor', { courseId: other, as: 'instructor' });
        const student = await person('student', { courseId: other, as: 'student' });
        for (const agent of [outsider, student]) {
          expect((await agent.get(`/backend/courses/${id}/files`, { accept: 'application/json' })).status).to.equal(404);
          expect((await agent.getBytes(file.downloadUrl)).status).to.equal(404);
          expect((await upload(agent, id, null, [['x.txt', 'x']])).status).to.equal(404);
          expect((await agent.postJson(`/backend/courses/${id}/folders`, { name: 'X', parent: '' })).status).to.equal(404);
          expect((await agent.postJson(`/backend/courses/${id}/files/${file.id}/delete`, {})).status).to.equal(404);
          expect((await agent.postJson(`/backend/courses/${id}/folders/${folder}/delete`, { confirm: true })).status).to.equal(404);
        }
        expect(await fileRows(id)).to.have.length(1);
        expect(await fileRows(other)).to.have.length(0);
      });

      it('finds no file or folder of another course under this course, even for an administrator', async () => {
        const first = await course();
        const second = await course();
        const admin = await person('administrator');
        const folder = await newFolder(admin, first, 'First only');
        const [file] = (await upload(admin, first, folder, [['first.txt', 'first']])).json().files;
        await newFolder(admin, second, 'Second');
        expect((await admin.getBytes(`/backend/courses/${second}/files/${file.id}/download`)).status).to.equal(404);
        expect((await admin.get(`/backend/courses/${second}/files?folder=${folder}`, { accept: 'application/json' })).status).to.equal(404);
        expect((await upload(admin, second, folder, [['x.txt', 'x']])).status).to.equal(404);
        expect((await admin.postJson(`/backend/courses/${second}/folders`, { name: 'Inside', parent: folder })).status).to.equal(404);
        expect((await admin.postJson(`/backend/courses/${second}/files/${file.id}/rename`, { name: 'stolen.txt' })).status).to.equal(404);
        expect((await admin.postJson(`/backend/courses/${first}/files/${file.id}/move`, { folder: (await listing(admin, second)).folders[0].id })).status).to.equal(404);
        expect((await admin.postJson(`/backend/courses/${second}/folders/${folder}/delete`, { confirm: true })).status).to.equal(404);
        expect(await fileRows(first)).to.have.length(1);
        expect(await fileRows(second)).to.have.length(0);
      });
    });
  });
}
