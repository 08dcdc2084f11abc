/**
 * Recording in the live room through the room socket: who may record, every refusal, what everyone in the
 * room hears and what a person entering finds, and how a recording ends (Stop, the session's end).
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { channelScene } from '../../support/channel-scene.ts';
import { eventually } from '../../support/manual-scheduler.ts';
import { eachRecordingServer, liveRoom, MIN_FREE_MB, RECORDING_SCENE_SETTINGS } from '../../support/recording-scene.ts';
import { jobTakenOrNot } from '../../support/processing-scene.ts';
import { RoomClient } from '../../support/room-client.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

describe('RoomRecordingService through the room socket', function () {
  this.timeout(20_000);
  const harness = eachRecordingServer();

  it('records the whole room at the Record of someone allowed: everyone hears it, a person entering finds it, and Stop hands it to processing', async () => {
    const room = await liveRoom(harness);
    expect(room.welcome.recording).to.deep.include({ state: 'off', leftSeconds: 3600, available: true });
    room.ines.send({ type: 'recording.start', ref: 'rec' });
    const heard = await room.pia.next('recording.changed');
    expect(heard.recording).to.deep.include({ state: 'recording', by: 'Ines Instructor', recordedSeconds: 0, leftSeconds: 3600 });
    await room.ines.next('recording.changed');
    const [recording] = await room.recordings();
    expect(recording).to.deep.include({ state: 'recording', recorded_by_name: 'Ines Instructor', finish_reason: null });
    const rawFolder = path.join(harness.server.dataDir, 'recordings', 'raw', recording!.id);
    expect(harness.media.calls).to.deep.equal([`start ${room.roomId} ${rawFolder}`]);

    const lou = harness.track(await room.scene.participant('Lou'));
    expect((await lou.next('welcome')).recording).to.deep.include({ state: 'recording', by: 'Ines Instructor' });

    await harness.scheduler.advance(90_000);
    await eventually(async () => expect((await room.ledger(recording!.id)).map((row) => row.seconds)).to.deep.equal([60]));
    room.ines.send({ type: 'recording.stop' });
    const stopped = await lou.next('recording.changed', (message) => message.recording.state === 'off');
    expect(stopped.finished).to.equal('stopped');
    const [finished] = await room.recordings();
    expect(finished).to.deep.include({ state: 'queued', finish_reason: 'stopped', raw_folder: path.join('recordings', 'raw', recording!.id), recorded_seconds: 90, ended_at: harness.scheduler.now() });
    expect((await room.ledger(recording!.id)).map((row) => row.seconds)).to.deep.equal([60, 30]);
    const jobs = await room.jobs(recording!.id);
    expect(jobs).to.have.length(1);
    expect(jobs[0]).to.deep.include({ kind: 'process', state: 'queued', next_attempt_at: harness.scheduler.now() });
    expect(harness.media.calls.at(-1)).to.equal(`stop ${room.roomId}`);
    expect(readdirSync(rawFolder)).to.have.length(1);
  });

  it('refuses a participant without the record permission, in words they understand, and changes nothing', async () => {
    const room = await liveRoom(harness);
    room.pia.send({ type: 'recording.start', ref: 'mine' });
    const refused = await room.pia.next('error');
    expect(refused).to.include({ code: 'NOT_ALLOWED', ref: 'mine' });
    expect(refused.message).to.equal('You do not have permission to record the session.');
    room.pia.send({ type: 'recording.stop', ref: 'stop' });
    expect((await room.pia.next('error')).code).to.equal('NOT_ALLOWED');
    expect(await room.recordings()).to.deep.equal([]);
    expect(harness.media.calls).to.deep.equal([]);
  });

  it('refuses before the session is live, and out of turn: a replayed start, pause, resume or stop changes nothing', async () => {
    const scene = await channelScene(harness.server);
    const ines = harness.track(await scene.instructor());
    await ines.next('welcome');
    ines.send({ type: 'recording.start', ref: 'early' });
    expect(await ines.next('error')).to.deep.include({ code: 'NOT_LIVE', message: 'Recording starts once the session is live.' });

    ines.send({ type: 'session.start' });
    await ines.next('session.started');
    const refusal = async (type: string, code: string) => {
      ines.send({ type, ref: `${type}-again` });
      expect((await ines.next('error', (message) => message.ref === `${type}-again`)).code).to.equal(code);
    };
    await refusal('recording.stop', 'NOT_RECORDING');
    await refusal('recording.pause', 'NOT_RECORDING');
    ines.send({ type: 'recording.start' });
    await ines.next('recording.changed');
    await refusal('recording.start', 'ALREADY_RECORDING');
    await refusal('recording.resume', 'NOT_PAUSED');
    await harness.scheduler.advance(5_000);
    ines.send({ type: 'recording.pause' });
    await ines.next('recording.changed', (message) => message.recording.state === 'paused');
    await refusal('recording.pause', 'NOT_RECORDING');
    const db = harness.server.db;
    const [paused] = await db.selectFrom('recordings').selectAll().execute();
    expect(paused).to.deep.include({ state: 'paused', recorded_seconds: 5, version: 2 });
    ines.send({ type: 'recording.stop' });
    await ines.next('recording.changed', (message) => message.recording.state === 'off');
    await refusal('recording.stop', 'NOT_RECORDING');
    await refusal('recording.resume', 'NOT_RECORDING');
    expect(await db.selectFrom('recordings').select(['state', 'recorded_seconds', 'version']).execute()).to.deep.equal([{ state: 'queued', recorded_seconds: 5, version: 3 }]);
    expect(await db.selectFrom('recording_ledger').select('seconds').execute()).to.deep.equal([{ seconds: 5 }]);
    expect(await db.selectFrom('recording_jobs').select('kind').execute()).to.deep.equal([{ kind: 'process' }]);
    expect(harness.media.calls.filter((call) => call.startsWith('start'))).to.have.length(1);
  });

  it('refuses when the disk has less free space than configured, or the media server cannot be reached, leaving no row and no folder', async () => {
    const room = await liveRoom(harness);
    harness.disk.freeBytes = MIN_FREE_MB * 1024 * 1024 - 1;
    room.ines.send({ type: 'recording.start', ref: 'full' });
    expect(await room.ines.next('error')).to.deep.include({ code: 'DISK_LOW', message: 'The server does not have enough free disk space to record. Ask your administrator.' });
    harness.disk.freeBytes = MIN_FREE_MB * 1024 * 1024;
    harness.media.failNextStart();
    room.ines.send({ type: 'recording.start', ref: 'gone' });
    expect(await room.ines.next('error')).to.deep.include({ code: 'MEDIA_UNAVAILABLE', ref: 'gone' });
    expect(await room.recordings()).to.deep.equal([]);
    const raw = path.join(harness.server.dataDir, 'recordings', 'raw');
    expect(existsSync(raw) ? readdirSync(raw) : []).to.deep.equal([]);
    room.ines.send({ type: 'recording.start' });
    expect((await room.pia.next('recording.changed')).recording.state).to.equal('recording');
  });

  it('ends the recording with the live session (session_ended), before the room hears the session ended', async () => {
    const room = await liveRoom(harness);
    room.ines.send({ type: 'recording.start' });
    await room.pia.next('recording.changed');
    await harness.scheduler.advance(30_000);
    room.ines.send({ type: 'session.end' });
    const ended = await room.pia.next('recording.changed', (message) => message.recording.state === 'off');
    expect(ended.finished).to.equal('session_ended');
    await room.pia.next('session.ended');
    const types = room.pia.received.map((message) => message.type);
    expect(types.lastIndexOf('recording.changed')).to.be.lessThan(types.indexOf('session.ended'));
    const [recording] = await room.recordings();
    expect(recording).to.deep.include({ state: 'queued', finish_reason: 'session_ended', recorded_seconds: 30 });
    expect(await room.jobs(recording!.id)).to.have.length(1);
  });
});

describe('RoomRecordingService handing a recording to processing', function () {
  this.timeout(20_000);
  // Processing on, its poll an hour away: only being told the recording was queued can make it start.
  const harness = eachRecordingServer({ recordings: { ...RECORDING_SCENE_SETTINGS, processingConcurrency: 1 } });

  it('starts processing a stopped recording at once, not at the next poll', async () => {
    const room = await liveRoom(harness);
    room.ines.send({ type: 'recording.start' });
    await room.ines.next('recording.changed');
    await harness.scheduler.advance(5_000);
    room.ines.send({ type: 'recording.stop' });
    await room.ines.next('recording.changed', (message) => message.recording.state === 'off');
    const job = await jobTakenOrNot(harness.server.db, await room.recordingId());
    expect(job, 'the process job was taken').to.deep.include({ kind: 'process' }).and.have.property('attempts').that.is.at.least(1);
  });
});

describe('RoomRecordingService without a media server that records', function () {
  this.timeout(20_000);
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  it('says recording needs Janus, in the Record control and in the refusal', async () => {
    const scene = await channelScene(server);
    await scene.startFromMediaSpace();
    const ines: RoomClient = await scene.instructor();
    try {
      expect((await ines.next('welcome')).recording).to.deep.include({ state: 'off', available: false });
      ines.send({ type: 'recording.start', ref: 'r' });
      const refused = await ines.next('error');
      expect(refused.code).to.equal('RECORDING_NEEDS_JANUS');
      expect(refused.message).to.contain('Recording needs the Janus media server');
      expect(await server.db.selectFrom('recordings').selectAll().execute()).to.deep.equal([]);
    } finally {
      ines.socket.terminate();
    }
  });
});
