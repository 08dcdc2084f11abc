import { expect } from 'chai';
import { createBackendAccount, signInWithPassword, TEST_PASSWORD } from '../support/backend-accounts.ts';
import { buildImage, uploadForm } from '../support/image-builder.ts';
import { TEST_DATABASES, startTestServerOn } from '../support/test-databases.ts';
import { signIn, type TestServer } from '../support/test-server.ts';
import { mediaSpaceUserKey } from '../../src/identity/user-keys.ts';
import type { TestAgent } from '../support/test-agent.ts';

const TEN_MB = 10 * 1024 * 1024;
const NEW_PASSWORD = 'a brand new passphrase';

for (const database of TEST_DATABASES) {
  describe(`profile (/backend/profile) on ${database}`, () => {
    let server: TestServer;

    before(async () => {
      server = await startTestServerOn(database, { config: { backend: { loginMaxFailures: 5, loginLockMinutes: 15 } } });
    });
    after(() => server.stop());

    async function versionOf(agent: TestAgent): Promise<number> {
      return (await agent.get('/backend/profile', { accept: 'application/json' })).json().profile.version;
    }

    async function imagesBy(userId: string): Promise<string[]> {
      return (await server.db.selectFrom('stored_images').select('id').where('created_by', '=', userId).execute()).map((row) => row.id);
    }

    describe('the page', () => {
      it('is open to every backend role and to MediaSpace users, in the backend layout', async () => {
        const viewer = await server.kaltura.createUser({ role: 'viewerRole' });
        const agents = [
          ...(await Promise.all((['student', 'instructor', 'administrator'] as const).map(async (role) => signInWithPassword(server, (await createBackendAccount(server, { role })).email!)))),
          await signIn(server, viewer.id),
        ];
        for (const agent of agents) {
          const page = await agent.get('/backend/profile');
          expect(page.status).to.equal(200);
          expect(page.text.match(/<h1[ >]/g)).to.have.length(1);
          expect(page.text).to.contain('<a class="skip-link" href="#main">').and.contain('<main id="main"');
          expect(page.text).to.match(/<a href="\/backend\/profile" data-nav="profile"\s+aria-current="page">/);
          for (const id of ['profile-picture', 'profile-displayName', 'profile-language']) expect(page.text).to.contain(`<label for="${id}">`).and.contain(`id="${id}"`);
        }
      });

      it('answers JSON for API callers', async () => {
        const account = await createBackendAccount(server, { role: 'instructor', name: 'Ivan Json' });
        const agent = await signInWithPassword(server, account.email!);
        const response = await agent.get('/backend/profile', { accept: 'application/json' });
        expect(response.status).to.equal(200);
        expect(response.json().profile).to.deep.include({ id: account.id, name: 'Ivan Json', displayName: null, source: 'backend', picture: null, canChangePassword: true });
      });
    });

    describe('display name and language', () => {
      it('saves both; the next page is in French, with the new name in the header', async () => {
        const account = await createBackendAccount(server, { role: 'student', name: 'Sam Student' });
        const agent = await signInWithPassword(server, account.email!);
        const page = await agent.get('/backend/profile');
        expect(page.text).to.contain('<html lang="en">');
        const saved = await agent.post('/backend/profile', { displayName: 'Samuel S.', language: 'fr', version: String(account.version) });
        expect(saved.status).to.equal(303);
        expect(saved.location).to.equal('/backend/profile?saved=details');
        const next = await agent.follow(saved);
        expect(next.text).to.contain('<html lang="fr">').and.contain('<h1>Votre profil</h1>').and.contain('Connecté·e : Samuel S.');
        expect(next.text).to.contain('Votre nom et votre langue sont enregistrés.');
        expect(next.text).to.match(/<option value="fr" lang="fr" selected>Français<\/option>/);
        // Every backend page, not only this one.
        expect((await agent.get('/backend/branding')).text).to.contain('<html lang="fr">');
        const row = await server.db.selectFrom('users').select(['display_name', 'language', 'name']).where('id', '=', account.id).executeTakeFirstOrThrow();
        expect(row).to.deep.equal({ display_name: 'Samuel S.', language: 'fr', name: 'Sam Student' });
      });

      it('takes 100 characters and refuses 101, keeping what was typed', async () => {
        const account = await createBackendAccount(server);
        const agent = await signInWithPassword(server, account.email!);
        await agent.get('/backend/profile');
        const tooLong = 'n'.repeat(101);
        const refused = await agent.post('/backend/profile', { displayName: tooLong, language: 'en', version: String(account.version) });
        expect(refused.status).to.equal(400);
        expect(refused.text).to.contain('must have at most 100 characters').and.contain(`value="${tooLong}"`);
        expect(refused.text).to.match(/aria-describedby="profile-displayName-hint profile-displayName-error profile-displayName-counter"\s+aria-invalid="true"/);
        expect(refused.text).to.contain('id="profile-displayName-error"');
        const exact = await agent.post('/backend/profile', { displayName: 'n'.repeat(100), language: 'en', version: String(account.version) });
        expect(exact.status).to.equal(303);
      });

      it('refuses an empty name, a name with a line break and an unknown language', async () => {
        const account = await createBackendAccount(server);
        const agent = await signInWithPassword(server, account.email!);
        await agent.get('/backend/profile');
        const version = String(account.version);
        for (const [form, message] of [
          [{ displayName: '   ', language: 'en', version }, 'enter the name people should see'],
          [{ displayName: 'Two\nlines', language: 'en', version }, 'must not contain line breaks'],
          [{ displayName: 'Fine', language: 'de', version }, 'choose one of the languages in the list'],
        ] as const) {
          const response = await agent.post('/backend/profile', form);
          expect(response.status).to.equal(400);
          expect(response.text).to.contain(message);
        }
        expect(await versionOf(agent)).to.equal(account.version);
      });

      it('lets a MediaSpace user replace the name MediaSpace gives, in the backend, and go back to it', async () => {
        const viewer = await server.kaltura.createUser({ role: 'viewerRole', name: 'Mira Media' });
        const agent = await signIn(server, viewer.id);
        const page = await agent.get('/backend/profile');
        expect(page.text).to.contain('MediaSpace knows you as Mira Media.');
        const version = await versionOf(agent);
        expect((await agent.post('/backend/profile', { displayName: 'Mira M.', language: 'en', version: String(version) })).status).to.equal(303);
        expect((await agent.get('/backend/profile')).text).to.contain('Signed in as Mira M.');
        // The same name as MediaSpace's is stored as none: a later change in MediaSpace shows through.
        expect((await agent.post('/backend/profile', { displayName: 'Mira Media', language: 'en', version: String(version + 1) })).status).to.equal(303);
        const row = await server.db.selectFrom('users').select('display_name').where('id', '=', mediaSpaceUserKey(viewer.id)).executeTakeFirstOrThrow();
        expect(row.display_name).to.equal(null);
      });

      it('refuses a stale version with 409, changing nothing and keeping what was typed', async () => {
        const account = await createBackendAccount(server, { name: 'Vera Version' });
        const agent = await signInWithPassword(server, account.email!);
        await agent.get('/backend/profile');
        const seen = String(account.version);
        expect((await agent.post('/backend/profile', { displayName: 'Vera in tab one', language: 'en', version: seen })).status).to.equal(303);
        const stale = await agent.post('/backend/profile', { displayName: 'Vera in tab two', language: 'fr', version: seen });
        expect(stale.status).to.equal(409);
        expect(stale.text).to.contain('Someone else changed this while you were editing it.').and.contain('value="Vera in tab two"');
        const json = await agent.postJson('/backend/profile', { displayName: 'Vera by script', language: 'en', version: Number(seen) });
        expect(json.status).to.equal(409);
        expect(json.json().error.code).to.equal('STALE_VERSION');
        const row = await server.db.selectFrom('users').select(['display_name', 'language']).where('id', '=', account.id).executeTakeFirstOrThrow();
        expect(row).to.deep.equal({ display_name: 'Vera in tab one', language: 'en' });
      });
    });

    describe('picture', () => {
      it('stores an upload, shows it, and deletes the picture it replaces', async () => {
        const account = await createBackendAccount(server);
        const agent = await signInWithPassword(server, account.email!);
        await agent.get('/backend/profile');
        const first = await agent.postMultipart('/backend/profile/picture', uploadForm('picture', await buildImage({ colour: '#aa3355' }), { fields: { version: String(account.version) } }));
        expect(first.status).to.equal(303);
        expect(first.location).to.equal('/backend/profile?saved=picture');
        const profile = (await agent.get('/backend/profile', { accept: 'application/json' })).json().profile;
        expect(profile.picture.large).to.match(/^\/images\/[0-9a-f-]{36}\/large$/);
        const shown = await agent.getBytes(profile.picture.large);
        expect(shown.status).to.equal(200);
        expect(shown.headers.get('content-type')).to.equal('image/webp');
        const page = await agent.get('/backend/profile');
        expect(page.text).to.contain(`src="${profile.picture.large}"`).and.contain(`src="${profile.picture.small}"`);
        const [oldId] = await imagesBy(account.id);

        const second = await agent.postMultipart('/backend/profile/picture', uploadForm('picture', await buildImage({ format: 'jpeg' }), { name: 'me.jpg', type: 'image/jpeg', fields: { version: String(profile.version) } }));
        expect(second.status).to.equal(303);
        const images = await imagesBy(account.id);
        expect(images).to.have.length(1).and.not.include(oldId);
        expect((await agent.getBytes(`/images/${oldId}/large`)).status).to.equal(404);

        const removed = await agent.post('/backend/profile/picture/remove', { version: String(profile.version + 1) });
        expect(removed.status).to.equal(303);
        expect(await imagesBy(account.id)).to.deep.equal([]);
        expect((await agent.get('/backend/profile', { accept: 'application/json' })).json().profile.picture).to.equal(null);
      });

      it('refuses what is not a PNG, JPEG or WebP picture, whatever its name says, with 400 and nothing stored', async () => {
        const account = await createBackendAccount(server);
        const agent = await signInWithPassword(server, account.email!);
        await agent.get('/backend/profile');
        const response = await agent.postMultipart('/backend/profile/picture', uploadForm('picture', Buffer.from('GIF89a not really a picture'), { name: 'me.png', fields: { version: String(account.version) } }));
        expect(response.status).to.equal(400);
        expect(response.text).to.contain('The picture must be a PNG, JPEG or WebP image.').and.contain('id="profile-picture-error"');
        expect(response.text).to.match(/aria-describedby="profile-picture-hint profile-picture-error"\s+aria-invalid="true"/);
        const gif = await agent.postMultipart('/backend/profile/picture', uploadForm('picture', Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64'), { name: 'me.gif', type: 'image/gif', fields: { version: String(account.version) } }), { accept: 'application/json' });
        expect(gif.status).to.equal(400);
        expect(gif.json().error.fields.picture).to.equal('The picture must be a PNG, JPEG or WebP image.');
        const missing = await agent.postMultipart('/backend/profile/picture', (() => { const form = new FormData(); form.append('version', String(account.version)); return form; })());
        expect(missing.status).to.equal(400);
        expect(missing.text).to.contain('Choose a picture to upload.');
        expect(await imagesBy(account.id)).to.deep.equal([]);
        expect(await versionOf(agent)).to.equal(account.version);
      });

      it('takes a picture of exactly 10 MB and refuses 10 MB + 1 byte with 413, leaving nothing behind', async () => {
        const account = await createBackendAccount(server);
        const agent = await signInWithPassword(server, account.email!);
        await agent.get('/backend/profile');
        const tooLarge = await agent.postMultipart('/backend/profile/picture', uploadForm('picture', await buildImage({ bytes: TEN_MB + 1 }), { fields: { version: String(account.version) } }));
        expect(tooLarge.status).to.equal(413);
        expect(tooLarge.text).to.contain('The picture is larger than the limit of 10 MB.').and.contain('id="profile-picture-error"');
        expect(await imagesBy(account.id)).to.deep.equal([]);
        const exact = await agent.postMultipart('/backend/profile/picture', uploadForm('picture', await buildImage({ bytes: TEN_MB }), { fields: { version: String(account.version) } }));
        expect(exact.status).to.equal(303);
        expect(await imagesBy(account.id)).to.have.length(1);
      });

      it('refuses a stale version with 409 and removes the picture it had stored', async () => {
        const account = await createBackendAccount(server);
        const agent = await signInWithPassword(server, account.email!);
        await agent.get('/backend/profile');
        expect((await agent.post('/backend/profile', { displayName: 'Moved on', language: 'en', version: String(account.version) })).status).to.equal(303);
        const stale = await agent.postMultipart('/backend/profile/picture', uploadForm('picture', await buildImage(), { fields: { version: String(account.version) } }));
        expect(stale.status).to.equal(409);
        expect(stale.text).to.contain('Someone else changed this');
        expect(await imagesBy(account.id)).to.deep.equal([]);
      });
    });

    describe('password', () => {
      it('asks for the current password and says clearly when it is wrong', async () => {
        const account = await createBackendAccount(server);
        const agent = await signInWithPassword(server, account.email!);
        await agent.get('/backend/profile');
        const wrong = await agent.post('/backend/profile/password', { currentPassword: 'not my password at all', password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
        expect(wrong.status).to.equal(400);
        expect(wrong.text).to.contain('The current password is not right.');
        expect(wrong.text).to.match(/aria-invalid="true" aria-describedby="profile-currentPassword-error"/);
        const missing = await agent.post('/backend/profile/password', { currentPassword: '', password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
        expect(missing.status).to.equal(400);
        expect(missing.text).to.contain('enter your current password');
        const short = await agent.post('/backend/profile/password', { currentPassword: TEST_PASSWORD, password: 'short', confirmPassword: 'short' });
        expect(short.status).to.equal(400);
        expect(short.text).to.contain('must have at least 10 characters');
        const mismatch = await agent.post('/backend/profile/password', { currentPassword: TEST_PASSWORD, password: NEW_PASSWORD, confirmPassword: `${NEW_PASSWORD}!` });
        expect(mismatch.status).to.equal(400);
        expect(mismatch.text).to.contain('does not match the new password');
        // Nothing changed: the old password still signs in.
        await signInWithPassword(server, account.email!, TEST_PASSWORD);
      });

      it('changes it with the right current password, ends the other sessions and keeps this one', async () => {
        const account = await createBackendAccount(server);
        const elsewhere = await signInWithPassword(server, account.email!);
        const agent = await signInWithPassword(server, account.email!);
        await agent.get('/backend/profile');
        const changed = await agent.post('/backend/profile/password', { currentPassword: TEST_PASSWORD, password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
        expect(changed.status).to.equal(303);
        expect(changed.location).to.equal('/backend/profile?saved=password');
        expect(changed.headers.getSetCookie().some((cookie) => cookie.startsWith('lr_session=') && /HttpOnly/i.test(cookie))).to.equal(true);

        const after = await agent.follow(changed);
        expect(after.status).to.equal(200);
        expect(after.text).to.contain('Your password is changed.');
        expect((await elsewhere.get('/backend/profile', { accept: 'application/json' })).status).to.equal(401);

        const login = server.agent();
        await login.get('/login');
        expect((await login.post('/login', { email: account.email!, password: TEST_PASSWORD })).status).to.equal(401);
        expect((await login.post('/login', { email: account.email!, password: NEW_PASSWORD })).status).to.equal(303);
      });

      it('counts wrong current passwords towards the sign-in lock-out', async () => {
        const account = await createBackendAccount(server);
        const agent = await signInWithPassword(server, account.email!);
        await agent.get('/backend/profile');
        for (let attempt = 1; attempt <= 5; attempt++) {
          expect((await agent.post('/backend/profile/password', { currentPassword: `guess number ${attempt}`, password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD })).status).to.equal(400);
        }
        const locked = await agent.post('/backend/profile/password', { currentPassword: TEST_PASSWORD, password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
        expect(locked.status).to.equal(429);
        expect(locked.text).to.contain('try again in 15 minutes');
        const login = server.agent();
        await login.get('/login');
        expect((await login.post('/login', { email: account.email!, password: TEST_PASSWORD })).status).to.equal(429);
      });

      it('is not offered to MediaSpace users, whose identity comes from MediaSpace, and cannot be posted by them', async () => {
        const viewer = await server.kaltura.createUser({ role: 'adminRole' });
        const agent = await signIn(server, viewer.id);
        const page = await agent.get('/backend/profile');
        expect(page.status).to.equal(200);
        expect(page.text).to.contain('You sign in through MediaSpace, so Live Rooms has no password for you.');
        expect(page.text).to.not.contain('name="currentPassword"');
        const posted = await agent.post('/backend/profile/password', { currentPassword: 'anything at all', password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
        expect(posted.status).to.equal(403);
        expect(posted.text).to.contain('change your password in MediaSpace');
        const json = await agent.postJson('/backend/profile/password', {});
        expect(json.status).to.equal(403);
        expect(json.json().error.code).to.equal('NO_PASSWORD_HERE');
      });
    });
  });
}
