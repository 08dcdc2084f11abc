/**
 * The Billing page: the overview (plans, period, next invoice, payment method,
 * contact), invoices with their PDFs, the billing address validated and saved
 * to the Stripe customer (and printed on the next invoice), a card added on the
 * hosted Checkout page (a declined one refused with Stripe's message), and an
 * overdue invoice with its call to action.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { backendPerson, type BackendPerson } from '../../support/courses.ts';
import type { TestServer } from '../../support/test-server.ts';
import type { TestAgent } from '../../support/test-agent.ts';
import { changeLicences, dataText, startBillingServer, stripeFor } from '../../support/billing.ts';

const START = Date.UTC(2027, 3, 1);
const DAY = 86_400_000;

/** Follows the Billing page's "Add a card" to the hosted Checkout page and submits a card there. */
async function addCard(agent: TestAgent, number: string): Promise<{ checkout: string; answer: Awaited<ReturnType<TestAgent['post']>> }> {
  await agent.get('/backend/billing');
  const start = await agent.post('/backend/billing/card');
  expect(start.status, start.text.slice(0, 2000)).to.equal(303);
  const checkout = start.location!;
  expect(checkout).to.match(/^\/stripe-emulator\/checkout\/cs_test_\w+$/);
  expect((await agent.get(checkout)).text).to.contain('Card number');
  const answer = await agent.post(checkout, { cardholder: 'Ada Admin', number, expiry: '12 / 34', cvc: '123' }, { csrf: false });
  return { checkout, answer };
}

describe('Billing overview, invoices, address and cards', () => {
  let server: TestServer;
  let admin: BackendPerson;
  let clock = START;

  before(async () => {
    server = await startBillingServer({ now: () => clock });
    admin = await backendPerson(server, 'administrator');
  });
  after(() => server.stop());

  it('says there is no subscription yet, with the way to Plans', async () => {
    const page = await admin.agent.get('/backend/billing');
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('No subscription yet').and.to.contain('No invoice yet.').and.to.contain('data-no-card');
  });

  it('shows the plans, the period, the next invoice and the invoice with its PDF after a purchase paid by invoice', async () => {
    expect((await changeLicences(admin.agent, { kind: 'add', planId: 'smart_25', quantity: '2' })).status).to.equal(303);
    const page = await admin.agent.get('/backend/billing');
    expect(dataText(page.text, 'data-subscription-lines')).to.equal('2 × Smart_25 (€25.00)');
    expect(page.text).to.contain('Billing period: Apr 1, 2027 to May 1, 2027');
    expect(dataText(page.text, 'data-next-invoice')).to.equal('Next invoice: €50.00 on May 1, 2027');
    expect(page.text).to.contain('data-collection="invoice"');
    expect(dataText(page.text, 'data-invoice-total')).to.equal('€50.00');
    expect(page.text).to.contain('data-invoice-status="open"');
    const pdfUrl = /href="([^"]+)" data-invoice-pdf/.exec(page.text)![1]!;
    const pdf = await fetch(new URL(new URL(pdfUrl).pathname, server.url));
    expect(pdf.headers.get('content-type')).to.equal('application/pdf');
    const text = Buffer.from(await pdf.arrayBuffer()).toString('latin1');
    expect(text.startsWith('%PDF-1.4')).to.equal(true);
    expect(text).to.contain('Total: 50.00 EUR').and.to.contain('%%EOF');
  });

  it('refuses a bad billing address field by field, in French too, and keeps what was typed', async () => {
    const bad = { name: '', email: 'not-an-address', line1: '', line2: '', postalCode: '75;001', city: 'Paris', country: 'XX', purchaseOrder: 'x'.repeat(41) };
    const page = await admin.agent.post('/backend/billing/contact', bad);
    expect(page.status).to.equal(400);
    for (const message of ['This field is required.', 'Enter an email address like name@school.edu.', 'Enter a postcode of letters, digits, spaces and dashes.', 'Choose a country from the list.', 'Keep it under 40 characters.']) expect(page.text).to.contain(message);
    expect(page.text).to.contain('value="not-an-address"');
    const french = await admin.agent.post('/backend/billing/contact', bad, { headers: { 'accept-language': 'fr' } });
    expect(french.text).to.contain('Choisissez un pays dans la liste.');
    const json = await admin.agent.post('/backend/billing/contact', bad, { accept: 'application/json' });
    expect(json.status).to.equal(400);
    expect(json.json().error.fields).to.have.keys('name', 'email', 'line1', 'postalCode', 'country', 'purchaseOrder');
  });

  it('saves the billing address, contact and purchase order to the Stripe customer, printed on the next invoice', async () => {
    const saved = await admin.agent.post('/backend/billing/contact', { name: 'Lycée Victor Hugo', email: 'compta@lycee.example', line1: '12 rue des Écoles', line2: '', postalCode: '75005', city: 'Paris', country: 'fr', purchaseOrder: 'PO-2027-118' });
    expect(saved.status).to.equal(303);
    const stripe = stripeFor(server, readFileSync(path.join(server.dataDir, 'secrets', 'stripe-emulator-secret-key'), 'utf8').trim());
    const account = await server.db.selectFrom('billing_account').selectAll().executeTakeFirstOrThrow();
    const customer = await stripe.customers.retrieve(account.customer_id!);
    expect(customer.deleted).to.equal(undefined);
    if (customer.deleted) return;
    expect(customer.address).to.deep.include({ line1: '12 rue des Écoles', postal_code: '75005', city: 'Paris', country: 'FR' });
    expect(customer.invoice_settings.custom_fields).to.deep.equal([{ name: 'PO number', value: 'PO-2027-118' }]);
    expect((await admin.agent.get('/backend/billing')).text).to.contain('value="PO-2027-118"');
    await changeLicences(admin.agent, { kind: 'add', planId: 'smart_25', quantity: '1' });
    const page = await admin.agent.get('/backend/billing');
    const pdf = Buffer.from(await (await fetch(new URL(new URL(/href="([^"]+)" data-invoice-pdf/.exec(page.text)![1]!).pathname, server.url))).arrayBuffer()).toString('latin1');
    expect(pdf).to.contain('Bill to: Lyc?e Victor Hugo').and.to.contain('PO number: PO-2027-118').and.to.contain('75005, Paris, FR');
  });

  it('refuses a declined card on the hosted page with Stripe\'s message, then saves a good one as the default', async () => {
    const declined = await addCard(admin.agent, '4000 0000 0000 0002');
    expect(declined.answer.status).to.equal(402);
    expect(declined.answer.text).to.contain('Your card was declined.');
    const good = await admin.agent.post(declined.checkout, { cardholder: 'Ada Admin', number: '4242 4242 4242 4242', expiry: '12 / 34', cvc: '123' }, { csrf: false });
    expect(good.status).to.equal(303);
    expect(good.location).to.match(/^\/backend\/billing\/card\/done\?session_id=cs_test_\w+$/);
    const done = await admin.agent.get(good.location!);
    expect(done.location).to.equal('/backend/billing?cardSaved=1');
    const page = await admin.agent.get('/backend/billing');
    expect(page.text).to.contain('visa ending 4242, expires 12/2034').and.to.contain('data-collection="card"');
  });

  it('refuses a return from Checkout that did not complete, and a session that is not one', async () => {
    expect((await admin.agent.get('/backend/billing/card/done?session_id=nonsense')).status).to.equal(404);
    const start = await admin.agent.post('/backend/billing/card');
    const sessionId = start.location!.split('/').pop();
    expect((await admin.agent.get(`/backend/billing/card/done?session_id=${sessionId}`)).status).to.equal(404);
  });

  it('shows an invoice past its due date with a call to action, and pays it with the card', async () => {
    clock = START + 45 * DAY;
    admin = await backendPerson(server, 'administrator');
    const page = await admin.agent.get('/backend/billing');
    expect(page.text).to.contain('Payment overdue');
    const overdue = /data-past-due="(in_\w+)"/.exec(page.text)![1]!;
    const paid = await admin.agent.post(`/backend/billing/invoices/${overdue}/pay`);
    expect(paid.location).to.equal('/backend/billing?invoicePaid=1');
    expect((await admin.agent.get('/backend/billing')).text).not.to.contain(`data-past-due="${overdue}"`);
    expect((await admin.agent.post('/backend/billing/invoices/in_unknown/pay')).status).to.equal(404);
  });
});
