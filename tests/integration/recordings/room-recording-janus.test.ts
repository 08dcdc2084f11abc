/**
 * Recording through a real Janus, supervised by the service: a werift peer speaks (Opus silence frames),
 * the room records it, Janus writes .mjr files into the recording's raw folder (new ones after a pause), and when Janus dies mid-
 * recording what was recorded is kept and queued for processing (media_server_lost). Media needs real time:
 * the waits here are on conditions (files growing, messages arriving), bounded.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { MediaStreamTrack, RtpHeader, RtpPacket } from 'werift';
import { channelScene } from '../../support/channel-scene.ts';
import { MediaPeer, useMediaSuite } from '../../support/media-peer.ts';

/** Polls a condition on the wall clock (media arrives in real time), failing after `limitMs`. */
async function until(condition: () => boolean, limitMs: number, what: string): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** An Opus "silence" frame every 20 ms, as a microphone in a quiet room sends. */
function speak(track: MediaStreamTrack): () => void {
  let sequenceNumber = 1;
  let timestamp = 0;
  const timer = setInterval(() => {
    track.writeRtp(new RtpPacket(new RtpHeader({ sequenceNumber: sequenceNumber++ & 0xffff, timestamp: (timestamp += 960) >>> 0, payloadType: 111 }), Buffer.from([0xf8, 0xff, 0xfe])));
  }, 20);
  return () => clearInterval(timer);
}

describe('RoomRecordingService on Janus', function () {
  this.timeout(60_000);
  // No processing on this instance: the test checks the process job the lost recording leaves queued.
  const suite = useMediaSuite({ rtpPortRange: '47000-47499', config: { recordings: { processingConcurrency: 0 } } });

  it('records a speaking peer into .mjr files in the raw folder named for the person and the source, new files after a pause, and keeps them when Janus dies mid-recording', async () => {
    const { server } = suite;
    const scene = await channelScene(server);
    await scene.startFromMediaSpace();
    const ines = suite.track(await scene.instructor());
    const welcome = await ines.next('welcome');
    expect(welcome.recording).to.deep.include({ state: 'off', available: true });

    const track = new MediaStreamTrack({ kind: 'audio' });
    const peer = suite.peer(new MediaPeer());
    peer.pc.addTransceiver(track, { direction: 'sendonly' });
    await peer.pc.setLocalDescription(await peer.pc.createOffer());
    await peer.publish(ines);
    const quiet = speak(track);
    try {
      ines.send({ type: 'recording.start', ref: 'rec' });
      const started = await ines.next('recording.changed');
      expect(started.recording.state).to.equal('recording');
      const [recording] = await server.db.selectFrom('recordings').selectAll().execute();
      const rawFolder = path.join(server.dataDir, 'recordings', 'raw', recording!.id);
      const recorded = () => readdirSync(rawFolder).filter((name) => name.endsWith('.mjr'));
      // A few seconds of audio: 50 frames a second, each written with its header.
      await until(() => recorded().some((name) => statSync(path.join(rawFolder, name)).size > 4_000), 20_000, 'Janus to write audio into the raw folder');

      // A pause closes the files; resuming opens new ones in the same folder.
      ines.send({ type: 'recording.pause' });
      await ines.next('recording.changed', (message) => message.recording.state === 'paused');
      const beforeResume = recorded().length;
      ines.send({ type: 'recording.resume' });
      await ines.next('recording.changed', (message) => message.recording.state === 'recording');
      await until(() => recorded().length > beforeResume, 20_000, 'Janus to open new files after the resume');
      // Named for the person and the source, as processing reads them: <participant>-camera-<ms>-audio-<index>.mjr.
      const named = new RegExp(`^${(welcome.you.participantId as string).replace(/[^A-Za-z0-9_-]/g, '_')}-camera-\\d+-audio-\\d+\\.mjr$`);
      expect(recorded().filter((name) => !named.test(name)), 'files not named for the person and the source').to.deep.equal([]);

      server.media.kill();
      const ended = () => ines.received.find((message) => message.type === 'recording.changed' && message.recording.state === 'off');
      await until(() => ended() !== undefined, 15_000, 'the recording to finish');
      expect(ended()!.finished).to.equal('media_server_lost');
      const [kept] = await server.db.selectFrom('recordings').selectAll().execute();
      expect(kept).to.deep.include({ state: 'queued', finish_reason: 'media_server_lost', raw_folder: path.join('recordings', 'raw', recording!.id) });
      expect(kept!.recorded_seconds).to.be.at.least(1);
      expect(await server.db.selectFrom('recording_jobs').select(['kind', 'state']).execute()).to.deep.equal([{ kind: 'process', state: 'queued' }]);
      expect(recorded().length).to.be.at.least(1);
    } finally {
      quiet();
    }
  });
});
