/**
 * Stripe's webhooks: signatures checked (forged, missing, stale refused with
 * 400 and nothing changed), each event applied once, local counts set from the
 * subscription as Stripe has it (an event seen twice, or arriving before the
 * API answer that made it, leaves them right).
 */
import { expect } from 'chai';
import { backendPerson, type BackendPerson } from '../../support/courses.ts';
import type { TestServer } from '../../support/test-server.ts';
import { changeLicences, licenceCounts, postWebhook, startBillingServer, stripeEvent, stripeSignature } from '../../support/billing.ts';

describe('billing webhooks', () => {
  let server: TestServer;
  let admin: BackendPerson;
  const clock = Date.UTC(2027, 2, 1);
  const seconds = () => Math.floor(clock / 1000);

  before(async () => {
    server = await startBillingServer({ now: () => clock });
    admin = await backendPerson(server, 'administrator');
    const bought = await changeLicences(admin.agent, { kind: 'add', planId: 'smart_25', quantity: '2' });
    expect(bought.status).to.equal(303);
    await server.billing!.emulator!.webhooks.settled();
  });
  after(() => server.stop());

  async function subscriptionObject() {
    const row = await server.db.selectFrom('billing_account').selectAll().executeTakeFirstOrThrow();
    return { id: row.subscription_id!, object: 'subscription', customer: row.customer_id! };
  }

  it('received every event of the purchase, signed, and answered each 2xx', () => {
    const deliveries = server.billing!.emulator!.webhooks.deliveries();
    expect(deliveries.map((delivery) => delivery.event.type)).to.include.members(['customer.created', 'customer.subscription.created', 'invoice.finalized']);
    expect(deliveries.every((delivery) => delivery.status === 200)).to.equal(true);
  });

  it('applies an event seen twice once: the second delivery is a duplicate and changes nothing', async () => {
    const created = server.billing!.emulator!.webhooks.deliveries().find((delivery) => delivery.event.type === 'customer.subscription.created')!;
    expect(await server.billing!.emulator!.webhooks.resend(created.event.id)).to.equal(200);
    const payload = JSON.stringify({ ...created.event });
    const again = await postWebhook(server, payload, stripeSignature(payload, server.billing!.webhookSecret, seconds()));
    expect(again).to.deep.equal({ status: 200, body: { received: true, outcome: 'duplicate' } });
    expect((await licenceCounts(admin.agent)).smart_25!.purchased).to.equal(2);
  });

  it('sets the counts from Stripe, not from the event: a late event for a changed count restores Stripe\'s', async () => {
    await server.db.updateTable('plan_licences').set({ purchased: 7 }).where('plan_id', '=', 'smart_25').execute();
    const payload = stripeEvent('customer.subscription.updated', { ...(await subscriptionObject()), items: { data: [] } }, seconds());
    const answer = await postWebhook(server, payload, stripeSignature(payload, server.billing!.webhookSecret, seconds()));
    expect(answer.body.outcome).to.equal('applied');
    expect((await licenceCounts(admin.agent)).smart_25!.purchased).to.equal(2);
  });

  it('refuses a forged, a missing and a stale signature with 400, changing nothing', async () => {
    await server.db.updateTable('plan_licences').set({ purchased: 5 }).where('plan_id', '=', 'smart_25').execute();
    const payload = stripeEvent('customer.subscription.updated', await subscriptionObject(), seconds());
    const forged = await postWebhook(server, payload, stripeSignature(payload, 'whsec_not_the_secret', seconds()));
    const missing = await postWebhook(server, payload, null);
    const stale = await postWebhook(server, payload, stripeSignature(payload, server.billing!.webhookSecret, seconds() - 600));
    const tampered = await postWebhook(server, payload.replace('customer.subscription.updated', 'customer.subscription.deleted'), stripeSignature(payload, server.billing!.webhookSecret, seconds()));
    for (const answer of [forged, missing, stale, tampered]) {
      expect(answer.status).to.equal(400);
      expect(answer.body.error.code).to.equal('WEBHOOK_SIGNATURE');
    }
    expect((await licenceCounts(admin.agent)).smart_25!.purchased).to.equal(5);
  });

  it('ignores events about another Stripe customer', async () => {
    const payload = stripeEvent('customer.subscription.updated', { id: 'sub_someone_else', object: 'subscription', customer: 'cus_someone_else' }, seconds());
    const answer = await postWebhook(server, payload, stripeSignature(payload, server.billing!.webhookSecret, seconds()));
    expect(answer.body.outcome).to.equal('ignored');
  });

  it('applies a subscription whose event arrives before the API answer that made it', async () => {
    const other = await startBillingServer();
    try {
      const person = await backendPerson(other, 'administrator');
      const emulator = other.billing!.emulator!;
      // Stripe answers the purchase only once its webhooks have been delivered and applied.
      emulator.holdAnswers(async (request) => {
        if (request === 'POST /subscriptions') await emulator.webhooks.settled();
      });
      const bought = await changeLicences(person.agent, { kind: 'add', planId: 'smart_15', quantity: '3' });
      emulator.holdAnswers(null);
      expect(bought.status).to.equal(303);
      const subscriptionEvent = emulator.webhooks.deliveries().find((delivery) => delivery.event.type === 'customer.subscription.created')!;
      expect(subscriptionEvent.status).to.equal(200);
      expect((await licenceCounts(person.agent)).smart_15!.purchased).to.equal(3);
      const accounts = await other.db.selectFrom('billing_account').selectAll().execute();
      expect(accounts).to.have.length(1);
      expect(accounts[0]!.subscription_id).to.equal(subscriptionEvent.event.data.object.id);
    } finally {
      await other.stop();
    }
  });
});
