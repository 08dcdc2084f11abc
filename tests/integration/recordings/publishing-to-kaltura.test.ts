/**
 * The publish job end to end: a processed recording (a small MP4 made with
 * ffmpeg) goes through the KalturaGateway and kaltura-client, over HTTP, into
 * the Kaltura emulator behind a proxy that fails one action on demand. The
 * runner's part is played by the test: run, and on a failure either run again
 * (a retry) or call failed() (no attempt left).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import sinon from 'sinon';
import { createKalturaGateway, type KalturaGateway } from '../../../src/kaltura/kaltura-gateway.ts';
import { createDatabase, migrateToLatest, type Db } from '../../../src/lib/db/database.ts';
import { createRecordingEntryRemover } from '../../../src/recordings/publishing/entry-remover.ts';
import { PermanentJobError, RetryableJobError, type RecordingJobHandler } from '../../../src/recordings/processing/job-runner.ts';
import { createPublishJobHandler, PUBLISH_REASONS, type PublishingConfig } from '../../../src/recordings/publishing/publish-job.ts';
import { startFaultyKaltura, type ActionFault, type FaultyKaltura } from '../../support/faulty-kaltura.ts';
import { insertReadyRecording, jobFor, makeVideo, type ReadyRoom } from '../../support/publishing-scene.ts';
import { connectEmulatorClient, k, type Answer, type ClientRequest, type EmulatorClient } from '../../support/kaltura-emulator-client.ts';

const PARTNER = { id: 4242, adminSecret: 'publish-admin-secret', userSecret: 'publish-user-secret' };
const CHUNK_BYTES = 4096;
const { media, categoryEntry, category, uploadToken } = k.services as Record<'media' | 'categoryEntry' | 'category' | 'uploadToken', Record<string, (...args: any[]) => ClientRequest>>;
const LINK = { PENDING: 1, ACTIVE: 2 };

describe('Publishing a recording to Kaltura (publish job)', function () {
  this.timeout(60_000);
  let kaltura: FaultyKaltura;
  let api: EmulatorClient;
  let admin: string;
  let db: Db;
  let dataDir: string;
  let video: Buffer;
  let gateway: KalturaGateway;
  let counter = 0;

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'live-rooms-publishing-'));
    db = createDatabase({ url: null, dataDir });
    await migrateToLatest(db);
    video = makeVideo(dataDir);
    kaltura = await startFaultyKaltura(PARTNER, 0);
    api = connectEmulatorClient(kaltura.emulatorUrl, PARTNER);
    admin = await api.adminKs();
  });
  after(async () => {
    await kaltura.close();
    await db.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    kaltura.setActionFault(null);
    gateway = createKalturaGateway({
      serviceUrl: kaltura.serviceUrl,
      partnerId: PARTNER.id,
      adminSecret: PARTNER.adminSecret,
      userSecret: PARTNER.userSecret,
      timeoutMs: 10_000,
      userRoleMetadataProfileId: null,
      adminSessionTtlSeconds: 3600,
    });
  });

  function handlerWith(config: Partial<PublishingConfig> = {}): RecordingJobHandler {
    const full: PublishingConfig = { kalturaCategoryId: null, kalturaCategoryFullName: null, publishChunkBytes: CHUNK_BYTES, timeZone: 'Europe/Paris', ...config };
    return createPublishJobHandler({ db, gateway, dataDir, config: full, now: Date.now });
  }

  const run = (handler: RecordingJobHandler, recordingId: string, progress: number[] = []) =>
    handler.run(jobFor(recordingId), async (value) => void progress.push(value), new AbortController().signal);

  async function failedRun(handler: RecordingJobHandler, recordingId: string): Promise<Error> {
    try {
      await run(handler, recordingId);
    } catch (error) {
      return error as Error;
    }
    throw new Error('expected the publish job to fail');
  }

  async function newChannel(fields: object = {}): Promise<number> {
    const added = await api.send(category.add!(new k.objects.Category!({ name: `Recordings ${++counter}`, parentId: 1003, ...fields })), admin);
    return added.id as number;
  }

  const readyRecording = (room: ReadyRoom) => insertReadyRecording(db, room, video.length);

  const recordingRow = (id: string) => db.selectFrom('recordings').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  async function entriesFor(recordingId: string): Promise<Answer[]> {
    return (await api.send(media.listAction!(new k.objects.MediaEntryFilter!({ referenceIdEqual: recordingId })), admin)).objects ?? [];
  }

  async function downloaded(entry: Answer): Promise<Buffer> {
    const response = await fetch(`${entry.downloadUrl}/ks/${admin}`);
    expect(response.status).to.equal(200);
    return Buffer.from(await response.arrayBuffer());
  }

  it('puts a channel room\'s recording into its channel in chunks, named after the room and the session\'s start, owned by who recorded it, with the same bytes', async () => {
    const channelId = await newChannel();
    const recordingId = await readyRecording({ kind: 'channel', channelId, name: 'Physics 101' });
    const chunks = sinon.spy(gateway, 'uploadChunk');
    const progress: number[] = [];
    await run(handlerWith(), recordingId, progress);

    const row = await recordingRow(recordingId);
    expect(row).to.include({ state: 'ready', publish_state: 'published', publish_status: 'active' });
    const [entry, ...others] = await entriesFor(recordingId);
    expect(others).to.have.length(0);
    expect(entry).to.include({ id: row.kaltura_entry_id, name: 'Physics 101 — 2026-12-04 14:30', userId: 'maria.manager', referenceId: recordingId, status: 2 });
    expect((await downloaded(entry!)).equals(video)).to.equal(true);
    const links = await api.send(categoryEntry.listAction!(new k.objects.CategoryEntryFilter!({ categoryIdEqual: channelId })), admin);
    expect(links.objects.map((link: Answer) => [link.entryId, link.status])).to.deep.equal([[entry!.id, LINK.ACTIVE]]);
    expect(chunks.callCount).to.equal(Math.ceil(video.length / CHUNK_BYTES));
    expect(progress.at(-1)).to.equal(100);
    expect(progress).to.deep.equal([...progress].sort((a, b) => a - b));
  });

  it('leaves the entry pending in a moderated channel', async () => {
    const channelId = await newChannel({ moderation: true });
    const recordingId = await readyRecording({ kind: 'channel', channelId });
    await run(handlerWith(), recordingId);
    expect(await recordingRow(recordingId)).to.include({ publish_state: 'published', publish_status: 'pending' });
    const [entry] = await entriesFor(recordingId);
    const links = await api.send(categoryEntry.listAction!(new k.objects.CategoryEntryFilter!({ entryIdEqual: entry!.id })), admin);
    expect(links.objects.map((link: Answer) => [link.categoryId, link.status])).to.deep.equal([[channelId, LINK.PENDING]]);
  });

  it('puts a course room\'s recording into the configured category, by id or by full name, and does not publish without one', async () => {
    const byId = await newChannel();
    const first = await readyRecording({ kind: 'course' });
    await run(handlerWith({ kalturaCategoryId: byId }), first);
    expect((await recordingRow(first)).publish_state).to.equal('published');
    expect((await entriesFor(first))[0]!.categoriesIds).to.equal(String(byId));

    const byName = await api.send(category.get!(await newChannel()), admin);
    const second = await readyRecording({ kind: 'private', recordedBy: 'backend-account-id' });
    await run(handlerWith({ kalturaCategoryFullName: byName.fullName }), second);
    const [entry] = await entriesFor(second);
    expect(entry!.categoriesIds).to.equal(String(byName.id));
    expect(entry!.userId, 'a backend account has no Kaltura user: the admin session owns it').to.not.equal('backend-account-id');

    const third = await readyRecording({ kind: 'course' });
    await run(handlerWith(), third);
    expect((await recordingRow(third)).publish_state).to.equal(null);
    expect(await entriesFor(third)).to.have.length(0);

    const deleted = await readyRecording({ kind: 'course' });
    const gone = await failedRun(handlerWith({ kalturaCategoryId: 987_654 }), deleted);
    expect((gone as PermanentJobError).reason, 'a category id Kaltura does not have').to.equal(PUBLISH_REASONS.categoryMissing);
    expect(await recordingRow(deleted)).to.include({ state: 'ready', publish_state: 'publishing' });

    const missing = await readyRecording({ kind: 'course' });
    const error = await failedRun(handlerWith({ kalturaCategoryFullName: 'MediaSpace>site>nowhere' }), missing);
    expect(error).to.be.instanceOf(PermanentJobError);
    expect((error as PermanentJobError).reason).to.equal(PUBLISH_REASONS.categoryMissing);
  });

  const steps: Array<{ step: string; fault: ActionFault }> = [
    { step: 'finding an earlier entry', fault: { action: 'media/list', fault: 'http-500' } },
    { step: 'creating the entry (its answer lost)', fault: { action: 'media/add', fault: 'lose-answer' } },
    { step: 'creating the upload token (its answer lost)', fault: { action: 'uploadToken/add', fault: 'lose-answer' } },
    { step: 'uploading the third chunk', fault: { action: 'uploadToken/upload', fault: 'http-500', after: 2 } },
    { step: 'uploading the third chunk (its answer lost)', fault: { action: 'uploadToken/upload', fault: 'lose-answer', after: 2 } },
    { step: 'giving the entry its content (its answer lost)', fault: { action: 'media/addContent', fault: 'lose-answer' } },
    { step: 'adding the entry to the channel', fault: { action: 'categoryEntry/add', fault: 'http-500' } },
    { step: 'adding the entry to the channel (its answer lost)', fault: { action: 'categoryEntry/add', fault: 'lose-answer' } },
  ];
  for (const { step, fault } of steps) {
    it(`fails when Kaltura fails at ${step}, keeps the recording ready, and a retry finishes without a second entry or sending again what arrived`, async () => {
      const channelId = await newChannel();
      const recordingId = await readyRecording({ kind: 'channel', channelId });
      const handler = handlerWith();
      kaltura.setActionFault(fault);
      const error = await failedRun(handler, recordingId);
      expect(error).to.be.instanceOf(RetryableJobError);
      expect((error as RetryableJobError).reason).to.equal(PUBLISH_REASONS.kaltura);
      await handler.failed!(jobFor(recordingId), (error as RetryableJobError).reason);
      expect(await recordingRow(recordingId)).to.include({ state: 'ready', publish_state: 'failed', failure_reason: PUBLISH_REASONS.kaltura });

      kaltura.setActionFault(null);
      const chunks = sinon.spy(gateway, 'uploadChunk');
      await run(handler, recordingId);
      const row = await recordingRow(recordingId);
      expect(row).to.include({ state: 'ready', publish_state: 'published', publish_status: 'active', failure_reason: null });
      const entries = await entriesFor(recordingId);
      expect(entries.map((entry) => entry.id)).to.deep.equal([row.kaltura_entry_id]);
      expect((await downloaded(entries[0]!)).equals(video)).to.equal(true);
      if (fault.action === 'uploadToken/upload') {
        expect(chunks.firstCall.args[2].resumeAt, 'the retry resumes where Kaltura\'s copy ends').to.equal(fault.fault === 'http-500' ? 2 * CHUNK_BYTES : 3 * CHUNK_BYTES);
        expect(chunks.callCount).to.equal(Math.ceil(video.length / CHUNK_BYTES) - (fault.fault === 'http-500' ? 2 : 3));
      }
      const tokens = await api.send(uploadToken.listAction!(new k.objects.UploadTokenFilter!({ fileNameEqual: `${recordingId}.mp4` })), admin);
      expect(tokens.totalCount, 'one upload token, used once').to.be.at.most(step.includes('upload token') ? 2 : 1);
    });
  }

  it('stops between chunks when the runner aborts, and the next attempt resumes there', async () => {
    const channelId = await newChannel();
    const recordingId = await readyRecording({ kind: 'channel', channelId });
    const controller = new AbortController();
    const chunks = sinon.spy(gateway, 'uploadChunk');
    const stopping = handlerWith().run(
      jobFor(recordingId),
      async () => {
        if (chunks.callCount === 2) controller.abort(new Error('stopping'));
      },
      controller.signal,
    );
    await stopping.then(
      () => expect.fail('expected the aborted run to reject'),
      (error: Error) => expect(error.message).to.equal('stopping'),
    );
    expect(chunks.callCount).to.equal(2);
    chunks.resetHistory();
    await run(handlerWith(), recordingId);
    expect(chunks.firstCall.args[2].resumeAt).to.equal(2 * CHUNK_BYTES);
    expect((await downloaded((await entriesFor(recordingId))[0]!)).equals(video)).to.equal(true);
  });

  it('asks Kaltura again where its copy ends when Kaltura refuses the position a chunk was sent at', async () => {
    const channelId = await newChannel();
    const recordingId = await readyRecording({ kind: 'channel', channelId });
    kaltura.setActionFault({ action: 'uploadToken/upload', fault: 'http-500', after: 1 });
    await failedRun(handlerWith(), recordingId);
    kaltura.setActionFault(null);
    // A stale reading: Kaltura is said to hold one chunk more than it does, so the next chunk is sent past its end.
    const look = gateway.findOpenUploadToken.bind(gateway);
    sinon.stub(gateway, 'findOpenUploadToken').onFirstCall().callsFake(async (name) => {
      const token = (await look(name))!;
      return { ...token, uploadedBytes: token.uploadedBytes + CHUNK_BYTES };
    }).callThrough();
    const chunks = sinon.spy(gateway, 'uploadChunk');
    await run(handlerWith(), recordingId);
    expect(chunks.getCalls().map((call) => call.args[2].resumeAt)).to.deep.equal([2 * CHUNK_BYTES, CHUNK_BYTES, 2 * CHUNK_BYTES, 3 * CHUNK_BYTES]);
    expect((await downloaded((await entriesFor(recordingId))[0]!)).equals(video)).to.equal(true);
  });

  it('sends a file processed again afresh, not the earlier file an unused upload holds', async () => {
    const channelId = await newChannel();
    const recordingId = await readyRecording({ kind: 'channel', channelId });
    kaltura.setActionFault({ action: 'media/addContent', fault: 'http-500' });
    await failedRun(handlerWith(), recordingId);
    kaltura.setActionFault(null);
    const reprocessed = Buffer.concat([video, Buffer.from('a longer file')]);
    writeFileSync(path.join(dataDir, 'recordings', `${recordingId}.mp4`), reprocessed);
    await db.updateTable('recordings').set({ storage_key: `recordings/${recordingId}.mp4` }).where('id', '=', recordingId).execute();
    await run(handlerWith(), recordingId);
    expect((await downloaded((await entriesFor(recordingId))[0]!)).equals(reprocessed)).to.equal(true);
  });

  it('fails for good when the file is missing, and does nothing for a recording already published', async () => {
    const channelId = await newChannel();
    const recordingId = await readyRecording({ kind: 'channel', channelId });
    await db.updateTable('recordings').set({ storage_key: 'recordings/gone.mp4' }).where('id', '=', recordingId).execute();
    const error = await failedRun(handlerWith(), recordingId);
    expect(error).to.be.instanceOf(PermanentJobError);
    expect((error as PermanentJobError).reason).to.equal(PUBLISH_REASONS.fileMissing);
    await db.updateTable('recordings').set({ storage_key: '../outside.mp4' }).where('id', '=', recordingId).execute();
    expect(((await failedRun(handlerWith(), recordingId)) as PermanentJobError).reason).to.equal(PUBLISH_REASONS.fileMissing);

    await db.updateTable('recordings').set({ storage_key: 'recordings/published.mp4' }).where('id', '=', recordingId).execute();
    await run(handlerWith(), recordingId);
    const version = (await recordingRow(recordingId)).version;
    const calls = gateway.callCount();
    await run(handlerWith(), recordingId);
    expect(gateway.callCount()).to.equal(calls);
    expect((await recordingRow(recordingId)).version).to.equal(version);
  });

  it('deletes a recording\'s entry for Session Stats, an entry already gone counting as deleted', async () => {
    const channelId = await newChannel();
    const recordingId = await readyRecording({ kind: 'channel', channelId });
    await run(handlerWith(), recordingId);
    const { kaltura_entry_id: entryId } = await recordingRow(recordingId);
    const remover = createRecordingEntryRemover(gateway);
    await remover.deleteEntry(entryId!);
    expect((await api.failure(media.get!(entryId), admin)).code).to.equal('ENTRY_ID_NOT_FOUND');
    await remover.deleteEntry(entryId!);
    kaltura.setActionFault({ action: 'media/delete', fault: 'http-500' });
    const failure = await remover.deleteEntry(entryId!).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure, 'Kaltura failing is reported, not taken for done').to.have.property('status', 502);
  });
});
