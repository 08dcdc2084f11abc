/**
 * Helpers of the media browser tests: Chromium's fake devices, entering a
 * channel meeting through MediaSpace's launch, every peer connection a page
 * makes kept where the test can read its statistics, and waiting until
 * frames are decoded and sound received.
 */
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import type { TestServer } from './test-server.ts';

export const FAKE_MEDIA = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--autoplay-policy=no-user-gesture-required', '--auto-select-desktop-capture-source=Entire screen'];

export interface Received {
  framesDecoded: number;
  audioEnergy: number;
  /** Received streams with frames decoded, and with sound in them. */
  videoStreams: number;
  audioStreams: number;
}

/** Every peer connection the page makes is kept in `window.peerConnections`. */
export async function keepPeerConnections(page: Page): Promise<void> {
  await page.addInitScript(() => {
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

/** What the page does from Kaltura to the room: launch with the user's KS, then start or join the channel's meeting; answers the room's launch address. */
export async function meetingLaunchUrl(server: TestServer, page: Page, userId: string, channelId: number, action: 'start' | 'join'): Promise<string> {
  const ks = await server.kaltura.userKs(userId);
  await page.goto(`${server.url}/launch?ks=${encodeURIComponent(ks)}&returnTo=${encodeURIComponent(`/channels/${channelId}/meeting`)}`);
  const csrf = await page.locator('input[name="_csrf"]').first().inputValue();
  const response = await page.request.post(`${server.url}/channels/${channelId}/meeting/${action}`, { form: { _csrf: csrf }, headers: { Accept: 'application/json' } });
  expect(response.status(), await response.text()).to.equal(200);
  return new URL(((await response.json()) as { launchUrl: string }).launchUrl, server.url).href;
}

/** Into the channel's meeting as the Kaltura user, starting or joining it; waits until the room is live. */
export async function enterMeeting(server: TestServer, page: Page, userId: string, channelId: number, action: 'start' | 'join'): Promise<void> {
  await page.goto(await meetingLaunchUrl(server, page, userId, channelId, action));
  await page.locator('[data-room-state="live"]').waitFor({ state: 'attached' });
}

/** What the page receives from others, summed over its open peer connections. */
export function received(page: Page): Promise<Received> {
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

/** Checks every 250 ms until `check` holds, for at most `limitMs`. */
export async function pollUntil(page: Page, what: string, check: () => Promise<boolean>, limitMs = 20_000): Promise<void> {
  const until = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`waited in vain for ${what}`);
    await page.waitForTimeout(250);
  }
}

export async function receivesFromOthers(page: Page, others = 1): Promise<Received> {
  let now: Received = { framesDecoded: 0, audioEnergy: 0, videoStreams: 0, audioStreams: 0 };
  await pollUntil(page, `frames decoded and sound received from ${others} others`, async () => {
    now = await received(page);
    return now.videoStreams >= others && now.audioStreams >= others;
  });
  return now;
}
