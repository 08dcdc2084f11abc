/**
 * Who may ask for a channel's meeting at all: a person Kaltura no longer
 * knows, or a backend account with no MediaSpace identity, is told why in
 * 403, never answered with a Kaltura failure (502).
 */
import { expect } from 'chai';
import { createBackendAccount, signInWithPassword } from '../support/backend-accounts.ts';
import { LEVEL } from '../support/kaltura-seed.ts';
import { signIn, startTestServer, type TestServer } from '../support/test-server.ts';

describe('Channel meetings for people Kaltura does not know', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  it('tells a backend-only account that channel meetings are for MediaSpace users (403), for Join, Start and the buttons', async () => {
    const channel = await server.kaltura.createChannel();
    const account = await createBackendAccount(server, { role: 'administrator' });
    const agent = await signInWithPassword(server, account.email!);
    await agent.get('/');
    for (const action of ['join', 'start']) {
      const response = await agent.post(`/channels/${channel.id}/meeting/${action}`);
      expect(response.status, action).to.equal(403);
      expect(response.text, action).to.contain('Channel meetings are for MediaSpace users');
    }
    const buttons = await agent.get(`/channels/${channel.id}/meeting`, { accept: 'application/json' });
    expect(buttons.status).to.equal(403);
    expect(buttons.json().error).to.include({ code: 'CHANNEL_NEEDS_MEDIASPACE' });
  });

  it('refuses a person whose Kaltura user was deleted after they launched as a non-member (403), not 502', async () => {
    const person = await server.kaltura.createUser({ role: 'viewerRole' });
    const channel = await server.kaltura.createChannel();
    await server.kaltura.addMember(channel.id, person.id, LEVEL.member);
    const agent = await signIn(server, person.id);
    await agent.get(`/channels/${channel.id}/meeting`);
    await server.kaltura.deleteUser(person.id);
    const response = await agent.post(`/channels/${channel.id}/meeting/start`);
    expect(response.status).to.equal(403);
    expect(response.text).to.contain('not a member of this channel');
  });
});
