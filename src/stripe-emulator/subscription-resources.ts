/**
 * Subscriptions with items and quantities, changes prorated to the second
 * (Stripe's `proration_behavior` and `proration_date`), and the invoice
 * preview (`POST /v1/invoices/create_preview`) that shows what a change would
 * cost before it is made.
 */
import { StripeApiError } from './stripe-errors.ts';
import { arrayParam, expand, find, integer, newId, objectParam, oneOf, onlyParams, store, text, type StripeObject } from './emulator-state.ts';
import { addInterval, buildInvoice, finalizeInvoice, periodLine, prorationLines, type CycleContext, type LineSpec } from './billing-cycle.ts';
import type { Handler, HandlerContext } from './emulator-router.ts';

const COLLECTION = ['charge_automatically', 'send_invoice'] as const;
const PRORATION = ['create_prorations', 'none', 'always_invoice'] as const;

interface ItemChange {
  item: StripeObject | null;
  price: StripeObject;
  quantity: number;
  deleted: boolean;
}

function quantityOf(raw: Record<string, unknown>, param: string): number {
  if (raw.quantity === undefined) return 1;
  if (typeof raw.quantity !== 'string' || !/^\d+$/.test(raw.quantity)) throw StripeApiError.invalid(`Invalid non-negative integer`, param);
  return Number(raw.quantity);
}

/** items[] as given: new prices, quantities of existing items, items deleted. */
function itemChanges({ state }: HandlerContext, subscription: StripeObject | null, rawItems: unknown[], param: string): ItemChange[] {
  return rawItems.map((raw, index) => {
    if (typeof raw !== 'object' || raw === null) throw StripeApiError.invalid('Invalid hash', `${param}[${index}]`);
    const fields = raw as Record<string, unknown>;
    onlyParams(fields, ['id', 'price', 'quantity', 'deleted', 'metadata']);
    const item = fields.id === undefined ? null : subscription?.items.data.find((candidate: StripeObject) => candidate.id === fields.id) ?? null;
    if (fields.id !== undefined && !item) throw StripeApiError.noSuch('subscription_item', String(fields.id), `${param}[${index}][id]`);
    const priceId = fields.price ?? item?.price.id;
    if (priceId === undefined) throw StripeApiError.missingParam(`${param}[${index}][price]`);
    const price = find(state, 'price', priceId, `${param}[${index}][price]`);
    if (!price.active) throw StripeApiError.invalid(`The price specified is inactive. This field only accepts active prices.`, `${param}[${index}][price]`);
    return { item, price, quantity: quantityOf(fields, `${param}[${index}][quantity]`), deleted: fields.deleted === 'true' };
  });
}

function checkIntervals(changes: ItemChange[], interval: string | null): void {
  const intervals = new Set(changes.filter((change) => !change.deleted).map((change) => change.price.recurring.interval));
  if (interval) intervals.add(interval);
  if (intervals.size > 1) throw StripeApiError.invalid('Currency and interval fields must match across all plans on this subscription.', 'items');
  const prices = changes.filter((change) => !change.deleted && !change.item).map((change) => change.price.id);
  if (new Set(prices).size !== prices.length) throw StripeApiError.invalid('Cannot add multiple subscription items with the same price.', 'items');
}

function newItem(subscriptionId: string, price: StripeObject, quantity: number, period: { start: number; end: number }, created: number): StripeObject {
  return { id: newId('si'), object: 'subscription_item', created, metadata: {}, price, quantity, subscription: subscriptionId, current_period_start: period.start, current_period_end: period.end };
}

function periodOf(subscription: StripeObject): { start: number; end: number } {
  const [first] = subscription.items.data;
  return { start: first.current_period_start, end: first.current_period_end };
}

export const createSubscription: Handler = (context) => {
  const { state, params, cycle } = context;
  onlyParams(params, ['customer', 'items', 'collection_method', 'days_until_due', 'default_payment_method', 'metadata', 'proration_behavior', 'payment_behavior']);
  const customer = find(state, 'customer', text(params, 'customer', { required: true }), 'customer');
  const changes = itemChanges(context, null, arrayParam(params, 'items'), 'items');
  if (changes.length === 0) throw StripeApiError.missingParam('items');
  checkIntervals(changes, null);
  const collection = oneOf(params, 'collection_method', COLLECTION) ?? 'charge_automatically';
  const daysUntilDue = params.days_until_due === undefined ? null : integer(params, 'days_until_due', 0, 730);
  if (collection === 'send_invoice' && daysUntilDue === null) throw StripeApiError.invalid('Missing required param: days_until_due (send_invoice).', 'days_until_due');
  const now = cycle.nowSeconds();
  const interval = changes[0]!.price.recurring.interval;
  const period = { start: now, end: addInterval(now, interval) };
  const id = newId('sub');
  const subscription: StripeObject = {
    id,
    object: 'subscription',
    created: now,
    customer: customer.id,
    status: 'active',
    collection_method: collection,
    days_until_due: daysUntilDue,
    currency: state.currency,
    billing_cycle_anchor: now,
    start_date: now,
    cancel_at_period_end: false,
    cancel_at: null,
    canceled_at: null,
    ended_at: null,
    cancellation_details: { comment: null, feedback: null, reason: null },
    default_payment_method: params.default_payment_method ? find(state, 'payment_method', params.default_payment_method, 'default_payment_method').id : null,
    latest_invoice: null,
    livemode: false,
    metadata: (objectParam(params, 'metadata') as Record<string, string>) ?? {},
    items: { object: 'list', has_more: false, url: `/v1/subscription_items?subscription=${id}`, data: changes.map((change) => newItem(id, change.price, change.quantity, period, now)) },
  };
  store(state, subscription);
  const lines = subscription.items.data.map((item: StripeObject) => periodLine(item.price, item.quantity, period, item.id));
  const invoice = buildInvoice(cycle, { customer, subscription, lines, billingReason: 'subscription_create', collectionMethod: collection, daysUntilDue, period });
  subscription.latest_invoice = invoice.id;
  cycle.emit('customer.subscription.created', subscription);
  finalizeInvoice(cycle, invoice);
  // Stripe's default payment_behavior (allow_incomplete): a first invoice left unpaid leaves the subscription incomplete.
  if (collection === 'charge_automatically' && invoice.status !== 'paid') subscription.status = 'incomplete';
  return expand(state, subscription, params);
};

export const retrieveSubscription: Handler = ({ state, params, path, cycle }) => {
  const subscription = find(state, 'subscription', path.id);
  renewIfDue(cycle, subscription);
  return expand(state, subscription, params);
};

/** Quantities and prices after the change, and the proration lines for it. */
function applyChanges(context: HandlerContext, subscription: StripeObject, changes: ItemChange[], at: number): { items: StripeObject[]; prorations: LineSpec[] } {
  const period = periodOf(subscription);
  checkIntervals(changes, subscription.items.data[0]?.price.recurring.interval ?? null);
  const items: StripeObject[] = structuredClone(subscription.items.data);
  const prorations: LineSpec[] = [];
  for (const change of changes) {
    const existing = change.item ? items.find((item) => item.id === change.item!.id)! : items.find((item) => item.price.id === change.price.id);
    if (!change.item && existing) throw StripeApiError.invalid('Cannot add multiple subscription items with the same price.', 'items');
    const from = existing?.quantity ?? 0;
    const to = change.deleted ? 0 : change.quantity;
    if (existing && existing.price.id !== change.price.id) {
      prorations.push(...prorationLines(existing.price, from, 0, at, period, existing.id), ...prorationLines(change.price, 0, to, at, period, existing.id));
      existing.price = change.price;
    } else if (from !== to) {
      prorations.push(...prorationLines(change.price, from, to, at, period, existing?.id ?? null));
    }
    if (change.deleted) items.splice(items.indexOf(existing!), 1);
    else if (existing) existing.quantity = to;
    else items.push(newItem(subscription.id, change.price, to, period, context.cycle.nowSeconds()));
  }
  if (items.length === 0) throw StripeApiError.invalid('A subscription needs at least one item; cancel it instead.', 'items');
  return { items, prorations };
}

function prorationDate(params: Record<string, unknown>, subscription: StripeObject, now: number, param: string): number {
  if (params.proration_date === undefined) return now;
  const at = integer(params, 'proration_date', 0);
  const period = periodOf(subscription);
  if (at < period.start || at > period.end) throw StripeApiError.invalid('The proration_date must be within the current billing period.', param);
  return at;
}

export const updateSubscription: Handler = (context) => {
  const { state, params, path, cycle } = context;
  onlyParams(params, ['items', 'proration_behavior', 'proration_date', 'collection_method', 'days_until_due', 'default_payment_method', 'metadata', 'payment_behavior', 'cancel_at_period_end']);
  const subscription = find(state, 'subscription', path.id);
  if (subscription.status === 'canceled') throw StripeApiError.invalid('A canceled subscription can only update its cancellation_details and metadata.', undefined, 'resource_missing');
  renewIfDue(cycle, subscription);
  const behaviour = oneOf(params, 'proration_behavior', PRORATION) ?? 'create_prorations';
  const changes = itemChanges(context, subscription, arrayParam(params, 'items'), 'items');
  const { items, prorations } = applyChanges(context, subscription, changes, prorationDate(params, subscription, cycle.nowSeconds(), 'proration_date'));
  const collection = oneOf(params, 'collection_method', COLLECTION);
  if (collection) subscription.collection_method = collection;
  if (params.days_until_due !== undefined) subscription.days_until_due = integer(params, 'days_until_due', 0, 730);
  if (subscription.collection_method === 'send_invoice' && subscription.days_until_due === null) throw StripeApiError.invalid('Missing required param: days_until_due (send_invoice).', 'days_until_due');
  if (subscription.collection_method === 'charge_automatically') subscription.days_until_due = null;
  if (params.default_payment_method !== undefined) subscription.default_payment_method = params.default_payment_method === '' ? null : find(state, 'payment_method', params.default_payment_method, 'default_payment_method').id;
  const metadata = objectParam(params, 'metadata');
  if (metadata) subscription.metadata = { ...subscription.metadata, ...metadata };
  if (params.cancel_at_period_end !== undefined) scheduleCancellation(subscription, booleanParam(params, 'cancel_at_period_end'), cycle.nowSeconds());
  subscription.items.data = items;
  if (behaviour === 'always_invoice' && prorations.length > 0) {
    const customer = state.objects.get(subscription.customer)!;
    const invoice = buildInvoice(cycle, { customer, subscription, lines: prorations, billingReason: 'subscription_update', collectionMethod: subscription.collection_method, daysUntilDue: subscription.days_until_due, period: periodOf(subscription) });
    subscription.latest_invoice = invoice.id;
    cycle.emit('customer.subscription.updated', subscription);
    finalizeInvoice(cycle, invoice);
  } else {
    cycle.emit('customer.subscription.updated', subscription);
  }
  return expand(state, subscription, params);
};

function booleanParam(params: Record<string, unknown>, name: string): boolean {
  if (params[name] !== 'true' && params[name] !== 'false') throw StripeApiError.invalid(`Invalid boolean: ${String(params[name])}`, name);
  return params[name] === 'true';
}

/**
 * `cancel_at_period_end`: true ends the subscription when the period ends (Stripe sets `cancel_at` to
 * that moment and `canceled_at` to the request's); false, before then, takes it back.
 */
function scheduleCancellation(subscription: StripeObject, atPeriodEnd: boolean, now: number): void {
  subscription.cancel_at_period_end = atPeriodEnd;
  subscription.cancel_at = atPeriodEnd ? periodOf(subscription).end : null;
  subscription.canceled_at = atPeriodEnd ? now : null;
  subscription.cancellation_details = { comment: null, feedback: null, reason: atPeriodEnd ? 'cancellation_requested' : null };
}

/**
 * A period that has ended is renewed when the subscription is next read: a new period and its invoice;
 * or, for a subscription set to end then, it ends without a new invoice (`customer.subscription.deleted`).
 */
function renewIfDue(cycle: CycleContext, subscription: StripeObject): void {
  const now = cycle.nowSeconds();
  while (subscription.status !== 'canceled' && periodOf(subscription).end <= now) {
    if (subscription.cancel_at_period_end) {
      Object.assign(subscription, { status: 'canceled', ended_at: periodOf(subscription).end });
      cycle.emit('customer.subscription.deleted', subscription);
      return;
    }
    const start = periodOf(subscription).end;
    const period = { start, end: addInterval(start, subscription.items.data[0].price.recurring.interval) };
    for (const item of subscription.items.data) Object.assign(item, { current_period_start: period.start, current_period_end: period.end });
    const customer = cycle.state.objects.get(subscription.customer)!;
    const lines = subscription.items.data.map((item: StripeObject) => periodLine(item.price, item.quantity, period, item.id));
    const invoice = buildInvoice(cycle, { customer, subscription, lines, billingReason: 'subscription_cycle', collectionMethod: subscription.collection_method, daysUntilDue: subscription.days_until_due, period });
    subscription.latest_invoice = invoice.id;
    finalizeInvoice(cycle, invoice);
    cycle.emit('customer.subscription.updated', subscription);
  }
}

/**
 * The invoice a change would bring, not stored: for a subscription, the proration lines of the change
 * (`parent.subscription_item_details.proration` true) and the next period at the new quantities;
 * for a customer without one, the first period of the items given.
 */
export const previewInvoice: Handler = (context) => {
  const { state, params, cycle } = context;
  onlyParams(params, ['customer', 'subscription', 'subscription_details']);
  const customer = find(state, 'customer', text(params, 'customer', { required: true }), 'customer');
  const details = objectParam(params, 'subscription_details') ?? {};
  onlyParams(details, ['items', 'proration_date', 'proration_behavior']);
  const now = cycle.nowSeconds();
  if (params.subscription === undefined) {
    const changes = itemChanges(context, null, arrayParam(details, 'items'), 'subscription_details[items]');
    if (changes.length === 0) throw StripeApiError.missingParam('subscription_details[items]');
    checkIntervals(changes, null);
    const period = { start: now, end: addInterval(now, changes[0]!.price.recurring.interval) };
    const lines = changes.map((change) => periodLine(change.price, change.quantity, period, null));
    return buildInvoice(cycle, { customer, subscription: null, lines, billingReason: 'upcoming', collectionMethod: 'charge_automatically', daysUntilDue: null, period }, true);
  }
  const subscription = find(state, 'subscription', params.subscription, 'subscription');
  if (subscription.customer !== customer.id) throw StripeApiError.invalid(`The subscription ${subscription.id} does not belong to customer ${customer.id}.`, 'subscription');
  renewIfDue(cycle, subscription);
  // An ended subscription, or one set to end with nothing changed, has no next invoice.
  if (subscription.status === 'canceled' || (subscription.cancel_at_period_end && details.items === undefined)) {
    throw StripeApiError.invalid(`No upcoming invoices for customer: ${customer.id}`, undefined, 'invoice_upcoming_none');
  }
  const changes = itemChanges(context, subscription, arrayParam(details, 'items'), 'subscription_details[items]');
  const at = prorationDate(details, subscription, now, 'subscription_details[proration_date]');
  const { items, prorations } = applyChanges(context, subscription, changes, at);
  const current = periodOf(subscription);
  const next = { start: current.end, end: addInterval(current.end, items[0]!.price.recurring.interval) };
  const behaviour = oneOf(details, 'proration_behavior', PRORATION) ?? 'create_prorations';
  const lines = [...(behaviour === 'none' ? [] : prorations), ...items.map((item) => periodLine(item.price, item.quantity, next, item.id))];
  return buildInvoice(cycle, { customer, subscription, lines, billingReason: 'upcoming', collectionMethod: subscription.collection_method, daysUntilDue: subscription.days_until_due, period: next }, true);
};
