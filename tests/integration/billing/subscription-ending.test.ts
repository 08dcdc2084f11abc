/**
 * Ending the subscription: the confirmation names the date and the courses
 * that become inactive then, Stripe's subscription is set to end at the
 * period's end (cancel_at_period_end) and can be kept again before then, and
 * when the period ends Stripe's webhook makes the licence counts zero and the
 * courses inactive, without a new invoice. Each step audited.
 */
import { expect } from 'chai';
import { backendPerson, createCourse, type BackendPerson } from '../../support/courses.ts';
import type { TestServer } from '../../support/test-server.ts';
import { changeLicences, dataText, emulatorStripe, licenceCounts, startBillingServer } from '../../support/billing.ts';

const START = Date.UTC(2027, 0, 1);
const DAY = 86_400_000;

describe('Ending the subscription', () => {
  let server: TestServer;
  let admin: BackendPerson;
  let clock = START;
  let courseId: string;

  const stripeSubscription = async () => {
    const stripe = emulatorStripe(server);
    const account = await server.db.selectFrom('billing_account').selectAll().executeTakeFirstOrThrow();
    return stripe.subscriptions.retrieve(account.subscription_id!);
  };
  const audit = async () => (await server.db.selectFrom('billing_audit').select(['action', 'actor_name', 'detail']).orderBy('at').execute()).map((row) => row.action);

  before(async () => {
    server = await startBillingServer({ now: () => clock });
    admin = await backendPerson(server, 'administrator');
  });
  after(() => server.stop());

  it('refuses to end a subscription that does not exist', async () => {
    const refused = await admin.agent.get('/backend/billing/end', { accept: 'application/json' });
    expect([refused.status, refused.json().error.code]).to.deep.equal([409, 'NO_SUBSCRIPTION']);
    expect((await admin.agent.post('/backend/billing/end', {}, { accept: 'application/json' })).status).to.equal(409);
  });

  it('confirms first, naming the date and the courses that become inactive then, in English and French', async () => {
    expect((await changeLicences(admin.agent, { kind: 'add', planId: 'smart_15', quantity: '2' })).status).to.equal(303);
    courseId = await createCourse(admin.agent, { name: 'Physics live', plan: 'smart_15' });
    const billing = await admin.agent.get('/backend/billing');
    expect(billing.text).to.contain('href="/backend/billing/end"');
    const page = await admin.agent.get('/backend/billing/end');
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('The subscription would end on Feb 1, 2027');
    expect(page.text).to.contain('On Feb 1, 2027 this active course becomes inactive');
    expect(dataText(page.text, 'data-ending-courses="1"')).to.equal('Physics live (Smart_15)');
    expect(page.text).to.contain('data-action="end-subscription"');
    const french = await admin.agent.get('/backend/billing/end', { headers: { 'accept-language': 'fr' } });
    expect(french.text).to.contain('ce cours actif devient inactif');
    // Only looking changes nothing.
    expect((await stripeSubscription()).cancel_at_period_end).to.equal(false);
  });

  it('sets the subscription to end at the period end, and takes it back before then', async () => {
    clock = START + 10 * DAY;
    admin = await backendPerson(server, 'administrator');
    const ended = await admin.agent.post('/backend/billing/end', {});
    expect(ended.location).to.equal('/backend/billing?ending=1');
    const subscription = await stripeSubscription();
    expect([subscription.cancel_at_period_end, subscription.cancel_at, subscription.status]).to.deep.equal([true, START / 1000 + 31 * 86_400, 'active']);
    const page = await admin.agent.get('/backend/billing?ending=1');
    expect(dataText(page.text, 'data-subscription-ends')).to.equal('The subscription ends on Feb 1, 2027: courses on its plans become inactive then.');
    expect(page.text).not.to.contain('data-next-invoice');
    expect((await admin.agent.get('/backend/billing/end')).text).to.contain('data-ending-scheduled');

    const kept = await admin.agent.post('/backend/billing/resume', {});
    expect(kept.location).to.equal('/backend/billing?resumed=1');
    expect((await stripeSubscription()).cancel_at_period_end).to.equal(false);
    expect(dataText((await admin.agent.get('/backend/billing')).text, 'data-next-invoice')).to.equal('Next invoice: €30.00 on Feb 1, 2027');
    expect((await admin.agent.post('/backend/billing/end', {})).status).to.equal(303);
    expect(await audit()).to.include.members(['subscription.end', 'subscription.resume']);
  });

  it('ends with the period: the webhook makes the licences zero and the course inactive, and no invoice is made', async () => {
    const invoicesBefore = await server.billing!.emulator!.webhooks.settled().then(() => server.billing!.emulator!.webhooks.deliveries().filter((delivery) => delivery.event.type === 'invoice.finalized').length);
    clock = START + 32 * DAY;
    admin = await backendPerson(server, 'administrator');
    // Stripe ends it at the period's end; the emulator does so when the subscription is next read.
    await admin.agent.get('/backend/billing');
    await server.billing!.emulator!.webhooks.settled();
    const deleted = server.billing!.emulator!.webhooks.deliveries().find((delivery) => delivery.event.type === 'customer.subscription.deleted');
    expect(deleted?.status).to.equal(200);
    expect((await stripeSubscription()).status).to.equal('canceled');
    expect((await licenceCounts(admin.agent)).smart_15).to.deep.equal({ purchased: 0, inUse: 0, free: 0 });
    const course = await server.db.selectFrom('rooms').select('plan_id').where('id', '=', courseId).executeTakeFirstOrThrow();
    expect(course.plan_id).to.equal('inactive');
    expect(server.billing!.emulator!.webhooks.deliveries().filter((delivery) => delivery.event.type === 'invoice.finalized').length).to.equal(invoicesBefore);
    expect(await audit()).to.include('subscription.ended');
    const page = await admin.agent.get('/backend/billing');
    expect(page.text).to.contain('No subscription yet');
    // Buying again starts a new subscription.
    expect((await changeLicences(admin.agent, { kind: 'add', planId: 'smart_15', quantity: '1' })).status).to.equal(303);
    expect((await licenceCounts(admin.agent)).smart_15!.purchased).to.equal(1);
  });

  it('is for administrators only', async () => {
    const instructor = await backendPerson(server, 'instructor');
    expect((await instructor.agent.get('/backend/billing/end')).status).to.equal(403);
    expect((await instructor.agent.post('/backend/billing/end', {})).status).to.equal(403);
  });
});
