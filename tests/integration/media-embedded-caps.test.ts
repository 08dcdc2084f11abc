import { expect } from 'chai';
import { pino } from 'pino';
import { EmbeddedMediaServer } from '../../src/media/embedded/embedded-media-server.ts';
import type { MediaEndpoint } from '../../src/media/media-server.ts';
import { courseWithWebcamPlaces, MEDIA_SERVERS_UNDER_TEST, MediaPeer, useMediaSuite } from '../support/media-peer.ts';
import { RoomClient } from '../support/room-client.ts';
import type { BackendPerson } from '../support/courses.ts';

const EMBEDDED = MEDIA_SERVERS_UNDER_TEST.find((candidate) => candidate.kind === 'embedded')!;

/** The embedded SFU forwards at most so many streams (each feed received counts its audio and its video one each): per room, and in all. */
describe('media: the embedded SFU\'s forwarding caps', () => {
  describe('in a room', () => {
    // Two streams a room: one camera with sound received once.
    const suite = useMediaSuite({ rtpPortRange: '48000-48999', mediaServer: EMBEDDED, media: { embedded: { streamsPerRoom: 2, streamsPerServer: 100 } } });
    const { track, peer } = suite;

    it('refuses the subscription over the cap with words the person reads, and takes one again once a stream is free', async () => {
      const course = await courseWithWebcamPlaces(suite.server, 2, ['instructor:Ines', 'student:Pia', 'student:Paul']);
      const [teacher, pia, paul] = await Promise.all((course.people as BackendPerson[]).map(async (person) => {
        const client = track(await RoomClient.launch(person.agent, await course.launchUrl(person)));
        const welcome = await client.next('welcome');
        return Object.assign(client, { participantId: welcome.you.participantId as string });
      })) as [RoomClient & { participantId: string }, RoomClient, RoomClient];
      teacher.send({ type: 'session.start' });
      await teacher.next('session.started');
      await peer(await MediaPeer.offering({ audio: true, video: true })).publish(teacher);
      await pia.next('media.feeds', (message) => message.feeds.length === 1);
      await paul.next('media.feeds', (message) => message.feeds.length === 1);

      const camera = { participantId: teacher.participantId, source: 'camera' };
      pia.send({ type: 'media.subscribe', ...camera });
      // Answered, as a browser does: her receiving connection takes its next change only after that.
      const piaReceiving = peer(await MediaPeer.answering((await pia.next('media.offer')).sdp));
      pia.send({ type: 'media.answer', sdp: piaReceiving.sdp });
      paul.send({ type: 'media.subscribe', ...camera, ref: 'media:media.subscribe' });
      const refused = await paul.next('error');
      expect(refused).to.include({ code: 'MEDIA_BUSY', ref: 'media:media.subscribe' });
      expect(refused.message).to.match(/^The built-in media server forwards as much audio and video as it can take/);

      pia.send({ type: 'media.unsubscribe', ...camera });
      // Her offer without the camera: its streams are free.
      await pia.next('media.offer');
      paul.send({ type: 'media.subscribe', ...camera });
      await paul.next('media.offer');
    });
  });

  describe('in all rooms together', () => {
    const server = new EmbeddedMediaServer({ caps: { streamsPerRoom: 100, streamsPerServer: 3 }, portRange: '48000-48999', stunServer: null, extraHostAddresses: [] }, { logger: pino({ level: 'silent' }), requestTimeoutMs: 5000 });
    const peers: MediaPeer[] = [];
    const at = (roomId: string, name: string): MediaEndpoint => ({ roomId, connectionId: `${roomId}-${name}`, display: name });
    before(async function () {
      this.timeout(20_000);
      await server.launch();
    });
    after(async () => {
      await Promise.all(peers.map((made) => made.close()));
      await server.close();
    });

    it('counts the streams of every room against the server\'s cap', async () => {
      const feeds: string[] = [];
      for (const roomId of ['one', 'two']) {
        await server.openRoom(roomId, { publishers: 1 });
        const sender = await MediaPeer.offering({ audio: true, video: true });
        peers.push(sender);
        feeds.push((await server.publish(at(roomId, 'sender'), 'camera', sender.sdp)).feedId);
      }
      const receive = (roomId: string) => server.updateReceiving(at(roomId, 'viewer'), { add: [{ key: 'k', feedId: feeds[roomId === 'one' ? 0 : 1]! }], remove: [] });
      const { offerSdp } = await receive('one');
      const receiver = await MediaPeer.answering(offerSdp);
      peers.push(receiver);
      await server.answerReceiving(at('one', 'viewer'), receiver.sdp);
      await receiver.connected();
      expect((await server.stats()).forwardedStreams).to.equal(2);
      const refused = await receive('two').then(() => null, (error: { reason: string }) => error.reason);
      expect(refused).to.equal('busy');
      await server.leave(at('one', 'viewer'));
      await receive('two');
      expect((await server.stats()).forwardedStreams).to.equal(2);
      await server.closeReceiving(at('two', 'viewer'));
      expect((await server.stats()).forwardedStreams).to.equal(0);
    });
  });
});
