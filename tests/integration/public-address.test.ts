import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { LEVEL } from '../support/kaltura-seed.ts';
import { MailCatcher } from '../support/mail-catcher.ts';
import { signIn, startTestServer, type TestServer } from '../support/test-server.ts';
import { createRoom, inviteFields, signedInAdministrator, storeCourseImage, uniqueEmail } from '../support/users-fixtures.ts';

/** The launch token Join Meeting hands a channel member. */
async function launchToken(server: TestServer): Promise<jwt.JwtPayload> {
  const user = await server.kaltura.createUser({ role: 'viewerRole', name: 'Paula Port', email: 'paula@test.example' });
  const channel = await server.kaltura.createChannel(`Port lab ${Math.random().toString(36).slice(2, 8)}`);
  await server.kaltura.addMember(channel.id, user.id, LEVEL.member);
  const agent = await signIn(server, user.id);
  await agent.get(`/channels/${channel.id}/meeting`);
  const { launchUrl } = (await agent.post(`/channels/${channel.id}/meeting/join`, {}, { accept: 'application/json' })).json();
  return jwt.decode(new URL(launchUrl, server.url).searchParams.get('token')!) as jwt.JwtPayload;
}

describe('the public address without PUBLIC_URL', () => {
  let server: TestServer;
  let mail: MailCatcher;

  before(async () => {
    mail = await MailCatcher.start();
    // Port 0 and no public address: what PORT alone gives, the real port known only once listening.
    server = await startTestServer({ config: { http: { port: 0, publicUrl: null }, mail: { smtpUrl: mail.smtpUrl } } });
  });
  after(async () => {
    await server.stop();
    await mail.stop();
  });

  it('is the address the service listens on, with its real port', () => {
    const port = Number(new URL(server.url).port);
    expect(port).to.be.greaterThan(0).and.not.equal(3000);
    expect(server.config.http.publicUrl).to.equal(`http://127.0.0.1:${port}`);
  });

  it("names the real port in an invitation's link and its course picture, and the link opens", async () => {
    const { agent } = await signedInAdministrator(server);
    const imageId = await storeCourseImage(server);
    const course = await createRoom(server, 'Ports 101', { imageId });
    const email = uniqueEmail('port');
    await agent.get('/backend/users/invite');
    expect((await agent.post('/backend/users/invite', inviteFields([{ name: 'Ivo Invited', email, role: 'student', courses: [course.id] }]))).status).to.equal(201);
    const received = await mail.next(email);
    const path = MailCatcher.linkIn(received, '/invitations/');
    expect(received.text).to.contain(`${server.url}${path}`);
    expect(received.html).to.contain(`${server.url}${path}`).and.contain(`${server.url}/images/${imageId}/invitation`);
    expect((await server.agent().get(path)).status).to.equal(200);
  });

  it("names the real port as a launch token's issuer", async () => {
    expect((await launchToken(server)).iss).to.equal(server.url);
  });
});

describe('the public address with PUBLIC_URL', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ config: { http: { port: 0, publicUrl: 'https://rooms.example/' } } });
  });
  after(() => server.stop());

  it('is PUBLIC_URL, whatever port the service listens on', async () => {
    expect(server.config.http.publicUrl).to.equal('https://rooms.example');
    expect((await launchToken(server)).iss).to.equal('https://rooms.example');
  });
});
