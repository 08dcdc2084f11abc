/**
 * Janus servers that operators run (JANUS_URL, several): each live session's
 * media room is placed on the least loaded. Two Janus processes are started
 * here with their configuration in a temporary folder (sharing one API secret
 * and admin key, as operators would set them), and stopped by their pid.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { pino } from 'pino';
import { JanusClient } from '../../src/media/janus/janus-client.ts';
import { startSupervisedJanus, type SupervisedJanus } from '../../src/media/janus/janus-supervisor.ts';
import { readOrCreateSecretFile, randomSecret } from '../../src/lib/secrets/local-secrets.ts';
import { LEVEL } from '../support/kaltura-seed.ts';
import { MediaPeer, NEEDS_JANUS } from '../support/media-peer.ts';
import { RoomClient } from '../support/room-client.ts';
import { signIn, startTestServer, type TestServer } from '../support/test-server.ts';

const logger = pino({ level: 'silent' });

describe('media: several Janus servers from JANUS_URL', function () {
  this.timeout(60_000);
  const folders: string[] = [];
  const januses: SupervisedJanus[] = [];
  const clients: RoomClient[] = [];
  let server: TestServer;
  let secrets: { apiSecret: string; adminKey: string };

  before(async () => {
    secrets = { apiSecret: randomSecret(), adminKey: randomSecret() };
    for (const rtpPortRange of ['48000-48499', '48500-48999']) {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'live-rooms-janus-'));
      folders.push(dataDir);
      readOrCreateSecretFile(dataDir, 'janus-api-secret', () => secrets.apiSecret);
      readOrCreateSecretFile(dataDir, 'janus-admin-key', () => secrets.adminKey);
      const janus = await startSupervisedJanus({ executable: 'janus', dataDir, rtpPortRange, publicIp: null, stunServer: null, logger });
      if (!janus) throw new Error(NEEDS_JANUS);
      januses.push(janus);
    }
    server = await startTestServer({ config: { media: { server: 'janus', janusUrls: januses.map((janus) => janus.url), janusApiSecret: secrets.apiSecret, janusAdminKey: secrets.adminKey, janusExecutable: null } } });
  });
  after(async () => {
    for (const client of clients) client.socket.terminate();
    await server?.stop();
    await Promise.all(januses.map((janus) => janus.stop()));
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  });

  /** A channel meeting its manager starts: its media room opens with the session. Answers the manager's room socket and the room's id. */
  async function startMeeting(): Promise<{ client: RoomClient; roomId: string }> {
    const channel = await server.kaltura.createChannel(`Placed ${Math.random().toString(36).slice(2, 8)}`);
    const user = await server.kaltura.createUser({ role: 'viewerRole', name: 'Ines Instructor' });
    await server.kaltura.addMember(channel.id, user.id, LEVEL.manager);
    const agent = await signIn(server, user.id);
    await agent.get(`/channels/${channel.id}/meeting`);
    const response = await agent.post(`/channels/${channel.id}/meeting/start`, {}, { accept: 'application/json' });
    expect(response.status, response.text).to.equal(200);
    const client = await RoomClient.launch(agent, response.json().launchUrl as string);
    clients.push(client);
    const welcome = await client.next('welcome');
    return { client, roomId: welcome.room.id as string };
  }

  /** The live rooms each Janus holds (their descriptions are the service's room ids), asked with the admin key; none while it is down. */
  async function roomsOnEachJanus(): Promise<string[][]> {
    return Promise.all(januses.map(async (janus) => {
      const client = new JanusClient({ url: janus.url, apiSecret: secrets.apiSecret, requestTimeoutMs: 5000 });
      try {
        if (!(await client.connect().then(() => true, () => false))) return [];
        const handle = await (await client.createSession()).attach('janus.plugin.videoroom');
        const answer = await handle.request({ request: 'list', admin_key: secrets.adminKey });
        return (answer.list as Array<{ description: string }>).map((room) => room.description).sort();
      } finally {
        client.close();
      }
    }));
  }

  async function placedWhen(check: (placed: string[][]) => boolean): Promise<string[][]> {
    const until = Date.now() + 15_000;
    for (;;) {
      const placed = await roomsOnEachJanus();
      if (check(placed)) return placed;
      if (Date.now() > until) throw new Error(`rooms placed as ${JSON.stringify(placed)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('places each new media room on the Janus with fewest rooms, counting rooms closed when their session ends', async () => {
    expect(server.media.server.kind).to.equal('janus');
    const meetings = [];
    for (let index = 0; index < 4; index++) {
      meetings.push(await startMeeting());
      await placedWhen((placed) => placed.flat().length === index + 1);
    }
    const placed = await roomsOnEachJanus();
    expect(placed.map((rooms) => rooms.length)).to.deep.equal([2, 2]);
    expect(placed.flat().sort()).to.deep.equal(meetings.map((meeting) => meeting.roomId).sort());

    // One session on the first Janus ends: its room closes there, and the next meeting goes there.
    const ending = meetings.find((meeting) => placed[0]!.includes(meeting.roomId))!;
    ending.client.send({ type: 'session.end' });
    await ending.client.next('session.ended');
    await placedWhen((now) => now[0]!.length === 1);
    const next = await startMeeting();
    const after = await placedWhen((now) => now.flat().length === 4);
    expect(after[0]).to.include(next.roomId);
    expect(after.map((rooms) => rooms.length)).to.deep.equal([2, 2]);
  });

  it('when one Janus dies, resets only its rooms, which move to another at once; a room on the other hears nothing', async () => {
    // Meetings until one is on each Janus (new rooms go to the one with fewest).
    const meetings: Array<{ client: RoomClient; roomId: string }> = [];
    let placed = await roomsOnEachJanus();
    const on = (index: number) => meetings.find((meeting) => placed[index]!.includes(meeting.roomId));
    while (!(on(0) && on(1)) && meetings.length < 4) {
      meetings.push(await startMeeting());
      placed = await placedWhen((now) => meetings.every((meeting) => now.flat().includes(meeting.roomId)));
    }
    const [lost, kept] = [on(0)!, on(1)!];
    process.kill(januses[0]!.pid()!, 'SIGKILL');

    // The lost room is told at once, then told to publish again: the other Janus can take it.
    await lost.client.next('media.lost', () => true, 10_000);
    await lost.client.next('media.reset', () => true, 10_000);
    const peer = await MediaPeer.offering({ audio: true });
    try {
      lost.client.send({ type: 'media.join' });
      await lost.client.next('media.ready');
      await peer.publish(lost.client);
      await placedWhen((now) => now[1]!.includes(lost.roomId));
    } finally {
      await peer.close();
    }
    // The room on the Janus still up: a round trip after the reset, and nothing about it came before.
    kept.client.send({ type: 'media.join' });
    await kept.client.next('media.ready');
    expect(kept.client.received.filter((message) => message.type === 'media.lost' || message.type === 'media.reset')).to.deep.equal([]);
  });
});
