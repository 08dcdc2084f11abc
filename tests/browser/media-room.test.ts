/**
 * Audio and video between browsers, through Janus and through the embedded
 * SFU (the same suite for each): the channel's manager (instructor) and
 * members (participants) join with Chromium's fake camera and microphone, and
 * each one's tiles of the others play video frames decoded and audio with
 * sound in it (totalAudioEnergy > 0), received on one receiving connection.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { useBrowserSuite } from '../support/browser.ts';
import { LEVEL } from '../support/kaltura-seed.ts';
import { courseWithWebcamPlaces, MEDIA_SERVERS_UNDER_TEST, requireMediaServer } from '../support/media-peer.ts';
import { enterMeeting, FAKE_MEDIA, keepPeerConnections, pollUntil, received, receivesFromOthers } from '../support/media-browser.ts';
import { dismissCrowd, publishingInCourse, type CrowdMember } from '../support/media-crowd.ts';
import type { BackendPerson } from '../support/courses.ts';
import { buildImage, uploadForm } from '../support/image-builder.ts';
import { createAccountStore } from '../../src/users/account-store.ts';

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
  let crowd: CrowdMember[] = [];
  afterEach(async () => {
    await dismissCrowd(crowd.splice(0));
  });

  beforeEach(async () => {
    requireMediaServer(suite.server, mediaServer.kind);
    for (const session of [instructor, participant, another]) await keepPeerConnections(session.page);
  });

  const enter = (page: Page, userId: string, channelId: number, action: 'start' | 'join') => enterMeeting(suite.server, page, userId, channelId, action);

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

    // With her own microphone muted, the instructor sees who speaks: Pia's fake microphone beeps.
    await instructor.page.locator('[data-media-toggle="audio"]').click();
    await instructor.page.locator('.media-tile--speaking').filter({ hasText: 'Pia Participant' }).waitFor({ timeout: 15_000 });

    // Muted, the participant's tile says so at the instructor's.
    await participant.page.locator('[data-media-toggle="audio"]').click();
    await piaTile.locator('.media-tile__muted:not([hidden])').waitFor();
    expect(suite.consoleErrors).to.deep.equal([]);
  });

  it('carries everyone\'s video and sound to each of three people, a tile keeping its stream as others come', async () => {
    const channelId = await bothInLiveRoom();
    const member = await suite.server.kaltura.createUser({ role: 'viewerRole', name: 'Paul Participant' });
    await suite.server.kaltura.addMember(channelId, member.id, LEVEL.member);
    for (const page of [instructor.page, participant.page]) await page.locator('[data-media-join]').click();
    await receivesFromOthers(instructor.page);
    // Pia's tile keeps its stream while another feed comes onto the instructor's receiving connection: no flicker.
    const piaVideo = instructor.page.locator('.media-tile').filter({ hasText: 'Pia Participant' }).locator('video');
    await piaVideo.evaluate((video: HTMLVideoElement) => ((window as unknown as { piaStream: unknown }).piaStream = video.srcObject));
    await enter(another.page, member.id, channelId, 'join');
    await another.page.locator('[data-media-join]').click();
    await Promise.all([instructor.page, participant.page, another.page].map((page) => receivesFromOthers(page, 2)));
    expect(await another.page.locator('.media-tile video:not([hidden])').count()).to.equal(3);
    expect(await piaVideo.evaluate((video: HTMLVideoElement) => video.srcObject === (window as unknown as { piaStream: unknown }).piaStream)).to.equal(true);
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
    // Pia has a profile picture: her tile shows it while her camera is off.
    const { version } = (await createAccountStore(suite.server.db).findById(student.id))!;
    await student.agent.postMultipart('/backend/profile/picture', uploadForm('picture', await buildImage(), { fields: { version: String(version) } }));
    await instructor.page.goto(new URL(await course.launchUrl(teacher), suite.server.url).href);
    await participant.page.goto(new URL(await course.launchUrl(student), suite.server.url).href);
    await instructor.page.locator('[data-control="start"]').click();
    await participant.page.locator('[data-room-state="live"]').waitFor({ state: 'attached' });
    await instructor.page.locator('[data-media-join]').click();
    await expectText(instructor.page, '[data-media-cameras]', '1 / 1 cameras');

    await participant.page.locator('[data-media-join]').click();
    await participant.page.locator('[data-media-ask]').click();
    await expectText(participant.page, '[data-media-status]', 'You are number 1 in the queue for a camera place.');
    const piaTile = instructor.page.locator('.media-tile').filter({ hasText: 'Pia Participant' });
    await piaTile.locator('img.media-tile__picture:not([hidden])').waitFor({ timeout: 15_000 });
    expect(await piaTile.locator('.media-tile__initials').isHidden()).to.equal(true);
    expect(await piaTile.locator('video').isHidden()).to.equal(true);
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

  it('queues the 16th camera of a Smart_15 course: 15 cameras on, the next person waits for a place', async function () {
    // Two people receiving fifteen cameras and each other's sound need 61 forwarded streams: more than the embedded
    // SFU's room cap (60), whose refusal media-embedded-caps.test.ts covers. The queue itself is the service's.
    if (mediaServer.kind === 'embedded') this.skip();
    this.timeout(120_000);
    const students = Array.from({ length: 15 }, (_, index) => `student:Cam ${index + 1}` as const);
    const course = await courseWithWebcamPlaces(suite.server, 'smart_15', ['instructor:Ines Instructor', 'student:Pia Participant', ...students]);
    const [teacher, student, ...cameras] = course.people as [BackendPerson, BackendPerson, ...BackendPerson[]];
    await instructor.page.goto(new URL(await course.launchUrl(teacher), suite.server.url).href);
    await instructor.page.locator('[data-control="start"]').click();
    await instructor.page.locator('[data-room-state="live"]').waitFor({ state: 'attached' });
    crowd = await publishingInCourse(cameras, course.launchUrl);
    await expectText(instructor.page, '[data-media-cameras]', '15 / 15 cameras');

    await participant.page.goto(new URL(await course.launchUrl(student), suite.server.url).href);
    await participant.page.locator('[data-media-join]').click();
    await participant.page.locator('[data-media-ask]').click();
    await expectText(participant.page, '[data-media-status]', 'You are number 1 in the queue for a camera place.');
    await instructor.page.getByRole('button', { name: 'Give Pia Participant a camera place' }).waitFor();
    // Pia still speaks without a camera: her sound reaches the instructor.
    await instructor.page.locator('[data-media-join]').click();
    await pollUntil(instructor.page, 'Pia\'s sound', async () => (await received(instructor.page)).audioStreams >= 1, 30_000);
    expect(await instructor.page.locator('[data-media-cameras]').textContent()).to.equal('15 / 15 cameras');
    // Seventeen tiles stay inside the audio and video panel (it scrolls): none covers the panel under it.
    const covered = await instructor.page.evaluate(() => {
      const you = document.querySelector('.room__you')!.getBoundingClientRect();
      const points = [0.1, 0.3, 0.5, 0.7, 0.9].flatMap((x) => [0.2, 0.5].map((y) => [you.left + you.width * x, you.top + you.height * y] as const));
      return points.some(([x, y]) => document.elementFromPoint(x, y)?.closest('.media') != null);
    });
    expect(covered, 'a media tile covers the You panel').to.equal(false);
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
