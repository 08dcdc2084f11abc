import { expect } from 'chai';
import { LEVEL } from '../support/kaltura-seed.ts';
import { courseWithWebcamPlaces, MEDIA_ROLE_MAPPING as ROLE_MAPPING, MediaPeer, useMediaSuite } from '../support/media-peer.ts';
import { RoomClient } from '../support/room-client.ts';
import type { BackendPerson } from '../support/courses.ts';
import type { TestAgent } from '../support/test-agent.ts';
import { signIn, type TestServer } from '../support/test-server.ts';


/** Waits for a message that may take longer than RoomClient's own limit (a process starting again). */
async function within<T>(limitMs: number, wait: () => Promise<T>): Promise<T> {
  const until = Date.now() + limitMs;
  for (;;) {
    try {
      return await wait();
    } catch (error) {
      if (Date.now() > until) throw error;
    }
  }
}

/** Audio and video signalling through the room socket, against a real Janus the service starts and supervises. */
describe('media signalling', () => {
  const suite = useMediaSuite({ rtpPortRange: '42000-42999', settings: { enabled: true, enableUserPrivateLiveRoom: true, roleMapping: ROLE_MAPPING as never } });
  const { track, peer } = suite;
  let server: TestServer;
  beforeEach(() => {
    server = suite.server;
  });

  /** A live channel room with its instructor inside, and a way to bring people in at a channel level. */
  async function liveChannel() {
    const channel = await server.kaltura.createChannel(`Media ${Math.random().toString(36).slice(2, 8)}`);
    const enter = async (name: string, level: number) => {
      const user = await server.kaltura.createUser({ role: 'viewerRole', name });
      await server.kaltura.addMember(channel.id, user.id, level);
      const agent = await signIn(server, user.id);
      await agent.get(`/channels/${channel.id}/meeting`);
      const client = track(await RoomClient.launch(agent, await launchUrl(agent, level === LEVEL.manager ? 'start' : 'join')));
      const welcome = await client.next('welcome');
      return Object.assign(client, { participantId: welcome.you.participantId as string, roomId: welcome.room.id as string });
    };
    const launchUrl = async (agent: TestAgent, action: 'join' | 'start') => {
      const response = await agent.post(`/channels/${channel.id}/meeting/${action}`, {}, { accept: 'application/json' });
      expect(response.status, response.text).to.equal(200);
      return response.json().launchUrl as string;
    };
    const instructor = await enter('Ines Instructor', LEVEL.manager);
    return { instructor, contributor: (name = 'Carl Contributor') => enter(name, LEVEL.contributor), member: (name = 'Mia Member') => enter(name, LEVEL.member) };
  }

  async function refusal(client: RoomClient, message: Record<string, unknown>): Promise<string> {
    const ref = `media:${Math.random().toString(36).slice(2, 8)}`;
    client.send({ ...message, ref });
    return (await client.next('error', (error) => error.ref === ref)).code;
  }

  it('publishes a camera, announces the feed to everyone, lets others subscribe, and withdraws it when its connection closes', async () => {
    const room = await liveChannel();
    const carl = await room.contributor();
    const mia = await room.member();
    mia.send({ type: 'media.join' });
    expect(await mia.next('media.ready')).to.deep.include({ available: true, feeds: [] });

    await peer(await MediaPeer.offering({ audio: true, video: true })).publish(carl);
    const feeds = await mia.next('media.feeds');
    expect(feeds.feeds).to.have.length(1);
    expect(feeds.feeds[0]).to.deep.include({ participantId: carl.participantId, name: 'Carl Contributor', source: 'camera', audio: true, video: true });
    expect((await room.instructor.next('camera.changed')).cameras.map((camera: { name: string }) => camera.name)).to.deep.equal(['Carl Contributor']);

    mia.send({ type: 'media.subscribe', participantId: carl.participantId, source: 'camera' });
    const offer = await mia.next('media.offer');
    expect(offer.streams.map((stream: { kind: string }) => stream.kind).sort()).to.deep.equal(['audio', 'video']);
    for (const stream of offer.streams) expect(stream).to.include({ participantId: carl.participantId, source: 'camera' });
    expect(offer.sdp).to.match(/^v=0\r\n/).and.contain('m=video');
    const receiver = peer(await MediaPeer.answering(offer.sdp));
    mia.send({ type: 'media.answer', sdp: receiver.sdp, ref: 'answer' });
    await receiver.connected();

    // The feed's simulcast layer can be chosen (a feed without simulcast has only one); a feed not received cannot.
    mia.send({ type: 'media.layer', participantId: carl.participantId, source: 'camera', layer: 'low', ref: 'layer' });
    expect(await refusal(mia, { type: 'media.layer', participantId: carl.participantId, source: 'camera', layer: 'huge' })).to.equal('INVALID_MESSAGE');
    expect(await refusal(mia, { type: 'media.layer', participantId: carl.participantId, source: 'screen', layer: 'low' })).to.equal('NOT_SUBSCRIBED');
    expect(mia.unread('error').filter((error) => error.ref === 'layer')).to.deep.equal([]);
    // A candidate for the receiving connection is taken; an answer with no offer outstanding is refused.
    mia.send({ type: 'media.trickle', candidate: { candidate: 'candidate:1 1 udp 2122260223 192.0.2.9 50000 typ host', sdpMid: '0', sdpMLineIndex: 0 }, ref: 'ice' });
    expect(await refusal(mia, { type: 'media.answer', sdp: receiver.sdp })).to.equal('NO_OFFER');
    // Unsubscribing takes the feed out of the next offer, on the same connection.
    mia.send({ type: 'media.unsubscribe', participantId: carl.participantId, source: 'camera' });
    const without = await mia.next('media.offer');
    expect(without.streams).to.deep.equal([]);
    await MediaPeer.answerReceiving(mia, without.sdp, receiver, 'answer-2');
    expect(mia.unread('error').filter((error) => error.ref === 'ice' || error.ref === 'answer')).to.deep.equal([]);

    carl.socket.terminate();
    expect((await mia.next('media.feeds', (message) => message.feeds.length === 0)).feeds).to.deep.equal([]);
    mia.send({ type: 'media.subscribe', participantId: carl.participantId, source: 'camera', ref: 'gone' });
    expect((await mia.next('error', (error) => error.ref === 'gone')).code).to.equal('FEED_NOT_FOUND');
    expect(mia.unread('error').filter((error) => ['ice', 'answer-2'].includes(error.ref))).to.deep.equal([]);
  });

  it('checks each publish against the sender\'s permissions, read from the SDP and not from the message', async () => {
    const room = await liveChannel();
    const mia = await room.member();
    const audioOnly = peer(await MediaPeer.offering({ audio: true }));
    const withVideo = peer(await MediaPeer.offering({ audio: true, video: true }));
    expect(await refusal(mia, { type: 'media.publish', source: 'camera', sdp: audioOnly.sdp })).to.equal('NOT_ALLOWED');
    expect(await refusal(mia, { type: 'media.publish', source: 'camera', sdp: withVideo.sdp })).to.equal('NOT_ALLOWED');
    const carl = await room.contributor();
    const refused = await (async () => {
      carl.send({ type: 'media.publish', source: 'screen', sdp: withVideo.sdp, ref: 'screen' });
      return carl.next('error', (error) => error.ref === 'screen');
    })();
    expect(refused).to.include({ code: 'NOT_ALLOWED', message: 'You do not have permission to share your screen.' });
    expect(await refusal(mia, { type: 'media.mute', participantId: room.instructor.participantId })).to.equal('NOT_ALLOWED');
    // Refusals keep the connection: the same socket still chats.
    mia.send({ type: 'chat.send', text: 'still here' });
    expect((await mia.next('chat.message')).message.text).to.equal('still here');
  });

  it('refuses forged, oversized and out-of-order media messages with an error, and keeps the connection', async () => {
    const room = await liveChannel();
    const carl = await room.contributor();
    const real = peer(await MediaPeer.offering({ audio: true, video: true })).sdp;
    expect(await refusal(carl, { type: 'media.publish', source: 'camera', sdp: '<script>alert(1)</script>' })).to.equal('INVALID_MESSAGE');
    expect(await refusal(carl, { type: 'media.publish', source: 'camera', sdp: real.replace('m=audio', 'm=audio\u0000') })).to.equal('INVALID_MESSAGE');
    expect(await refusal(carl, { type: 'media.publish', source: 'camera', sdp: real + `a=x-padding:${'p'.repeat(40_000)}\r\n` })).to.equal('INVALID_MESSAGE');
    expect(await refusal(carl, { type: 'media.publish', source: 'camera', sdp: 'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=nonsense\r\n' })).to.equal('MEDIA_REFUSED');
    expect(await refusal(carl, { type: 'media.answer', sdp: real })).to.equal('NO_OFFER');
    expect(await refusal(carl, { type: 'media.trickle', source: 'camera', candidate: null })).to.equal('MEDIA_REFUSED');
    expect(await refusal(carl, { type: 'media.unpublish', source: 'camera' })).to.equal('NOT_PUBLISHING');
    expect(await refusal(carl, { type: 'media.teleport' })).to.equal('INVALID_MESSAGE');
    // A media message may be larger than other messages (16 KB), up to its own limit; a chat message may not.
    carl.send({ type: 'media.join', padding: 'p'.repeat(30_000) });
    expect((await carl.next('media.ready')).available).to.equal(true);
    await peer(await MediaPeer.offering({ audio: true, video: true })).publish(carl);
    carl.sendRaw(JSON.stringify({ v: 1, type: 'chat.send', text: 'z'.repeat(20_000) }));
    expect((await carl.closed).code).to.equal(1009);
  });

  it('refuses a subscription to a feed of another room', async () => {
    const here = await liveChannel();
    const carl = await here.contributor();
    await peer(await MediaPeer.offering({ audio: true, video: true })).publish(carl);
    const elsewhere = await liveChannel();
    const eve = await elsewhere.member('Eve Elsewhere');
    expect(await refusal(eve, { type: 'media.subscribe', participantId: carl.participantId, source: 'camera' })).to.equal('FEED_NOT_FOUND');
    expect(await refusal(eve, { type: 'media.mute', participantId: carl.participantId })).to.equal('NOT_ALLOWED');
    expect(await refusal(elsewhere.instructor, { type: 'media.mute', participantId: carl.participantId })).to.equal('FEED_NOT_FOUND');
  });

  it('lets an instructor mute someone, who is told and is the only one who can unmute', async () => {
    const room = await liveChannel();
    const carl = await room.contributor();
    await peer(await MediaPeer.offering({ audio: true, video: true })).publish(carl);
    room.instructor.send({ type: 'media.mute', participantId: carl.participantId });
    expect(await carl.next('media.muted')).to.include({ by: 'Ines Instructor' });
    expect((await room.instructor.next('media.feeds', (message) => message.feeds[0]?.audio === false)).feeds[0]).to.include({ participantId: carl.participantId, audio: false });
    carl.send({ type: 'media.configure', source: 'camera', audio: true });
    await room.instructor.next('media.feeds', (message) => message.feeds[0]?.audio === true);
  });

  it('throttles media messages that change the room as the live room\'s own are: a flood of toggles or of receiving resets is refused, the connection kept', async () => {
    const room = await liveChannel();
    const carl = await room.contributor();
    await peer(await MediaPeer.offering({ audio: true, video: true })).publish(carl);
    const flood = 40;
    for (let i = 0; i < flood; i += 1) carl.send({ type: 'media.configure', source: 'camera', audio: i % 2 === 0, video: true, ref: `toggle:${i}` });
    // The default burst is 6 (liveRoom.actionBurst), one spent on the publish: the rest are refused at once.
    const refusedAtLeast = flood - 6;
    for (let count = 0; count < refusedAtLeast; count += 1) {
      expect((await carl.next('error', (error) => String(error.ref).startsWith('toggle:'))).code).to.equal('RATE_LIMITED');
    }
    const errors = carl.received.filter((message) => message.type === 'error' && String(message.ref).startsWith('toggle:'));
    expect(errors.length).to.be.within(refusedAtLeast, flood);
    expect(errors.every((error) => error.code === 'RATE_LIMITED')).to.equal(true);
    // Resets of the receiving connection (each makes the media server build it anew) are held to the same allowance.
    for (let i = 0; i < flood; i += 1) carl.send({ type: 'media.resetReceiving', ref: `reset:${i}` });
    for (let count = 0; count < refusedAtLeast; count += 1) {
      expect((await carl.next('error', (error) => String(error.ref).startsWith('reset:'))).code).to.equal('RATE_LIMITED');
    }
    carl.send({ type: 'media.join' });
    expect(await carl.next('media.ready')).to.include({ available: true });
  });

  it('closes a removed participant\'s media at once, and the media room with the session', async () => {
    const room = await liveChannel();
    const carl = await room.contributor();
    const mia = await room.contributor('Mo Contributor');
    await peer(await MediaPeer.offering({ audio: true, video: true })).publish(carl);
    await peer(await MediaPeer.offering({ audio: true })).publish(mia);
    await room.instructor.next('media.feeds', (message) => message.feeds.length === 2);
    room.instructor.send({ type: 'participant.remove', participantId: carl.participantId });
    const onlyMia = (message: { feeds: Array<{ participantId: string }> }) => message.feeds.length === 1 && message.feeds[0]!.participantId === mia.participantId;
    await room.instructor.next('media.feeds', (message) => onlyMia(message as never));
    await room.instructor.next('camera.changed', (message) => message.cameras.length === 0);

    room.instructor.send({ type: 'session.end' });
    await mia.next('session.ended');
    expect(await refusal(mia, { type: 'media.publish', source: 'camera', sdp: peer(await MediaPeer.offering({ audio: true })).sdp })).to.equal('NOT_LIVE');
    // The next session gets a media room of its own.
    room.instructor.send({ type: 'session.start' });
    await mia.next('session.started');
    await peer(await MediaPeer.offering({ audio: true, video: true })).publish(mia);
    await mia.next('media.feeds', (message) => onlyMia(message as never));
  });

  describe('the webcam limit', () => {
    it('gives a camera with picture one of the plan\'s webcam places, refuses the next, and lets people speak without one', async () => {
      // Course students have the member level's permissions, which here send nothing: Pia co-teaches.
      const course = await courseWithWebcamPlaces(server, 1, ['instructor:Ines', 'instructor:Pia']);
      const [teacher, student] = course.people as [BackendPerson, BackendPerson];
      const enter = async (person: BackendPerson) => {
        const client = track(await RoomClient.launch(person.agent, await course.launchUrl(person)));
        await client.next('welcome');
        return client;
      };
      const ines = await enter(teacher);
      ines.send({ type: 'session.start' });
      await ines.next('session.started');
      const pia = await enter(student);

      await peer(await MediaPeer.offering({ audio: true, video: true })).publish(ines);
      expect(await refusal(pia, { type: 'media.publish', source: 'camera', sdp: peer(await MediaPeer.offering({ audio: true, video: true })).sdp })).to.equal('WEBCAM_LIMIT');
      await peer(await MediaPeer.offering({ audio: true })).publish(pia);
      const feeds = (await ines.next('media.feeds', (message) => message.feeds.length === 2)).feeds;
      expect(feeds.map((feed: { name: string; video: boolean }) => [feed.name, feed.video])).to.have.deep.members([['Ines', true], ['Pia', false]]);

      // The place comes back when the camera stops, and the next camera takes it.
      ines.send({ type: 'media.unpublish', source: 'camera' });
      await pia.next('camera.changed', (message) => message.cameras.length === 0);
      await peer(await MediaPeer.offering({ audio: true, video: true })).publish(pia);
      expect((await ines.next('camera.changed', (message) => message.cameras[0]?.name === 'Pia')).cameras).to.have.length(1);
    });
  });
  describe('when Janus dies', () => {
    it('starts it again, tells the clients, and they publish and subscribe again without a new connection', async function () {
      this.timeout(30_000);
      const room = await liveChannel();
      const carl = await room.contributor();
      const mia = await room.member();
      mia.send({ type: 'media.join' });
      await mia.next('media.ready');
      await peer(await MediaPeer.offering({ audio: true, video: true })).publish(carl);
      const before = (await mia.next('media.feeds', (message) => message.feeds.length === 1)).feeds[0].version;

      const pid = server.media.supervisedPid()!;
      process.kill(pid, 'SIGKILL');
      await mia.next('media.lost');
      await within(10_000, () => carl.next('media.reset'));
      expect(server.media.supervisedPid()).to.be.a('number').and.not.equal(pid);

      await peer(await MediaPeer.offering({ audio: true, video: true })).publish(carl);
      const again = (await mia.next('media.feeds', (message) => message.feeds.length === 1)).feeds[0];
      expect(again.version).to.not.equal(before);
      mia.send({ type: 'media.subscribe', participantId: carl.participantId, source: 'camera' });
      const offer = await mia.next('media.offer');
      const answer = peer(await MediaPeer.answering(offer.sdp));
      mia.send({ type: 'media.answer', sdp: answer.sdp });
      await answer.connected();
    });
  });
});
