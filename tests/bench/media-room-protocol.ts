/**
 * The benchmark's light participants through the service: a blank page holds
 * the peer connections, as in the bare Janus scenario, and the room protocol
 * is spoken from here over the room socket (launch, `media.join`, publish,
 * subscribe, answer), so that the two scenarios differ only by what stands
 * between the page and Janus: the service's control plane.
 */
import type { Page } from 'playwright-core';
import { LEVEL } from '../support/kaltura-seed.ts';
import { RoomClient, type RoomMessage } from '../support/room-client.ts';
import type { TestAgent } from '../support/test-agent.ts';
import { signIn, type TestServer } from '../support/test-server.ts';
import { publishOffer, subscribeAnswer } from './media-pages.ts';

/** A loaded machine answers slowly; the scenario's first-frame limit bounds the run anyway. */
const ANSWER_LIMIT_MS = 20_000;

export interface LightParticipant {
  client: RoomClient;
  participantId: string;
}

/** A person between MediaSpace and the room: signed in, the meeting started or joined, the room's launch address in hand. */
export interface LaunchedPerson {
  agent: TestAgent;
  launchUrl: string;
}

/** A Kaltura user of the channel at `level` starts (a manager) or joins its meeting, as Join Meeting does before the room opens. */
export async function launchIntoMeeting(server: TestServer, channelId: number, name: string, level: number): Promise<LaunchedPerson> {
  const user = await server.kaltura.createUser({ role: 'viewerRole', name });
  await server.kaltura.addMember(channelId, user.id, level);
  const agent = await signIn(server, user.id);
  const action = level === LEVEL.manager ? 'start' : 'join';
  const response = await agent.post(`/channels/${channelId}/meeting/${action}`, {}, { accept: 'application/json' });
  if (response.status !== 200) throw new Error(`${action} answered ${response.status}: ${response.text.slice(0, 200)}`);
  return { agent, launchUrl: response.json().launchUrl as string };
}

/** Into the room: the launch redeemed for the room pass, the socket open, the welcome received. */
export async function enterRoom({ agent, launchUrl }: LaunchedPerson): Promise<LightParticipant> {
  const client = await RoomClient.launch(agent, launchUrl);
  const welcome = await client.next('welcome', () => true, ANSWER_LIMIT_MS);
  return { client, participantId: welcome.you.participantId as string };
}

/** The page's camera and microphone published through the room, in simulcast as the room page sends them. */
export async function publishCamera(participant: LightParticipant, page: Page): Promise<void> {
  const { client } = participant;
  client.send({ type: 'media.join' });
  await client.next('media.ready', () => true, ANSWER_LIMIT_MS);
  client.send({ type: 'media.publish', source: 'camera', sdp: await page.evaluate(publishOffer), ref: 'publish' });
  const answer = await answerOrError(client, 'media.answer');
  await page.evaluate(async (sdp) => (window as unknown as { pc: RTCPeerConnection }).pc.setRemoteDescription({ type: 'answer', sdp }), answer.sdp as string);
}

/** When each step of a viewer's way in was done, in ms since its page was opened (see `watchCameras`). */
export interface ViewerSteps {
  welcomed: number;
  ready: number;
  lastOffer: number;
  lastAnswer: number;
}

/**
 * A launched person (their room pass in hand, as a browser has it when the room page opens) opens the room's
 * socket from their page and subscribes it to every camera the room announces (`cameras` of them), received on
 * one peer connection as the room page does (and as bare Janus's viewers are): each of the server's offers (one
 * per batch of subscriptions) answered in the page, until one carries every camera. Answers when each step was
 * done, in ms since the page's navigation began (the clock the page's first frame is measured on).
 */
export async function watchCameras(launched: LaunchedPerson, page: Page, cameras: number): Promise<{ participant: LightParticipant; steps: ViewerSteps }> {
  const openedAt = await page.evaluate(() => performance.timeOrigin);
  const participant = await enterRoom(launched);
  const { client } = participant;
  const steps: ViewerSteps = { welcomed: Date.now() - openedAt, ready: 0, lastOffer: 0, lastAnswer: 0 };
  client.send({ type: 'media.join' });
  const ready = await client.next('media.ready', () => true, ANSWER_LIMIT_MS);
  steps.ready = Date.now() - openedAt;
  const feeds = (ready.feeds as Array<{ participantId: string; source: string }>).filter((feed) => feed.source === 'camera');
  if (feeds.length < cameras) throw new Error(`the room announced ${feeds.length} cameras, not ${cameras}`);
  for (const feed of feeds) client.send({ type: 'media.subscribe', participantId: feed.participantId, source: 'camera', ref: `subscribe:${feed.participantId}` });
  const onLowLayer = new Set<string>();
  while (onLowLayer.size < feeds.length) {
    const offer = await answerOrError(client, 'media.offer');
    steps.lastOffer = Date.now() - openedAt;
    // Four small tiles: the lowest simulcast layer, as the room page asks for them (and as bare Janus's viewers join).
    for (const stream of offer.streams as Array<{ kind: string; participantId: string }>) {
      if (stream.kind !== 'video' || onLowLayer.has(stream.participantId)) continue;
      onLowLayer.add(stream.participantId);
      client.send({ type: 'media.layer', participantId: stream.participantId, source: 'camera', layer: 'low' });
    }
    client.send({ type: 'media.answer', sdp: await page.evaluate(subscribeAnswer, offer.sdp as string) });
    steps.lastAnswer = Date.now() - openedAt;
  }
  return { participant, steps };
}

/** Until the room announces `count` camera feeds (each announced once its media reaches the media server). */
export async function camerasAnnounced(participant: LightParticipant, count: number): Promise<void> {
  const cameras = (message: RoomMessage) => (message.feeds as Array<{ source: string }>).filter((feed) => feed.source === 'camera').length;
  const known = participant.client.received.filter((message) => message.type === 'media.feeds' || message.type === 'media.ready');
  if (known.length > 0 && cameras(known[known.length - 1]!) >= count) return;
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    const feeds = await participant.client.next('media.feeds').catch(() => null);
    if (feeds && cameras(feeds) >= count) return;
  }
  throw new Error(`the room did not announce ${count} cameras within 30 s`);
}

/** The expected message, or the error the service answered instead (with its sentence). */
async function answerOrError(client: RoomClient, type: string, matches: (message: RoomMessage) => boolean = () => true): Promise<RoomMessage> {
  const refused = client.next('error', () => true, ANSWER_LIMIT_MS).then(
    (error) => Promise.reject(new Error(`waiting for ${type}: ${error.code}: ${error.message}`)),
    () => new Promise<never>(() => undefined),
  );
  return Promise.race([client.next(type, matches, ANSWER_LIMIT_MS), refused]);
}
