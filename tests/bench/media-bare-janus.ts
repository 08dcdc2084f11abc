/**
 * The media benchmark's yardstick: Janus alone, driven by the smallest
 * signalling script there is (Janus's WebSocket API spoken from here, SDP
 * carried to and from the pages by Playwright; no service, no room, no
 * permission or plan checks). The same room as media-room.ts: four cameras in
 * simulcast, then ten viewers opening a blank page one after another, each
 * subscribed to the four cameras in one peer connection.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { JanusClient } from '../../src/media/janus/janus-client.ts';
import { startSupervisedJanus } from '../../src/media/janus/janus-supervisor.ts';
import { joinOneByOne, MEDIA_BENCH, measureSteady, type MediaScenarioResult } from './media-room.ts';
import { processCpuMs, sleep, watchedPage } from './media-pages.ts';

const VIDEOROOM = 'janus.plugin.videoroom';
const ROOM = 1234;

export async function runBareJanus(browser: Browser): Promise<MediaScenarioResult> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'live-rooms-bench-janus-'));
  const janus = await startSupervisedJanus({ executable: 'janus', dataDir, rtpPortRange: '41000-41999', publicIp: null, stunServer: null, logger: pino({ level: 'silent' }) });
  if (!janus) throw new Error('Janus is not installed');
  // A blank page from an http://127.0.0.1 address: a secure context, so it may use the camera.
  const web = http.createServer((_request, response) => response.end('<!doctype html><title>bare</title>'));
  await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
  const pageUrl = `http://127.0.0.1:${(web.address() as AddressInfo).port}/`;
  const client = new JanusClient({ url: janus.url, apiSecret: janus.apiSecret, requestTimeoutMs: 10_000 });
  const contexts: BrowserContext[] = [];
  const open = async () => {
    const { context, page } = await watchedPage(browser);
    contexts.push(context);
    await page.goto(pageUrl);
    return page;
  };
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
      const offer = await handle.message({ request: 'join', ptype: 'subscriber', room: ROOM, streams: feeds.map((feed) => ({ feed })) });
      const answer = await page.evaluate(subscribeAnswer, offer.jsep!.sdp);
      await handle.message({ request: 'start' }, { type: 'answer', sdp: answer });
      return page;
    });
    const pid = janus.pid()!;
    const steady = await measureSteady([...senders, ...watchers], () => processCpuMs(pid));
    return { name: 'bare Janus (no service)', joinToFirstFrameMs, timedOut, ...steady };
  } finally {
    await Promise.all(contexts.map((context) => context.close().catch(() => undefined)));
    client.close();
    web.close();
    await janus.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** In the page: camera and microphone sent as the room sends them (three simulcast sizes), the offer with every candidate. */
async function publishOffer(): Promise<string> {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
  const pc = new RTCPeerConnection();
  (window as unknown as { pc: RTCPeerConnection }).pc = pc;
  pc.addTransceiver(stream.getVideoTracks()[0]!, {
    direction: 'sendonly',
    streams: [stream],
    sendEncodings: [
      { rid: 'l', scaleResolutionDownBy: 4, maxBitrate: 150000 },
      { rid: 'm', scaleResolutionDownBy: 2, maxBitrate: 500000 },
      { rid: 'h', maxBitrate: 1500000 },
    ],
  });
  pc.addTrack(stream.getAudioTracks()[0]!, stream);
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise<void>((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve());
  });
  return pc.localDescription!.sdp;
}

/** In the page: Janus's offer answered, with every candidate. */
async function subscribeAnswer(offer: string): Promise<string> {
  const pc = new RTCPeerConnection();
  await pc.setRemoteDescription({ type: 'offer', sdp: offer });
  await pc.setLocalDescription(await pc.createAnswer());
  await new Promise<void>((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve());
  });
  return pc.localDescription!.sdp;
}
