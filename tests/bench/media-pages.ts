/**
 * The media benchmark's browser side: headless Chromium with fake camera and
 * microphone, pages whose peer connections are kept where the benchmark can
 * read them, the moment each page decoded its first remote video frame
 * (measured in the page, from its navigation), the streams it receives, and
 * a process's CPU time from /proc.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.ts';
import { FAKE_MEDIA, keepPeerConnections } from '../support/media-browser.ts';

/** A participant whose first frame takes longer is counted as this long (and as timed out): the run goes on. */
export const FIRST_FRAME_LIMIT_MS = 30_000;

export function launchMediaBrowser(): Promise<Browser> {
  return launchBrowser(FAKE_MEDIA);
}

/**
 * A page that keeps its peer connections in `window.peerConnections` and sets `window.firstFrameAt` (ms since its
 * navigation began, redirects included) when any of them has decoded a video frame.
 */
export async function watchedPage(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  // A loaded machine makes everything slow; the scenario's own limits (first frame) bound the run.
  context.setDefaultTimeout(60_000);
  const page = await context.newPage();
  await keepPeerConnections(page);
  await page.addInitScript(() => {
    // Read at each tick: Playwright does not say in which order init scripts run (keepPeerConnections sets the list).
    const watched = window as unknown as { peerConnections?: RTCPeerConnection[]; firstFrameAt?: number };
    // When the page first received each type of room message: where a room page's time goes.
    const firstMessageAt: Record<string, number> = {};
    (window as unknown as { firstMessageAt: Record<string, number> }).firstMessageAt = firstMessageAt;
    const NativeSocket = window.WebSocket;
    window.WebSocket = class extends NativeSocket {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        this.addEventListener('message', (event: MessageEvent) => {
          const type = typeof event.data === 'string' ? (JSON.parse(event.data) as { type?: string }).type : undefined;
          if (type && firstMessageAt[type] === undefined) firstMessageAt[type] = performance.now();
        });
      }
    };
    const timer = setInterval(async () => {
      for (const pc of watched.peerConnections ?? []) {
        (await pc.getStats()).forEach((report: { type: string; kind?: string; framesDecoded?: number }) => {
          if (watched.firstFrameAt === undefined && report.type === 'inbound-rtp' && report.kind === 'video' && (report.framesDecoded ?? 0) > 0) watched.firstFrameAt = performance.now();
        });
      }
      if (watched.firstFrameAt !== undefined) clearInterval(timer);
    }, 20);
  });
  return { context, page };
}

/** When the page decoded its first remote frame, in ms since its navigation began; null if not within the limit. */
export async function firstFrameMs(page: Page): Promise<number | null> {
  const handle = await page.waitForFunction(() => (window as unknown as { firstFrameAt?: number }).firstFrameAt, undefined, { timeout: FIRST_FRAME_LIMIT_MS, polling: 50 }).catch(() => null);
  return handle && Math.round((await handle.jsonValue()) as number);
}

/** Bytes received so far on each inbound stream of the page, by stream id. */
export function receivedBytes(page: Page): Promise<Record<string, number>> {
  return page.evaluate(async () => {
    const bytes: Record<string, number> = {};
    let pcIndex = 0;
    for (const pc of (window as unknown as { peerConnections: RTCPeerConnection[] }).peerConnections) {
      pcIndex += 1;
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((report: { type: string; id: string; bytesReceived?: number }) => {
        if (report.type === 'inbound-rtp') bytes[`${pcIndex}:${report.id}`] = report.bytesReceived ?? 0;
      });
    }
    return bytes;
  });
}

/** Streams that received something between two readings of every page (what the media server forwards). */
export function flowingStreams(before: Array<Record<string, number>>, after: Array<Record<string, number>>): number {
  return after.reduce((sum, now, index) => sum + Object.entries(now).filter(([id, bytes]) => bytes > (before[index]?.[id] ?? 0)).length, 0);
}

/** A process's CPU time (user + system) in ms, from /proc (Linux). */
export function processCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime are fields 14 and 15, in ticks of 10 ms.
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export function percentile(values: number[], share: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)] ?? NaN;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A blank page from an http://127.0.0.1 address (a secure context, so it may use the camera): the light pages of the benchmark. */
export async function blankPageServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const web = http.createServer((_request, response) => response.end('<!doctype html><title>bare</title>'));
  await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(web.address() as AddressInfo).port}/`, close: () => new Promise((resolve) => web.close(() => resolve())) };
}

/** A watched blank page in a context of its own (kept in `contexts`, to be closed by the caller). */
export async function openBlankPage(browser: Browser, url: string, contexts: BrowserContext[]): Promise<Page> {
  const { context, page } = await watchedPage(browser);
  contexts.push(context);
  await page.goto(url);
  return page;
}

/** In the page: camera and microphone sent as the room sends them (three simulcast sizes), the offer with every candidate. */
export async function publishOffer(): Promise<string> {
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

/** In the page: an offer of the page's one receiving connection (made by the first) answered, with every candidate. */
export async function subscribeAnswer(offer: string): Promise<string> {
  const watched = window as unknown as { receiving?: RTCPeerConnection };
  const pc = (watched.receiving ??= new RTCPeerConnection());
  await pc.setRemoteDescription({ type: 'offer', sdp: offer });
  await pc.setLocalDescription(await pc.createAnswer());
  await new Promise<void>((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve());
  });
  return pc.localDescription!.sdp;
}

/** A room page's way to its first frame: when its document was ready and its first welcome, feeds and offer arrived (ms since its navigation). */
export function roomPageSteps(page: Page): Promise<Record<string, number>> {
  return page.evaluate(() => {
    const navigation = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
    const seen = (window as unknown as { firstMessageAt: Record<string, number> }).firstMessageAt;
    const steps: Record<string, number> = { documentReady: navigation?.domContentLoadedEventEnd ?? NaN };
    for (const type of ['welcome', 'media.ready', 'media.offer']) steps[type] = seen[type] ?? NaN;
    return Object.fromEntries(Object.entries(steps).map(([step, ms]) => [step, Math.round(ms)]));
  });
}
