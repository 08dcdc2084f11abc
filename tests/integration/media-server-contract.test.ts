/**
 * The MediaServer contract, run against each adapter with real WebRTC peers
 * (werift): rooms open and close, the publisher cap refuses the next sender,
 * a feed can be subscribed to once its media flows, a bad SDP is refused, and
 * leaving closes everything, and a media server that dies is reported as a
 * reset (lost, then back). Janus runs where it is installed (skipped
 * elsewhere); the embedded SFU always runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { pino } from 'pino';
import { EmbeddedMediaServer } from '../../src/media/embedded/embedded-media-server.ts';
import { JanusMediaServer } from '../../src/media/janus/janus-media-server.ts';
import { startSupervisedJanus, type SupervisedJanus } from '../../src/media/janus/janus-supervisor.ts';
import type { MediaEndpoint, MediaReset, MediaServer } from '../../src/media/media-server.ts';
import { MediaPeer } from '../support/media-peer.ts';

interface Started {
  server: MediaServer;
  /** Ends the media server abruptly, as a crash would. */
  crash(): void;
  stop(): Promise<void>;
}

interface Adapter {
  name: string;
  /** Null where this media server is not installed: its suite is skipped. */
  start(): Promise<Started | null>;
}

const logger = pino({ level: 'silent' });

const ADAPTERS: Adapter[] = [
  {
    name: 'Janus (supervised)',
    async start() {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'live-rooms-janus-'));
      const janus: SupervisedJanus | null = await startSupervisedJanus({ executable: 'janus', dataDir, rtpPortRange: '44000-44999', publicIp: null, stunServer: null, logger });
      if (!janus) {
        rmSync(dataDir, { recursive: true, force: true });
        return null;
      }
      const server = new JanusMediaServer([{ url: janus.url, apiSecret: janus.apiSecret, adminKey: janus.adminKey }], { logger, requestTimeoutMs: 5000 });
      await server.connect();
      return {
        server,
        crash: () => process.kill(janus.pid()!, 'SIGKILL'),
        async stop() {
          await server.close();
          await janus.stop();
          rmSync(dataDir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'embedded SFU (werift, worker thread)',
    async start() {
      const server = new EmbeddedMediaServer(
        { caps: { streamsPerRoom: 100, streamsPerServer: 100 }, portRange: null, stunServer: null, extraHostAddresses: ['127.0.0.1'] },
        { logger, requestTimeoutMs: 5000 },
      );
      await server.launch();
      return { server, crash: () => server.kill(), stop: () => server.close() };
    },
  },
];

for (const adapter of ADAPTERS) {
  describe(`MediaServer contract: ${adapter.name}`, () => {
    let media: MediaServer;
    let started: Started | null = null;
    const peers: MediaPeer[] = [];
    let rooms = 0;
    const endpoint = (roomId: string, name: string): MediaEndpoint => ({ roomId, connectionId: `${roomId}-${name}`, display: name });
    const newRoom = () => `room-${++rooms}`;

    before(async function () {
      this.timeout(20_000);
      started = await adapter.start();
      if (!started) return this.skip();
      media = started.server;
    });
    after(async () => {
      await started?.stop();
    });
    afterEach(async () => {
      await Promise.all(peers.splice(0).map((made) => made.close()));
    });

    /** Publishes a werift peer's offer and completes its connection. */
    async function publishing(at: MediaEndpoint, kinds: { audio?: boolean; video?: boolean } = { audio: true, video: true }) {
      const sender = await MediaPeer.offering(kinds);
      peers.push(sender);
      const published = await media.publish(at, 'camera', sender.sdp);
      await sender.pc.setRemoteDescription({ type: 'answer', sdp: published.answerSdp });
      await published.flowing;
      return published;
    }

    it('is available, and opening an open room changes nothing', async () => {
      expect(media.available()).to.equal(true);
      const roomId = newRoom();
      await media.openRoom(roomId, { publishers: 2 });
      await media.openRoom(roomId, { publishers: 2 });
      const published = await publishing(endpoint(roomId, 'a'));
      expect(published.feedId).to.be.a('string');
    });

    it('lets others subscribe to a flowing feed, and refuses the sender over the publisher cap', async () => {
      const roomId = newRoom();
      await media.openRoom(roomId, { publishers: 1 });
      const { feedId } = await publishing(endpoint(roomId, 'a'));
      const second = await MediaPeer.offering({ audio: true });
      peers.push(second);
      await media.publish(endpoint(roomId, 'b'), 'camera', second.sdp).then(
        () => expect.fail('a second publisher was accepted'),
        (error: { reason: string }) => expect(error.reason).to.equal('full'),
      );
      const viewer = endpoint(roomId, 'c');
      const { offerSdp } = await media.subscribe(viewer, 'a/camera', feedId);
      const receiver = await MediaPeer.answering(offerSdp);
      peers.push(receiver);
      await media.start(viewer, 'a/camera', receiver.sdp);
      await receiver.connected();
    });

    it('takes a new connection\'s first subscriptions at once, as a page entering a room with several cameras asks for them', async () => {
      const roomId = newRoom();
      await media.openRoom(roomId, { publishers: 3 });
      const feeds = [await publishing(endpoint(roomId, 'a')), await publishing(endpoint(roomId, 'b')), await publishing(endpoint(roomId, 'c'))];
      const viewer = endpoint(roomId, 'viewer');
      const keys = ['a/camera', 'b/camera', 'c/camera'];
      const offers = await Promise.all(feeds.map((feed, index) => media.subscribe(viewer, keys[index]!, feed.feedId)));
      const receivers = await Promise.all(offers.map(({ offerSdp }) => MediaPeer.answering(offerSdp)));
      peers.push(...receivers);
      await Promise.all(receivers.map((receiver, index) => media.start(viewer, keys[index]!, receiver.sdp)));
      await Promise.all(receivers.map((receiver) => receiver.connected()));
    });

    it('refuses an SDP it cannot use, and a subscription to a feed that does not exist', async () => {
      const roomId = newRoom();
      await media.openRoom(roomId, { publishers: 3 });
      await media.publish(endpoint(roomId, 'a'), 'camera', 'v=0\r\nm=audio 9 RTP/AVP 0\r\nx=nonsense\r\n').then(
        () => expect.fail('accepted'),
        (error: { reason: string }) => expect(error.reason).to.equal('refused'),
      );
      await media.subscribe(endpoint(roomId, 'b'), 'k', '12345').then(
        () => expect.fail('accepted'),
        (error: { reason: string }) => expect(error.reason).to.equal('refused'),
      );
    });

    it('closes a room with everything in it; its id can then open a new one', async () => {
      const roomId = newRoom();
      await media.openRoom(roomId, { publishers: 1 });
      await publishing(endpoint(roomId, 'a'));
      await media.closeRoom(roomId);
      const late = await MediaPeer.offering({ audio: true });
      peers.push(late);
      await media.publish(endpoint(roomId, 'b'), 'camera', late.sdp).then(
        () => expect.fail('published into a closed room'),
        (error: { reason: string }) => expect(error.reason).to.equal('unavailable'),
      );
      await media.openRoom(roomId, { publishers: 1 });
      await publishing(endpoint(roomId, 'b'));
    });

    it('restarts ICE: a publisher\'s new offer is answered for the same feed, a subscription gets a new offer; a subscription\'s video goes off and on', async () => {
      const roomId = newRoom();
      await media.openRoom(roomId, { publishers: 2 });
      const sender = endpoint(roomId, 'a');
      const { feedId } = await publishing(sender);
      const publisherPeer = peers.at(-1)!;
      await publisherPeer.pc.setLocalDescription(await publisherPeer.pc.createOffer({ iceRestart: true }));
      const { answerSdp } = await media.restartPublisher(sender, 'camera', publisherPeer.sdp);
      await publisherPeer.pc.setRemoteDescription({ type: 'answer', sdp: answerSdp });
      await publisherPeer.connected();

      const viewer = endpoint(roomId, 'b');
      const { offerSdp } = await media.subscribe(viewer, 'a/camera', feedId);
      const receiver = await MediaPeer.answering(offerSdp);
      peers.push(receiver);
      await media.start(viewer, 'a/camera', receiver.sdp);
      await receiver.connected();
      await media.receiveVideo(viewer, 'a/camera', false);
      await media.receiveVideo(viewer, 'a/camera', true);
      const restarted = await media.restartSubscription(viewer, 'a/camera');
      expect(ufragOf(restarted.offerSdp)).to.not.equal(ufragOf(offerSdp));
      await receiver.pc.setRemoteDescription({ type: 'offer', sdp: restarted.offerSdp });
      await receiver.pc.setLocalDescription(await receiver.pc.createAnswer());
      await media.start(viewer, 'a/camera', receiver.sdp);
      await receiver.connected();
      await media.restartSubscription(viewer, 'nothing/camera').then(
        () => expect.fail('restarted a subscription that does not exist'),
        (error: { reason: string }) => expect(error.reason).to.equal('refused'),
      );
    });

    it('frees a sender\'s place when it leaves', async () => {
      const roomId = newRoom();
      await media.openRoom(roomId, { publishers: 1 });
      const first = endpoint(roomId, 'a');
      await publishing(first);
      await media.leave(first);
      await publishing(endpoint(roomId, 'b'));
    });

    it('reports its death as a reset of its rooms, lost then back, after which rooms open again', async function () {
      this.timeout(30_000);
      const roomId = newRoom();
      await media.openRoom(roomId, { publishers: 2 });
      await publishing(endpoint(roomId, 'a'));
      const resets: MediaReset[] = [];
      const back = new Promise<void>((resolve) => {
        const stopListening = media.onReset((reset) => {
          resets.push(reset);
          if (reset.phase !== 'back') return;
          stopListening();
          resolve();
        });
      });
      started!.crash();
      await back;
      expect(resets.map((reset) => reset.phase)).to.deep.equal(['lost', 'back']);
      // The room is named (one Janus of several), or every room is (a single media server).
      for (const reset of resets) expect(reset.roomIds === 'every' || reset.roomIds.includes(roomId), JSON.stringify(reset)).to.equal(true);
      expect(media.available()).to.equal(true);
      await media.openRoom(roomId, { publishers: 2 });
      await publishing(endpoint(roomId, 'b'));
    });
  });
}

function ufragOf(sdp: string): string | undefined {
  return /a=ice-ufrag:(\S+)/.exec(sdp)?.[1];
}
