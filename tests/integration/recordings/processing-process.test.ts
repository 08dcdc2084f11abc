import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTestServer, type TestServer } from '../../support/test-server.ts';
import {
  addFinishedRecording,
  fakeFfmpeg,
  filesUnderRecordings,
  jobRow,
  mediaToolsInstalled,
  NEEDS_MEDIA_TOOLS,
  placeRawFiles,
  recordingRow,
  type RecordingOptions,
} from '../../support/processing-scene.ts';

interface Probe {
  streams: Array<{ codec_type: string; codec_name: string; width?: number; height?: number }>;
  format: { duration: string; format_name: string };
}

function probe(file: string): Probe {
  return JSON.parse(spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type,codec_name,width,height:format=duration,format_name', '-of', 'json', file], { encoding: 'utf8' }).stdout) as Probe;
}

/** Where the output's sound comes back after a silence (ffmpeg's silencedetect), in seconds. */
function silenceEnds(file: string): number[] {
  const { stderr } = spawnSync('ffmpeg', ['-hide_banner', '-nostats', '-i', file, '-af', 'silencedetect=noise=-45dB:duration=0.3', '-f', 'null', '-'], { encoding: 'utf8' });
  return [...stderr.matchAll(/silence_end: ([\d.]+)/g)].map((match) => Number(match[1]));
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Lets the server's runner take the queued job and waits until the recording reaches one of `states`. */
async function processed(server: TestServer, recordingId: string, states = ['ready', 'failed'], limitMs = 90_000) {
  const until = Date.now() + limitMs;
  server.recordingJobs.poke();
  for (;;) {
    await server.recordingJobs.idle();
    const row = await recordingRow(server.db, recordingId);
    if (states.includes(row.state)) return row;
    if (Date.now() > until) throw new Error(`recording still ${row.state} after ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits until the recording's publishing has ended one way or the other. */
async function publishedRow(server: TestServer, recordingId: string, limitMs = 60_000) {
  const until = Date.now() + limitMs;
  for (;;) {
    server.recordingJobs.poke();
    await server.recordingJobs.idle();
    const row = await recordingRow(server.db, recordingId);
    if (row.publish_state === 'published' || row.publish_state === 'failed') return row;
    if (Date.now() > until) throw new Error(`publishing still ${row.publish_state} after ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const SETTINGS = { maxAttempts: 2, retryBaseSeconds: 0.05, jobPollSeconds: 0.2, processingConcurrency: 2 };

describe('Processing recordings into one video', function () {
  this.timeout(180_000);
  let server: TestServer;
  let fake: ReturnType<typeof fakeFfmpeg>;
  let fakeFolder: string;

  before(async function () {
    if (!mediaToolsInstalled()) {
      console.warn(`    (skipped: ${NEEDS_MEDIA_TOOLS})`);
      this.skip();
    }
    fakeFolder = mkdtempSync(path.join(tmpdir(), 'fake-ffmpeg-'));
    fake = fakeFfmpeg(fakeFolder);
    server = await startTestServer({ config: { recordings: { ...SETTINGS, ffmpegPath: fake.path } } });
  });
  after(async () => {
    await server?.stop();
    if (fakeFolder) rmSync(fakeFolder, { recursive: true, force: true });
  });
  afterEach(() => fake?.mode('pass'));

  const queue = async (scenario: string | null, options: RecordingOptions = {}) => {
    const recording = await addFinishedRecording(server.db, { now: Date.now(), ...options });
    const rawFolder = placeRawFiles(server.dataDir, recording.recordingId, scenario);
    return { ...recording, rawFolder, finalFile: path.join(server.dataDir, 'recordings', `${recording.recordingId}.mp4`) };
  };

  /** One H.264 1280×720 video stream and one AAC audio stream in an MP4, as long as the recording (± 1 s). */
  const expectPlayableVideo = (file: string, seconds: number) => {
    const { streams, format } = probe(file);
    expect(streams.map((stream) => `${stream.codec_type}:${stream.codec_name}`)).to.deep.equal(['video:h264', 'audio:aac']);
    expect(streams[0]).to.include({ width: 1280, height: 720 });
    expect(format.format_name).to.include('mp4');
    expect(Number(format.duration)).to.be.closeTo(seconds, 1);
  };

  it('makes one camera and its voice into one MP4, removes the raw files, and publishes a channel room to Kaltura', async () => {
    const channel = await server.kaltura.createChannel('Processed and published');
    const { recordingId, jobId, rawFolder, finalFile } = await queue('one-camera', { roomKind: 'channel', channelId: channel.id });
    const row = await processed(server, recordingId);
    expect(row).to.include({ state: 'ready', storage_key: `recordings/${recordingId}.mp4`, raw_folder: null, failure_reason: null });
    expectPlayableVideo(finalFile, 4.185);
    expect(Number(row.duration_ms)).to.be.closeTo(4185, 1000);
    expect(Number(row.size_bytes)).to.be.above(10_000);
    expect(existsSync(rawFolder)).to.equal(false);
    expect(await jobRow(server.db, jobId)).to.include({ state: 'done', progress: 100, attempts: 1 });
    expect(filesUnderRecordings(server.dataDir)).to.include(`${recordingId}.mp4`).and.to.have.length(1);
    // The same runner then publishes it: the service's publish job, against the Kaltura emulator.
    const published = await publishedRow(server, recordingId);
    expect(published).to.include({ publish_state: 'published', publish_status: 'active' });
    expect(published.kaltura_entry_id).to.be.a('string');
    const publish = await server.db.selectFrom('recording_jobs').selectAll().where('recording_id', '=', recordingId).where('kind', '=', 'publish').executeTakeFirstOrThrow();
    expect(publish).to.include({ state: 'done' });
  });

  it('composes two cameras and a voice without a camera, a course room staying unpublished', async () => {
    const { recordingId, finalFile } = await queue('two-cameras-one-voice');
    const row = await processed(server, recordingId);
    expect(row).to.include({ state: 'ready', publish_state: null });
    expectPlayableVideo(finalFile, 4.846);
    const jobs = await server.db.selectFrom('recording_jobs').select('kind').where('recording_id', '=', recordingId).execute();
    expect(jobs.map((job) => job.kind)).to.deep.equal(['process']);
  });

  it('composes a screen share with the camera beside it', async () => {
    const { recordingId, finalFile } = await queue('screen-and-camera');
    expect(await processed(server, recordingId)).to.include({ state: 'ready' });
    expectPlayableVideo(finalFile, 9.0);
  });

  it('places a publisher who joined late at their offset from the recording start', async () => {
    const { recordingId, finalFile } = await queue('late-joiner');
    expect(await processed(server, recordingId)).to.include({ state: 'ready' });
    // The whole recording: the first camera from 0, the late one from 2.12 s for 4 s.
    expectPlayableVideo(finalFile, 6.145);
    // The first voice speaks for 1 s; the late one's voice comes in at its offset (2.125 s in the headers).
    expect(silenceEnds(finalFile)[0]).to.be.closeTo(2.125, 0.3);
  });

  it('retries a failed ffmpeg and succeeds, leaving no partial file of the failed attempt', async () => {
    fake.mode('fail-once');
    const { recordingId, jobId, finalFile } = await queue('one-camera');
    expect(await processed(server, recordingId)).to.include({ state: 'ready' });
    expect(await jobRow(server.db, jobId)).to.include({ state: 'done', attempts: 2 });
    expectPlayableVideo(finalFile, 4.185);
    expect(filesUnderRecordings(server.dataDir).filter((name) => name.includes(recordingId))).to.deep.equal([`${recordingId}.mp4`]);
  });

  it('fails with a reason once ffmpeg failed on every attempt, keeping the raw files and leaving nothing partial', async () => {
    fake.mode('fail-always');
    const { recordingId, jobId, rawFolder, finalFile } = await queue('one-camera');
    const row = await processed(server, recordingId);
    expect(row).to.include({ state: 'failed', failure_reason: 'recordings-processing:failure.encoder', storage_key: null });
    const job = await jobRow(server.db, jobId);
    expect(job).to.include({ state: 'failed', attempts: 2 });
    expect(job.last_error).to.include('fake encoder failure');
    expect(existsSync(finalFile)).to.equal(false);
    expect(filesUnderRecordings(server.dataDir).filter((name) => name.includes(recordingId))).to.have.length(2).and.satisfy((names: string[]) => names.every((name) => name.startsWith(`raw/${recordingId}/`) && name.endsWith('.mjr')));
    expect(existsSync(rawFolder)).to.equal(true);
  });

  it('fails at once, with a reason, a recording without any stream, and one whose files are not Janus recordings', async () => {
    const empty = await queue(null);
    expect(await processed(server, empty.recordingId)).to.include({ state: 'failed', failure_reason: 'recordings-processing:failure.noMedia' });
    expect(await jobRow(server.db, empty.jobId)).to.include({ state: 'failed', attempts: 1 });

    const corrupt = await queue(null);
    writeFileSync(path.join(corrupt.rawFolder, 'ada-camera-1700000000000-video-1.mjr'), 'not a recording at all');
    writeFileSync(path.join(corrupt.rawFolder, 'ada-camera-1700000000000-audio-0.mjr'), Buffer.alloc(4096, 7));
    expect(await processed(server, corrupt.recordingId)).to.include({ state: 'failed', failure_reason: 'recordings-processing:failure.unreadable' });
    expect(existsSync(corrupt.rawFolder)).to.equal(true);
    expect(existsSync(corrupt.finalFile)).to.equal(false);

    const elsewhere = await queue('one-camera', { rawFolder: '../outside' });
    expect(await processed(server, elsewhere.recordingId)).to.include({ state: 'failed', failure_reason: 'recordings-processing:failure.noMedia' });
  });

  it('keeps a recording over its quota as it is until it is released', async () => {
    const { recordingId, jobId, rawFolder } = await queue('one-camera', { state: 'over_quota' });
    expect(await processed(server, recordingId, ['over_quota'])).to.include({ state: 'over_quota' });
    expect(await jobRow(server.db, jobId)).to.include({ state: 'done' });
    expect(existsSync(rawFolder)).to.equal(true);
  });
});

describe('Processing recordings: disk space and restarts', function () {
  this.timeout(180_000);
  const folders: string[] = [];
  const servers: TestServer[] = [];

  before(function () {
    if (!mediaToolsInstalled()) {
      console.warn(`    (skipped: ${NEEDS_MEDIA_TOOLS})`);
      this.skip();
    }
  });
  after(async () => {
    for (const server of servers.splice(0)) await server.stop().catch(() => undefined);
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  });
  const folder = () => {
    const made = mkdtempSync(path.join(tmpdir(), 'processing-'));
    folders.push(made);
    return made;
  };
  const start = async (dataDir: string, recordings: Record<string, unknown>) => {
    const server = await startTestServer({ dataDir, config: { recordings: { ...SETTINGS, ...recordings } } });
    servers.push(server);
    return server;
  };

  it('does not start without the free disk space the video needs, and writes nothing', async () => {
    const dataDir = folder();
    const server = await start(dataDir, { minFreeDiskMegabytes: 1_000_000_000, maxAttempts: 1 });
    const { recordingId, jobId } = await addFinishedRecording(server.db, { now: Date.now() });
    placeRawFiles(dataDir, recordingId, 'one-camera');
    expect(await processed(server, recordingId)).to.include({ state: 'failed', failure_reason: 'recordings-processing:failure.diskFull' });
    expect((await jobRow(server.db, jobId)).last_error).to.match(/bytes free/);
    expect(filesUnderRecordings(dataDir).every((name) => name.startsWith(`raw/${recordingId}/`))).to.equal(true);
  });

  it('resumes a processing interrupted by a restart, killing the interrupted ffmpeg and removing its partial file', async () => {
    const dataDir = folder();
    const fake = fakeFfmpeg(path.join(folder(), 'bin'));
    fake.mode('hang-once');
    const first = await start(dataDir, { ffmpegPath: fake.path });
    const { recordingId, jobId } = await addFinishedRecording(first.db, { now: Date.now() });
    placeRawFiles(dataDir, recordingId, 'late-joiner');
    first.recordingJobs.poke();
    const until = Date.now() + 60_000;
    while (fake.hangingPid() === null) {
      if (Date.now() > until) throw new Error('the composition never started');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await recordingRow(first.db, recordingId)).to.include({ state: 'processing' });
    await first.close();
    servers.splice(servers.indexOf(first), 1);
    expect(processAlive(fake.hangingPid()!)).to.equal(false);
    expect(filesUnderRecordings(dataDir).every((name) => name.startsWith(`raw/${recordingId}/`))).to.equal(true);

    const second = await start(dataDir, {});
    const row = await processed(second, recordingId);
    expect(row).to.include({ state: 'ready', raw_folder: null });
    expect(await jobRow(second.db, jobId)).to.include({ state: 'done', attempts: 1 });
    expect(filesUnderRecordings(dataDir)).to.deep.equal([`${recordingId}.mp4`]);
  });

  it('stops processing a recording deleted meanwhile, and leaves none of its files', async () => {
    const dataDir = folder();
    const fake = fakeFfmpeg(path.join(folder(), 'bin'));
    fake.mode('hang-once');
    const server = await start(dataDir, { ffmpegPath: fake.path, jobHeartbeatSeconds: 0.2, jobStaleSeconds: 60 });
    const { recordingId } = await addFinishedRecording(server.db, { now: Date.now() });
    const rawFolder = placeRawFiles(dataDir, recordingId, 'one-camera');
    server.recordingJobs.poke();
    const until = Date.now() + 60_000;
    while (fake.hangingPid() === null) {
      if (Date.now() > until) throw new Error('the composition never started');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // As the recordings library deletes one: its row (the job goes with it) and its raw folder.
    await server.db.deleteFrom('recordings').where('id', '=', recordingId).execute();
    rmSync(rawFolder, { recursive: true, force: true });
    await server.recordingJobs.idle();
    while (processAlive(fake.hangingPid()!)) {
      if (Date.now() > until) throw new Error('the interrupted ffmpeg still runs');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await server.recordingJobs.idle();
    expect(server.recordingJobs.runningCount()).to.equal(0);
    expect(filesUnderRecordings(dataDir)).to.deep.equal([]);
  });
});
