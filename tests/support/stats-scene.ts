/**
 * Session Stats tests: a channel whose meetings run on a manual clock for hours
 * or days. Everyone signs in with a KS good for a week and the module keeps
 * sessions and room passes as long as it allows, so moving the clock across a
 * night, a daylight-saving change or a whole day ends nothing by itself.
 */
import { expect } from 'chai';
import type { ConfigInput } from '../../src/lib/config/config.ts';
import { deepMerge } from '../../src/lib/config/config.ts';
import { LEVEL } from './kaltura-seed.ts';
import { ManualScheduler } from './manual-scheduler.ts';
import { RoomClient } from './room-client.ts';
import type { TestAgent } from './test-agent.ts';
import { signIn, type TestServer } from './test-server.ts';
import { startTestServerOn, type TestDatabase } from './test-databases.ts';

const WEEK_SECONDS = 7 * 86_400;

export const LONG_LIVED: ConfigInput = {
  session: { idleMinutes: 24 * 60, absoluteHours: 7 * 24, roomPassHours: 24 },
  liveRoom: { passRecheckSeconds: 3600, instructorGraceMinutes: 24 * 60 },
};

/** A server on a manual clock, on SQLite or (with TEST_DATABASE_URL) PostgreSQL. */
export async function startStatsServer(start: number, config: ConfigInput = {}, database: TestDatabase = 'SQLite'): Promise<{ server: TestServer; scheduler: ManualScheduler }> {
  const scheduler = new ManualScheduler(start);
  const server = await startTestServerOn(database, { scheduler, config: deepMerge(LONG_LIVED, config) });
  return { server, scheduler };
}

export interface Attendee {
  user: { id: string; name: string; email: string };
  agent: TestAgent;
  /** Opens a socket to the room: signed in afresh each time (the clock may have moved past their last session), then a launch. */
  enter(): Promise<RoomClient>;
  /** Join in MediaSpace without entering: the module records them as the course's student. */
  enrol(): Promise<void>;
}

export async function statsChannel(server: TestServer, name = 'Physics 101') {
  const channel = await server.kaltura.createChannel(`${name} ${Math.random().toString(36).slice(2, 6)}`);
  const manager = await server.kaltura.createUser({ role: 'viewerRole', name: 'Ines Instructor', email: 'ines@school.test' });
  await server.kaltura.addMember(channel.id, manager.id, LEVEL.manager);
  const managerAgent = await signIn(server, manager.id, { ksExpiry: WEEK_SECONDS });

  async function launchUrl(agent: TestAgent, action: 'join' | 'start'): Promise<string> {
    const response = await agent.post(`/channels/${channel.id}/meeting/${action}`, {}, { accept: 'application/json' });
    expect(response.status, response.text).to.equal(200);
    return response.json().launchUrl;
  }

  async function person(personName: string, level: number = LEVEL.member, email?: string): Promise<Attendee> {
    const user = await server.kaltura.createUser({ role: 'viewerRole', name: personName, ...(email && { email }) });
    await server.kaltura.addMember(channel.id, user.id, level);
    const agent = await signIn(server, user.id, { ksExpiry: WEEK_SECONDS });
    const fresh = () => signIn(server, user.id, { ksExpiry: WEEK_SECONDS });
    return {
      user,
      agent,
      enter: async () => {
        const now = await fresh();
        return RoomClient.launch(now, await launchUrl(now, 'join'));
      },
      enrol: async () => void (await launchUrl(agent, 'join')),
    };
  }

  return {
    channel,
    manager,
    managerAgent,
    person,
    /** Start Meeting in MediaSpace: the session starts now (signed in afresh, as after hours on the clock). */
    start: async () => launchUrl(await signIn(server, manager.id, { ksExpiry: WEEK_SECONDS }), 'start'),
    instructor: async () => RoomClient.launch(managerAgent, await launchUrl(managerAgent, 'join')),
    /** A fresh backend session for the manager (after hours on the manual clock). */
    viewer: async () => {
      const agent = await signIn(server, manager.id, { ksExpiry: WEEK_SECONDS });
      await agent.get('/backend/courses');
      return agent;
    },
    roomId: async () => (await server.db.selectFrom('rooms').select('id').where('channel_id', '=', channel.id).executeTakeFirstOrThrow()).id,
  };
}
