/**
 * Recordings in Session Stats: the session page lists them with their state,
 * the player's source answers HTTP range requests, the download is an
 * attachment under the recording's name, and only the course's managers see
 * any of it (another instructor finds nothing, students are refused).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { recordingScene, tinyVideo, type RecordingScene } from '../../support/recording-library-scene.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';
import { createStatsSettingsStore } from '../../../src/stats/stats-settings.ts';

describe('recordings library: the session page, the player and the download', function () {
  this.timeout(30_000);
  let server: TestServer;
  let scene: RecordingScene;
  let readyId: string;
  let bytes: Buffer;

  before(async () => {
    server = await startTestServer();
    scene = await recordingScene(server);
    bytes = await tinyVideo();
    readyId = await scene.addRecording({ title: 'Séance 1 : « dérivées »', withFile: true, duration_ms: 61_000 });
  });
  after(() => server.stop());

  describe('the session page', () => {
    it('lists every recording with its state, progress, reason, duration and who recorded it', async () => {
      const sessionId = await scene.addSession();
      const processing = await scene.addRecording({ live_session_id: sessionId, title: 'Processing one', state: 'processing', jobs: [{ kind: 'process', state: 'running', progress: 42 }] });
      const failed = await scene.addRecording({ live_session_id: sessionId, title: 'Failed one', state: 'failed', failure_reason: 'recordings-processing:failure.unreadable', jobs: [{ kind: 'process', state: 'failed', attempts: 3, lastError: 'ffmpeg exited with code 1' }] });
      const overQuota = await scene.addRecording({ live_session_id: sessionId, title: 'Over quota one', state: 'over_quota', recorded_seconds: 125 });
      const publishing = await scene.addRecording({ live_session_id: sessionId, title: 'Publishing one', withFile: true, publish_state: 'publishing', jobs: [{ kind: 'publish', state: 'running', progress: 70 }] });
      const publishFailed = await scene.addRecording({ live_session_id: sessionId, title: 'Publish failed', withFile: true, publish_state: 'failed', failure_reason: 'recordings-publishing:failure.kaltura', jobs: [{ kind: 'publish', state: 'failed', lastError: 'Kaltura refused the upload token' }] });

      const detail = (await scene.teacher.agent.get(`/backend/stats/sessions/${sessionId}`, { accept: 'application/json' })).json();
      const byId = new Map<string, any>(detail.recordings.map((recording: any) => [recording.id, recording]));
      expect(byId.get(processing)).to.include({ state: 'processing', progress: 42, playable: false, deletable: false, recordedByName: 'Ines Teacher', durationMs: 1_800_000 });
      expect(byId.get(failed)).to.include({ state: 'failed', failureReason: 'recordings-processing:failure.unreadable', deletable: true });
      expect(byId.get(overQuota)).to.include({ state: 'over_quota', durationMs: 125_000 });
      expect(byId.get(publishing)).to.include({ state: 'ready', publishState: 'publishing', progress: 70, playable: true });
      expect(byId.get(publishFailed)).to.include({ publishState: 'failed', publishFailure: 'recordings-publishing:failure.kaltura' });

      const page = (await scene.admin.agent.get(`/backend/stats/sessions/${sessionId}`)).text;
      expect(page).to.contain('Processing').and.to.contain('42 %').and.to.contain('Reason: The recorded streams could not be read (the files are damaged or in a format that cannot be played).').and.to.contain('Reason: Publishing to Kaltura failed: Kaltura could not be reached or refused the recording.');
      expect(page).to.contain('Over quota').and.to.contain('Publishing to Kaltura failed').and.to.contain('Recorded by Ines Teacher');
      expect(page).to.match(new RegExp(`<video[^>]+src="/backend/recordings/${publishing}/video"`));
      // Administrators get Retry (process and publish) and release; an instructor does not.
      expect(page).to.contain(`action="/backend/recordings/${failed}/retry"`).and.to.contain(`action="/backend/recordings/${overQuota}/release"`).and.to.contain('data-action="retry-publish"');
      const teacherPage = (await scene.teacher.agent.get(`/backend/stats/sessions/${sessionId}`)).text;
      expect(teacherPage).not.to.contain('/retry"').and.not.to.contain('/release"');
      expect(teacherPage).to.contain(`href="/backend/recordings/${failed}/delete"`).and.not.to.contain(`href="/backend/recordings/${processing}/delete"`);
    });

    it('says Yes in the overview\'s recording column for a session with a recording', async () => {
      const overview = (await scene.teacher.agent.get('/backend/stats?range=7d', { accept: 'application/json' })).json();
      const session = overview.sessions.find((row: any) => row.id === scene.sessionId);
      expect(session.recordings).to.be.greaterThan(0);
      const bare = await scene.addSession();
      const page = (await scene.teacher.agent.get('/backend/stats?range=7d')).text;
      expect(page).to.match(new RegExp(`${scene.sessionId}[\\s\\S]*?data-col="recording">Yes<`));
      expect(page).to.match(new RegExp(`${bare}[\\s\\S]*?data-col="recording">No<`));
    });

    it('shows students no recordings, even where they may see their own attendance', async () => {
      const settings = createStatsSettingsStore(server.db);
      const current = await settings.current();
      await settings.save({ ...current.settings, studentsSeeOwnAttendance: true }, current.version, scene.admin.id, Date.now());
      await server.db.insertInto('attendance').values({ id: `a-${scene.student.id}`, live_session_id: scene.sessionId, room_id: scene.courseId, user_id: scene.student.id, user_name: 'Student', user_email: null, role: 'participant', joined_at: Date.now() - 3500_000, left_at: Date.now() - 3000_000, last_seen_at: Date.now() - 3000_000 }).execute();
      const response = await scene.student.agent.get(`/backend/stats/sessions/${scene.sessionId}`, { accept: 'application/json' });
      expect(response.status).to.equal(200);
      expect(response.json().recordings).to.deep.equal([]);
      expect((await scene.student.agent.get(`/backend/recordings/${readyId}/video`)).status).to.equal(403);
    });
  });

  describe('the player source', () => {
    it('sends the whole file with Accept-Ranges, as video/mp4, not cached by shared caches', async () => {
      const response = await scene.teacher.agent.getBytes(`/backend/recordings/${readyId}/video`);
      expect(response.status).to.equal(200);
      expect(response.headers.get('accept-ranges')).to.equal('bytes');
      expect(response.headers.get('content-type')).to.equal('video/mp4');
      expect(response.headers.get('content-disposition')).to.equal(null);
      expect(response.headers.get('cache-control')).to.equal('private, no-cache');
      expect(response.bytes.equals(bytes)).to.equal(true);
    });

    it('answers a range with 206 and exactly those bytes, and an open-ended range to the end', async () => {
      const part = await rangeOf(`bytes=10-99`);
      expect(part.status).to.equal(206);
      expect(part.headers.get('content-range')).to.equal(`bytes 10-99/${bytes.length}`);
      expect(part.bytes.equals(bytes.subarray(10, 100))).to.equal(true);
      const tail = await rangeOf(`bytes=${bytes.length - 5}-`);
      expect(tail.status).to.equal(206);
      expect(tail.bytes.equals(bytes.subarray(bytes.length - 5))).to.equal(true);
    });

    it('answers 416 with the size for a range past the end', async () => {
      const response = await rangeOf(`bytes=${bytes.length + 10}-${bytes.length + 20}`);
      expect(response.status).to.equal(416);
      expect(response.headers.get('content-range')).to.equal(`bytes */${bytes.length}`);
    });

    it('honours If-Range: the range while the file is unchanged, the whole file otherwise', async () => {
      const lastModified = (await scene.teacher.agent.getBytes(`/backend/recordings/${readyId}/video`)).headers.get('last-modified')!;
      expect(lastModified).to.be.a('string');
      expect((await rangeOf('bytes=0-9', { 'if-range': lastModified })).status).to.equal(206);
      for (const older of [new Date(Date.parse(lastModified) - 86_400_000).toUTCString(), '"an-etag-we-never-sent"']) {
        const whole = await rangeOf('bytes=0-9', { 'if-range': older });
        expect(whole.status).to.equal(200);
        expect(whole.bytes.length).to.equal(bytes.length);
      }
    });

    it('is not found for a recording without a final file, or whose file is missing', async () => {
      const queued = await scene.addRecording({ state: 'queued' });
      expect((await scene.teacher.agent.get(`/backend/recordings/${queued}/video`)).status).to.equal(404);
      const lost = await scene.addRecording({ storage_key: 'recordings/missing.mp4' });
      expect((await scene.teacher.agent.get(`/backend/recordings/${lost}/download`)).status).to.equal(404);
      // A stored path that leads out of the recordings folder is never served.
      const escaping = await scene.addRecording({ storage_key: '../../../etc/passwd' });
      expect((await scene.teacher.agent.get(`/backend/recordings/${escaping}/video`)).status).to.equal(404);
      expect((await scene.teacher.agent.get('/backend/recordings/not-an-id/video')).status).to.equal(404);
    });
  });

  describe('the download', () => {
    it('is an attachment named after the recording, with an ASCII fallback and the exact name in RFC 5987 form', async () => {
      const response = await scene.teacher.agent.getBytes(`/backend/recordings/${readyId}/download`);
      expect(response.status).to.equal(200);
      const disposition = response.headers.get('content-disposition')!;
      expect(disposition).to.match(/^attachment; filename="Seance 1 : _ derivees _.mp4"; /);
      expect(disposition).to.contain(`filename*=UTF-8''${encodeURIComponent('Séance 1 : « dérivées ».mp4')}`);
      expect(response.headers.get('x-content-type-options')).to.equal('nosniff');
      expect(response.bytes.equals(bytes)).to.equal(true);
    });

    it('keeps a title with quotes, slashes and line breaks out of the header', async () => {
      const id = await scene.addRecording({ title: 'a"b/c\\d\r\nSet-Cookie: x=1', withFile: true });
      const response = await scene.teacher.agent.getBytes(`/backend/recordings/${id}/download`);
      expect(response.status).to.equal(200);
      expect(response.headers.get('set-cookie')).to.equal(null);
      expect(response.headers.get('content-disposition')).to.match(/^attachment; filename="a_b_c_dSet-Cookie: x=1.mp4"/);
    });
  });

  describe('who may play and download', () => {
    for (const [who, status] of [['admin', 200], ['teacher', 200], ['otherTeacher', 404], ['student', 403]] as const) {
      it(`${who} → ${status}`, async () => {
        expect((await scene[who].agent.getBytes(`/backend/recordings/${readyId}/video`)).status).to.equal(status);
        expect((await scene[who].agent.getBytes(`/backend/recordings/${readyId}/download`)).status).to.equal(status);
      });
    }

    it('says nothing of another course\'s recording: the same 404 as an unknown id', async () => {
      const unknown = await scene.otherTeacher.agent.get(`/backend/recordings/00000000-0000-4000-8000-000000000000/video`, { accept: 'application/json' });
      const other = await scene.otherTeacher.agent.get(`/backend/recordings/${readyId}/video`, { accept: 'application/json' });
      expect(other.status).to.equal(404);
      expect(other.json().error).to.deep.equal(unknown.json().error);
    });

    it('keeps the files where the test put them (no request removed anything)', () => {
      expect(existsSync(path.join(server.dataDir, 'recordings', `${readyId}.mp4`))).to.equal(true);
    });
  });

  function rangeOf(range: string, headers: Record<string, string> = {}) {
    return scene.teacher.agent.getBytes(`/backend/recordings/${readyId}/video`, { range, ...headers });
  }
});
