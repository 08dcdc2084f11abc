/**
 * Storage quotas per course and per organisation, and the upload rate limit, through the real
 * upload routes: an upload that would go over a quota is refused whole with 413 naming the quota,
 * two uploads racing for the last bytes cannot both get them, and nothing of a refused upload stays
 * on disk or in the database. Runs on SQLite, and on PostgreSQL too when TEST_DATABASE_URL is set.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { courseFileBuilders, uploadFiles } from '../support/course-files.ts';
import { buildImage, uploadForm } from '../support/image-builder.ts';
import { eventually } from '../support/manual-scheduler.ts';
import { TEST_DATABASES, startTestServerOn } from '../support/test-databases.ts';
import type { ConfigInput } from '../../src/lib/config/config.ts';
import type { TestServer } from '../support/test-server.ts';

const KB = 1024;
const MB = 1024 * KB;

function bytes(count: number): Buffer {
  return Buffer.alloc(count, 7);
}

for (const database of TEST_DATABASES) {
  describe(`upload quotas and rate limit (${database})`, () => {
    let server: TestServer;
    const { course, person } = courseFileBuilders(() => server);
    const stored = () => (existsSync(path.join(server.dataDir, 'files')) ? readdirSync(path.join(server.dataDir, 'files')) : []);
    const rows = async () => (await server.db.selectFrom('files').select('storage_key').execute()).map((row) => row.storage_key).sort();
    const tmpUploads = () => (existsSync(path.join(server.dataDir, 'uploads-tmp')) ? readdirSync(path.join(server.dataDir, 'uploads-tmp'), { recursive: true }).map(String) : []);

    async function start(config: ConfigInput): Promise<void> {
      server = await startTestServerOn(database, { config: { uploads: { maxFileMegabytes: 2, ...(config.uploads as object) }, ...(config.rateLimit ? { rateLimit: config.rateLimit } : {}) } });
    }
    afterEach(async () => {
      await server?.stop();
    });

    /** Exactly what is recorded is stored, and no temporary upload is left. */
    async function expectStoredAsRecorded(): Promise<void> {
      expect(stored().sort()).to.deep.equal(await rows());
      await eventually(() => expect(tmpUploads().filter((name) => name.endsWith('.upload'))).to.deep.equal([]));
    }

    it('refuses an upload that would take a course over its quota, whole, with 413 naming the quota; frees room when files go', async () => {
      await start({ uploads: { courseQuotaMegabytes: 1, organisationQuotaMegabytes: 100 } });
      const id = await course();
      const instructor = await person('instructor', { courseId: id, as: 'instructor' });
      expect((await uploadFiles(instructor, id, null, [['first.bin', bytes(600 * KB)]])).status).to.equal(201);

      const over = await uploadFiles(instructor, id, null, [['small.txt', 'fits on its own'], ['second.bin', bytes(500 * KB)]]);
      expect(over.status).to.equal(413);
      expect(over.json().error).to.include({ code: 'COURSE_QUOTA_EXCEEDED', message: "This upload would take the course's files over its storage quota of 1 MB. Nothing was uploaded." });
      expect(await rows()).to.have.length(1);
      await expectStoredAsRecorded();

      const page = await uploadFiles(instructor, id, null, [['second.bin', bytes(500 * KB)]], { accept: 'text/html', headers: { 'accept-language': 'fr' } });
      expect(page.status).to.equal(413);
      expect(page.text).to.contain('id="upload-error">Avec ce téléversement, les fichiers du cours dépasseraient son quota de stockage de 1 Mo. Rien n&#39;a été téléversé.');

      // Up to the quota exactly, then a course that is full is refused before its upload is read.
      expect((await uploadFiles(instructor, id, null, [['rest.bin', bytes(MB - 600 * KB)]])).status).to.equal(201);
      const full = await uploadFiles(instructor, id, null, [['one byte.txt', 'x']]);
      expect(full.status).to.equal(413);
      expect(full.json().error.code).to.equal('COURSE_QUOTA_EXCEEDED');
      await expectStoredAsRecorded();

      const [first] = (await instructor.get(`/backend/courses/${id}/files`, { accept: 'application/json' })).json().files;
      expect((await instructor.postJson(`/backend/courses/${id}/files/${first.id}/delete`, {})).status).to.equal(200);
      expect((await uploadFiles(instructor, id, null, [['after delete.bin', bytes(500 * KB)]])).status).to.equal(201);
    });

    it("refuses an upload that would take the organisation over its quota, in any course, naming the organisation's quota", async () => {
      await start({ uploads: { courseQuotaMegabytes: 10, organisationQuotaMegabytes: 1.5 } });
      const [algebra, biology] = [await course(), await course()];
      const admin = await person('administrator');
      expect((await uploadFiles(admin, algebra, null, [['algebra.bin', bytes(900 * KB)]])).status).to.equal(201);
      const over = await uploadFiles(admin, biology, null, [['biology.bin', bytes(700 * KB)]]);
      expect(over.status).to.equal(413);
      expect(over.json().error).to.include({ code: 'ORGANISATION_QUOTA_EXCEEDED', message: "This upload would take the organisation's files over its storage quota of 1.5 MB. Nothing was uploaded." });
      expect((await uploadFiles(admin, biology, null, [['biology.bin', bytes(500 * KB)]])).status).to.equal(201);
      await expectStoredAsRecorded();
    });

    for (const scope of ['course', 'organisation'] as const) {
      it(`lets only one of uploads racing for the last room of the ${scope} quota through, and keeps nothing of the others`, async () => {
        await start({ uploads: scope === 'course' ? { courseQuotaMegabytes: 1, organisationQuotaMegabytes: 100 } : { courseQuotaMegabytes: 100, organisationQuotaMegabytes: 1 } });
        const admin = await person('administrator');
        const first = await course();
        const second = scope === 'course' ? first : await course();
        const racers = [first, second, first, second];
        const answers = await Promise.all(racers.map((id, index) => uploadFiles(admin, id, null, [[`racer ${index}.bin`, bytes(700 * KB)]])));
        expect(answers.map((answer) => answer.status).sort()).to.deep.equal([201, 413, 413, 413]);
        expect(answers.find((answer) => answer.status === 413)!.json().error.code).to.equal(scope === 'course' ? 'COURSE_QUOTA_EXCEEDED' : 'ORGANISATION_QUOTA_EXCEEDED');
        expect(await rows()).to.have.length(1);
        await expectStoredAsRecorded();
      });
    }

    it('limits uploads per person across file and picture routes with 429, reading and keeping nothing of the refused ones', async () => {
      await start({ uploads: {}, rateLimit: { windowSeconds: 600, uploadsPerWindow: 3 } });
      const id = await course();
      const instructor = await person('instructor', { courseId: id, as: 'instructor' });
      expect((await uploadFiles(instructor, id, null, [['one.txt', 'one']])).status).to.equal(201);
      expect((await uploadFiles(instructor, id, null, [['two.txt', 'two']])).status).to.equal(201);
      const profile = async () => {
        const { profile: current } = (await instructor.get('/backend/profile', { accept: 'application/json' })).json();
        await instructor.get('/backend/profile');
        return instructor.postMultipart('/backend/profile/picture', uploadForm('picture', await buildImage(), { fields: { version: String(current.version) } }));
      };
      expect((await profile()).status).to.equal(303);

      const file = await uploadFiles(instructor, id, null, [['four.txt', 'four']]);
      expect(file.status).to.equal(429);
      expect(file.json().error).to.include({ code: 'RATE_LIMITED', message: 'Too many uploads in a short time.' });
      const picture = await profile();
      expect(picture.status).to.equal(429);
      expect(picture.text).to.contain('Too many uploads in a short time.');
      expect(await rows()).to.have.length(2);
      expect(await server.db.selectFrom('stored_images').selectAll().execute()).to.have.length(1);
      await expectStoredAsRecorded();

      // Someone else, from the same address, has a budget of their own.
      const colleague = await person('instructor', { courseId: id, as: 'instructor' });
      expect((await uploadFiles(colleague, id, null, [['mine.txt', 'mine']])).status).to.equal(201);
    });
  });
}
