/**
 * Audio and video between browsers, through Janus and through the embedded
 * SFU (the same suite for each): the channel's manager (instructor) and
 * members (participants) join with Chromium's fake camera and microphone, and
 * each one's peer connections show video frames decoded and audio with sound
 * in it (totalAudioEnergy > 0) from the others.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { useBrowserSuite } from '../support/browser.ts';
import { LEVEL } from '../support/kaltura-seed.ts';
import { courseWithWebcamPlaces, MEDIA_SERVERS_UNDER_TEST, requireMediaServer } from '../support/media-peer.ts';
import type { BackendPerson } from '../support/courses.ts';

const FAKE_MEDIA = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--autoplay-policy=no-user-gesture-required', '--auto-select-desktop-capture-source=Entire screen'];

interface Received {
  framesDecoded: number;
  audioEnergy: number;
  /** Received streams with frames decoded, and with sound in them. */
  videoStreams: number;
  audioStreams: number;
}

/** Each media server on its own RTP ports. */
const RTP_PORTS = { janus: '43000-43999', embedded: '47000-47999' };

for (const mediaServer of MEDIA_SERVERS_UNDER_TEST) describe(`audio and video in a browser, through ${mediaServer.name}`, function () {
  this.timeout(60_000);
  const suite = useBrowserSuite({
    server: { settings: { enabled: true }, config: { media: mediaServer.media(RTP_PORTS[mediaServer.kind]) } },
    sessions: ['instructor', 'participant', 'another'],
    chromiumArgs: FAKE_MEDIA,
  });
  const { instructor, participant, another } = suite.sessions;

  beforeEach(async () => {
    requireMediaServer(suite.server, mediaServer.kind);
    // Every peer connection a page makes is kept where the test can read its statistics.
    for (const session of [instructor, participant, another]) {
      await session.page.addInitScript(() => {
        const Native = window.RTCPeerConnection;
        const made: RTCPeerConnection[] = [];
        (window as unknown as { peerConnections: RTCPeerConnection[] }).peerConnections = made;
        window.RTCPeerConnection = class extends Native {
          constructor(configuration?: RTCConfiguration) {
            super(configuration);
            made.push(this);
          }
        };
      });
    }
  });

  async function enter(page: Page, userId: string, channelId: number, action: 'start' | 'join'): Promise<void> {
    const ks = await suite.server.kaltura.userKs(userId);
    await page.goto(`${suite.server.url}/launch?ks=${encodeURIComponent(ks)}&returnTo=${encodeURIComponent(`/channels/${channelId}/meeting`)}`);
    const csrf = await page.locator('input[name="_csrf"]').first().inputValue();
    const response = await page.request.post(`${suite.server.url}/channels/${channelId}/meeting/${action}`, { form: { _csrf: csrf }, headers: { Accept: 'application/json' } });
    expect(response.status(), await response.text()).to.equal(200);
    await page.goto(new URL(((await response.json()) as { launchUrl: string }).launchUrl, suite.server.url).href);
    await page.locator('[data-room-state="live"]').waitFor({ state: 'attached' });
  }

  /** A fresh channel: its manager starts the session (Ines Instructor), a member joins (Pia Participant). */
  async function bothInLiveRoom(): Promise<number> {
    const channel = await suite.server.kaltura.createChannel(`Media ${randomUUID().slice(0, 6)}`);
    const manager = await suite.server.kaltura.createUser({ role: 'viewerRole', name: 'Ines Instructor' });
    const member = await suite.server.kaltura.createUser({ role: 'viewerRole', name: 'Pia Participant' });
    await suite.server.kaltura.addMember(channel.id, manager.id, LEVEL.manager);
    await suite.server.kaltura.addMember(channel.id, member.id, LEVEL.member);
    await enter(instructor.page, manager.id, channel.id, 'start');
    await enter(participant.page, member.id, channel.id, 'join');
    return channel.id;
  }

  async function expectText(page: Page, selector: string, text: string): Promise<void> {
    await page.locator(selector).filter({ hasText: text }).waitFor({ timeout: 15_000 });
  }

  /** What the page receives from others, summed over its peer connections. */
  function received(page: Page): Promise<Received> {
    return page.evaluate(async () => {
      const totals = { framesDecoded: 0, audioEnergy: 0, videoStreams: 0, audioStreams: 0 };
      for (const pc of (window as unknown as { peerConnections: RTCPeerConnection[] }).peerConnections) {
        if (pc.connectionState === 'closed') continue;
        (await pc.getStats()).forEach((report: { type: string; kind?: string; framesDecoded?: number; totalAudioEnergy?: number }) => {
          if (report.type !== 'inbound-rtp') return;
          if (report.kind === 'video') totals.framesDecoded += report.framesDecoded ?? 0;
          if (report.kind === 'audio') totals.audioEnergy += report.totalAudioEnergy ?? 0;
          if (report.kind === 'video' && (report.framesDecoded ?? 0) > 0) totals.videoStreams += 1;
          if (report.kind === 'audio' && (report.totalAudioEnergy ?? 0) > 0) totals.audioStreams += 1;
        });
      }
      return totals;
    });
  }

  /** Checks every 250 ms until `check` holds, for at most 20 s. */
  async function pollUntil(page: Page, what: string, check: () => Promise<boolean>): Promise<void> {
    const until = Date.now() + 20_000;
    while (!(await check())) {
      if (Date.now() > until) throw new Error(`waited in vain for ${what}`);
      await page.waitForTimeout(250);
    }
  }

  async function receivesFromOthers(page: Page, others = 1): Promise<Received> {
    let now: Received = { framesDecoded: 0, audioEnergy: 0, videoStreams: 0, audioStreams: 0 };
    await pollUntil(page, `frames decoded and sound received from ${others} others`, async () => {
      now = await received(page);
      return now.videoStreams >= others && now.audioStreams >= others;
    });
    return now;
  }

  it('lets an instructor and a participant see and hear each other, with a tile per person', async () => {
    await bothInLiveRoom();
    // The participant tries their devices first: a preview, nothing sent yet.
    await participant.page.locator('[data-media-preview]').click();
    await participant.page.waitForFunction(() => (document.querySelector('[data-media-preview-video]') as HTMLVideoElement).videoWidth > 0);
    expect(await instructor.page.locator('.media-tile video:not([hidden])').count()).to.equal(0);
    for (const page of [instructor.page, participant.page]) {
      await page.locator('[data-media-join]').click();
      await page.locator('[data-media-toggle="audio"]').waitFor();
    }
    expect(await participant.page.locator('[data-media-preview-video]').isHidden()).to.equal(true);
    const [atInstructor, atParticipant] = await Promise.all([receivesFromOthers(instructor.page), receivesFromOthers(participant.page)]);
    expect(atInstructor.framesDecoded).to.be.greaterThan(0);
    expect(atParticipant.audioEnergy).to.be.greaterThan(0);
    // The camera goes out in several sizes (simulcast), once the sender's bandwidth estimate has grown.
    const layersSent = () => participant.page.evaluate(async () => {
      const rids = new Set<string>();
      for (const pc of (window as unknown as { peerConnections: RTCPeerConnection[] }).peerConnections) {
        if (pc.connectionState === 'closed') continue;
        (await pc.getStats()).forEach((report: { type: string; kind?: string; rid?: string; framesEncoded?: number }) => {
          if (report.type === 'outbound-rtp' && report.kind === 'video' && report.rid && (report.framesEncoded ?? 0) > 0) rids.add(report.rid);
        });
      }
      return [...rids].sort();
    });
    await pollUntil(participant.page, 'two simulcast layers sent', async () => (await layersSent()).length >= 2);

    // Each sees two tiles with video; the participant's own preview is silent.
    await instructor.page.locator('.media-tile video:not([hidden])').nth(1).waitFor();
    expect(await participant.page.locator('.media-tile').count()).to.equal(2);
    expect(await instructor.page.locator('.media-tile').filter({ hasText: 'Pia Participant' }).locator('video').evaluate((video: HTMLVideoElement) => video.muted)).to.equal(false);

    // A pinned tile leads, large; the speaker view keeps one tile large even when nothing is pinned.
    const piaTile = instructor.page.locator('.media-tile').filter({ hasText: 'Pia Participant' });
    await instructor.page.getByRole('button', { name: 'Pin Pia Participant' }).click();
    await instructor.page.locator('.media-tile--main').filter({ hasText: 'Pia Participant' }).waitFor();
    await instructor.page.getByRole('button', { name: 'Pin Pia Participant' }).click();
    expect(await instructor.page.locator('.media-tile--main').count()).to.equal(0);
    await instructor.page.locator('[data-media-layout]').click();
    expect(await instructor.page.locator('[data-media-layout]').getAttribute('aria-pressed')).to.equal('true');
    expect(await instructor.page.locator('.media-grid--speaker .media-tile--main').count()).to.equal(1);
    await instructor.page.locator('[data-media-layout]').click();

    // Muted, the participant's tile says so at the instructor's.
    await participant.page.locator('[data-media-toggle="audio"]').click();
    await piaTile.locator('.media-tile__muted:not([hidden])').waitFor();
    expect(suite.consoleErrors).to.deep.equal([]);
  });

  it('carries everyone\'s video and sound to each of three people', async () => {
    const channelId = await bothInLiveRoom();
    const member = await suite.server.kaltura.createUser({ role: 'viewerRole', name: 'Paul Participant' });
    await suite.server.kaltura.addMember(channelId, member.id, LEVEL.member);
    await enter(another.page, member.id, channelId, 'join');
    for (const page of [instructor.page, participant.page, another.page]) await page.locator('[data-media-join]').click();
    await Promise.all([instructor.page, participant.page, another.page].map((page) => receivesFromOthers(page, 2)));
    expect(await another.page.locator('.media-tile video:not([hidden])').count()).to.equal(3);
  });

  it('lets the instructor mute a participant: their sound stops reaching the others, and they are told', async () => {
    await bothInLiveRoom();
    for (const page of [instructor.page, participant.page]) await page.locator('[data-media-join]').click();
    await receivesFromOthers(instructor.page);
    await instructor.page.getByRole('button', { name: 'Mute Pia Participant' }).click();
    await participant.page.locator('[data-media-status]').filter({ hasText: 'Ines Instructor muted your microphone. Only you can unmute it.' }).waitFor();
    expect(await participant.page.locator('[data-media-toggle="audio"]').textContent()).to.equal('Unmute');
    // The media server stops forwarding it: what the instructor receives carries no more sound.
    await instructor.page.waitForTimeout(1000);
    const before = (await received(instructor.page)).audioEnergy;
    await instructor.page.waitForTimeout(1500);
    expect((await received(instructor.page)).audioEnergy - before).to.be.below(0.001);
    // Only Pia can unmute herself; then her sound comes back.
    await participant.page.locator('[data-media-toggle="audio"]').click();
    const unmuted = (await received(instructor.page)).audioEnergy;
    await pollUntil(instructor.page, 'her sound to come back', async () => (await received(instructor.page)).audioEnergy > unmuted + 0.001);
  });

  it('lets the instructor share their screen, shown full width to the participant, who has no share button', async () => {
    await bothInLiveRoom();
    expect(await participant.page.locator('[data-media-screen]').count()).to.equal(0);

    await instructor.page.locator('[data-media-screen]').click();
    const shared = participant.page.locator('.media-tile--screen').filter({ hasText: 'Ines Instructor\'s screen' });
    await shared.locator('video:not([hidden])').waitFor({ timeout: 15_000 });
    await participant.page.waitForFunction(() => (document.querySelector('.media-tile--screen video') as HTMLVideoElement | null)?.videoWidth! > 0, undefined, { timeout: 15_000 });
    await instructor.page.locator('[data-media-screen]').click();
    await shared.waitFor({ state: 'detached' });
  });

  it('queues a participant when the webcam places are taken, until the instructor frees one and gives it', async () => {
    const course = await courseWithWebcamPlaces(suite.server, 1, ['instructor:Ines Instructor', 'student:Pia Participant']);
    const [teacher, student] = course.people as [BackendPerson, BackendPerson];
    await instructor.page.goto(new URL(await course.launchUrl(teacher), suite.server.url).href);
    await participant.page.goto(new URL(await course.launchUrl(student), suite.server.url).href);
    await instructor.page.locator('[data-control="start"]').click();
    await participant.page.locator('[data-room-state="live"]').waitFor({ state: 'attached' });
    await instructor.page.locator('[data-media-join]').click();
    await expectText(instructor.page, '[data-media-cameras]', '1 / 1 cameras');

    await participant.page.locator('[data-media-join]').click();
    await participant.page.locator('[data-media-ask]').click();
    await expectText(participant.page, '[data-media-status]', 'You are number 1 in the queue for a camera place.');
    const give = instructor.page.getByRole('button', { name: 'Give Pia Participant a camera place' });
    await give.waitFor();
    // The instructor turns their own camera off (which frees their place), and gives it.
    await instructor.page.locator('[data-media-toggle="video"]').click();
    await expectText(instructor.page, '[data-media-cameras]', '0 / 1 cameras');
    await give.click();
    await expectText(participant.page, '[data-media-status]', 'Ines Instructor gave you a camera place.');
    await instructor.page.locator('.media-tile').filter({ hasText: 'Pia Participant' }).locator('video:not([hidden])').waitFor({ timeout: 15_000 });
    await expectText(instructor.page, '[data-media-cameras]', '1 / 1 cameras');
  });

  it('brings media back without a reload when the media server dies mid-session, saying so meanwhile', async () => {
    await bothInLiveRoom();
    for (const page of [instructor.page, participant.page]) await page.locator('[data-media-join]').click();
    await Promise.all([receivesFromOthers(instructor.page), receivesFromOthers(participant.page)]);

    suite.server.media.kill();
    await participant.page.locator('[data-media-status]').filter({ hasText: 'Reconnecting audio and video' }).waitFor();
    // Only the new peer connections count: the old ones are closed.
    const [atInstructor, atParticipant] = await Promise.all([receivesFromOthers(instructor.page), receivesFromOthers(participant.page)]);
    expect(atInstructor.framesDecoded).to.be.greaterThan(0);
    expect(atParticipant.audioEnergy).to.be.greaterThan(0);
    await participant.page.locator('[data-media-status]').waitFor({ state: 'hidden' });
    expect(await participant.page.locator('[data-room-state="live"]').count()).to.equal(1);
  });
});
