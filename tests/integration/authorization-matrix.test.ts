/**
 * Every MediaSpace role × every channel level (and no membership) × every
 * action, with the status each combination must get, generated from one table.
 */
import { expect } from 'chai';
import { LEVEL } from '../support/kaltura-seed.ts';
import { signIn, startTestServer, type TestServer } from '../support/test-server.ts';
import type { TestAgent } from '../support/test-agent.ts';

const ROLES = ['anonymousRole', 'viewerRole', 'privateOnlyRole', 'adminRole', 'unmoderatedAdminRole'] as const;
const LEVELS = ['manager', 'moderator', 'contributor', 'member', 'none', 'non-member'] as const;
type Role = (typeof ROLES)[number];
type Level = (typeof LEVELS)[number];

const atLeastPrivateOnly = (role: Role) => ['privateOnlyRole', 'adminRole', 'unmoderatedAdminRole'].includes(role);
const isAdmin = (role: Role) => role === 'adminRole' || role === 'unmoderatedAdminRole';
const isMember = (level: Level) => ['manager', 'moderator', 'contributor', 'member'].includes(level);
const canStart = (level: Level) => level === 'manager' || level === 'moderator';

/** The table: what each action must answer for a role and a channel level. */
const ACTIONS: Record<string, { expected: (role: Role, level: Level) => number; run: (agent: TestAgent, channelId: number) => Promise<number> }> = {
  'read the channel meeting': { expected: () => 200, run: async (agent, id) => (await agent.get(`/channels/${id}/meeting`, { accept: 'application/json' })).status },
  'start the meeting': { expected: (_role, level) => (canStart(level) ? 303 : 403), run: async (agent, id) => (await agent.post(`/channels/${id}/meeting/start`)).status },
  'join the meeting': { expected: (_role, level) => (isMember(level) ? 303 : 403), run: async (agent, id) => (await agent.post(`/channels/${id}/meeting/join`)).status },
  'open My Rooms': { expected: (role) => (atLeastPrivateOnly(role) ? 200 : 403), run: async (agent) => (await agent.get('/my-rooms')).status },
  'create a private room': { expected: (role) => (atLeastPrivateOnly(role) ? 303 : 403), run: async (agent) => (await agent.post('/my-rooms', { name: 'Matrix room' })).status },
  'open module settings': { expected: (role) => (isAdmin(role) ? 200 : 403), run: async (agent) => (await agent.get('/admin/module')).status },
};

describe('authorization matrix: MediaSpace role × channel level × action', () => {
  let server: TestServer;
  let channelId: number;
  const agents = new Map<string, TestAgent>();

  before(async () => {
    server = await startTestServer({ settings: { enabled: true, enableUserPrivateLiveRoom: true } });
    channelId = (await server.kaltura.createChannel('Matrix channel')).id;
    for (const role of ROLES) {
      for (const level of LEVELS) {
        const user = await server.kaltura.createUser({ role });
        if (level !== 'non-member') await server.kaltura.addMember(channelId, user.id, LEVEL[level]);
        const agent = await signIn(server, user.id);
        await agent.get('/');
        agents.set(`${role}/${level}`, agent);
      }
    }
  });
  after(() => server.stop());

  for (const role of ROLES) {
    for (const level of LEVELS) {
      for (const [action, { expected, run }] of Object.entries(ACTIONS)) {
        const status = expected(role, level);
        it(`${role} · ${level} · ${action} → ${status}`, async () => {
          expect(await run(agents.get(`${role}/${level}`)!, channelId)).to.equal(status);
        });
      }
    }
  }

  it('a person with no session gets 401 for every action', async () => {
    for (const { run } of Object.values(ACTIONS)) {
      const anonymous = server.agent();
      await anonymous.get('/');
      expect(await run(anonymous, channelId)).to.equal(401);
    }
  });
});
