import { expect } from 'chai';
import { createBackendAccount, signInWithPassword } from '../support/backend-accounts.ts';
import { buildImage, uploadForm } from '../support/image-builder.ts';
import { LEVEL } from '../support/kaltura-seed.ts';
import { MailCatcher } from '../support/mail-catcher.ts';
import { inviteFields, uniqueEmail } from '../support/users-fixtures.ts';
import { TEST_DATABASES, startTestServerOn } from '../support/test-databases.ts';
import { signIn, type TestServer } from '../support/test-server.ts';
import type { TestAgent } from '../support/test-agent.ts';

/**
 * The branding is one record for the whole organisation, so every test reads the version it
 * starts from and asserts on what it saved itself, never on what another test left.
 */
for (const database of TEST_DATABASES) {
  describe(`branding (/backend/branding) on ${database}`, () => {
    let server: TestServer;
    let mail: MailCatcher;
    let admin: TestAgent;

    before(async () => {
      mail = await MailCatcher.start();
      server = await startTestServerOn(database, { config: { mail: { smtpUrl: mail.smtpUrl } } });
      admin = await signInWithPassword(server, (await createBackendAccount(server, { role: 'administrator' })).email!);
    });
    after(async () => {
      await server.stop();
      await mail.stop();
    });

    async function current(agent: TestAgent = admin) {
      const response = await agent.get('/backend/branding', { accept: 'application/json' });
      expect(response.status).to.equal(200);
      return response.json() as { branding: { primaryColor: string; secondaryColor: string; logo: string | null; version: number }; contrast: { warnings: Array<{ field: string; kind: string; message: string }> } };
    }

    async function saveColours(primaryColor: string, secondaryColor: string, agent: TestAgent = admin) {
      const { branding } = await current(agent);
      await agent.get('/backend/branding');
      const response = await agent.post('/backend/branding/colours', { primaryColor, secondaryColor, version: String(branding.version) });
      expect(response.status, response.text.slice(0, 300)).to.equal(303);
      return (await current(agent)).branding;
    }

    async function uploadLogo(agent: TestAgent = admin) {
      const { branding } = await current(agent);
      await agent.get('/backend/branding');
      const response = await agent.postMultipart('/backend/branding/logo', uploadForm('logo', await buildImage({ width: 400, height: 100, colour: '#222244' }), { name: 'logo.png', fields: { version: String(branding.version) } }));
      expect(response.status, response.text.slice(0, 300)).to.equal(303);
      return (await current(agent)).branding;
    }

    async function logoImages(): Promise<string[]> {
      return (await server.db.selectFrom('stored_images').select('id').where('purpose', '=', 'logo').execute()).map((row) => row.id);
    }

    it('is for administrators only: instructors and students get 403 and no menu entry', async () => {
      for (const role of ['instructor', 'student'] as const) {
        const agent = await signInWithPassword(server, (await createBackendAccount(server, { role })).email!);
        const profile = await agent.get('/backend/profile');
        expect(profile.text).to.not.contain('data-nav="branding"');
        expect((await agent.get('/backend/branding')).status).to.equal(403);
        expect((await agent.get('/backend/branding', { accept: 'application/json' })).status).to.equal(403);
        expect((await agent.post('/backend/branding/colours', { primaryColor: '#000000', secondaryColor: '#000000', version: '0' })).status).to.equal(403);
        expect((await agent.postMultipart('/backend/branding/logo', uploadForm('logo', await buildImage(), { fields: { version: '0' } }))).status).to.equal(403);
        expect((await agent.post('/backend/branding/logo/remove', { version: '0' })).status).to.equal(403);
      }
      const mediaSpaceAdmin = await signIn(server, (await server.kaltura.createUser({ role: 'adminRole' })).id);
      const page = await mediaSpaceAdmin.get('/backend/branding');
      expect(page.status).to.equal(200);
      expect(page.text.match(/<h1[ >]/g)).to.have.length(1);
      expect(page.text).to.match(/data-nav="branding"\s+aria-current="page"/);
      for (const id of ['branding-logo', 'branding-primary', 'branding-primary-picker', 'branding-secondary', 'branding-secondary-picker']) expect(page.text).to.contain(`<label for="${id}">`);
    });

    it('refuses a colour that is not #rrggbb with 400, keeping what was typed and saving nothing', async () => {
      const before = (await current()).branding;
      await admin.get('/backend/branding');
      for (const bad of ['#12345', 'blue', '#gggggg', '#1234567', '']) {
        const response = await admin.post('/backend/branding/colours', { primaryColor: bad, secondaryColor: '#1f7a4d', version: String(before.version) });
        expect(response.status, bad).to.equal(400);
        expect(response.text).to.contain('enter a colour as # followed by six hexadecimal digits').and.contain('id="branding-primary-error"');
        expect(response.text).to.match(/aria-describedby="branding-primary-hint branding-primary-check branding-primary-error"\s*aria-invalid="true"/);
        if (bad) expect(response.text).to.contain(`value="${bad}"`);
      }
      const json = await admin.postJson('/backend/branding/colours', { primaryColor: '#0b5cad', secondaryColor: 'green', version: before.version });
      expect(json.status).to.equal(400);
      expect(json.json().error.fields).to.have.property('secondaryColor');
      // Named by its label, not by the field's key (was "SecondaryColor: …").
      expect(json.json().error.message).to.equal('Some fields need your attention. Secondary colour: enter a colour as # followed by six hexadecimal digits, like #0b5cad.');
      expect((await current()).branding).to.deep.equal(before);
    });

    it('saves a light primary colour with a contrast warning that shows the ratio, and puts dark text on it', async () => {
      const saved = await saveColours('#FFFF00', '#1f7a4d');
      expect(saved.primaryColor).to.equal('#ffff00');
      const page = await admin.get('/backend/branding?saved=colours');
      expect(page.text).to.contain('The colours are saved and in use everywhere.');
      expect(page.text).to.contain('White text on #ffff00 would have a contrast ratio of 1.07:1, below the 4.5:1 of WCAG AA. Live Rooms puts dark text on it instead (17.58:1).');
      expect(page.text).to.contain('As the colour of links on light pages, #ffff00 reaches only 1.07:1');
      expect(page.text).to.match(/aria-describedby="branding-primary-hint branding-primary-check branding-primary-warnings"/);
      const { contrast } = await current();
      expect(contrast.warnings.map((warning) => `${warning.field}:${warning.kind}`)).to.deep.equal(['primaryColor:darkTextInstead', 'primaryColor:linksDarker']);
      const css = await admin.get(`/branding.css?v=${saved.version}`);
      expect(css.text).to.contain('--brand: #ffff00;').and.contain('--on-brand: #111111;');

      // The product's own colours read well: no warning.
      await saveColours('#0b5cad', '#1f7a4d');
      expect((await current()).contrast.warnings).to.deep.equal([]);
      expect((await admin.get('/backend/branding')).text).to.contain('Text on both colours meets WCAG AA.');
    });

    it('warns when neither white nor dark text reaches AA on a colour, in the person\'s language', async () => {
      const account = await createBackendAccount(server, { role: 'administrator' });
      const french = await signInWithPassword(server, account.email!);
      await french.get('/backend/profile');
      expect((await french.post('/backend/profile', { displayName: account.name, language: 'fr', version: String(account.version) })).status).to.equal(303);
      await saveColours('#0b5cad', '#777777', french);
      const page = await french.get('/backend/branding');
      expect(page.text).to.contain('<html lang="fr">').and.contain('Ni le texte blanc (4,47:1) ni le texte foncé (4,21:1)');
    });

    it('serves /branding.css for the saved version with a long cache, and the current colours for any other', async () => {
      const saved = await saveColours('#7b2d8e', '#c05600');
      const css = await server.agent().get(`/branding.css?v=${saved.version}`);
      expect(css.status).to.equal(200);
      expect(css.headers.get('content-type')).to.match(/^text\/css/);
      expect(css.headers.get('cache-control')).to.equal('public, max-age=31536000, immutable');
      expect(css.headers.getSetCookie()).to.deep.equal([]);
      expect(css.text).to.contain('--brand: #7b2d8e;').and.contain('--accent: #c05600;').and.contain('--on-brand: #ffffff;').and.contain('--brand-strong: #622472;');
      const older = await server.agent().get(`/branding.css?v=${saved.version - 1}`);
      expect(older.headers.get('cache-control')).to.equal('no-cache');
      expect(older.text).to.contain('--brand: #7b2d8e;');
    });

    it('applies a new logo and colours at once to the backend, the room, the demo portal and the module pages', async () => {
      await saveColours('#004d40', '#ffb300');
      const branding = await uploadLogo();
      expect(branding.logo).to.match(/^\/images\/[0-9a-f-]{36}\/header$/);
      const stylesheet = `<link rel="stylesheet" href="/branding.css?v=${branding.version}">`;
      expect((await server.agent().get(`/branding.css?v=${branding.version}`)).text).to.contain('--brand: #004d40;').and.contain('--accent: #ffb300;').and.contain('--on-accent: #111111;');

      const backendPage = await admin.get('/backend/profile');
      expect(backendPage.text).to.contain(stylesheet).and.contain(`<img class="brand__logo" src="${branding.logo}"`);
      const logo = await admin.getBytes(branding.logo!);
      expect(logo.status).to.equal(200);
      expect(logo.headers.get('content-type')).to.equal('image/png');
      expect((await server.agent().get('/login')).text).to.contain(stylesheet);

      // The room, reached the way a channel member reaches it.
      const member = await server.kaltura.createUser({ role: 'viewerRole', name: 'Rhea Room' });
      const channel = await server.kaltura.createChannel();
      await server.kaltura.addMember(channel.id, member.id, LEVEL.member);
      const agent = await signIn(server, member.id);
      await agent.get(`/channels/${channel.id}/meeting`);
      const { launchUrl, roomId } = (await agent.post(`/channels/${channel.id}/meeting/join`, {}, { accept: 'application/json' })).json();
      expect((await agent.get(launchUrl)).status).to.equal(303);
      const room = await agent.get(`/rooms/${roomId}`);
      expect(room.status).to.equal(200);
      expect(room.text).to.contain(stylesheet).and.contain(`<img class="room__logo" src="${branding.logo}"`);

      // The demo portal: its start page, and the portal after signing in as a demo user.
      const portal = server.agent();
      const start = await portal.get('/');
      expect(start.text).to.contain(stylesheet).and.contain('href="/login"');
      const signedIn = await portal.follow(await portal.post('/demo/sign-in', { userId: member.id }));
      expect(signedIn.status).to.equal(200);
      expect(signedIn.text).to.contain(stylesheet).and.contain('href="/backend/courses"');

      // The module's own pages.
      expect((await agent.get('/my-rooms')).text).to.contain(stylesheet).and.contain('<a href="/backend/courses">Rooms backend</a>');
    });

    it('puts the logo and the primary colour in the mails it sends', async () => {
      await saveColours('#8e24aa', '#1f7a4d');
      const branding = await uploadLogo();
      const account = await createBackendAccount(server, { role: 'student' });
      const agent = server.agent();
      await agent.get('/password-reset');
      expect((await agent.post('/password-reset', { email: account.email! })).status).to.equal(200);
      const received = await mail.next(account.email!);
      expect(received.html).to.contain(`<img src="${server.config.http.publicUrl}${branding.logo}"`);
      expect(received.html).to.contain('background:#8e24aa;');
      expect(received.html).to.match(/background:#8e24aa;color:#ffffff;padding:12px 20px/);
    });

    it('puts the logo and a light primary colour, with dark text on it, in invitation mails', async () => {
      await saveColours('#ffd54f', '#1f7a4d');
      const branding = await uploadLogo();
      const email = uniqueEmail('invitee');
      await admin.get('/backend/users/invite');
      const invited = await admin.post('/backend/users/invite', inviteFields([{ name: 'Ines Invitee', email, role: 'student' }]));
      expect(invited.status, invited.text.slice(0, 300)).to.equal(201);
      const received = await mail.next(email);
      expect(received.html).to.contain(`<img src="${server.config.http.publicUrl}${branding.logo}"`);
      expect(received.html).to.match(/background:#ffd54f;color:#111111;padding:12px 20px/);
    });

    it('names the organisation, set on the page, in every mail: sender, subject and text; empty, the product again', async () => {
      const page = await admin.get('/backend/branding');
      expect(page.text).to.contain('<label for="branding-name">Organisation name</label>').and.contain('name="organisationName"');
      const version = String((await current()).branding.version);

      const refused = await admin.post('/backend/branding/name', { organisationName: 'École <b>', version });
      expect(refused.status).to.equal(400);
      expect(refused.text).to.contain('Organisation name: must be one line of text').and.contain('value="École &lt;b&gt;"');
      const tooLong = await admin.post('/backend/branding/name', { organisationName: 'x'.repeat(101), version });
      expect(tooLong.status).to.equal(400);
      expect(tooLong.text).to.contain('Organisation name: must have at most 100 characters');

      const saved = await admin.post('/backend/branding/name', { organisationName: '  Lycée Émile Zola ', version });
      expect(saved.status, saved.text.slice(0, 300)).to.equal(303);
      expect((await admin.get('/backend/branding?saved=name')).text).to.contain('The organisation name is saved').and.contain('value="Lycée Émile Zola"');

      const email = uniqueEmail('named');
      await admin.get('/backend/users/invite');
      expect((await admin.post('/backend/users/invite', inviteFields([{ name: 'Nina Named', email, role: 'student' }]))).status).to.equal(201);
      const invitation = await mail.next(email);
      expect(invitation.fromName).to.equal('Lycée Émile Zola');
      expect(invitation.subject).to.contain('invited you to Lycée Émile Zola');
      expect(invitation.text).to.contain('invited you to Lycée Émile Zola as').and.not.contain('Live Rooms');

      const account = await createBackendAccount(server, { role: 'student' });
      const anonymous = server.agent();
      await anonymous.get('/password-reset');
      await anonymous.post('/password-reset', { email: account.email! });
      const reset = await mail.next(account.email!);
      expect(reset.fromName).to.equal('Lycée Émile Zola');
      expect(reset.subject).to.equal('Reset your Lycée Émile Zola password');
      expect(reset.text).to.contain('your Lycée Émile Zola account').and.not.contain('Live Rooms');

      await admin.get('/backend/branding');
      expect((await admin.post('/backend/branding/name', { organisationName: '', version: String((await current()).branding.version) })).status).to.equal(303);
      await anonymous.post('/password-reset', { email: account.email! });
      const unnamed = await mail.next(account.email!);
      expect(unnamed.fromName).to.equal('Live Rooms');
      expect(unnamed.subject).to.equal('Reset your Live Rooms password');
    });

    it('removes the logo it replaces, and the logo itself when asked', async () => {
      const first = await uploadLogo();
      const firstId = first.logo!.split('/')[2]!;
      const second = await uploadLogo();
      expect(second.logo).to.not.equal(first.logo);
      expect(await logoImages()).to.not.include(firstId);
      expect((await admin.getBytes(first.logo!)).status).to.equal(404);

      await admin.get('/backend/branding');
      const removed = await admin.post('/backend/branding/logo/remove', { version: String(second.version) });
      expect(removed.status).to.equal(303);
      expect(removed.location).to.equal('/backend/branding?saved=logoRemoved');
      expect(await logoImages()).to.deep.equal([]);
      expect((await current()).branding.logo).to.equal(null);
      expect((await admin.get('/backend/profile')).text).to.not.contain('class="brand__logo"');
    });

    it('refuses a logo that is not a picture with 400, storing nothing', async () => {
      const { branding } = await current();
      const before = await logoImages();
      await admin.get('/backend/branding');
      const response = await admin.postMultipart('/backend/branding/logo', uploadForm('logo', Buffer.from('%PDF-1.4 not a logo'), { name: 'logo.png', fields: { version: String(branding.version) } }));
      expect(response.status).to.equal(400);
      expect(response.text).to.contain('The logo must be a PNG, JPEG or WebP image.').and.contain('id="branding-logo-error"');
      expect(await logoImages()).to.deep.equal(before);
      expect((await current()).branding.version).to.equal(branding.version);
    });

    it('refuses a stale save with 409 and changes nothing, for colours, the logo and its removal', async () => {
      const seen = (await current()).branding;
      await saveColours('#1565c0', '#2e7d32');
      const after = (await current()).branding;
      const logosBefore = await logoImages();
      await admin.get('/backend/branding');

      const colours = await admin.post('/backend/branding/colours', { primaryColor: '#c62828', secondaryColor: '#2e7d32', version: String(seen.version) });
      expect(colours.status).to.equal(409);
      expect(colours.text).to.contain('Someone else changed this while you were editing it.').and.contain('value="#c62828"');
      const json = await admin.postJson('/backend/branding/colours', { primaryColor: '#c62828', secondaryColor: '#2e7d32', version: seen.version });
      expect(json.status).to.equal(409);
      expect(json.json().error.code).to.equal('STALE_VERSION');
      const logo = await admin.postMultipart('/backend/branding/logo', uploadForm('logo', await buildImage(), { fields: { version: String(seen.version) } }));
      expect(logo.status).to.equal(409);
      expect((await admin.post('/backend/branding/logo/remove', { version: String(seen.version) })).status).to.equal(409);

      expect((await current()).branding).to.deep.equal(after);
      expect(await logoImages()).to.deep.equal(logosBefore);
    });
  });
}
