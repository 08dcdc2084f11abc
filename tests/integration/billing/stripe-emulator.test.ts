/**
 * The Stripe emulator speaks Stripe's wire format to the official stripe
 * package: secret-key auth, Stripe's error types and codes, list objects with
 * has_more and cursors, Idempotency-Key replayed and refused for other
 * parameters, unknown parameters refused by name.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import Stripe from 'stripe';
import type { TestServer } from '../../support/test-server.ts';
import { startBillingServer, stripeFor } from '../../support/billing.ts';

describe('Stripe emulator through the stripe package', () => {
  let server: TestServer;
  let stripe: Stripe;

  before(async () => {
    server = await startBillingServer();
    stripe = stripeFor(server, readFileSync(path.join(server.dataDir, 'secrets', 'stripe-emulator-secret-key'), 'utf8').trim());
  });
  after(() => server.stop());

  it('refuses a wrong secret key as Stripe does (401, StripeAuthenticationError)', async () => {
    const error = await stripeFor(server, 'sk_test_wrong').customers.create({ name: 'X' }).catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(Stripe.errors.StripeAuthenticationError);
    expect((error as Stripe.errors.StripeError).statusCode).to.equal(401);
  });

  it('answers a missing object with resource_missing and its parameter', async () => {
    const error = (await stripe.customers.retrieve('cus_nobody').catch((caught: unknown) => caught)) as Stripe.errors.StripeError;
    expect(error).to.be.instanceOf(Stripe.errors.StripeInvalidRequestError);
    expect([error.statusCode, error.code, error.param]).to.deep.equal([404, 'resource_missing', 'id']);
    // stripe-node puts Stripe's request id (the Request-Id header) before the message.
    expect(error.message).to.match(/^\[req_\w+\] No such customer: 'cus_nobody'$/);
  });

  it('refuses an unknown parameter by name, and a bad country code', async () => {
    const unknown = (await stripe.customers.create({ name: 'X', colour: 'red' } as Stripe.CustomerCreateParams).catch((caught: unknown) => caught)) as Stripe.errors.StripeError;
    expect([unknown.code, unknown.param]).to.deep.equal(['parameter_unknown', 'colour']);
    const country = (await stripe.customers.create({ name: 'X', address: { country: 'France' } }).catch((caught: unknown) => caught)) as Stripe.errors.StripeError;
    expect([country.code, country.param]).to.deep.equal(['country_code_invalid', 'address[country]']);
  });

  it('replays a request sent again with its Idempotency-Key, and refuses the key with other parameters', async () => {
    const first = await stripe.customers.create({ name: 'School A' }, { idempotencyKey: 'key-one' });
    const again = await stripe.customers.create({ name: 'School A' }, { idempotencyKey: 'key-one' });
    expect(again.id).to.equal(first.id);
    const error = await stripe.customers.create({ name: 'School B' }, { idempotencyKey: 'key-one' }).catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(Stripe.errors.StripeIdempotencyError);
  });

  it('lists newest first with has_more and starting_after, and auto-pages', async () => {
    const customer = await stripe.customers.create({ name: 'Lister' });
    const subscription = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: 'price_smart_15_month', quantity: 1 }], collection_method: 'send_invoice', days_until_due: 30 });
    for (const quantity of [2, 3, 4]) await stripe.subscriptions.update(subscription.id, { items: [{ id: subscription.items.data[0]!.id, quantity }], proration_behavior: 'always_invoice' });
    const page = await stripe.invoices.list({ customer: customer.id, limit: 3 });
    expect(page.object).to.equal('list');
    expect([page.data.length, page.has_more]).to.deep.equal([3, true]);
    expect(page.data[0]!.created).to.be.at.least(page.data[2]!.created);
    const rest = await stripe.invoices.list({ customer: customer.id, limit: 3, starting_after: page.data[2]!.id });
    expect([rest.data.length, rest.has_more]).to.deep.equal([1, false]);
    expect(rest.data[0]!.billing_reason).to.equal('subscription_create');
    const all = await stripe.invoices.list({ customer: customer.id, limit: 2 }).autoPagingToArray({ limit: 10 });
    expect(all.map((invoice) => invoice.id)).to.deep.equal([...page.data, ...rest.data].map((invoice) => invoice.id));
    expect(new Set(all.map((invoice) => invoice.number)).size).to.equal(4);
  });

  it('refuses two items of one price and a proration date outside the period', async () => {
    const customer = await stripe.customers.create({ name: 'Strict' });
    const twice = (await stripe.subscriptions.create({ customer: customer.id, items: [{ price: 'price_smart_15_month' }, { price: 'price_smart_15_month' }] }).catch((caught: unknown) => caught)) as Stripe.errors.StripeError;
    expect(twice.type).to.equal('StripeInvalidRequestError');
    const subscription = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: 'price_smart_15_month' }], collection_method: 'send_invoice', days_until_due: 14 });
    const late = (await stripe.invoices.createPreview({ customer: customer.id, subscription: subscription.id, subscription_details: { proration_date: 1 } }).catch((caught: unknown) => caught)) as Stripe.errors.StripeError;
    expect(late.param).to.equal('subscription_details[proration_date]');
  });
});
