/**
 * Paying an invoice on Stripe's hosted invoice page with a card typed there
 * (the emulator's page): Stripe's test cards, a declined one refused with
 * Stripe's message and the invoice left open, a good one paying it; then the
 * invoice.paid webhook reaches the service, which audits it, and the Billing
 * page shows the invoice paid. The card is not saved to the customer.
 */
import { expect } from 'chai';
import { backendPerson, type BackendPerson } from '../../support/courses.ts';
import type { TestServer } from '../../support/test-server.ts';
import { changeLicences, emulatorStripe, startBillingServer } from '../../support/billing.ts';

describe('Paying an invoice by card on its hosted page', () => {
  let server: TestServer;
  let admin: BackendPerson;
  let invoiceId: string;
  let hostedPath: string;

  const pay = (number: string, extra: Record<string, string> = {}) => admin.agent.post(`${hostedPath}/pay`, { cardholder: 'Ada Admin', number, expiry: '12 / 34', cvc: '123', ...extra }, { csrf: false });
  const deliveries = async (type: string) => {
    await server.billing!.emulator!.webhooks.settled();
    return server.billing!.emulator!.webhooks.deliveries().filter((delivery) => delivery.event.type === type && delivery.event.data.object.id === invoiceId);
  };

  before(async () => {
    server = await startBillingServer({ now: () => Date.UTC(2027, 4, 3) });
    admin = await backendPerson(server, 'administrator');
    // No card on file: the invoice is sent, to be paid by transfer or on its page.
    expect((await changeLicences(admin.agent, { kind: 'add', planId: 'smart_25', quantity: '2' })).status).to.equal(303);
    const page = await admin.agent.get('/backend/billing');
    invoiceId = /data-invoice="(in_\w+)"/.exec(page.text)![1]!;
    expect(page.text).to.contain('data-invoice-status="open"');
    hostedPath = new URL(/<a href="([^"]+)" rel="noopener" target="_blank">View<\/a>/.exec(page.text)![1]!).pathname;
    expect(hostedPath).to.equal(`/stripe-emulator/invoices/${invoiceId}`);
  });
  after(() => server.stop());

  it('offers a card form for the amount due while the invoice is open', async () => {
    const page = await admin.agent.get(hostedPath);
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('<h2>Pay 50.00 EUR</h2>').and.to.contain(`action="/stripe-emulator/invoices/${invoiceId}/pay"`).and.to.contain('Card number');
  });

  it('refuses a declined card with Stripe\'s message, an incomplete one, and a card declined when charged; the invoice stays open', async () => {
    const declined = await pay('4000 0000 0000 0002');
    expect(declined.status).to.equal(402);
    expect(declined.text).to.contain('Your card was declined.').and.to.contain('value="4000 0000 0000 0002"');
    expect((await pay('4000 0000 0000 9995')).text).to.contain('Your card has insufficient funds.');
    expect((await pay('4000 0000 0000 0341')).text).to.contain('Your card was declined.');
    expect((await pay('4242')).text).to.contain('Your card number is incomplete.');
    expect((await pay('4242 4242 4242 4242', { expiry: '01 / 20' })).text).to.contain("Your card&#39;s expiration date is incomplete or in the past.");
    const invoice = await emulatorStripe(server).invoices.retrieve(invoiceId);
    expect([invoice.status, invoice.amount_paid, invoice.attempt_count]).to.deep.equal(['open', 0, 3]);
    expect((await deliveries('invoice.payment_failed')).length).to.equal(3);
    expect((await admin.agent.get('/backend/billing')).text).to.contain('data-invoice-status="open"');
  });

  it('pays it with a good card: the invoice is paid, its webhook arrives and is audited, and the Billing page shows it paid', async () => {
    const paid = await pay('4242 4242 4242 4242');
    expect(paid.status).to.equal(303);
    expect(paid.location).to.equal(hostedPath);
    expect((await admin.agent.get(hostedPath)).text).to.contain('data-status="paid">Invoice paid');
    const invoice = await emulatorStripe(server).invoices.retrieve(invoiceId);
    expect([invoice.status, invoice.amount_paid, invoice.amount_remaining]).to.deep.equal(['paid', 5000, 0]);
    const [delivery] = await deliveries('invoice.paid');
    expect(delivery?.status).to.equal(200);
    const audit = await server.db.selectFrom('billing_audit').select(['actor_name', 'detail']).where('action', '=', 'invoice.paid').execute();
    expect(audit.map((row) => [row.actor_name, JSON.parse(row.detail).amount])).to.deep.equal([['Stripe', 5000]]);
    const page = await admin.agent.get('/backend/billing');
    expect(page.text).to.contain(`<tr data-invoice="${invoiceId}">`).and.to.contain('data-invoice-status="paid"').and.not.to.contain('data-invoice-status="open"');
    // The card paid this invoice only: nothing is saved to the customer.
    expect(page.text).to.contain('data-no-card');
  });

  it('refuses to pay an invoice twice, and one that does not exist', async () => {
    const again = await pay('4242 4242 4242 4242');
    expect(again.status).to.equal(409);
    expect(again.text).to.contain('Invoice paid');
    expect((await admin.agent.post('/stripe-emulator/invoices/in_nothing/pay', { number: '4242424242424242' }, { csrf: false })).status).to.equal(404);
  });
});
