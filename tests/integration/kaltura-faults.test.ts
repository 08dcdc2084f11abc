import { expect } from 'chai';
import { KalturaSeeder, LEVEL } from '../support/kaltura-seed.ts';
import { startFaultyKaltura, type FaultyKaltura } from '../support/faulty-kaltura.ts';
import { mediaSpaceUserKey } from '../../src/identity/user-keys.ts';
import { ROLE_PROFILE_ID, startTestServer, TEST_PARTNER, type TestServer } from '../support/test-server.ts';

const TIMEOUT_MS = 300;

describe('when Kaltura misbehaves', () => {
  let kaltura: FaultyKaltura;
  let server: TestServer;
  let seeder: KalturaSeeder;
  let managerId: string;
  let channelId: number;

  before(async () => {
    kaltura = await startFaultyKaltura(TEST_PARTNER, TIMEOUT_MS * 3);
    server = await startTestServer({ config: { kaltura: { serviceUrl: kaltura.serviceUrl, timeoutMs: TIMEOUT_MS }, cache: { ksTtlSeconds: 1, channelTtlSeconds: 1, membershipTtlSeconds: 1 } } });
    seeder = new KalturaSeeder({ serviceUrl: kaltura.emulatorUrl, partnerId: TEST_PARTNER.id, adminSecret: TEST_PARTNER.adminSecret, userSecret: TEST_PARTNER.userSecret, roleProfileId: ROLE_PROFILE_ID });
    managerId = (await seeder.createUser({ role: 'viewerRole' })).id;
    channelId = (await seeder.createChannel('Fault line')).id;
    await seeder.addMember(channelId, managerId, LEVEL.manager);
  });
  afterEach(() => kaltura.setFault('none'));
  after(async () => {
    await server.stop();
    await kaltura.close();
  });

  async function sessionCount(): Promise<number> {
    return Number((await server.db.selectFrom('auth_sessions').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  }

  const cases = [
    { fault: 'slow', status: 504, message: 'did not answer within 0.3 seconds' },
    { fault: 'hang', status: 504, message: 'did not answer within 0.3 seconds' },
    { fault: 'http-500', status: 502, message: 'Kaltura' },
    { fault: 'garbage', status: 502, message: 'did not expect' },
    { fault: 'api-error', status: 502, message: 'Kaltura refused the request' },
  ] as const;

  for (const { fault, status, message } of cases) {
    it(`answers a launch with ${status} when Kaltura is ${fault}, makes no session, and keeps serving`, async () => {
      const ks = await seeder.userKs(managerId);
      const before = await sessionCount();
      kaltura.setFault(fault);
      const started = Date.now();
      const response = await server.agent().get(`/launch?ks=${encodeURIComponent(ks)}`, { accept: 'application/json' });
      expect(response.status).to.equal(status);
      expect(response.json().error.message).to.contain(message);
      expect(response.json().error.help).to.contain('Try again');
      expect(Date.now() - started).to.be.below(TIMEOUT_MS * 10);
      expect(await sessionCount()).to.equal(before);
      expect((await server.agent().get('/healthz', { accept: 'application/json' })).status).to.equal(200);

      kaltura.setFault('none');
      expect((await server.agent().get(`/launch?ks=${encodeURIComponent(ks)}`)).status).to.equal(303);
    });
  }

  it('sends a call again on a new connection when Kaltura closed the kept one just as it went out: the launch succeeds', async () => {
    const ks = await seeder.userKs(managerId);
    // Connections are kept from earlier calls; every call on one of them now finds it closed.
    expect((await server.agent().get(`/launch?ks=${encodeURIComponent(await seeder.userKs(managerId))}`)).status).to.equal(303);
    kaltura.setFault('drop-kept');
    const resetsBefore = kaltura.resets();
    const response = await server.agent().get(`/launch?ks=${encodeURIComponent(ks)}`);
    expect(response.status, response.text.slice(0, 300)).to.equal(303);
    expect(kaltura.resets() - resetsBefore, 'calls that met a closed connection').to.be.at.least(1);
  });

  it('answers Start with 502 while Kaltura errors, leaving no room or live session behind', async () => {
    const agent = server.agent();
    await agent.get(`/launch?ks=${encodeURIComponent(await seeder.userKs(managerId))}&returnTo=/channels/${channelId}/meeting`);
    await agent.get(`/channels/${channelId}/meeting`);
    kaltura.setFault('http-500');
    const response = await agent.post(`/channels/${channelId}/meeting/start`);
    expect(response.status).to.equal(502);
    expect(response.text).to.contain('Kaltura');
    expect(await server.db.selectFrom('rooms').selectAll().execute()).to.have.length(0);
    expect(await server.db.selectFrom('live_sessions').selectAll().execute()).to.have.length(0);
    kaltura.setFault('none');
    expect((await agent.post(`/channels/${channelId}/meeting/start`)).status).to.equal(303);
  });

  it('answers the rooms backend with 502 while Kaltura cannot confirm a channel membership, and changes nothing', async () => {
    const manager = (await seeder.createUser({ role: 'viewerRole' })).id;
    const channel = (await seeder.createChannel('Backend fault line')).id;
    await seeder.addMember(channel, manager, LEVEL.manager);
    const agent = server.agent();
    await agent.get(`/launch?ks=${encodeURIComponent(await seeder.userKs(manager))}&returnTo=/channels/${channel}/meeting`);
    await agent.get(`/channels/${channel}/meeting`);
    expect((await agent.post(`/channels/${channel}/meeting/join`, {}, { accept: 'application/json' })).status).to.equal(200);
    const room = await server.db.selectFrom('rooms').select('id').where('channel_id', '=', channel).executeTakeFirstOrThrow();
    const membership = () => server.db.selectFrom('course_members').select(['role', 'source']).where('room_id', '=', room.id).where('user_id', '=', mediaSpaceUserKey(manager)).execute();

    kaltura.setFault('http-500');
    server.gateway.forgetChannel(channel);
    expect((await agent.get('/backend/courses', { accept: 'application/json' })).status).to.equal(502);
    expect((await agent.get(`/backend/courses/${room.id}/files`, { accept: 'application/json' })).status).to.equal(502);
    expect(await membership()).to.deep.equal([{ role: 'instructor', source: 'mediaspace' }]);

    kaltura.setFault('none');
    const courses = (await agent.get('/backend/courses', { accept: 'application/json' })).json().courses;
    expect(courses.map((course: { id: string; access: string }) => [course.id, course.access])).to.deep.equal([[room.id, 'manage']]);
  });

  it('answers 502 when Kaltura cannot be reached at all', async () => {
    const unreachable = await startTestServer({ config: { kaltura: { serviceUrl: 'http://127.0.0.1:9', timeoutMs: TIMEOUT_MS } } });
    try {
      const response = await unreachable.agent().get('/launch?ks=djJ8NDI0Mnxub3RyZWFs', { accept: 'application/json' });
      expect(response.status).to.equal(502);
      expect(response.json().error.message).to.equal('Kaltura could not be reached.');
    } finally {
      await unreachable.stop();
    }
  });
});
