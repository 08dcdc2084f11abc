/**
 * The media benchmark's yardstick: Janus alone, driven by the smallest
 * signalling script there is (Janus's WebSocket API spoken from here, SDP
 * carried to and from the pages by Playwright; no service, no room, no
 * permission or plan checks). The same room as media-room.ts: four cameras in
 * simulcast, then ten viewers opening a blank page one after another, each
 * subscribed to the four cameras in one peer connection.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { JanusClient } from '../../src/media/janus/janus-client.ts';
import { startSupervisedJanus } from '../../src/media/janus/janus-supervisor.ts';
import { joinOneByOne, MEDIA_BENCH, measureSteady, NOT_MEASURED, type MediaScenarioResult, type ViewerMode } from './media-room.ts';
import { blankPageServer, openBlankPage, processCpuMs, publishOffer, sleep, subscribeAnswer } from './media-pages.ts';

const VIDEOROOM = 'janus.plugin.videoroom';
const ROOM = 1234;
/** Each viewer sees four small tiles: the lowest simulcast layer, as the room page asks for them. */
const LOW_LAYER = 0;

export async function runBareJanus(browser: Browser, mode: ViewerMode): Promise<MediaScenarioResult> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'live-rooms-bench-janus-'));
  const janus = await startSupervisedJanus({ executable: 'janus', dataDir, rtpPortRange: '41000-41999', publicIp: null, stunServer: null, logger: pino({ level: 'silent' }) });
  if (!janus) throw new Error('Janus is not installed');
  const web = await blankPageServer();
  const client = new JanusClient({ url: janus.url, apiSecret: janus.apiSecret, requestTimeoutMs: 10_000 });
  const contexts: BrowserContext[] = [];
  const open = () => openBlankPage(browser, web.url, contexts);
  try {
    await client.connect();
    const session = await client.createSession();
    const control = await session.attach(VIDEOROOM);
    await control.request({ request: 'create', room: ROOM, publishers: MEDIA_BENCH.cameras + 1, admin_key: janus.adminKey });

    const senders: Page[] = [];
    const feeds: number[] = [];
    for (let index = 0; index < MEDIA_BENCH.cameras; index += 1) {
      const page = await open();
      const offer = await page.evaluate(publishOffer);
      const handle = await session.attach(VIDEOROOM);
      const joined = await handle.message({ request: 'join', ptype: 'publisher', room: ROOM, display: `camera ${index + 1}` });
      const answer = await handle.message({ request: 'publish' }, { type: 'offer', sdp: offer });
      await page.evaluate(async (sdp) => (window as unknown as { pc: RTCPeerConnection }).pc.setRemoteDescription({ type: 'answer', sdp }), answer.jsep!.sdp);
      feeds.push(Number(joined.data.id));
      senders.push(page);
    }
    await sleep(2000);

    const { watchers, joinToFirstFrameMs, timedOut } = await joinOneByOne(async () => {
      const page = await open();
      const handle = await session.attach(VIDEOROOM);
      const offer = await handle.message({ request: 'join', ptype: 'subscriber', room: ROOM, streams: feeds.map((feed) => ({ feed, substream: LOW_LAYER })) });
      const answer = await page.evaluate(subscribeAnswer, offer.jsep!.sdp);
      await handle.message({ request: 'start' }, { type: 'answer', sdp: answer });
      return page;
    }, mode);
    const pid = janus.pid()!;
    const steady = mode === 'crowd' ? await measureSteady([...senders, ...watchers], () => processCpuMs(pid)) : NOT_MEASURED;
    return { name: 'bare Janus (no service)', joinToFirstFrameMs, timedOut, ...steady };
  } finally {
    await Promise.all(contexts.map((context) => context.close().catch(() => undefined)));
    client.close();
    await web.close();
    await janus.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
