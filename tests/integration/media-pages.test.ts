import { expect } from 'chai';
import { LEVEL } from '../support/kaltura-seed.ts';
import { dismissCrowd, publishingCrowd, type CrowdMember } from '../support/media-crowd.ts';
import { MediaPeer, useMediaSuite } from '../support/media-peer.ts';
import { RoomClient } from '../support/room-client.ts';
import { signIn } from '../support/test-server.ts';
import { MEDIA_VIDEO_SUBSCRIPTIONS_MAX } from '../../src/media/media-protocol.ts';

/**
 * What one connection receives: every feed on one receiving connection, changed one offer at a time; the video
 * of at most a page of cameras (and the speaker and a pinned tile), audio from everyone; and ICE restarts of
 * its publisher and receiving connection through the room socket.
 */
describe('media: what one connection receives (one receiving connection, pages of videos, ICE restarts)', function () {
  this.timeout(90_000);
  const suite = useMediaSuite({ rtpPortRange: '46000-46999' });
  const { track, peer } = suite;
  let crowd: CrowdMember[] = [];
  afterEach(async () => {
    await dismissCrowd(crowd.splice(0));
  });

  /** A live channel meeting started by its manager, and a way in for others at a channel level. */
  async function liveChannel() {
    const server = suite.server;
    const channel = await server.kaltura.createChannel(`Pages ${Math.random().toString(36).slice(2, 8)}`);
    const enter = async (name: string, level: number, action: 'start' | 'join') => {
      const user = await server.kaltura.createUser({ role: 'viewerRole', name });
      await server.kaltura.addMember(channel.id, user.id, level);
      const agent = await signIn(server, user.id);
      await agent.get(`/channels/${channel.id}/meeting`);
      const response = await agent.post(`/channels/${channel.id}/meeting/${action}`, {}, { accept: 'application/json' });
      expect(response.status, response.text).to.equal(200);
      const client = track(await RoomClient.launch(agent, response.json().launchUrl as string));
      const welcome = await client.next('welcome');
      return Object.assign(client, { participantId: welcome.you.participantId as string });
    };
    const instructor = await enter('Ines Instructor', LEVEL.manager, 'start');
    return { channelId: channel.id, instructor, enter };
  }

  /**
   * Sends a message and answers `ok` when its answer (`answerType`, about the same participant) arrives, or the
   * code of the error about it. A message with no answer of its own (`media.video`) answers only its refusals.
   */
  async function outcome(client: RoomClient, message: Record<string, unknown>, answerType: string | null, answers: (received: Record<string, any>) => boolean = (received) => received.participantId === message.participantId): Promise<string> {
    const ref = `media:${Math.random().toString(36).slice(2, 8)}`;
    const from = client.received.length;
    client.send({ ...message, ref });
    const until = Date.now() + 10_000;
    for (;;) {
      const reply = client.received.slice(from).find((received) => received.ref === ref || (received.type === answerType && answers(received)));
      if (reply) return reply.type === 'error' ? reply.code : 'ok';
      if (Date.now() > until) throw new Error(`no answer to ${String(message.type)}: ${JSON.stringify(client.received.slice(from).map((m) => [m.type, m.code, m.message, m.ref, m.streams?.length]))}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  it('gives a connection the video of at most a page of cameras (and the speaker and a pinned tile), and everyone\'s sound', async () => {
    const room = await liveChannel();
    crowd = await publishingCrowd(suite.server, room.channelId, MEDIA_VIDEO_SUBSCRIPTIONS_MAX + 1);
    const viewer = await room.enter('Mia Member', LEVEL.member, 'join');
    const [extra, ...inPage] = crowd as [CrowdMember, ...CrowdMember[]];
    let receiver: MediaPeer | undefined;
    // Each subscription comes in an offer of the one receiving connection, answered before the next change is offered.
    const subscribe = async (member: CrowdMember, video?: boolean) => {
      const carries = (offer: Record<string, any>) => offer.streams.some((stream: { participantId: string }) => stream.participantId === member.participantId);
      const result = await outcome(viewer, { type: 'media.subscribe', participantId: member.participantId, source: 'camera', ...(video !== undefined && { video }) }, 'media.offer', carries);
      if (result === 'ok') receiver = peer(await MediaPeer.answerReceiving(viewer, viewer.received.filter((received) => received.type === 'media.offer').at(-1)!.sdp, receiver));
      return result;
    };

    for (const member of inPage) expect(await subscribe(member)).to.equal('ok');
    expect(await subscribe(extra)).to.equal('VIDEO_LIMIT');
    // Off the page: subscribed for sound only, and refused video until another tile gives its video up.
    expect(await subscribe(extra, false)).to.equal('ok');
    const video = (member: { participantId: string }, on: unknown) => ({ type: 'media.video', participantId: member.participantId, source: 'camera', video: on });
    expect(await outcome(viewer, video(extra, true), null)).to.equal('VIDEO_LIMIT');
    // A tile leaves the page, another comes onto it: the place goes from one to the other (in order, on one socket).
    viewer.send(video(inPage[0]!, false));
    viewer.send(video(extra, true));
    viewer.send(video(extra, true));
    expect(await outcome(viewer, video(inPage[0]!, true), null)).to.equal('VIDEO_LIMIT');
    viewer.send(video(extra, false));
    viewer.send(video(inPage[0]!, true));
    expect(await outcome(viewer, video(extra, true), null)).to.equal('VIDEO_LIMIT');
    expect(await outcome(viewer, video(room.instructor, true), null)).to.equal('NOT_SUBSCRIBED');
    expect(await outcome(viewer, video(extra, 'yes'), null)).to.equal('INVALID_MESSAGE');
    expect(viewer.unread('error').filter((error) => error.code !== 'VIDEO_LIMIT' && error.code !== 'NOT_SUBSCRIBED' && error.code !== 'INVALID_MESSAGE')).to.deep.equal([]);
  });

  it('carries every camera on one receiving connection: a burst of subscribes in one or two offers, then each change in one more', async () => {
    const room = await liveChannel();
    crowd = await publishingCrowd(suite.server, room.channelId, 4);
    const viewer = await room.enter('Mia Member', LEVEL.member, 'join');
    // A page entering the room asks for every camera at once.
    for (const member of crowd) viewer.send({ type: 'media.subscribe', participantId: member.participantId, source: 'camera', ref: `media:sub-${member.participantId}` });
    const everyone = crowd.map((member) => member.participantId).sort();
    const carriedBy = (offer: Record<string, any>) => [...new Set<string>(offer.streams.map((stream: { participantId: string }) => stream.participantId))].sort();
    let receiver: MediaPeer | undefined;
    let offers = 0;
    for (;;) {
      const offer = await viewer.next('media.offer');
      offers += 1;
      receiver = peer(await MediaPeer.answerReceiving(viewer, offer.sdp, receiver));
      if (carriedBy(offer).length === everyone.length) break;
    }
    expect(offers).to.be.at.most(2);
    await receiver.connected();
    expect(viewer.unread('error')).to.deep.equal([]);

    // One leaves the page for good, one publishes again (a new version of the same feed): each change is one offer on the same connection.
    viewer.send({ type: 'media.unsubscribe', participantId: crowd[0]!.participantId, source: 'camera' });
    const fewer = await viewer.next('media.offer');
    expect(carriedBy(fewer)).to.deep.equal(everyone.filter((id) => id !== crowd[0]!.participantId));
    await MediaPeer.answerReceiving(viewer, fewer.sdp, receiver);
    viewer.send({ type: 'media.subscribe', participantId: crowd[1]!.participantId, source: 'camera' });
    const replaced = await viewer.next('media.offer');
    expect(carriedBy(replaced)).to.deep.equal(carriedBy(fewer));
    expect(iceUfrag(replaced.sdp)).to.equal(iceUfrag(fewer.sdp));
    await MediaPeer.answerReceiving(viewer, replaced.sdp, receiver);
    await receiver.connected();
    // Unsubscribing from a feed never subscribed to is no error (it may have just gone).
    viewer.send({ type: 'media.unsubscribe', participantId: room.instructor.participantId, source: 'camera', ref: 'media:nothing' });

    // A browser that had to make a new receiving connection gets a fresh offer with everything it receives.
    viewer.send({ type: 'media.resetReceiving' });
    const fresh = await viewer.next('media.offer');
    expect(carriedBy(fresh)).to.deep.equal(carriedBy(fewer));
    expect(iceUfrag(fresh.sdp)).to.not.equal(iceUfrag(fewer.sdp));
    await (peer(await MediaPeer.answerReceiving(viewer, fresh.sdp))).connected();
    expect(viewer.unread('error')).to.deep.equal([]);
  });

  it('restarts ICE for a publisher with a new offer for the same feed, and for the receiving connection with a new offer from the media server', async () => {
    const room = await liveChannel();
    crowd = await publishingCrowd(suite.server, room.channelId, 1);
    const sender = crowd[0]!;
    const viewer = await room.enter('Mia Member', LEVEL.member, 'join');
    viewer.send({ type: 'media.subscribe', participantId: sender.participantId, source: 'camera' });
    const receiver = peer(await MediaPeer.answerReceiving(viewer, (await viewer.next('media.offer')).sdp));
    await receiver.connected();

    // The publisher's new offer carries new ICE credentials; the media server answers it, and the feed stays as it was.
    const firstAnswerUfrag = iceUfrag((sender.peer.pc.remoteDescription as { sdp: string }).sdp);
    const restartOffer = await sender.peer.pc.createOffer({ iceRestart: true });
    await sender.peer.pc.setLocalDescription(restartOffer);
    expect(iceUfrag(sender.peer.sdp)).to.not.equal(undefined);
    sender.client.send({ type: 'media.restartPublisher', source: 'camera', sdp: sender.peer.sdp });
    const answer = await sender.client.next('media.answer');
    expect(iceUfrag(answer.sdp)).to.be.a('string').and.not.equal(firstAnswerUfrag);
    await sender.peer.pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
    await sender.peer.connected();
    expect(sender.client.unread('media.feeds')).to.satisfy((lists: Array<{ feeds: unknown[] }>) => lists.every((list) => list.feeds.length === 1));

    // The receiving connection: a fresh offer with new ICE credentials and the same streams, answered as usual.
    const firstUfrag = iceUfrag((receiver.pc.remoteDescription as { sdp: string }).sdp);
    viewer.send({ type: 'media.restartReceiving' });
    const offer = await viewer.next('media.offer');
    expect(offer).to.include({ restart: true });
    expect(offer.streams.map((stream: { participantId: string }) => stream.participantId)).to.deep.equal([sender.participantId, sender.participantId]);
    expect(iceUfrag(offer.sdp)).to.not.equal(firstUfrag);
    await MediaPeer.answerReceiving(viewer, offer.sdp, receiver, 'restarted');
    await receiver.connected();
    viewer.send({ type: 'media.join' });
    await viewer.next('media.ready');
    expect(viewer.unread('error')).to.deep.equal([]);
  });

  it('refuses a restart for what the sender does not publish or receive, and one that sends more than the first offer', async () => {
    const room = await liveChannel();
    const carl = await room.enter('Carl Contributor', LEVEL.contributor, 'join');
    const audioOnly = peer(await MediaPeer.offering({ audio: true }));
    await audioOnly.publish(carl);
    const withVideo = peer(await MediaPeer.offering({ audio: true, video: true }));
    expect(await outcome(carl, { type: 'media.restartPublisher', source: 'camera', sdp: withVideo.sdp }, 'media.answer')).to.equal('INVALID_MESSAGE');
    expect(await outcome(carl, { type: 'media.restartPublisher', source: 'screen', sdp: audioOnly.sdp }, 'media.answer')).to.equal('NOT_PUBLISHING');
    expect(await outcome(carl, { type: 'media.restartReceiving' }, 'media.offer')).to.equal('NOT_SUBSCRIBED');
    expect(await outcome(carl, { type: 'media.restartPublisher', source: 'camera', sdp: 'v=0\r\nnonsense' }, 'media.answer')).to.equal('INVALID_MESSAGE');
    // Refusals keep the connection.
    carl.send({ type: 'chat.send', text: 'still here' });
    await room.instructor.next('chat.message', (message) => message.message?.text === 'still here' || message.text === 'still here');
  });
});

function iceUfrag(sdp: string): string | undefined {
  return /a=ice-ufrag:(\S+)/.exec(sdp)?.[1];
}
