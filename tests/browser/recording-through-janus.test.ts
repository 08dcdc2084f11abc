/**
 * A recording from end to end, as issue 14 asks, through Janus and the real tools: an instructor and a
 * participant in a channel's room with Chromium's fake cameras and microphones, the instructor records ten
 * seconds and stops; the service's job runner turns Janus's .mjr files into one MP4 (janus-pp-rec, ffmpeg),
 * which ffprobe reads as one video and one audio stream as long as what was recorded, and publishes it into
 * the channel's category in the Kaltura emulator.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { useBrowserSuite } from '../support/browser.ts';
import { LEVEL } from '../support/kaltura-seed.ts';
import { MEDIA_SERVERS_UNDER_TEST, requireMediaServer } from '../support/media-peer.ts';
import { enterMeeting, FAKE_MEDIA, keepPeerConnections, receivesFromOthers } from '../support/media-browser.ts';
import { connectEmulatorClient, k } from '../support/kaltura-emulator-client.ts';
import { TEST_PARTNER, type TestServer } from '../support/test-server.ts';

const janus = MEDIA_SERVERS_UNDER_TEST.find((server) => server.kind === 'janus')!;
const RECORD_SECONDS = 10;

interface Probe {
  streams: Array<{ codec_type: string }>;
  format: { duration: string };
}

describe('a recording from the room to Kaltura, through Janus', function () {
  this.timeout(180_000);
  const suite = useBrowserSuite({
    server: { settings: { enabled: true }, config: { media: janus.media('45000-45999'), recordings: { jobPollSeconds: 0.5 } } },
    sessions: ['instructor', 'participant'],
    chromiumArgs: FAKE_MEDIA,
  });
  const { instructor, participant } = suite.sessions;

  before(function () {
    const missing = ['janus-pp-rec', 'ffmpeg', 'ffprobe'].filter((tool) => spawnSync(tool, ['--help'], { stdio: 'ignore' }).error);
    if (missing.length > 0) {
      console.warn(`    (skipped: ${missing.join(', ')} not installed; apt-get install janus-tools ffmpeg, as .ci/run does)`);
      this.skip();
    }
  });

  beforeEach(async () => {
    requireMediaServer(suite.server, 'janus');
    for (const session of [instructor, participant]) await keepPeerConnections(session.page);
  });

  it('records two cameras and their voices for ten seconds, makes one video of them, and publishes it in the channel', async () => {
    const channel = await suite.server.kaltura.createChannel(`Recorded ${randomUUID().slice(0, 6)}`);
    const manager = await suite.server.kaltura.createUser({ role: 'viewerRole', name: 'Ines Instructor' });
    const member = await suite.server.kaltura.createUser({ role: 'viewerRole', name: 'Pia Participant' });
    await suite.server.kaltura.addMember(channel.id, manager.id, LEVEL.manager);
    await suite.server.kaltura.addMember(channel.id, member.id, LEVEL.member);
    await enterMeeting(suite.server, instructor.page, manager.id, channel.id, 'start');
    await enterMeeting(suite.server, participant.page, member.id, channel.id, 'join');
    for (const page of [instructor.page, participant.page]) await page.locator('[data-media-join]').click();
    await Promise.all([receivesFromOthers(instructor.page), receivesFromOthers(participant.page)]);

    await instructor.page.getByRole('button', { name: 'Record' }).click();
    await participant.page.locator('[data-recording-indicator]').waitFor();
    await recordedFor(instructor.page, RECORD_SECONDS);
    await instructor.page.getByRole('button', { name: 'Stop recording' }).click();
    await participant.page.locator('[data-recording-indicator]').waitFor({ state: 'hidden' });

    const recording = await settled(suite.server, 'state', ['ready', 'failed']);
    expect(recording, recording.failure_reason ?? '').to.include({ state: 'ready', finish_reason: 'stopped', raw_folder: null });
    expect(recording.recorded_seconds).to.be.within(RECORD_SECONDS, RECORD_SECONDS + 3);
    const probe = ffprobe(path.join(suite.server.dataDir, recording.storage_key!));
    expect(probe.streams.map((stream) => stream.codec_type).sort()).to.deep.equal(['audio', 'video']);
    expect(Number(probe.format.duration)).to.be.closeTo(recording.recorded_seconds, 1);

    const published = await settled(suite.server, 'publish_state', ['published', 'failed']);
    expect(published).to.include({ publish_state: 'published', publish_status: 'active' });
    const api = connectEmulatorClient(suite.server.url, TEST_PARTNER);
    const filter = new k.objects.CategoryEntryFilter!({ categoryIdEqual: channel.id });
    const entries = await api.send(k.services.categoryEntry!.listAction!(filter), await api.adminKs());
    expect(entries.objects.map((entry: { entryId: string }) => entry.entryId)).to.deep.equal([published.kaltura_entry_id]);
    expect(suite.consoleErrors).to.deep.equal([]);
  });
});

/** Waits, on the room's own clock shown to the instructor, until this many seconds were recorded. */
async function recordedFor(page: Page, seconds: number): Promise<void> {
  await page.waitForFunction(
    (wanted) => {
      const parts = (document.querySelector('[data-recording-elapsed]')?.textContent ?? '').trim().split(':').map(Number);
      return parts.length >= 2 && parts.every(Number.isFinite) && parts.reduce((total, part) => total * 60 + part, 0) >= wanted;
    },
    seconds,
    { timeout: (seconds + 20) * 1000, polling: 200 },
  );
}

/** The session's one recording once `column` reaches one of `values` (processing and publishing run on their own). */
async function settled(server: TestServer, column: 'state' | 'publish_state', values: string[], limitMs = 150_000) {
  const until = Date.now() + limitMs;
  for (;;) {
    const rows = await server.db.selectFrom('recordings').selectAll().execute();
    if (rows.length === 1 && values.includes(String(rows[0]![column]))) return rows[0]!;
    if (Date.now() > until) throw new Error(`the recording's ${column} is still ${rows.map((row) => row[column]).join(', ') || 'missing'}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function ffprobe(file: string): Probe {
  const result = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type:format=duration', '-of', 'json', file], { encoding: 'utf8' });
  return JSON.parse(result.stdout) as Probe;
}
