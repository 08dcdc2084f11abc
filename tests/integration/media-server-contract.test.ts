/**
 * The MediaServer contract, run against each adapter with real WebRTC peers
 * (werift): rooms open and close, the publisher cap refuses the next sender,
 * feeds are received on one receiving connection per endpoint, changed one
 * offer at a time, a bad SDP is refused, and
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
import type { MediaEndpoint, MediaReset, MediaServer, ReceivingOffer } from '../../src/media/media-server.ts';
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

    /** A werift peer answering the receiving connection's offers, as a browser does: the same peer connection for every offer. */
    async function receivingAt(at: MediaEndpoint, offer: ReceivingOffer): Promise<MediaPeer> {
      const receiver = await MediaPeer.answering(offer.offerSdp);
      peers.push(receiver);
      await media.answerReceiving(at, receiver.sdp);
      await receiver.connected();
      return receiver;
    }

    async function answerAgain(at: MediaEndpoint, receiver: MediaPeer, offer: ReceivingOffer): Promise<void> {
      await receiver.answer(offer.offerSdp);
      await media.answerReceiving(at, receiver.sdp);
    }

    it('lets others receive a flowing feed, and refuses the sender over the publisher cap', async () => {
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
      const offer = await media.updateReceiving(viewer, { add: [{ key: 'a/camera', feedId }], remove: [] });
      expect(carried(offer)).to.deep.equal(['a/camera:audio', 'a/camera:video']);
      await receivingAt(viewer, offer);
    });

    it('carries every feed a connection receives on one peer connection, changed one offer at a time', async () => {
      const roomId = newRoom();
      await media.openRoom(roomId, { publishers: 3 });
      const [a, b, c] = [await publishing(endpoint(roomId, 'a')), await publishing(endpoint(roomId, 'b')), await publishing(endpoint(roomId, 'c'))];
      const viewer = endpoint(roomId, 'viewer');
      const first = await media.updateReceiving(viewer, { add: [{ key: 'a/camera', feedId: a!.feedId }, { key: 'b/camera', feedId: b!.feedId }], remove: [] });
      expect(carried(first)).to.deep.equal(['a/camera:audio', 'a/camera:video', 'b/camera:audio', 'b/camera:video']);
      expect(mLines(first.offerSdp)).to.equal(4);
      expect(new Set(first.streams.map((stream) => stream.mid)).size).to.equal(4);
      const receiver = await receivingAt(viewer, first);

      // One change removes a feed and adds another: the removed one is no longer listed, and the connection stays up.
      const second = await media.updateReceiving(viewer, { add: [{ key: 'c/camera', feedId: c!.feedId }], remove: ['a/camera'] });
      expect(carried(second)).to.deep.equal(['b/camera:audio', 'b/camera:video', 'c/camera:audio', 'c/camera:video']);
      expect(ufragOf(second.offerSdp)).to.equal(ufragOf(first.offerSdp));
      await answerAgain(viewer, receiver, second);
      // A feed published again under the same key replaces the old one (removed and added in one change).
      const third = await media.updateReceiving(viewer, { add: [{ key: 'b/camera', feedId: b!.feedId }], remove: ['b/camera'] });
      expect(carried(third)).to.deep.equal(['b/camera:audio', 'b/camera:video', 'c/camera:audio', 'c/camera:video']);
      await answerAgain(viewer, receiver, third);
      // m-lines of removed feeds are used again: the offer does not grow with every change.
      expect(mLines(third.offerSdp)).to.be.at.most(6);
      expect(receiver.pc.connectionState).to.equal('connected');
      await media.receiveVideo(viewer, 'c/camera', false);
      await media.chooseLayer(viewer, 'c/camera', 'low');
      await media.receiveVideo(viewer, 'c/camera', true);
      await media.receiveVideo(viewer, 'a/camera', false).then(
        () => expect.fail('changed a feed the connection no longer receives'),
        (error: { reason: string }) => expect(error.reason).to.equal('refused'),
      );
      // A sender who leaves: its feed is taken out by the next change, as any other.
      await media.unpublish(endpoint(roomId, 'c'), 'camera');
      const fourth = await media.updateReceiving(viewer, { add: [], remove: ['c/camera'] });
      expect(carried(fourth)).to.deep.equal(['b/camera:audio', 'b/camera:video']);
      await answerAgain(viewer, receiver, fourth);
      expect(receiver.pc.connectionState).to.equal('connected');
    });

    it('refuses a change naming a feed that does not exist, and changes nothing', async () => {
      const roomId = newRoom();
      await media.openRoom(roomId, { publishers: 3 });
      const a = await publishing(endpoint(roomId, 'a'));
      const b = await publishing(endpoint(roomId, 'b'));
      const viewer = endpoint(roomId, 'viewer');
      await media.updateReceiving(endpoint(roomId, 'other'), { add: [{ key: 'k', feedId: '12345' }], remove: [] }).then(
        () => expect.fail('accepted'),
        (error: { reason: string }) => expect(error.reason).to.equal('refused'),
      );
      const receiver = await receivingAt(viewer, await media.updateReceiving(viewer, { add: [{ key: 'a/camera', feedId: a.feedId }], remove: [] }));
      await media.updateReceiving(viewer, { add: [{ key: 'b/camera', feedId: b.feedId }, { key: 'k', feedId: '12345' }], remove: ['a/camera'] }).then(
        () => expect.fail('accepted'),
        (error: { reason: string }) => expect(error.reason).to.equal('refused'),
      );
      const next = await media.updateReceiving(viewer, { add: [{ key: 'b/camera', feedId: b.feedId }], remove: [] });
      expect(carried(next)).to.deep.equal(['a/camera:audio', 'a/camera:video', 'b/camera:audio', 'b/camera:video']);
      await answerAgain(viewer, receiver, next);
    });

    it('refuses an SDP it cannot use', async () => {
      const roomId = newRoom();
      await media.openRoom(roomId, { publishers: 3 });
      await media.publish(endpoint(roomId, 'a'), 'camera', 'v=0\r\nm=audio 9 RTP/AVP 0\r\nx=nonsense\r\n').then(
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

    it('restarts ICE: a publisher\'s new offer is answered for the same feed, the receiving connection gets a new offer; a closed one is made anew', async () => {
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
      const offer = await media.updateReceiving(viewer, { add: [{ key: 'a/camera', feedId }], remove: [] });
      const receiver = await receivingAt(viewer, offer);
      const restarted = await media.restartReceiving(viewer);
      expect(ufragOf(restarted.offerSdp)).to.not.equal(ufragOf(offer.offerSdp));
      expect(carried(restarted)).to.deep.equal(carried(offer));
      await answerAgain(viewer, receiver, restarted);
      await receiver.connected();
      await media.restartReceiving(endpoint(roomId, 'nobody')).then(
        () => expect.fail('restarted a receiving connection that does not exist'),
        (error: { reason: string }) => expect(error.reason).to.equal('refused'),
      );
      // A receiving connection closed (the browser made a new one) is made anew by the next change.
      await media.closeReceiving(viewer);
      const fresh = await media.updateReceiving(viewer, { add: [{ key: 'a/camera', feedId }], remove: [] });
      expect(ufragOf(fresh.offerSdp)).to.not.equal(ufragOf(offer.offerSdp));
      await receivingAt(viewer, fresh);
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

/** What a receiving offer carries, as `key:kind`, sorted. */
function carried(offer: ReceivingOffer): string[] {
  return offer.streams.map((stream) => `${stream.key}:${stream.kind}`).sort();
}

function mLines(sdp: string): number {
  return sdp.split(/\r?\n/).filter((line) => line.startsWith('m=')).length;
}

function ufragOf(sdp: string): string | undefined {
  return /a=ice-ufrag:(\S+)/.exec(sdp)?.[1];
}
