/**
 * Plans through Stripe Billing: the catalogue and licences, adding, upgrading
 * and removing licences with a proration preview whose figures are computed
 * here by hand, the guard on active courses, idempotent confirmations, and
 * Stripe being slow, all through the real stripe package and the emulator.
 */
import { createServer } from 'node:net';
import { expect } from 'chai';
import { backendPerson, createCourse, type BackendPerson } from '../../support/courses.ts';
import type { TestServer } from '../../support/test-server.ts';
import { changeLicences, dataText, hiddenField, licenceCounts, previewChange, startBillingServer } from '../../support/billing.ts';

// A 31-day period: from 1 January 2027 to 1 February 2027 (UTC).
const PERIOD_START = Date.UTC(2027, 0, 1);
const DAY = 86_400_000;

describe('Plans through Stripe Billing', () => {
  let server: TestServer;
  let admin: BackendPerson;
  let clock = PERIOD_START;

  before(async () => {
    server = await startBillingServer({ now: () => clock });
    admin = await backendPerson(server, 'administrator');
  });
  after(() => server.stop());

  it('shows each plan with what it includes and its price, Smart_custom on request, and the menu links Plans and Billing', async () => {
    const page = await admin.agent.get('/backend/plans');
    expect(page.status).to.equal(200);
    expect(page.text).to.match(/data-plan="smart_15"[\s\S]*?€15\.00 \/ month/);
    expect(page.text).to.match(/data-plan="smart_25"[\s\S]*?€25\.00 \/ month/);
    expect(page.text).to.match(/data-plan="smart_custom"[\s\S]*?On request/);
    expect(page.text).to.contain('15 webcam users');
    expect(page.text).to.contain('data-nav="plans"').and.to.contain('data-nav="billing"');
    const courses = await admin.agent.get('/backend/courses');
    expect(courses.text).to.contain('data-licences-on-plans').and.not.to.contain('action="/backend/courses/licences"');
    const byHand = await admin.agent.post('/backend/courses/licences', { 'licences[smart_15]': '9' }, { accept: 'application/json' });
    expect([byHand.status, byHand.json().error.code]).to.deep.equal([409, 'LICENCES_FOLLOW_SUBSCRIPTION']);
  });

  it('previews the first purchase at full price, buys it, and the licence counts follow the subscription', async () => {
    const preview = await previewChange(admin.agent, { kind: 'add', planId: 'smart_15', quantity: '2' });
    expect(preview.status).to.equal(200);
    expect(dataText(preview.text, 'data-preview-now')).to.equal('€30.00');
    expect(dataText(preview.text, 'data-preview-next')).to.equal('€30.00');
    const done = await admin.agent.post('/backend/plans/change', { kind: 'add', planId: 'smart_15', quantity: '2', prorationDate: hiddenField(preview.text, 'prorationDate')!, token: hiddenField(preview.text, 'token')! });
    expect(done.status).to.equal(303);
    expect(done.location).to.equal('/backend/plans?changed=1');
    expect((await licenceCounts(admin.agent)).smart_15).to.deep.equal({ purchased: 2, inUse: 0, free: 2 });
  });

  it('prorates adding a licence ten days in, to the cent as computed by hand', async () => {
    clock = PERIOD_START + 10 * DAY;
    // Ten days on, the old session has long expired: sign in again.
    admin = await backendPerson(server, 'administrator');
    // 21 of 31 days left: 2 × €15 unused credited, 3 × €15 remaining charged, each line rounded.
    const now = -Math.round((2 * 1500 * 21) / 31) + Math.round((3 * 1500 * 21) / 31);
    const preview = await previewChange(admin.agent, { kind: 'add', planId: 'smart_15', quantity: '1' });
    expect(dataText(preview.text, 'data-preview-now')).to.equal(`€${(now / 100).toFixed(2)}`);
    expect(dataText(preview.text, 'data-preview-next')).to.equal('€45.00');
    expect(preview.text).to.contain('Each period from Feb 1, 2027');
  });

  it('upgrades one Smart_15 licence to Smart_25 with the proration previewed, and the same confirmation sent twice changes it once', async () => {
    const change = { kind: 'move', fromPlanId: 'smart_15', toPlanId: 'smart_25', quantity: '1' };
    const preview = await previewChange(admin.agent, change);
    const expectedNow = -Math.round((2 * 1500 * 21) / 31) + Math.round((1 * 1500 * 21) / 31) + Math.round((2500 * 21) / 31);
    expect(dataText(preview.text, 'data-preview-now')).to.equal(`€${(expectedNow / 100).toFixed(2)}`);
    expect(dataText(preview.text, 'data-preview-next')).to.equal('€40.00');
    const confirmation = { ...change, prorationDate: hiddenField(preview.text, 'prorationDate')!, token: hiddenField(preview.text, 'token')! };
    const [first, second] = await Promise.all([admin.agent.post('/backend/plans/change', confirmation), admin.agent.post('/backend/plans/change', confirmation)]);
    expect([first.status, second.status]).to.deep.equal([303, 303]);
    const counts = await licenceCounts(admin.agent);
    expect([counts.smart_15!.purchased, counts.smart_25!.purchased]).to.deep.equal([1, 1]);
  });

  it('refuses to remove licences that active courses use, naming the courses, until they are inactive', async () => {
    await createCourse(admin.agent, { name: 'Physics live', plan: 'smart_15' });
    const refused = await previewChange(admin.agent, { kind: 'remove', planId: 'smart_15', quantity: '1' });
    expect(refused.status).to.equal(409);
    expect(refused.text).to.contain('1 active courses use Smart_15 licences (Physics live); 0 would be left.');
    const json = await admin.agent.post('/backend/plans/preview', { kind: 'move', fromPlanId: 'smart_15', toPlanId: 'smart_25', quantity: '1' }, { accept: 'application/json' });
    expect(json.status).to.equal(409);
    expect(json.json().error.code).to.equal('LICENCES_IN_USE');
    expect((await licenceCounts(admin.agent)).smart_15).to.deep.equal({ purchased: 1, inUse: 1, free: 0 });
  });

  it('answers bad licence changes with the problem beside the field, in English and French', async () => {
    const cases: Array<[Record<string, string>, number, string]> = [
      [{ kind: 'add', planId: 'smart_15', quantity: '0' }, 400, 'Enter a number from 1 to 500.'],
      [{ kind: 'add', planId: 'smart_15', quantity: 'lots' }, 400, 'Enter a number of licences.'],
      [{ kind: 'add', planId: 'smart_15', quantity: '2.5' }, 400, 'Enter a whole number.'],
      [{ kind: 'add', planId: 'smart_15', quantity: '501' }, 400, 'Enter a number from 1 to 500.'],
      [{ kind: 'add', planId: 'gold', quantity: '1' }, 400, 'Choose one of the plans listed.'],
      [{ kind: 'add', planId: 'inactive', quantity: '1' }, 400, 'Choose one of the plans listed.'],
      [{ kind: 'add', planId: 'smart_custom', quantity: '1' }, 400, 'Smart_custom licences are sold on request: contact us.'],
      [{ kind: 'move', fromPlanId: 'smart_25', toPlanId: 'smart_25', quantity: '1' }, 400, 'Choose a different plan to move to.'],
      [{ kind: 'remove', planId: 'smart_25', quantity: '5' }, 409, 'You have only 1 Smart_25 licences.'],
      [{ kind: 'sell', planId: 'smart_15', quantity: '1' }, 400, 'Choose what to change.'],
    ];
    for (const [form, status, message] of cases) {
      const response = await previewChange(admin.agent, form);
      expect(response.status, JSON.stringify(form)).to.equal(status);
      expect(response.text, JSON.stringify(form)).to.contain(message);
    }
    const unconfirmed = await admin.agent.post('/backend/plans/change', { kind: 'add', planId: 'smart_15', quantity: '1' });
    expect(unconfirmed.status).to.equal(400);
    expect(unconfirmed.text).to.contain('Preview the change before you confirm it.');
    const stale = await admin.agent.post('/backend/plans/change', { kind: 'add', planId: 'smart_15', quantity: '1', prorationDate: String(Math.floor(clock / 1000) - 7200), token: '6f1c2f4e-8a4b-4c2a-9d1e-2b3c4d5e6f70' });
    expect(stale.status).to.equal(409);
    expect(stale.text).to.contain('This preview is too old to confirm.');
    expect((await licenceCounts(admin.agent)).smart_15!.purchased).to.equal(1);
  });

  it('says when Stripe cannot be reached (connection refused), and changes nothing', async () => {
    // A port that nothing listens on: taken from the system, then let go.
    const closed = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const away = await startBillingServer({ config: { billing: { enabled: true, timeoutMs: 5000, apiUrl: `http://127.0.0.1:${closed}` } } });
    try {
      const person = await backendPerson(away, 'administrator');
      const message = 'Stripe, which handles billing, could not be reached. Nothing was changed.';
      const plansPage = await person.agent.get('/backend/plans');
      expect(plansPage.status).to.equal(502);
      expect(plansPage.text).to.contain(message).and.to.contain('<title>Billing is unavailable for now').and.not.to.contain('Kaltura');
      const preview = await previewChange(person.agent, { kind: 'add', planId: 'smart_15', quantity: '1' });
      expect([preview.status, preview.text.includes(message)]).to.deep.equal([502, true]);
      const json = await person.agent.post('/backend/plans/preview', { kind: 'add', planId: 'smart_15', quantity: '1' }, { accept: 'application/json' });
      expect([json.status, json.json().error.code]).to.deep.equal([502, 'STRIPE_UNREACHABLE']);
      const contact = await person.agent.post('/backend/billing/contact', { name: 'Lycée', email: '', line1: '1 rue', line2: '', postalCode: '75005', city: 'Paris', country: 'FR', purchaseOrder: '' });
      expect([contact.status, contact.text.includes(message)]).to.deep.equal([502, true]);
      const french = await person.agent.get('/backend/plans', { headers: { 'accept-language': 'fr' } });
      expect(french.status).to.equal(502);
      expect(french.text).to.contain('Stripe, qui gère la facturation, est injoignable');
      // Nothing local changed, and the service keeps serving.
      expect(await away.db.selectFrom('billing_account').select('customer_id').where('customer_id', 'is not', null).execute()).to.deep.equal([]);
      expect((await away.db.selectFrom('plan_licences').select('purchased').where('purchased', '>', 0).execute()).length).to.equal(0);
      expect((await person.agent.get('/backend/courses')).status).to.equal(200);
    } finally {
      await away.stop();
    }
  });

  it('says when Stripe is too slow, and changes nothing', async () => {
    const slow = await startBillingServer({ config: { billing: { enabled: true, timeoutMs: 300 } } });
    try {
      const person = await backendPerson(slow, 'administrator');
      let release: () => void = () => {};
      slow.billing!.emulator!.setFault(() => new Promise<void>((resolve) => (release = resolve)));
      const response = await previewChange(person.agent, { kind: 'add', planId: 'smart_15', quantity: '1' });
      release();
      expect(response.status).to.equal(504);
      expect(response.text).to.contain('Stripe did not answer within 0.3 seconds. Nothing was changed.');
      slow.billing!.emulator!.setFault(null);
      expect((await licenceCounts(person.agent)).smart_15!.purchased).to.equal(0);
    } finally {
      await slow.stop();
    }
  });
});
