import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import sinon from 'sinon';
import { createLogger } from '../../src/lib/logger/logger.ts';
import { createBackendAccount, signInWithPassword } from '../support/backend-accounts.ts';
import { buildImage, uploadForm } from '../support/image-builder.ts';
import { LEVEL } from '../support/kaltura-seed.ts';
import { MailCatcher } from '../support/mail-catcher.ts';
import { signIn, startTestServer, type TestServer } from '../support/test-server.ts';
import { inviteFields, signedInAdministrator, uniqueEmail } from '../support/users-fixtures.ts';

const NEW_PASSWORD = 'a password only the log could leak';

/** Every run of 16 characters of a secret: a log that keeps part of one keeps too much. */
function piecesOf(secret: string): string[] {
  const length = Math.min(16, secret.length);
  return Array.from({ length: secret.length - length + 1 }, (_, start) => secret.slice(start, start + length));
}

/**
 * A whole run with every credential that travels in an address (KS, launch token, room pass,
 * invitation and reset links, the CSRF token of an upload form, session cookies), and failures
 * on such addresses; then the log is searched for each one.
 */
describe('the log of a full run', () => {
  let server: TestServer;
  let mail: MailCatcher;
  let stopped = false;
  const lines: string[] = [];
  const secrets = new Map<string, string>();

  function keep(name: string, value: string | null | undefined): string {
    if (!value) throw new Error(`no ${name} to look for`);
    secrets.set(name, value);
    return value;
  }

  before(async () => {
    mail = await MailCatcher.start();
    server = await startTestServer({ config: { mail: { smtpUrl: mail.smtpUrl } }, logger: createLogger('info', { write: (line: string) => lines.push(line) }) });
  });
  after(async () => {
    sinon.restore();
    if (!stopped) await server.stop();
    await mail.stop();
  });

  it('holds none of the credentials it carried', async () => {
    // Launch from MediaSpace, and the channel button menu, each with a KS.
    const user = await server.kaltura.createUser({ role: 'viewerRole' });
    const launchKs = keep('launch KS', await server.kaltura.userKs(user.id));
    const member = server.agent();
    expect((await member.get(`/launch?ks=${encodeURIComponent(launchKs)}&returnTo=${encodeURIComponent('/my-rooms')}`)).status).to.equal(303);
    keep('MediaSpace session', member.cookie('lr_session'));
    const menuKs = keep('embed KS', await server.kaltura.userKs(user.id));
    expect((await server.agent().get(`/embed/menu?ks=${encodeURIComponent(menuKs)}`, { accept: 'application/json' })).status).to.equal(200);

    // Join Meeting: the browser is sent to the one-time launch URL, then into the room.
    const channel = await server.kaltura.createChannel();
    await server.kaltura.addMember(channel.id, user.id, LEVEL.member);
    await member.get(`/channels/${channel.id}/meeting`);
    const join = await member.post(`/channels/${channel.id}/meeting/join`);
    expect(join.status).to.equal(303);
    keep('launch token', new URL(join.location!, server.url).searchParams.get('token'));
    expect((await member.get(join.location!)).status).to.equal(303);
    keep('room pass', member.cookie('lr_room'));

    // An invitation, accepted through its link.
    const admin = await signedInAdministrator(server);
    keep('administrator session', admin.agent.cookie('lr_session'));
    const invited = uniqueEmail('invited');
    expect((await admin.agent.post('/backend/users/invite', inviteFields([{ name: 'Ivy Invited', email: invited, role: 'instructor' }]))).status).to.equal(201);
    const invitationLink = MailCatcher.linkIn(await mail.next(invited), '/invitations/');
    keep('invitation token', invitationLink.split('/').at(-1));
    const visitor = server.agent();
    expect((await visitor.get(invitationLink)).status).to.equal(200);
    expect((await visitor.post(invitationLink, { password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD })).status).to.equal(303);

    // A password reset, through its link.
    const account = await createBackendAccount(server, { role: 'instructor' });
    const forgetful = server.agent();
    await forgetful.get('/password-reset');
    await forgetful.post('/password-reset', { email: account.email! });
    const resetLink = MailCatcher.linkIn(await mail.next(account.email!), '/password-reset/');
    keep('reset token', resetLink.split('/').at(-1));
    expect((await forgetful.get(resetLink)).status).to.equal(200);
    expect((await forgetful.post(resetLink, { password: `${NEW_PASSWORD} 2`, confirmPassword: `${NEW_PASSWORD} 2` })).status).to.equal(303);

    // An upload: its form carries the CSRF token in the address.
    const uploader = await signInWithPassword(server, account.email!, `${NEW_PASSWORD} 2`);
    await uploader.get('/backend/profile');
    keep('upload CSRF token', uploader.csrfToken);
    keep('backend session', uploader.cookie('lr_session'));
    const { version } = await server.db.selectFrom('users').select('version').where('id', '=', account.id).executeTakeFirstOrThrow();
    const picture = async () => uploadForm('picture', await buildImage(), { fields: { version: String(version) } });
    const uploaded = await uploader.postMultipart('/backend/profile/picture', await picture());
    expect(uploaded.status).to.equal(303);

    // Failures on addresses that carry secrets: an upload that cannot be stored, a launch whose Kaltura call breaks.
    const uploadsTmp = path.join(server.dataDir, 'uploads-tmp');
    rmSync(uploadsTmp, { recursive: true, force: true });
    writeFileSync(uploadsTmp, 'not a folder');
    try {
      expect((await uploader.postMultipart('/backend/profile/picture', await picture())).status).to.equal(500);
    } finally {
      rmSync(uploadsTmp, { force: true });
      mkdirSync(uploadsTmp);
    }
    sinon.stub(server.gateway, 'resolveKs').rejects(new Error('the Kaltura client broke'));
    const failedKs = keep('KS of a failed launch', await server.kaltura.userKs(user.id));
    expect((await server.agent().get(`/launch?ks=${encodeURIComponent(failedKs)}`)).status).to.equal(500);
    sinon.restore();

    // Every request line is written by now.
    await server.stop();
    stopped = true;
    const log = lines.join('');
    expect(log).to.contain('"url":"/launch?ks=[redacted]&returnTo=%2Fmy-rooms"').and.contain('/rooms/').and.contain('request failed');
    // The CSRF token rides in the form, never in an address that is logged.
    expect(log).not.to.contain('_csrf=');
    for (const [name, value] of [...secrets, ['new password', NEW_PASSWORD] as const]) {
      for (const form of new Set([value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)])) {
        expect(piecesOf(form).find((piece) => log.includes(piece)), `the log holds part of the ${name}`).to.equal(undefined);
      }
    }
  });
});
