/**
 * One media room through the service, on Janus or on the embedded SFU: four
 * people with their camera on (an instructor and three contributors), then
 * ten participants (members, who only watch and listen) come in one after
 * another. They are light pages speaking the room protocol (see
 * media-room-protocol.ts), as bare Janus's are light pages speaking Janus's:
 * for each, the time from opening its page to its first decoded remote frame;
 * then, all in, the media server's CPU over a steady stretch, per stream it
 * forwards. Last, what a person sees: the room page itself, a few times.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { LEVEL } from '../support/kaltura-seed.ts';
import { meetingLaunchUrl } from '../support/media-browser.ts';
import { MEDIA_ROLE_MAPPING } from '../support/media-peer.ts';
import type { RoomClient } from '../support/room-client.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import type { EmbeddedMediaServer } from '../../src/media/embedded/embedded-media-server.ts';
import { blankPageServer, FIRST_FRAME_LIMIT_MS, firstFrameMs, flowingStreams, openBlankPage, processCpuMs, receivedBytes, roomPageSteps, sleep, watchedPage } from './media-pages.ts';
import { camerasAnnounced, enterRoom, launchIntoMeeting, publishCamera, watchCameras, type LaunchedPerson, type LightParticipant, type ViewerSteps } from './media-room-protocol.ts';

export const MEDIA_BENCH = { cameras: 4, participants: 10, steadyMs: 10_000, settleMs: 3_000, roomPages: 5 };

export interface MediaScenarioResult {
  name: string;
  joinToFirstFrameMs: number[];
  /** Participants without a frame within the limit (counted at the limit above). */
  timedOut: number;
  /** Streams the pages received during the steady stretch (each audio and each video of each subscription). */
  forwardedStreams: number;
  /** The media server's CPU over the steady stretch, as a share of one core. */
  cpuShare: number;
  /** Through the service: the room page's own way to its first frame (and its steps), one page at a time. */
  roomPages?: Array<Record<string, number>>;
  /** Through the service: when each light viewer was welcomed, told the feeds, offered and answered. */
  viewerSteps?: ViewerSteps[];
}

/**
 * How the viewers come: `crowd`, each one stays (the room fills up: its pages' decoding loads the machine, and the
 * media server's CPU per stream is measured once all are in); `alone`, each one's page is closed once its first frame
 * shows, so that each joins a room whose only pages are the senders' (join time without the crowd's own load).
 */
export type ViewerMode = 'crowd' | 'alone';

/** The participants open the room one after another: each one's time to its first remote frame (the limit when none came). */
export async function joinOneByOne(open: (index: number) => Promise<Page>, mode: ViewerMode): Promise<{ watchers: Page[]; joinToFirstFrameMs: number[]; timedOut: number }> {
  const watchers: Page[] = [];
  const joinToFirstFrameMs: number[] = [];
  let timedOut = 0;
  for (let index = 0; index < MEDIA_BENCH.participants; index += 1) {
    const page = await open(index);
    const ms = await firstFrameMs(page);
    joinToFirstFrameMs.push(ms ?? FIRST_FRAME_LIMIT_MS);
    if (ms === null) timedOut += 1;
    if (mode === 'alone') await page.context().close();
    else watchers.push(page);
  }
  return { watchers, joinToFirstFrameMs, timedOut };
}

/** Nothing steady to measure when the viewers left one by one. */
export const NOT_MEASURED: Pick<MediaScenarioResult, 'forwardedStreams' | 'cpuShare'> = { forwardedStreams: 0, cpuShare: 0 };

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

export async function runServiceScenario(browser: Browser, kind: 'janus' | 'embedded', mode: ViewerMode): Promise<MediaScenarioResult> {
  const server = await startTestServer({
    settings: { enabled: true, enableUserPrivateLiveRoom: true, roleMapping: MEDIA_ROLE_MAPPING as never },
    // The embedded SFU's caps lifted: the benchmark measures what they should be.
    config: { media: { server: kind, janusExecutable: 'janus', rtpPortRange: '41000-41999', embedded: { streamsPerRoom: 10_000, streamsPerServer: 10_000 } } },
  });
  const web = await blankPageServer();
  const contexts: BrowserContext[] = [];
  const clients: RoomClient[] = [];
  try {
    if (server.media.server.kind !== kind) throw new Error(`the service runs ${server.media.server.kind}, not ${kind}`);
    const cpuMs = cpuReader(server, kind);
    const channel = await server.kaltura.createChannel('Media bench');
    const enter = async (launched: LaunchedPerson) => {
      const participant = await enterRoom(launched);
      clients.push(participant.client);
      return participant;
    };

    const senders: Page[] = [];
    let instructor: LightParticipant | undefined;
    for (let index = 0; index < MEDIA_BENCH.cameras; index += 1) {
      const page = await openBlankPage(browser, web.url, contexts);
      const participant = await enter(await launchIntoMeeting(server, channel.id, `Camera ${index + 1}`, index === 0 ? LEVEL.manager : LEVEL.contributor));
      await publishCamera(participant, page);
      instructor ??= participant;
      senders.push(page);
    }
    await camerasAnnounced(instructor!, MEDIA_BENCH.cameras);

    const viewerSteps: ViewerSteps[] = [];
    const { watchers, joinToFirstFrameMs, timedOut } = await joinOneByOne(async (index) => {
      // Launched first, as the room page is opened with the room pass in hand; timed from the page's opening.
      const launched = await launchIntoMeeting(server, channel.id, `Participant ${index + 1}`, LEVEL.member);
      const page = await openBlankPage(browser, web.url, contexts);
      const { participant, steps } = await watchCameras(launched, page, MEDIA_BENCH.cameras);
      clients.push(participant.client);
      viewerSteps.push(steps);
      return page;
    }, mode);
    const steady = mode === 'crowd' ? await measureSteady([...senders, ...watchers], cpuMs) : NOT_MEASURED;
    const roomPages = mode === 'crowd' ? await roomPagesOneAtATime(browser, server, channel.id) : undefined;
    return { name: kind === 'janus' ? 'Janus, through the service' : 'embedded SFU, through the service', joinToFirstFrameMs, timedOut, ...steady, ...(roomPages && { roomPages }), viewerSteps };
  } finally {
    for (const client of clients) client.socket.terminate();
    await Promise.all(contexts.map((context) => context.close().catch(() => undefined)));
    await web.close();
    await server.stop();
  }
}

/**
 * What a person sees: the room page itself (its scripts, tiles and videos) opened by a member, from the launch to its
 * first remote frame, a few times, each page closed before the next, while the light participants keep the room full.
 */
async function roomPagesOneAtATime(browser: Browser, server: TestServer, channelId: number): Promise<Array<Record<string, number>>> {
  const times: Array<Record<string, number>> = [];
  for (let index = 0; index < MEDIA_BENCH.roomPages; index += 1) {
    const { context, page } = await watchedPage(browser);
    try {
      const user = await server.kaltura.createUser({ role: 'viewerRole', name: `Room page ${index + 1}` });
      await server.kaltura.addMember(channelId, user.id, LEVEL.member);
      await page.goto(await meetingLaunchUrl(server, page, user.id, channelId, 'join'));
      const firstFrame = (await firstFrameMs(page)) ?? FIRST_FRAME_LIMIT_MS;
      times.push({ ...(await roomPageSteps(page)), firstFrame });
    } finally {
      await context.close();
    }
  }
  return times;
}

/** Janus's process CPU, or the embedded SFU worker thread's own. */
function cpuReader(server: TestServer, kind: 'janus' | 'embedded'): () => Promise<number> {
  if (kind === 'embedded') return async () => (await (server.media.server as EmbeddedMediaServer).stats()).cpuMs;
  const pid = server.media.supervisedPid();
  if (pid === undefined) throw new Error('no supervised Janus');
  return async () => processCpuMs(pid);
}
