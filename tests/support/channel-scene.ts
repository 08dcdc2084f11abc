/**
 * A channel with its manager in a live room's tests: members of any level,
 * each with their own signed-in agent, and launches into the channel's room.
 */
import { expect } from 'chai';
import type { ConfigInput } from '../../src/lib/config/config.ts';
import { LEVEL } from './kaltura-seed.ts';
import { ManualScheduler } from './manual-scheduler.ts';
import { RoomClient } from './room-client.ts';
import type { TestAgent } from './test-agent.ts';
import { signIn, startTestServer, type TestServer } from './test-server.ts';

/** A channel with its manager, and a way to bring more members in. */
export async function channelScene(server: TestServer) {
  const channel = await server.kaltura.createChannel(`Live ${Math.random().toString(36).slice(2, 8)}`);
  const manager = await server.kaltura.createUser({ role: 'viewerRole', name: 'Ines Instructor' });
  await server.kaltura.addMember(channel.id, manager.id, LEVEL.manager);
  const managerAgent = await signIn(server, manager.id);
  await managerAgent.get(`/channels/${channel.id}/meeting`);

  async function launchUrl(agent: TestAgent, action: 'join' | 'start'): Promise<string> {
    const response = await agent.post(`/channels/${channel.id}/meeting/${action}`, {}, { accept: 'application/json' });
    expect(response.status, response.text).to.equal(200);
    return response.json().launchUrl;
  }

  /** A member signed in with a KS that Kaltura honours for `ksExpiry` seconds (their module session ends with it). */
  async function member(name: string, level: number = LEVEL.member, { ksExpiry = 3600 }: { ksExpiry?: number } = {}) {
    const user = await server.kaltura.createUser({ role: 'viewerRole', name });
    await server.kaltura.addMember(channel.id, user.id, level);
    const agent = await signIn(server, user.id, { ksExpiry });
    await agent.get(`/channels/${channel.id}/meeting`);
    return { user, agent, enter: async () => RoomClient.launch(agent, await launchUrl(agent, 'join')) };
  }

  return {
    channel,
    manager,
    managerAgent,
    /** The manager enters with Join (the session does not start by entering). */
    instructor: async () => RoomClient.launch(managerAgent, await launchUrl(managerAgent, 'join')),
    /** Start Meeting in MediaSpace. */
    startFromMediaSpace: () => launchUrl(managerAgent, 'start'),
    member,
    participant: async (name = 'Pia Participant') => (await member(name)).enter(),
  };
}

/**
 * A fresh server on a manual clock for each test of the enclosing `describe`, and the room
 * clients a test opens, cut off after it.
 */
export function eachTestServer(config: ConfigInput = {}) {
  const clients: RoomClient[] = [];
  const harness = {
    server: undefined as unknown as TestServer,
    scheduler: undefined as unknown as ManualScheduler,
    track: (client: RoomClient) => (clients.push(client), client),
  };
  beforeEach(async () => {
    harness.scheduler = new ManualScheduler();
    harness.server = await startTestServer({ scheduler: harness.scheduler, config });
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.socket.terminate();
    await harness.server.stop();
  });
  return harness;
}
