/**
 * Every error page offers a way on (the backend's courses from inside it, else the start page),
 * in the person's language, and every page has an icon (browsers ask /favicon.ico regardless).
 */
import { expect } from 'chai';
import { backendPerson } from '../support/courses.ts';
import { signIn, startTestServer, type TestServer } from '../support/test-server.ts';

describe('error pages and the icon', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.stop();
  });

  it('leads a backend person refused a part of the backend back to Courses', async () => {
    const student = await backendPerson(server, 'student');
    const refused = await student.agent.get('/backend/users');
    expect(refused.status).to.equal(403);
    expect(refused.text).to.contain('<a href="/backend/courses">Back to Courses</a>');
  });

  it('leads someone outside the backend to the start page, in French', async () => {
    const viewer = await signIn(server, (await server.kaltura.createUser({ role: 'viewerRole', name: 'Vic Viewer' })).id);
    const refused = await viewer.get('/admin/module', { headers: { 'accept-language': 'fr' } });
    expect(refused.status).to.equal(403);
    expect(refused.text).to.contain('<a href="/">Aller à la page d&#39;accueil</a>');
    const missing = await server.agent().get('/nowhere', { headers: { 'accept-language': 'fr' } });
    expect(missing.status).to.equal(404);
    expect(missing.text).to.contain('<a href="/">Aller à la page d&#39;accueil</a>');
  });

  it('names an icon on its pages and answers /favicon.ico with it', async () => {
    expect((await server.agent().get('/login')).text).to.contain('<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">');
    const ico = await server.agent().get('/favicon.ico');
    expect(ico.status).to.equal(301);
    expect(ico.location).to.equal('/assets/favicon.svg');
    const svg = await server.agent().getBytes('/assets/favicon.svg');
    expect(svg.status).to.equal(200);
    expect(svg.headers.get('content-type')).to.contain('image/svg+xml');
  });
});
