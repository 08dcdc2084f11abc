import { expect } from 'chai';
import { createBackendAccount, signInWithPassword } from '../support/backend-accounts.ts';
import { buildImage, uploadForm } from '../support/image-builder.ts';
import { signIn, startTestServer, type TestServer } from '../support/test-server.ts';
import type { TestAgent } from '../support/test-agent.ts';

/** What a keyboard or screen-reader user relies on, read off a page's markup. */
function accessibilityProblems(html: string): string[] {
  const problems: string[] = [];
  const h1s = html.match(/<h1[\s>]/g) ?? [];
  if (h1s.length !== 1) problems.push(`${h1s.length} h1 headings`);
  if (!/<html lang="(en|fr)">/.test(html)) problems.push('no page language');
  const body = html.slice(html.indexOf('<body'));
  const firstFocusable = body.match(/<(a|button|input|select|textarea)\b[^>]*>/)?.[0] ?? '';
  if (!firstFocusable.includes('class="skip-link" href="#main"')) problems.push(`first focusable element is ${firstFocusable}`);
  if (!/<main id="main"[^>]*tabindex="-1"/.test(html)) problems.push('no main landmark the skip link can focus');
  const controls = html.match(/<(input|select|textarea)\b[^>]*>/g) ?? [];
  for (const control of controls) {
    if (/type="hidden"|\shidden[\s>]/.test(control)) continue;
    const id = control.match(/\sid="([^"]+)"/)?.[1];
    if (!id || !html.includes(`<label for="${id}">`)) problems.push(`unlabelled control ${control.slice(0, 80)}`);
    for (const described of control.match(/aria-describedby="([^"]+)"/)?.[1]?.split(' ') ?? []) {
      if (!html.includes(`id="${described}"`)) problems.push(`${id} is described by missing #${described}`);
    }
    if (control.includes('aria-invalid="true"') && !control.includes('aria-describedby')) problems.push(`${id} is invalid without a message tied to it`);
  }
  return problems;
}

function menuOf(html: string): string[] {
  return [...html.matchAll(/data-nav="(\w+)"|<span class="backend__nav-later">([^<]+)<small>/g)].map((match) => match[1] ?? `later:${match[2]!.trim()}`);
}

describe('backend layout and navigation', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  async function backendUser(role: 'student' | 'instructor' | 'administrator'): Promise<TestAgent> {
    return signInWithPassword(server, (await createBackendAccount(server, { role })).email!);
  }

  it('shows each role only the menu entries it may use, the later pages marked as coming soon (billing off: no Plans, no Billing)', async () => {
    const expected = {
      administrator: ['courses', 'users', 'files', 'sessionStats', 'profile', 'branding'],
      instructor: ['courses', 'files', 'sessionStats', 'profile'],
      student: ['courses', 'profile'],
    };
    for (const [role, menu] of Object.entries(expected)) {
      const page = await (await backendUser(role as keyof typeof expected)).get('/backend/profile');
      expect(menuOf(page.text), role).to.deep.equal(menu);
      expect(page.text.match(/aria-current="page"/g), role).to.have.length(1);
      expect(page.text).to.contain('<nav class="backend__nav" aria-label="Rooms backend">');
    }
    const mediaSpaceAdmin = await signIn(server, (await server.kaltura.createUser({ role: 'unmoderatedAdminRole' })).id);
    expect(menuOf((await mediaSpaceAdmin.get('/backend/profile')).text)).to.deep.equal(expected.administrator);
  });

  it('gives the profile, branding and sign-in pages a skip link, one h1, labelled controls and tied errors', async () => {
    const admin = await backendUser('administrator');
    const pages: Array<[string, string]> = [
      ['/backend/profile', (await admin.get('/backend/profile')).text],
      ['/backend/branding', (await admin.get('/backend/branding')).text],
      ['profile with errors', (await admin.post('/backend/profile', { displayName: '', language: 'xx', version: '1' })).text],
      ['password with errors', (await admin.post('/backend/profile/password', { currentPassword: 'wrong password here', password: 'short', confirmPassword: 'other' })).text],
      ['branding with errors', (await admin.post('/backend/branding/colours', { primaryColor: 'nope', secondaryColor: '#ffff00', version: '0' })).text],
      ['/login', (await server.agent().get('/login')).text],
      ['/password-reset', (await server.agent().get('/password-reset')).text],
    ];
    for (const [name, html] of pages) expect(accessibilityProblems(html), name).to.deep.equal([]);
  });

  it('keeps the backend layout, menu and language on an error page', async () => {
    const instructor = await createBackendAccount(server, { role: 'instructor' });
    const agent = await signInWithPassword(server, instructor.email!);
    await agent.get('/backend/profile');
    expect((await agent.post('/backend/profile', { displayName: instructor.name, language: 'fr', version: String(instructor.version) })).status).to.equal(303);
    const refused = await agent.get('/backend/branding');
    expect(refused.status).to.equal(403);
    expect(refused.text).to.contain('<html lang="fr">').and.contain('<h1 id="error-title">Vous n&#39;avez pas accès à ceci</h1>').and.contain('Erreur 403');
    expect(refused.text).to.contain('Votre rôle ne donne pas accès à cette partie de l&#39;administration.');
    expect(menuOf(refused.text)).to.deep.equal(['courses', 'files', 'sessionStats', 'profile']);
    expect(accessibilityProblems(refused.text)).to.deep.equal([]);
  });

  it('points from the home page to the backend sign-in when the emulator is off', async () => {
    // No emulator: Kaltura is elsewhere (here, nowhere), and / is the module's own home page.
    const standalone = await startTestServer({ config: { kaltura: { serviceUrl: 'http://127.0.0.1:9', timeoutMs: 500 } } });
    try {
      const home = await standalone.agent().get('/');
      expect(home.status).to.equal(200);
      expect(home.text).to.contain('<a href="/login">Sign in with your email address</a>').and.contain('<link rel="stylesheet" href="/branding.css?v=0">');
    } finally {
      await standalone.stop();
    }
  });

  it('links the header to the profile, with the person\'s picture when they have one', async () => {
    const account = await createBackendAccount(server, { role: 'student' });
    const agent = await signInWithPassword(server, account.email!);
    const page = await agent.get('/backend/profile');
    expect(page.text).to.match(/<a class="who__profile" href="\/backend\/profile">\s*<span class="who__name">Signed in as /);
    expect((await agent.postMultipart('/backend/profile/picture', uploadForm('picture', await buildImage(), { fields: { version: String(account.version) } }))).status).to.equal(303);
    const { picture } = (await agent.get('/backend/profile', { accept: 'application/json' })).json().profile;
    expect((await agent.get('/backend/profile')).text).to.contain(`<img class="who__picture" src="${picture.small}" alt="" width="32" height="32">`);
  });
});
