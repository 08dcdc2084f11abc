/**
 * What people do with recordings: rename and delete (the course's instructors
 * and administrators, on the version they saw; deleting asks whether to delete
 * the Kaltura entry too and leaves no file behind), an administrator's Retry
 * of a failed job and release of a recording kept over quota, and a deleted
 * course's recordings going with it.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { UpstreamError } from '../../../src/lib/errors/app-error.ts';
import { FakeEntryRemover, recordingScene, type RecordingScene } from '../../support/recording-library-scene.ts';
import { jobTakenOrNot } from '../../support/processing-scene.ts';
import { TEST_DATABASES, startTestServerOn } from '../../support/test-databases.ts';
import type { TestServer } from '../../support/test-server.ts';

for (const database of TEST_DATABASES) describe(`recordings library on ${database}: rename, delete, Retry and release`, function () {
  this.timeout(30_000);
  let server: TestServer;
  let scene: RecordingScene;
  const entries = new FakeEntryRemover();

  before(async () => {
    // No processing on this instance: the tests check the jobs a Retry or a release leaves queued.
    server = await startTestServerOn(database, { recordingEntries: entries, config: { recordings: { processingConcurrency: 0 } } });
    scene = await recordingScene(server);
  });
  after(() => server.stop());
  afterEach(() => {
    entries.fail = null;
  });

  const row = (id: string) => server.db.selectFrom('recordings').selectAll().where('id', '=', id).executeTakeFirst();
  const jobsOf = (id: string) => server.db.selectFrom('recording_jobs').selectAll().where('recording_id', '=', id).execute();
  const inData = (...parts: string[]) => path.join(server.dataDir, ...parts);

  describe('rename', () => {
    it('renames for the course instructor and bumps the version, then refuses the old version (409)', async () => {
      const id = await scene.addRecording();
      const renamed = await scene.teacher.agent.post(`/backend/recordings/${id}/rename`, { title: '  Week 3 — Limits  ', version: '1' });
      expect(renamed.status).to.equal(303);
      expect(renamed.location).to.equal(`/backend/stats/sessions/${scene.sessionId}?recording=renamed`);
      expect(await row(id)).to.include({ title: 'Week 3 — Limits', version: 2 });
      const page = await scene.teacher.agent.get(renamed.location!);
      expect(page.text).to.contain('The recording was renamed.');

      const stale = await scene.admin.agent.post(`/backend/recordings/${id}/rename`, { title: 'Another', version: '1' });
      expect(stale.status).to.equal(409);
      expect(stale.text).to.contain('Someone else changed this while you were editing it.');
      expect((await row(id))?.title).to.equal('Week 3 — Limits');
    });

    it('refuses an empty, too long or invisible-character title with a message, in French too', async () => {
      const id = await scene.addRecording();
      for (const [title, message] of [['   ', 'Give the recording a title.'], ['x'.repeat(201), 'At most 200 characters.'], ['a\u0007b', 'Remove the invisible or control characters.']] as const) {
        const response = await scene.teacher.agent.post(`/backend/recordings/${id}/rename`, { title, version: '1' }, { accept: 'application/json' });
        expect(response.status).to.equal(400);
        expect(response.json().error.fields.title).to.equal(message);
      }
      const french = await scene.teacher.agent.post(`/backend/recordings/${id}/rename`, { title: '', version: '1' }, { accept: 'application/json', headers: { 'accept-language': 'fr' } });
      expect(french.json().error.fields.title).to.equal("Donnez un titre à l'enregistrement.");
      expect((await scene.teacher.agent.post(`/backend/recordings/${id}/rename`, { title: 'No version' }, { accept: 'application/json' })).status).to.equal(400);
      expect((await row(id))?.title).to.equal('Lecture 1');
    });

    it('is not found for another instructor and refused to a student', async () => {
      const id = await scene.addRecording();
      expect((await scene.otherTeacher.agent.post(`/backend/recordings/${id}/rename`, { title: 'Mine', version: '1' })).status).to.equal(404);
      expect((await scene.student.agent.post(`/backend/recordings/${id}/rename`, { title: 'Mine', version: '1' })).status).to.equal(403);
      expect((await row(id))?.title).to.equal('Lecture 1');
    });
  });

  describe('delete', () => {
    it('confirms first, saying the recorded time is not given back, and asks about the Kaltura entry only when there is one', async () => {
      const published = await scene.addRecording({ kaltura_entry_id: '0_abc123', recorded_seconds: 3723 });
      const page = (await scene.teacher.agent.get(`/backend/recordings/${published}/delete`)).text;
      expect(page).to.contain('The recorded time (1:02:03) stays counted against the course&#39;s recording hours: deleting a recording does not give it back.');
      expect(page).to.contain('entry 0_abc123').and.to.contain('name="deleteEntry" value="yes"');
      const local = await scene.addRecording();
      expect((await scene.teacher.agent.get(`/backend/recordings/${local}/delete`)).text).not.to.contain('deleteEntry');
      const french = await scene.teacher.agent.get(`/backend/recordings/${published}/delete`, { headers: { 'accept-language': 'fr' } });
      expect(french.text).to.contain('supprimer un enregistrement ne le rend pas');
    });

    it('removes the row, its jobs, the final file and the raw folder; the recorded time stays counted', async () => {
      const id = await scene.addRecording({ withFile: true, withRaw: true, state: 'failed', jobs: [{ kind: 'process', state: 'failed' }] });
      await server.db.insertInto('recording_ledger').values({ id: `ledger-${id}`, room_id: scene.courseId, recording_id: id, seconds: 1800, recorded_at: Date.now() }).execute();
      const response = await scene.teacher.agent.post(`/backend/recordings/${id}/delete`, { version: '1' });
      expect(response.status).to.equal(303);
      expect(response.location).to.equal(`/backend/stats/sessions/${scene.sessionId}?recording=deleted`);
      expect(await row(id)).to.equal(undefined);
      expect(await jobsOf(id)).to.deep.equal([]);
      expect(existsSync(inData('recordings', `${id}.mp4`))).to.equal(false);
      expect(existsSync(inData('recordings', 'raw', id))).to.equal(false);
      expect(readdirSync(inData('recordings')).filter((name) => name.includes(id))).to.deep.equal([]);
      expect(await server.db.selectFrom('recording_ledger').select('seconds').where('recording_id', '=', id).execute()).to.deep.equal([{ seconds: 1800 }]);
      expect(entries.deleted).not.to.include(id);
    });

    it('deletes the Kaltura entry too when asked, and keeps it when not', async () => {
      const asked = await scene.addRecording({ kaltura_entry_id: '0_delete_me', publish_state: 'published', withFile: true });
      expect((await scene.admin.agent.post(`/backend/recordings/${asked}/delete`, { version: '1', deleteEntry: 'yes' })).status).to.equal(303);
      expect(entries.deleted).to.include('0_delete_me');
      const kept = await scene.addRecording({ kaltura_entry_id: '0_keep_me', publish_state: 'published' });
      expect((await scene.admin.agent.post(`/backend/recordings/${kept}/delete`, { version: '1' })).status).to.equal(303);
      expect(entries.deleted).not.to.include('0_keep_me');
      expect(await row(kept)).to.equal(undefined);
    });

    it('keeps everything when Kaltura fails to delete the entry, saying why', async () => {
      const id = await scene.addRecording({ kaltura_entry_id: '0_kaltura_down', withFile: true });
      entries.fail = new UpstreamError('Kaltura did not answer in time.', { code: 'KALTURA_TIMEOUT' });
      const response = await scene.admin.agent.post(`/backend/recordings/${id}/delete`, { version: '1', deleteEntry: 'yes' });
      expect(response.status).to.equal(502);
      expect(response.text).to.contain('Kaltura did not answer in time.');
      expect(await row(id)).to.not.equal(undefined);
      expect(existsSync(inData('recordings', `${id}.mp4`))).to.equal(true);
    });

    it('refuses a stale version and a recording still being recorded or processed (409), changing nothing', async () => {
      const id = await scene.addRecording({ withFile: true });
      await scene.teacher.agent.post(`/backend/recordings/${id}/rename`, { title: 'Renamed first', version: '1' });
      const stale = await scene.teacher.agent.post(`/backend/recordings/${id}/delete`, { version: '1' }, { accept: 'application/json' });
      expect(stale.status).to.equal(409);
      expect(stale.json().error.code).to.equal('STALE_VERSION');
      for (const seed of [{ state: 'recording' as const }, { state: 'processing' as const, jobs: [{ kind: 'process' as const, state: 'running' as const }] }, { publish_state: 'publishing' as const, jobs: [{ kind: 'publish' as const, state: 'running' as const }] }]) {
        const busy = await scene.addRecording({ ...seed, withRaw: true });
        const response = await scene.teacher.agent.post(`/backend/recordings/${busy}/delete`, { version: '1' }, { accept: 'application/json' });
        expect(response.status).to.equal(409);
        expect(response.json().error.message).to.equal('This recording is being recorded or processed right now.');
        expect(await row(busy)).to.not.equal(undefined);
        expect(existsSync(inData('recordings', 'raw', busy))).to.equal(true);
      }
      expect(await row(id)).to.not.equal(undefined);
    });

    it('refuses a form without its CSRF token, deleting nothing', async () => {
      const id = await scene.addRecording({ withFile: true });
      expect((await scene.teacher.agent.post(`/backend/recordings/${id}/delete`, { version: '1' }, { csrf: false })).status).to.equal(403);
      expect(await row(id)).to.not.equal(undefined);
      expect(existsSync(inData('recordings', `${id}.mp4`))).to.equal(true);
    });

    it('is not found for another instructor and refused to a student, deleting nothing', async () => {
      const id = await scene.addRecording({ withFile: true });
      expect((await scene.otherTeacher.agent.post(`/backend/recordings/${id}/delete`, { version: '1' })).status).to.equal(404);
      expect((await scene.otherTeacher.agent.get(`/backend/recordings/${id}/delete`)).status).to.equal(404);
      expect((await scene.student.agent.post(`/backend/recordings/${id}/delete`, { version: '1' })).status).to.equal(403);
      expect(await row(id)).to.not.equal(undefined);
    });
  });

  describe('Retry and release (administrators)', () => {
    it('queues a failed processing job again: attempts 0, due now, the recording queued without its reason', async () => {
      const id = await scene.addRecording({ state: 'failed', failure_reason: 'ffmpeg exited with code 1', jobs: [{ kind: 'process', state: 'failed', attempts: 5, lastError: 'ffmpeg exited with code 1' }] });
      const before = Date.now();
      expect((await scene.teacher.agent.post(`/backend/recordings/${id}/retry`, { version: '1', kind: 'process' })).status).to.equal(403);
      const response = await scene.admin.agent.post(`/backend/recordings/${id}/retry`, { version: '1', kind: 'process' });
      expect(response.status).to.equal(303);
      expect(await row(id)).to.include({ state: 'queued', failure_reason: null, version: 2 });
      const [job] = await jobsOf(id);
      expect(job).to.include({ kind: 'process', state: 'queued', attempts: 0, progress: 0, last_error: null });
      expect(Number(job!.next_attempt_at)).to.be.within(before, Date.now());
      // The same form again: the recording moved on, so the old version is refused.
      expect((await scene.admin.agent.post(`/backend/recordings/${id}/retry`, { version: '1', kind: 'process' })).status).to.equal(409);
    });

    it('queues a failed publishing job again, the recording waiting to be published', async () => {
      const id = await scene.addRecording({ withFile: true, publish_state: 'failed', jobs: [{ kind: 'process', state: 'done', progress: 100 }, { kind: 'publish', state: 'failed', attempts: 3 }] });
      expect((await scene.admin.agent.post(`/backend/recordings/${id}/retry`, { version: '1', kind: 'publish' })).status).to.equal(303);
      expect(await row(id)).to.include({ state: 'ready', publish_state: 'pending' });
      const jobs = await jobsOf(id);
      expect(jobs.find((job) => job.kind === 'publish')).to.include({ state: 'queued', attempts: 0 });
      expect(jobs.find((job) => job.kind === 'process')).to.include({ state: 'done' });
    });

    it('refuses Retry of what did not fail, and an unknown kind', async () => {
      const id = await scene.addRecording();
      expect((await scene.admin.agent.post(`/backend/recordings/${id}/retry`, { version: '1', kind: 'process' })).status).to.equal(409);
      expect((await scene.admin.agent.post(`/backend/recordings/${id}/retry`, { version: '1', kind: 'explode' })).status).to.equal(400);
      expect(await row(id)).to.include({ state: 'ready', version: 1 });
    });

    it('releases a recording kept over quota: queued, with a process job due now; only once', async () => {
      const id = await scene.addRecording({ state: 'over_quota', withRaw: true });
      expect((await scene.teacher.agent.post(`/backend/recordings/${id}/release`, { version: '1' })).status).to.equal(403);
      expect((await scene.admin.agent.post(`/backend/recordings/${id}/release`, { version: '1' })).status).to.equal(303);
      expect(await row(id)).to.include({ state: 'queued', version: 2 });
      expect(await jobsOf(id)).to.have.length(1).and.to.satisfy((jobs: any[]) => jobs[0].kind === 'process' && jobs[0].state === 'queued');
      expect((await scene.admin.agent.post(`/backend/recordings/${id}/release`, { version: '2' })).status).to.equal(409);
    });

    it('lets an administrator delete an over-quota recording with its raw folder instead', async () => {
      const id = await scene.addRecording({ state: 'over_quota', withRaw: true });
      expect((await scene.admin.agent.post(`/backend/recordings/${id}/delete`, { version: '1' })).status).to.equal(303);
      expect(await row(id)).to.equal(undefined);
      expect(existsSync(inData('recordings', 'raw', id))).to.equal(false);
    });
  });

  describe('a deleted course', () => {
    it('says how many recordings go with it, and deletes them with their files', async () => {
      const doomed = await recordingScene(server, { licences: false, courseName: 'Doomed course' });
      const ids = [await doomed.addRecording({ withFile: true }), await doomed.addRecording({ state: 'over_quota', withRaw: true, jobs: [{ kind: 'process', state: 'failed' }] })];
      const keep = await scene.addRecording({ withFile: true });
      const page = (await doomed.admin.agent.get(`/backend/courses/${doomed.courseId}/delete`)).text;
      expect(page).to.contain('data-recordings-deleted="2"').and.to.contain('its 2 recordings, with their video files');
      expect((await doomed.admin.agent.post(`/backend/courses/${doomed.courseId}/delete`, { confirm: 'delete' })).status).to.equal(303);
      expect(await server.db.selectFrom('recordings').select('id').where('room_id', '=', doomed.courseId).execute()).to.deep.equal([]);
      expect(await server.db.selectFrom('recording_jobs').select('id').where('recording_id', 'in', ids).execute()).to.deep.equal([]);
      for (const id of ids) {
        expect(existsSync(inData('recordings', `${id}.mp4`))).to.equal(false);
        expect(existsSync(inData('recordings', 'raw', id))).to.equal(false);
      }
      expect(existsSync(inData('recordings', `${keep}.mp4`))).to.equal(true);
    });

    it('says nothing about recordings for a course without any', async () => {
      const bare = await recordingScene(server, { licences: false, courseName: 'Bare course' });
      expect((await bare.admin.agent.get(`/backend/courses/${bare.courseId}/delete`)).text).not.to.contain('data-recordings-deleted');
    });
  });
});

describe('recordings library: a Retry is taken at once', function () {
  this.timeout(30_000);
  let server: TestServer;

  before(async () => {
    // Processing on, its poll an hour away: only being told a job was queued can make it start.
    server = await startTestServerOn('SQLite', { config: { recordings: { processingConcurrency: 1, jobPollSeconds: 3600, jobStaleSeconds: 7200 } } });
  });
  after(() => server.stop());

  it('hands a retried job to processing without waiting for its next poll', async () => {
    const scene = await recordingScene(server);
    const id = await scene.addRecording({ state: 'failed', failure_reason: 'ffmpeg exited with code 1', jobs: [{ kind: 'process', state: 'failed', attempts: 5, lastError: 'ffmpeg exited with code 1' }] });
    expect((await scene.admin.agent.post(`/backend/recordings/${id}/retry`, { version: '1', kind: 'process' })).status).to.equal(303);
    expect((await jobTakenOrNot(server.db, id)).attempts, 'the retried job was taken').to.be.at.least(1);
  });
});
