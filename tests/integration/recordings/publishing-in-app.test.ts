/**
 * Publishing inside the running service, on each database: the publish job
 * built on the app's own (cached) KalturaGateway and database, talking over
 * HTTP to the app's built-in Kaltura emulator, as production wiring will.
 */
import { expect } from 'chai';
import { createRecordingEntryRemover } from '../../../src/recordings/publishing/entry-remover.ts';
import { createPublishJobHandler } from '../../../src/recordings/publishing/publish-job.ts';
import { connectEmulatorClient, k, type ClientRequest } from '../../support/kaltura-emulator-client.ts';
import { insertReadyRecording, jobFor, makeVideo } from '../../support/publishing-scene.ts';
import { startTestServerOn, TEST_DATABASES } from '../../support/test-databases.ts';
import { TEST_PARTNER, type TestServer } from '../../support/test-server.ts';

const { media, category } = k.services as Record<'media' | 'category', Record<string, (...args: any[]) => ClientRequest>>;

for (const database of TEST_DATABASES) {
  describe(`Publishing a recording from the running service (${database})`, function () {
    this.timeout(60_000);
    let server: TestServer;

    before(async () => {
      server = await startTestServerOn(database, { config: { recordings: { publishChunkBytes: 4096, timeZone: 'Europe/Paris' } } });
    });
    after(() => server.stop());

    it('publishes into a moderated channel through the app\'s gateway, keeps the entry id, and deletes the entry when asked', async () => {
      const video = makeVideo(server.dataDir);
      const api = connectEmulatorClient(server.url, TEST_PARTNER);
      const admin = await api.adminKs();
      const channel = await api.send(category.add!(new k.objects.Category!({ name: 'Moderated recordings', parentId: 1003, moderation: true })), admin);
      const recordingId = await insertReadyRecording(server.db, { kind: 'channel', channelId: channel.id, name: 'Chemistry Club' }, video.length);
      const handler = createPublishJobHandler({ db: server.db, gateway: server.gateway, dataDir: server.dataDir, config: server.config.recordings, now: Date.now });
      await handler.run(jobFor(recordingId), async () => {}, new AbortController().signal);

      const row = await server.db.selectFrom('recordings').selectAll().where('id', '=', recordingId).executeTakeFirstOrThrow();
      expect(row).to.include({ state: 'ready', publish_state: 'published', publish_status: 'pending', version: 4 });
      const entry = await api.send(media.get!(row.kaltura_entry_id), admin);
      expect(entry).to.include({ name: 'Chemistry Club — 2026-12-04 14:30', referenceId: recordingId, userId: 'maria.manager' });
      const stored = Buffer.from(await (await fetch(`${entry.downloadUrl}/ks/${admin}`)).arrayBuffer());
      expect(stored.equals(video)).to.equal(true);

      await createRecordingEntryRemover(server.gateway).deleteEntry(row.kaltura_entry_id!);
      expect((await api.failure(media.get!(row.kaltura_entry_id), admin)).code).to.equal('ENTRY_ID_NOT_FOUND');
    });
  });
}
