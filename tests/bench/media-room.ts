/**
 * One media room through the service, on Janus or on the embedded SFU: four
 * people with their camera on (an instructor and three contributors), then
 * ten participants (members, who only watch and listen) open the room one
 * after another. For each participant, the time from opening the room to its
 * first decoded remote frame; then, all in, the media server's CPU over a
 * steady stretch, per stream it forwards.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { LEVEL } from '../support/kaltura-seed.ts';
import { MEDIA_ROLE_MAPPING } from '../support/media-peer.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import type { EmbeddedMediaServer } from '../../src/media/embedded/embedded-media-server.ts';
import { FIRST_FRAME_LIMIT_MS, firstFrameMs, flowingStreams, processCpuMs, receivedBytes, sleep, watchedPage } from './media-pages.ts';

export const MEDIA_BENCH = { cameras: 4, participants: 10, steadyMs: 10_000, settleMs: 3_000 };

export interface MediaScenarioResult {
  name: string;
  joinToFirstFrameMs: number[];
  /** Participants without a frame within the limit (counted at the limit above). */
  timedOut: number;
  /** Streams the pages received during the steady stretch (each audio and each video of each subscription). */
  forwardedStreams: number;
  /** The media server's CPU over the steady stretch, as a share of one core. */
  cpuShare: number;
}

/** The participants open the room one after another: each one's time to its first remote frame (the limit when none came). */
export async function joinOneByOne(open: (index: number) => Promise<Page>): Promise<{ watchers: Page[]; joinToFirstFrameMs: number[]; timedOut: number }> {
  const watchers: Page[] = [];
  const joinToFirstFrameMs: number[] = [];
  let timedOut = 0;
  for (let index = 0; index < MEDIA_BENCH.participants; index += 1) {
    const page = await open(index);
    const ms = await firstFrameMs(page);
    joinToFirstFrameMs.push(ms ?? FIRST_FRAME_LIMIT_MS);
    if (ms === null) timedOut += 1;
    watchers.push(page);
  }
  return { watchers, joinToFirstFrameMs, timedOut };
}

/** All in and settled: the streams flowing to the pages over the steady stretch, and the media server's share of a core meanwhile. */
export async function measureSteady(pages: Page[], cpuMs: () => number | Promise<number>): Promise<Pick<MediaScenarioResult, 'forwardedStreams' | 'cpuShare'>> {
  await sleep(MEDIA_BENCH.settleMs);
  const before = await Promise.all(pages.map(receivedBytes));
  const cpuBefore = await cpuMs();
  const started = performance.now();
  await sleep(MEDIA_BENCH.steadyMs);
  const cpuShare = ((await cpuMs()) - cpuBefore) / (performance.now() - started);
  const after = await Promise.all(pages.map(receivedBytes));
  return { forwardedStreams: flowingStreams(before, after), cpuShare };
}

export async function runServiceScenario(browser: Browser, kind: 'janus' | 'embedded'): Promise<MediaScenarioResult> {
  const server = await startTestServer({
    settings: { enabled: true, enableUserPrivateLiveRoom: true, roleMapping: MEDIA_ROLE_MAPPING as never },
    // The embedded SFU's caps lifted: the benchmark measures what they should be.
    config: { media: { server: kind, janusExecutable: 'janus', rtpPortRange: '41000-41999', embedded: { streamsPerRoom: 10_000, streamsPerServer: 10_000 } } },
  });
  const contexts: BrowserContext[] = [];
  try {
    if (server.media.server.kind !== kind) throw new Error(`the service runs ${server.media.server.kind}, not ${kind}`);
    const cpuMs = cpuReader(server, kind);
    const channel = await server.kaltura.createChannel('Media bench');
    const enter = async (name: string, level: number, action: 'start' | 'join'): Promise<Page> => {
      const user = await server.kaltura.createUser({ role: 'viewerRole', name });
      await server.kaltura.addMember(channel.id, user.id, level);
      const { context, page } = await watchedPage(browser);
      contexts.push(context);
      await page.goto(await launchUrl(server, page, user.id, channel.id, action));
      return page;
    };

    const senders: Page[] = [];
    for (let index = 0; index < MEDIA_BENCH.cameras; index += 1) {
      const page = await enter(`Camera ${index + 1}`, index === 0 ? LEVEL.manager : LEVEL.contributor, index === 0 ? 'start' : 'join');
      await page.locator('[data-room-state="live"]').waitFor({ state: 'attached' });
      await page.locator('[data-media-join]').click();
      senders.push(page);
    }
    // Every camera reaches every other sender before anyone else comes in.
    await senders[0]!.locator('.media-tile video:not([hidden])').nth(MEDIA_BENCH.cameras - 1).waitFor({ timeout: 30_000 });

    const { watchers, joinToFirstFrameMs, timedOut } = await joinOneByOne((index) => enter(`Participant ${index + 1}`, LEVEL.member, 'join'));
    const steady = await measureSteady([...senders, ...watchers], cpuMs);
    return { name: kind === 'janus' ? 'Janus, through the service' : 'embedded SFU, through the service', joinToFirstFrameMs, timedOut, ...steady };
  } finally {
    await Promise.all(contexts.map((context) => context.close().catch(() => undefined)));
    await server.stop();
  }
}

/** Janus's process CPU, or the embedded SFU worker thread's own. */
function cpuReader(server: TestServer, kind: 'janus' | 'embedded'): () => Promise<number> {
  if (kind === 'embedded') return async () => (await (server.media.server as EmbeddedMediaServer).stats()).cpuMs;
  const pid = server.media.supervisedPid();
  if (pid === undefined) throw new Error('no supervised Janus');
  return async () => processCpuMs(pid);
}

/** What a person's browser does from Kaltura to the room: launch with their KS, then start or join the channel's meeting. */
async function launchUrl(server: TestServer, page: Page, userId: string, channelId: number, action: 'start' | 'join'): Promise<string> {
  const ks = await server.kaltura.userKs(userId);
  await page.goto(`${server.url}/launch?ks=${encodeURIComponent(ks)}&returnTo=${encodeURIComponent(`/channels/${channelId}/meeting`)}`);
  const csrf = await page.locator('input[name="_csrf"]').first().inputValue();
  const response = await page.request.post(`${server.url}/channels/${channelId}/meeting/${action}`, { form: { _csrf: csrf }, headers: { Accept: 'application/json' } });
  if (response.status() !== 200) throw new Error(`${action} answered ${response.status()}`);
  return new URL(((await response.json()) as { launchUrl: string }).launchUrl, server.url).href;
}
