import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { pino } from 'pino';
import { startSupervisedJanus, type SupervisedJanus } from '../../src/media/janus/janus-supervisor.ts';
import { LEVEL } from '../support/kaltura-seed.ts';
import { MediaPeer, NEEDS_JANUS } from '../support/media-peer.ts';
import { RoomClient } from '../support/room-client.ts';
import { signIn, startTestServer, type TestServer } from '../support/test-server.ts';

/** Janus servers run by operators (JANUS_URL): one that cannot be reached when a session starts. */
describe('media: a Janus that cannot be reached', () => {
  const janusDir = mkdtempSync(path.join(tmpdir(), 'live-rooms-janus-'));
  const janusOptions = { executable: 'janus', dataDir: janusDir, rtpPortRange: '46000-46999', publicIp: null, stunServer: null, logger: pino({ level: 'silent' }) };
  let janus: SupervisedJanus | null = null;
  let server: TestServer | undefined;
  const clients: RoomClient[] = [];
  const peers: MediaPeer[] = [];

  after(async () => {
    for (const client of clients) client.socket.terminate();
    await Promise.all(peers.map((peer) => peer.close()));
    await server?.stop();
    await janus?.stop();
    rmSync(janusDir, { recursive: true, force: true });
  });

  it('lets the session start with chat, says audio and video are unavailable, and brings them once Janus answers', async function () {
    this.timeout(40_000);
    // A Janus started once to learn its address and secrets, then stopped: the service is configured with it.
    const probe = await startSupervisedJanus(janusOptions);
    if (!probe) throw new Error(NEEDS_JANUS);
    await probe.stop();
    const port = Number(new URL(probe.url).port);
    server = await startTestServer({ config: { media: { server: 'janus', janusUrls: [probe.url], janusApiSecret: probe.apiSecret, janusAdminKey: probe.adminKey } } });
    expect(server.media.server.available()).to.equal(false);

    const channel = await server.kaltura.createChannel('Unreachable media');
    const manager = await server.kaltura.createUser({ role: 'viewerRole', name: 'Ines Instructor' });
    await server.kaltura.addMember(channel.id, manager.id, LEVEL.manager);
    const agent = await signIn(server, manager.id);
    await agent.get(`/channels/${channel.id}/meeting`);
    const launch = (await agent.post(`/channels/${channel.id}/meeting/start`, {}, { accept: 'application/json' })).json().launchUrl;
    const ines = await RoomClient.launch(agent, launch);
    clients.push(ines);
    expect((await ines.next('welcome')).phase).to.equal('live');
    ines.send({ type: 'media.join' });
    expect(await ines.next('media.ready')).to.deep.include({ available: false });
    const offer = await MediaPeer.offering({ audio: true, video: true });
    peers.push(offer);
    ines.send({ type: 'media.publish', source: 'camera', sdp: offer.sdp, ref: 'cam' });
    expect((await ines.next('error')).code).to.equal('MEDIA_UNAVAILABLE');
    // The webcam place taken for that camera is given back, and chat carries on.
    await ines.next('camera.changed', (message) => message.cameras.length === 0);
    ines.send({ type: 'chat.send', text: 'can you hear me?' });
    await ines.next('chat.message');

    janus = await startSupervisedJanus({ ...janusOptions, port });
    const until = Date.now() + 15_000;
    for (;;) {
      const reset = await ines.next('media.reset').catch(() => null);
      if (reset) break;
      if (Date.now() > until) throw new Error('no media.reset after Janus came up');
    }
    const again = await MediaPeer.offering({ audio: true, video: true });
    peers.push(again);
    await again.publish(ines);
    expect((await ines.next('media.feeds', (message) => message.feeds.length === 1)).feeds[0]).to.include({ name: 'Ines Instructor', video: true });
  });
});
