/**
 * Billing contacts beyond Stripe's one customer email: addresses added and
 * removed on the Billing page (validated, no duplicates, ten at most,
 * audited), each mailed the invoice's page and PDF by the service when
 * Stripe's invoice.finalized webhook arrives, once per event, in the language
 * of the administrator who added it.
 */
import { expect } from 'chai';
import { backendPerson, type BackendPerson } from '../../support/courses.ts';
import { MailCatcher } from '../../support/mail-catcher.ts';
import type { TestServer } from '../../support/test-server.ts';
import { changeLicences, startBillingServer } from '../../support/billing.ts';

describe('Billing contacts who receive the invoices', () => {
  let server: TestServer;
  let mail: MailCatcher;
  let admin: BackendPerson;

  const contactIds = async () => Object.fromEntries((await server.db.selectFrom('billing_contacts').select(['id', 'email']).execute()).map((row) => [row.email, row.id]));

  before(async () => {
    mail = await MailCatcher.start();
    server = await startBillingServer({ now: () => Date.UTC(2027, 3, 1), config: { billing: { enabled: true, timeoutMs: 5000 }, mail: { smtpUrl: mail.smtpUrl } } });
    admin = await backendPerson(server, 'administrator');
    const saved = await admin.agent.post('/backend/billing/contact', { name: 'Lycée Victor Hugo', email: 'compta@lycee.example', line1: '12 rue des Écoles', line2: '', postalCode: '75005', city: 'Paris', country: 'FR', purchaseOrder: '' });
    expect(saved.status).to.equal(303);
  });
  after(async () => {
    await server.stop();
    await mail.stop();
  });

  it('refuses an address that is not one, and the billing email itself, beside the field', async () => {
    const bad = await admin.agent.post('/backend/billing/contacts', { contactEmail: 'not-an-address' });
    expect(bad.status).to.equal(400);
    expect(bad.text).to.contain('id="contact-extra-email-error"').and.to.contain('Enter an email address like name@school.edu.').and.to.contain('value="not-an-address"');
    const primary = await admin.agent.post('/backend/billing/contacts', { contactEmail: ' Compta@Lycee.example ' }, { headers: { 'accept-language': 'fr' } });
    expect([primary.status, primary.text.includes('Cette adresse reçoit déjà les factures.')]).to.deep.equal([400, true]);
    const json = await admin.agent.post('/backend/billing/contacts', { contactEmail: '' }, { accept: 'application/json' });
    expect([json.status, Object.keys(json.json().error.fields)]).to.deep.equal([400, ['contactEmail']]);
    expect(await contactIds()).to.deep.equal({});
  });

  it('adds addresses, each mailed the invoice links when Stripe finalises an invoice, in the language of whoever added it, once per event', async () => {
    expect((await admin.agent.post('/backend/billing/contacts', { contactEmail: 'Office@Lycee.example' })).location).to.equal('/backend/billing?contactAdded=1');
    expect((await admin.agent.post('/backend/billing/contacts', { contactEmail: 'proviseur@lycee.example' }, { headers: { 'accept-language': 'fr' } })).status).to.equal(303);
    expect((await admin.agent.post('/backend/billing/contacts', { contactEmail: 'office@lycee.example' })).text).to.contain('This address already receives the invoices.');
    const page = await admin.agent.get('/backend/billing');
    expect(page.text).to.contain('Billing email: compta@lycee.example').and.to.contain('<span data-contact-email>office@lycee.example</span>').and.to.contain('<span data-contact-email>proviseur@lycee.example</span>');

    const [english, french] = await Promise.all([mail.next('office@lycee.example'), mail.next('proviseur@lycee.example'), changeLicences(admin.agent, { kind: 'add', planId: 'smart_25', quantity: '1' })]);
    expect(english.subject).to.match(/^Invoice [A-Z0-9]+-0001 from .+'s Live Rooms subscription$/);
    expect(english.text).to.contain('€25.00 is due by May 1, 2027.').and.to.match(/\/stripe-emulator\/invoices\/in_\w+\n/).and.to.match(/\/stripe-emulator\/invoices\/in_\w+\/pdf/);
    expect(english.html).to.contain('View and pay the invoice');
    expect(french.subject).to.match(/^Facture [A-Z0-9]+-0001 de l'abonnement Live Rooms de /);
    expect(french.text).to.contain('25,00').and.to.contain('à régler avant le 1 mai 2027');

    // Stripe sends the same event again: it is applied once, so no second mail.
    const emulator = server.billing!.emulator!;
    await emulator.webhooks.settled();
    const finalized = emulator.webhooks.deliveries().find((delivery) => delivery.event.type === 'invoice.finalized')!;
    const received = mail.received.length;
    expect(await emulator.webhooks.resend(finalized.event.id)).to.equal(200);
    expect(mail.received.length).to.equal(received);
  });

  it('removes an address: it receives no further invoice, and both changes are audited', async () => {
    const { 'office@lycee.example': office } = await contactIds();
    expect((await admin.agent.post(`/backend/billing/contacts/${office}/remove`, {})).location).to.equal('/backend/billing?contactRemoved=1');
    expect((await admin.agent.post(`/backend/billing/contacts/${office}/remove`, {})).status).to.equal(404);
    expect((await admin.agent.post('/backend/billing/contacts/nonsense/remove', {})).status).to.equal(404);
    const before = mail.received.length;
    const [french] = await Promise.all([mail.next('proviseur@lycee.example'), changeLicences(admin.agent, { kind: 'add', planId: 'smart_25', quantity: '1' })]);
    expect(french.subject).to.contain('-0002');
    await server.billing!.emulator!.webhooks.settled();
    // Mails not waited for stay in `received`: none went to the removed address.
    expect(mail.received.slice(before).map((caught) => caught.to)).to.deep.equal([]);
    const audit = (await server.db.selectFrom('billing_audit').select(['action', 'detail']).where('action', 'like', 'contact.%').orderBy('at').execute()).map((row) => [row.action, JSON.parse(row.detail).email]);
    expect(audit).to.deep.include.members([['contact.add', 'office@lycee.example'], ['contact.add', 'proviseur@lycee.example'], ['contact.remove', 'office@lycee.example']]);
  });

  it('keeps ten addresses at most', async () => {
    for (let index = (await server.db.selectFrom('billing_contacts').select('id').execute()).length; index < 10; index += 1) {
      expect((await admin.agent.post('/backend/billing/contacts', { contactEmail: `office${index}@lycee.example` })).status).to.equal(303);
    }
    const refused = await admin.agent.post('/backend/billing/contacts', { contactEmail: 'one-more@lycee.example' });
    expect([refused.status, refused.text.includes('You can add up to 10 addresses. Remove one first.')]).to.deep.equal([400, true]);
    expect(Object.keys(await contactIds())).to.have.length(10);
  });
});
