/**
 * Helpers of the media browser tests: Chromium's fake devices, entering a
 * channel meeting through MediaSpace's launch, every peer connection a page
 * makes kept where the test can read its statistics, what each tile plays,
 * and waiting until frames are decoded and sound received.
 */
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import type { TestServer } from './test-server.ts';

export const FAKE_MEDIA = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--autoplay-policy=no-user-gesture-required', '--auto-select-desktop-capture-source=Entire screen'];

export interface Received {
  framesDecoded: number;
  audioEnergy: number;
  /** Tiles of other people whose stream had frames decoded, and sound in it. */
  videoStreams: number;
  audioStreams: number;
}

/** What one tile plays from the page's receiving connection. */
export interface TileReceived {
  framesDecoded: number;
  audioEnergy: number;
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

/**
 * What each tile plays of what the page receives, by the name on the tile: the statistics of the tracks in its
 * video element, read from the peer connection that receives them. As a person sees it: media that arrives but
 * reaches the wrong tile, or none, does not count. One's own tile plays local tracks and is left out.
 */
export function receivedByTile(page: Page): Promise<Record<string, TileReceived>> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { peerConnections: RTCPeerConnection[] }).peerConnections.filter((pc) => pc.connectionState !== 'closed');
    const tiles: Record<string, { framesDecoded: number; audioEnergy: number }> = {};
    for (const tile of Array.from(document.querySelectorAll('.media-tile'))) {
      const stream = tile.querySelector('video')?.srcObject;
      if (!(stream instanceof MediaStream)) continue;
      for (const track of stream.getTracks()) {
        const pc = pcs.find((candidate) => candidate.getReceivers().some((receiver) => receiver.track === track));
        if (!pc) continue;
        const name = tile.querySelector('.media-tile__name')?.textContent ?? '';
        const totals = (tiles[name] ??= { framesDecoded: 0, audioEnergy: 0 });
        (await pc.getStats(track)).forEach((report: { type: string; kind?: string; framesDecoded?: number; totalAudioEnergy?: number }) => {
          if (report.type !== 'inbound-rtp') return;
          if (report.kind === 'video') totals.framesDecoded += report.framesDecoded ?? 0;
          if (report.kind === 'audio') totals.audioEnergy += report.totalAudioEnergy ?? 0;
        });
      }
    }
    return tiles;
  });
}

/** What the page's tiles of others play, summed. */
export async function received(page: Page): Promise<Received> {
  const tiles = Object.values(await receivedByTile(page));
  return {
    framesDecoded: tiles.reduce((sum, tile) => sum + tile.framesDecoded, 0),
    audioEnergy: tiles.reduce((sum, tile) => sum + tile.audioEnergy, 0),
    videoStreams: tiles.filter((tile) => tile.framesDecoded > 0).length,
    audioStreams: tiles.filter((tile) => tile.audioEnergy > 0).length,
  };
}

/** Keeps the latest `media.offer` the page received in `window.latestOffer`. */
export async function keepOffers(page: Page): Promise<void> {
  await page.addInitScript(() => {
    document.addEventListener('room:message', (event) => {
      const message = (event as CustomEvent<{ type: string }>).detail;
      if (message.type === 'media.offer') (window as unknown as { latestOffer: unknown }).latestOffer = message;
    }, true);
  });
}

/** The feeds (`participantId/source`) the page's receiving connection carries, as its latest offer lists them. */
export function offeredFeeds(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const offer = (window as unknown as { latestOffer?: { streams: Array<{ participantId: string; source: string }> } }).latestOffer;
    return [...new Set((offer?.streams ?? []).map((stream) => `${stream.participantId}/${stream.source}`))];
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
