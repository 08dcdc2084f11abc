/**
 * Audio and video in larger and rougher rooms, in Chromium through Janus:
 * a page of 25 videos among more cameras (sent from Node by werift peers),
 * a lost connection restarted in place (ICE restart) while chat carries on,
 * a receiving connection whose transport broke made anew,
 * and a microphone that goes away replaced without a new negotiation.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { useBrowserSuite } from '../support/browser.ts';
import { LEVEL } from '../support/kaltura-seed.ts';
import { MEDIA_SERVERS_UNDER_TEST, requireMediaServer } from '../support/media-peer.ts';
import { dismissCrowd, publishingCrowd, type CrowdMember } from '../support/media-crowd.ts';
import { enterMeeting, FAKE_MEDIA, keepOffers, keepPeerConnections, offeredFeeds, pollUntil, received, receivesFromOthers } from '../support/media-browser.ts';

type Sent = { type: string; participantId?: string; source?: string; video?: boolean };
type Watched = Window & { peerConnections: RTCPeerConnection[]; mediaSent: Sent[]; statusSeen: string[] };

describe('audio and video when rooms grow and connections falter', function () {
  this.timeout(120_000);
  const suite = useBrowserSuite({
    server: { settings: { enabled: true }, config: { media: MEDIA_SERVERS_UNDER_TEST[0]!.media('49000-49999') } },
    sessions: ['instructor', 'participant'],
    chromiumArgs: FAKE_MEDIA,
  });
  const { instructor, participant } = suite.sessions;
  let crowd: CrowdMember[] = [];

  beforeEach(async () => {
    requireMediaServer(suite.server, 'janus');
    for (const session of [instructor, participant]) {
      await keepPeerConnections(session.page);
      await keepOffers(session.page);
      // What the media modules send through the room socket, and every text the media status shows.
      await session.page.addInitScript(() => {
        const watched = window as unknown as Watched;
        watched.mediaSent = [];
        watched.statusSeen = [];
        document.addEventListener('room:send', (event) => watched.mediaSent.push((event as CustomEvent<Sent>).detail), true);
        document.addEventListener('DOMContentLoaded', () => {
          const status = document.querySelector('[data-media-status]');
          if (status) new MutationObserver(() => watched.statusSeen.push(status.textContent ?? '')).observe(status, { childList: true, characterData: true, subtree: true });
        });
      });
    }
  });
  afterEach(async () => {
    await dismissCrowd(crowd.splice(0));
  });

  /** A fresh channel whose manager (Ines Instructor) starts the meeting; answers its id and a member's way in. */
  async function liveChannel(): Promise<{ channelId: number; joinAsParticipant(): Promise<void> }> {
    const { kaltura } = suite.server;
    const channel = await kaltura.createChannel(`Resilience ${randomUUID().slice(0, 6)}`);
    const manager = await kaltura.createUser({ role: 'viewerRole', name: 'Ines Instructor' });
    const member = await kaltura.createUser({ role: 'viewerRole', name: 'Pia Participant' });
    await kaltura.addMember(channel.id, manager.id, LEVEL.manager);
    await kaltura.addMember(channel.id, member.id, LEVEL.member);
    await enterMeeting(suite.server, instructor.page, manager.id, channel.id, 'start');
    return { channelId: channel.id, joinAsParticipant: () => enterMeeting(suite.server, participant.page, member.id, channel.id, 'join') };
  }

  /** The cameras whose video the page asked for, by participant, as the server was told in order. */
  function camerasWithVideo(page: Page): Promise<string[]> {
    return page.evaluate(() => {
      const on = new Map<string, boolean>();
      for (const message of (window as unknown as Watched).mediaSent) {
        if (message.source !== 'camera' || !message.participantId) continue;
        if (message.type === 'media.subscribe') on.set(message.participantId, message.video !== false);
        if (message.type === 'media.video') on.set(message.participantId, message.video === true);
        if (message.type === 'media.unsubscribe') on.delete(message.participantId);
      }
      return [...on].filter(([, video]) => video).map(([participantId]) => participantId);
    });
  }

  async function bothSending(): Promise<void> {
    const room = await liveChannel();
    await room.joinAsParticipant();
    for (const page of [instructor.page, participant.page]) await page.locator('[data-media-join]').click();
    await Promise.all([receivesFromOthers(instructor.page), receivesFromOthers(participant.page)]);
  }

  /** Makes the page's peer connection picked by `which` report an ICE failure, as a lost network does; answers its ICE username before. */
  function failIce(page: Page, which: 'publisher' | 'receiving'): Promise<string> {
    return page.evaluate((kind) => {
      const pc = (window as unknown as Watched).peerConnections.find((made) => made.connectionState !== 'closed' && made.getSenders().some((sender) => sender.track) === (kind === 'publisher'))!;
      const ufrag = /a=ice-ufrag:(\S+)/.exec(pc.localDescription!.sdp)![1]!;
      Object.defineProperty(pc, 'iceConnectionState', { configurable: true, value: 'failed' });
      pc.dispatchEvent(new Event('iceconnectionstatechange'));
      delete (pc as unknown as { iceConnectionState?: string }).iceConnectionState;
      return ufrag;
    }, which);
  }

  function iceUsernames(page: Page, which: 'publisher' | 'receiving'): Promise<string[]> {
    return page.evaluate((kind) => (window as unknown as Watched).peerConnections
      // A connection still being negotiated (its offer applied, its answer not yet made) has no ICE credentials of its own yet.
      .filter((made) => made.connectionState !== 'closed' && made.localDescription !== null && made.getSenders().some((sender) => sender.track) === (kind === 'publisher'))
      .map((made) => /a=ice-ufrag:(\S+)/.exec(made.localDescription!.sdp)![1]!), which);
  }

  it('receives the video of a page of 25 cameras, the others on further pages keep their tile, and a pinned tile has video whatever the page', async () => {
    const room = await liveChannel();
    crowd = await publishingCrowd(suite.server, room.channelId, 26);
    await room.joinAsParticipant();
    const page = participant.page;
    await pollUntil(page, 'every camera on the receiving connection', async () => (await offeredFeeds(page)).filter((feed) => feed.endsWith('/camera')).length >= 26, 60_000);
    expect(await camerasWithVideo(page)).to.have.length(25);
    expect(await page.locator('[data-media-page-label]').textContent()).to.equal('Videos 1–25 of 26');
    const last = page.locator('.media-tile').filter({ hasText: 'Crowd 26' });
    expect(await last.getAttribute('class')).to.contain('media-tile--off-page');
    expect(await last.locator('video').isHidden()).to.equal(true);

    await page.getByRole('button', { name: 'Next videos' }).click();
    await page.locator('[data-media-page-label]').filter({ hasText: 'Videos 26–26 of 26' }).waitFor();
    await pollUntil(page, 'only the second page\'s video', async () => (await camerasWithVideo(page)).length === 1);
    expect(await last.getAttribute('class')).to.not.contain('media-tile--off-page');
    expect(await page.getByRole('button', { name: 'Next videos' }).isDisabled()).to.equal(true);

    // Pinned, a tile of the first page keeps its video on the second.
    await page.getByRole('button', { name: 'Pin Crowd 01' }).click();
    await pollUntil(page, 'the pinned tile\'s video', async () => (await camerasWithVideo(page)).length === 2);
    await page.getByRole('button', { name: 'Previous videos' }).click();
    await pollUntil(page, 'the first page\'s video again', async () => (await camerasWithVideo(page)).length === 25);
    // Every video turned off was turned off before another came on: the server never refused one.
    expect(await page.evaluate(() => document.querySelector('[data-media-status]')!.textContent)).to.not.contain('videos');
    expect(suite.consoleErrors).to.deep.equal([]);
  });

  it('restarts ICE on a publisher\'s and the receiving connection\'s lost connection, in place, saying so, while chat carries on', async () => {
    await bothSending();
    const page = participant.page;
    const before = await failIce(page, 'publisher');
    await page.locator('#chat-text').fill('still chatting');
    await page.locator('#chat-text').press('Enter');
    await instructor.page.locator('[data-chat-list] li').filter({ hasText: 'still chatting' }).waitFor();
    await pollUntil(page, 'new ICE credentials on the same publisher', async () => (await iceUsernames(page, 'publisher'))[0] !== before, 45_000);
    expect(await iceUsernames(page, 'publisher')).to.have.length(1);
    expect(await page.evaluate(() => (window as unknown as Watched).mediaSent.filter((message) => message.type === 'media.publish').length)).to.equal(1);
    expect(await page.evaluate(() => (window as unknown as Watched).statusSeen)).to.include('Reconnecting audio and video…');
    await page.locator('[data-media-status]').waitFor({ state: 'hidden' });
    // What the instructor receives from Pia keeps coming on the connection it had.
    const frames = (await received(instructor.page)).framesDecoded;
    await pollUntil(instructor.page, 'more frames after the restart', async () => (await received(instructor.page)).framesDecoded > frames + 30, 45_000);

    const receiving = await failIce(page, 'receiving');
    await pollUntil(page, 'a new offer answered on the same receiving connection', async () => (await iceUsernames(page, 'receiving'))[0] !== receiving, 45_000);
    expect(await iceUsernames(page, 'receiving')).to.have.length(1);
    expect(await page.evaluate(() => (window as unknown as Watched).mediaSent.filter((message) => message.type === 'media.restartReceiving').length)).to.equal(1);
    const seen = (await received(page)).framesDecoded;
    await pollUntil(page, 'frames decoded after the restart', async () => (await received(page)).framesDecoded > seen + 30, 45_000);
    expect(suite.consoleErrors).to.deep.equal([]);
  });

  it('makes the receiving connection anew when its transport broke, and the others\' video and sound come back on it', async () => {
    await bothSending();
    const page = participant.page;
    const before = await iceUsernames(page, 'receiving');
    // DTLS broke under a working ICE: nothing to restart.
    await page.evaluate(() => {
      const pc = (window as unknown as Watched).peerConnections.find((made) => made.connectionState !== 'closed' && !made.getSenders().some((sender) => sender.track))!;
      Object.defineProperty(pc, 'connectionState', { configurable: true, value: 'failed' });
      pc.dispatchEvent(new Event('connectionstatechange'));
      delete (pc as unknown as { connectionState?: string }).connectionState;
    });
    await pollUntil(page, 'a new receiving connection', async () => {
      const now = await iceUsernames(page, 'receiving');
      return now.length === 1 && now[0] !== before[0];
    }, 45_000);
    expect(await page.evaluate(() => (window as unknown as Watched).mediaSent.filter((message) => message.type === 'media.resetReceiving').length)).to.equal(1);
    // Only what the new connection brings counts: the old one is closed.
    await receivesFromOthers(page);
    await page.locator('.media-tile').filter({ hasText: 'Ines Instructor' }).locator('video:not([hidden])').waitFor();
    expect(suite.consoleErrors).to.deep.equal([]);
  });

  it('replaces a microphone that goes away by the default one, on the same connection, and its sound keeps reaching the others', async () => {
    await bothSending();
    const page = participant.page;
    const trackBefore = await page.evaluate(() => {
      const pc = (window as unknown as Watched).peerConnections.find((made) => made.connectionState !== 'closed' && made.getSenders().some((sender) => sender.track))!;
      const sender = pc.getSenders().find((candidate) => candidate.track?.kind === 'audio')!;
      // Unplugged: the device's track ends (the browser says so with an `ended` event).
      sender.track!.stop();
      sender.track!.dispatchEvent(new Event('ended'));
      return sender.track!.id;
    });
    await pollUntil(page, 'a live microphone track in its place', () => page.evaluate((old) => {
      const pc = (window as unknown as Watched).peerConnections.find((made) => made.connectionState !== 'closed' && made.getSenders().some((sender) => sender.track))!;
      const track = pc.getSenders().find((candidate) => candidate.track?.kind === 'audio')?.track;
      return Boolean(track && track.id !== old && track.readyState === 'live');
    }, trackBefore));
    expect(await page.evaluate(() => (window as unknown as Watched).mediaSent.filter((message) => message.type === 'media.publish').length)).to.equal(1);
    const energy = (await received(instructor.page)).audioEnergy;
    await pollUntil(instructor.page, 'her sound after the change', async () => (await received(instructor.page)).audioEnergy > energy + 0.001);
  });
});
