/**
 * Recorded time in the live room, on a manual clock: metered into the ledger with pauses excluded, the
 * course's time to the exact second (the last one allowed, over by one refused), the ten-minute warning,
 * and recordings finished by the time running out, a full disk or the media server dying, as far as they got.
 */
import { rmSync } from 'node:fs';
import { expect } from 'chai';
import { eventually } from '../../support/manual-scheduler.ts';
import { TEST_DATABASES } from '../../support/test-databases.ts';
import { eachRecordingServer, liveRoom } from '../../support/recording-scene.ts';
import type { RoomClient } from '../../support/room-client.ts';

for (const database of TEST_DATABASES) describe(`RoomRecordingService › recorded time on ${database}`, function () {
  this.timeout(20_000);
  const harness = eachRecordingServer({}, database);

  async function startRecording(ines: RoomClient, pia: RoomClient) {
    ines.send({ type: 'recording.start' });
    return (await pia.next('recording.changed')).recording;
  }
  const sum = (rows: Array<{ seconds: number }>) => rows.reduce((total, row) => total + row.seconds, 0);

  it('records exactly the last second: one second left starts, and the recording is finished over quota at that second, not a second later', async () => {
    const room = await liveRoom(harness);
    await room.useSeconds(3599);
    expect((await startRecording(room.ines, room.pia)).leftSeconds).to.equal(1);
    await harness.scheduler.advance(999);
    expect(room.pia.unread('recording.changed')).to.deep.equal([]);
    await harness.scheduler.advance(1);
    const finished = await room.pia.next('recording.changed');
    expect(finished).to.deep.include({ finished: 'quota' });
    expect(finished.recording).to.deep.include({ state: 'off', leftSeconds: 0 });
    const [recording] = await room.recordings();
    expect(recording).to.deep.include({ state: 'over_quota', finish_reason: 'quota', recorded_seconds: 1 });
    expect(sum(await room.ledger(recording!.id))).to.equal(1);
    // Held for an administrator to release or delete: no processing yet.
    expect(await room.jobs(recording!.id)).to.deep.equal([]);
    expect(harness.media.calls.at(-1)).to.equal(`stop ${room.roomId}`);
  });

  it('refuses a recording over by one second: none left, with who can add hours', async () => {
    const room = await liveRoom(harness);
    await room.useSeconds(3600);
    room.ines.send({ type: 'recording.start', ref: 'over' });
    const refused = await room.ines.next('error');
    expect(refused).to.include({ code: 'NO_RECORDING_TIME', message: 'This course has no recording time left. An administrator can add recording hours to it.' });
    expect(await room.recordings()).to.deep.equal([]);
    expect(harness.media.calls).to.deep.equal([]);
  });

  it('meters recorded time only, pauses excluded: ledger rows each minute, at the pause and at the stop, recorded_seconds equal to their sum', async () => {
    const room = await liveRoom(harness);
    await startRecording(room.ines, room.pia);
    const id = await room.recordingId();
    await harness.scheduler.advance(61_500);
    await eventually(async () => expect((await room.ledger(id)).map((row) => row.seconds)).to.deep.equal([60]));
    room.ines.send({ type: 'recording.pause' });
    expect((await room.pia.next('recording.changed')).recording).to.deep.include({ state: 'paused', recordedSeconds: 61 });
    await harness.scheduler.advance(600_000);
    expect((await room.ledger(id)).map((row) => row.seconds)).to.deep.equal([60, 1]);
    room.ines.send({ type: 'recording.resume' });
    expect((await room.pia.next('recording.changed')).recording).to.deep.include({ state: 'recording', recordedSeconds: 61, leftSeconds: 3600 - 61 });
    await harness.scheduler.advance(30_000);
    room.ines.send({ type: 'recording.stop' });
    await room.pia.next('recording.changed', (message) => message.recording.state === 'off');
    // 61.5 s and 30 s recorded: the half second carried over the pause is counted with the rest.
    const ledger = await room.ledger(id);
    expect(ledger.map((row) => row.seconds)).to.deep.equal([60, 1, 30]);
    const [recording] = await room.recordings();
    expect(recording).to.deep.include({ state: 'queued', recorded_seconds: 91 });
    expect(sum(ledger)).to.equal(recording!.recorded_seconds);
    expect(harness.media.calls.map((call) => call.split(' ')[0])).to.deep.equal(['start', 'stop', 'start', 'stop']);
    // Janus writes new files into the same folder after a pause.
    expect(harness.media.calls[0]).to.equal(harness.media.calls[2]);
  });

  it('warns the room once at ten minutes left, and finishes at none left', async () => {
    const room = await liveRoom(harness);
    await room.useSeconds(3600 - 11 * 60);
    await startRecording(room.ines, room.pia);
    await harness.scheduler.advance(59_999);
    expect(room.pia.unread('recording.warning')).to.deep.equal([]);
    await harness.scheduler.advance(1);
    expect(await room.pia.next('recording.warning')).to.deep.include({ minutesLeft: 10, leftSeconds: 600 });
    await room.ines.next('recording.warning');
    const id = await room.recordingId();
    // A minute at a time, each metered before the next: the clock never runs ahead of the room's work.
    for (let minute = 2; minute <= 10; minute++) {
      await harness.scheduler.advance(60_000);
      await eventually(async () => expect(await room.ledger(id)).to.have.length(minute));
    }
    await harness.scheduler.advance(59_000);
    expect(room.pia.unread('recording.warning')).to.deep.equal([]);
    expect(room.pia.unread('recording.changed')).to.deep.equal([]);
    await harness.scheduler.advance(1_000);
    expect((await room.pia.next('recording.changed')).finished).to.equal('quota');
    const [recording] = await room.recordings();
    expect(recording).to.deep.include({ state: 'over_quota', recorded_seconds: 660 });
    expect(sum(await room.ledger(recording!.id))).to.equal(660);
  });

  it('finishes a recording when the disk fills up while it records (disk_full), as far as it got, for processing', async () => {
    const room = await liveRoom(harness);
    await startRecording(room.ines, room.pia);
    const id = await room.recordingId();
    await harness.scheduler.advance(60_000);
    await eventually(async () => expect(await room.ledger(id)).to.have.length(1));
    harness.disk.freeBytes = 1024;
    await harness.scheduler.advance(60_000);
    expect((await room.pia.next('recording.changed')).finished).to.equal('disk_full');
    const [recording] = await room.recordings();
    expect(recording).to.deep.include({ state: 'queued', finish_reason: 'disk_full', recorded_seconds: 120 });
    expect(await room.jobs(recording!.id)).to.have.length(1);
  });

  it('keeps what was recorded when the media server dies (media_server_lost), queued for processing', async () => {
    const room = await liveRoom(harness);
    await startRecording(room.ines, room.pia);
    await harness.scheduler.advance(45_000);
    harness.media.lose();
    expect((await room.pia.next('recording.changed')).finished).to.equal('media_server_lost');
    const [recording] = await room.recordings();
    expect(recording).to.deep.include({ state: 'queued', finish_reason: 'media_server_lost', recorded_seconds: 45 });
    expect(await room.jobs(recording!.id)).to.have.length(1);
    // Nothing to tell a media server that is gone.
    expect(harness.media.calls.map((call) => call.split(' ')[0])).to.deep.equal(['start']);
    room.ines.send({ type: 'recording.start' });
    expect((await room.pia.next('recording.changed')).recording.state).to.equal('recording');
  });

  it('goes on recording when the media server loses other rooms (another Janus went away)', async () => {
    const room = await liveRoom(harness);
    await startRecording(room.ines, room.pia);
    harness.media.lose(['a-room-on-another-janus']);
    room.ines.send({ type: 'recording.pause' });
    expect((await room.pia.next('recording.changed')).recording.state).to.equal('paused');
    const [recording] = await room.recordings();
    expect(recording).to.deep.include({ state: 'paused', finish_reason: null });
  });

  it('finishes a recording a restart left open as far as its ledger went (at most a minute lost), and queues it for processing', async function () {
    // A restart reopens the data folder's SQLite database; a PostgreSQL server here gets a fresh schema each time.
    if (database !== 'SQLite') this.skip();
    const room = await liveRoom(harness);
    await startRecording(room.ines, room.pia);
    const id = await room.recordingId();
    const meteredAt = harness.scheduler.now() + 60_000;
    await harness.scheduler.advance(90_000);
    await eventually(async () => expect(await room.ledger(id)).to.have.length(1));
    const dataDir = harness.server.dataDir;
    await harness.server.close();
    const restarted = await harness.start(dataDir);
    harness.server = { ...restarted, stop: async () => (await restarted.stop(), rmSync(dataDir, { recursive: true, force: true })) };
    const [recording] = await restarted.db.selectFrom('recordings').selectAll().execute();
    expect(recording).to.deep.include({ state: 'queued', finish_reason: 'media_server_lost', recorded_seconds: 60, ended_at: meteredAt });
    expect(await restarted.db.selectFrom('recording_jobs').select(['kind', 'state']).where('recording_id', '=', id).execute()).to.deep.equal([{ kind: 'process', state: 'queued' }]);
  });
});
