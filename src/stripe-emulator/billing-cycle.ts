/**
 * How Stripe Billing counts money: billing periods by calendar month or year,
 * proration to the second (unused time credited, remaining time charged, each
 * line rounded to the minor unit), invoices made from lines, finalised with a
 * number, and paid by the default card or left open for a bank transfer.
 */
import { newId, store, type EmulatorState, type StripeObject } from './emulator-state.ts';
import { taxIdsOf } from './tax-id-resources.ts';
import type { TestCard } from './test-cards.ts';

export interface CycleContext {
  state: EmulatorState;
  nowSeconds: () => number;
  /** Where the emulator's hosted pages are (invoice page and PDF). */
  pagesUrl: string;
  emit: (type: string, object: StripeObject) => void;
}

/** The same day of the next month (or year), the last day of a shorter month, in UTC. */
export function addInterval(seconds: number, interval: 'month' | 'year', count = 1): number {
  const date = new Date(seconds * 1000);
  const months = interval === 'year' ? 12 * count : count;
  const target = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + months, 1, date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(date.getUTCDate(), lastDay));
  return Math.floor(target.getTime() / 1000);
}

export interface LineSpec {
  price: StripeObject;
  quantity: number;
  amount: number;
  description: string;
  period: { start: number; end: number };
  proration: boolean;
  subscriptionItem: string | null;
}

/** One period of an item at full price. */
export function periodLine(price: StripeObject, quantity: number, period: { start: number; end: number }, subscriptionItem: string | null): LineSpec {
  return { price, quantity, amount: price.unit_amount * quantity, description: `${quantity} × ${price.nickname} (at ${formatAmount(price.unit_amount, price.currency)} / ${price.recurring.interval})`, period, proration: false, subscriptionItem };
}

/**
 * A quantity change at `at` within the period: the old quantity's unused time credited, the new
 * quantity's remaining time charged; an item added has no credit, an item removed no charge.
 */
export function prorationLines(price: StripeObject, from: number, to: number, at: number, period: { start: number; end: number }, subscriptionItem: string | null): LineSpec[] {
  const share = Math.max(0, period.end - at) / (period.end - period.start);
  const when = new Date(at * 1000).toISOString().slice(0, 10);
  const lines: LineSpec[] = [];
  if (from > 0) lines.push({ price, quantity: from, amount: -Math.round(from * price.unit_amount * share), description: `Unused time on ${from} × ${price.nickname} after ${when}`, period: { start: at, end: period.end }, proration: true, subscriptionItem });
  if (to > 0) lines.push({ price, quantity: to, amount: Math.round(to * price.unit_amount * share), description: `Remaining time on ${to} × ${price.nickname} after ${when}`, period: { start: at, end: period.end }, proration: true, subscriptionItem });
  return lines;
}

export interface InvoiceSpec {
  customer: StripeObject;
  subscription: StripeObject | null;
  lines: LineSpec[];
  billingReason: string;
  collectionMethod: 'charge_automatically' | 'send_invoice';
  daysUntilDue: number | null;
  period: { start: number; end: number };
}

/** An invoice as Stripe shows it; `preview` makes an unnumbered draft that is not stored. */
export function buildInvoice(context: CycleContext, spec: InvoiceSpec, preview = false): StripeObject {
  const { state, nowSeconds } = context;
  const now = nowSeconds();
  const id = preview ? `upcoming_${newId('in')}` : newId('in');
  const subtotal = spec.lines.reduce((sum, line) => sum + line.amount, 0);
  const customer = spec.customer;
  return {
    id,
    object: 'invoice',
    customer: customer.id,
    customer_name: customer.name ?? null,
    customer_email: customer.email ?? null,
    customer_address: customer.address ?? null,
    customer_tax_ids: taxIdsOf(state, customer.id).map((tax) => ({ type: tax.type, value: tax.value })),
    custom_fields: customer.invoice_settings?.custom_fields ?? null,
    number: null,
    status: 'draft',
    collection_method: spec.collectionMethod,
    currency: state.currency,
    created: now,
    period_start: spec.period.start,
    period_end: spec.period.end,
    billing_reason: spec.billingReason,
    subtotal,
    total: subtotal,
    total_taxes: [],
    amount_due: Math.max(0, subtotal),
    amount_paid: 0,
    amount_remaining: Math.max(0, subtotal),
    starting_balance: 0,
    due_date: spec.collectionMethod === 'send_invoice' ? now + (spec.daysUntilDue ?? 30) * 86_400 : null,
    attempt_count: 0,
    attempted: false,
    hosted_invoice_url: null,
    invoice_pdf: null,
    livemode: false,
    parent: spec.subscription ? { type: 'subscription_details', quote_details: null, subscription_details: { subscription: spec.subscription.id, metadata: spec.subscription.metadata ?? {} } } : null,
    status_transitions: { finalized_at: null, paid_at: null, voided_at: null, marked_uncollectible_at: null },
    lines: {
      object: 'list',
      has_more: false,
      url: `/v1/invoices/${id}/lines`,
      data: spec.lines.map((line) => ({
        id: newId('il'),
        object: 'line_item',
        amount: line.amount,
        currency: state.currency,
        description: line.description,
        quantity: line.quantity,
        period: line.period,
        invoice: id,
        parent: {
          type: 'subscription_item_details',
          invoice_item_details: null,
          subscription_item_details: { subscription: spec.subscription?.id ?? null, subscription_item: line.subscriptionItem, proration: line.proration, invoice_item: null, proration_details: { credited_items: null } },
        },
        pricing: { type: 'price_details', price_details: { price: line.price.id, product: line.price.product }, unit_amount_decimal: String(line.price.unit_amount) },
      })),
    },
  };
}

/** Numbers and stores the invoice, then charges the default card (charge_automatically) or leaves it open until its due date. */
export function finalizeInvoice(context: CycleContext, invoice: StripeObject): StripeObject {
  const { state, nowSeconds, pagesUrl } = context;
  const sequence = (state.invoiceSequence.get(invoice.customer) ?? 0) + 1;
  state.invoiceSequence.set(invoice.customer, sequence);
  const customer = state.objects.get(invoice.customer)!;
  Object.assign(invoice, {
    number: `${customer.invoice_prefix}-${String(sequence).padStart(4, '0')}`,
    status: 'open',
    hosted_invoice_url: `${pagesUrl}/invoices/${invoice.id}`,
    invoice_pdf: `${pagesUrl}/invoices/${invoice.id}/pdf`,
  });
  invoice.status_transitions.finalized_at = nowSeconds();
  store(state, invoice);
  context.emit('invoice.finalized', invoice);
  if (invoice.amount_due === 0) markPaid(context, invoice);
  else if (invoice.collection_method === 'charge_automatically') chargeInvoice(context, invoice);
  return invoice;
}

/** One attempt with the subscription's, else the customer's default card; true when paid. */
export function chargeInvoice(context: CycleContext, invoice: StripeObject, paymentMethodId?: string): boolean {
  const { state } = context;
  const customer = state.objects.get(invoice.customer)!;
  const subscriptionId = invoice.parent?.subscription_details?.subscription;
  const subscription = subscriptionId ? state.objects.get(subscriptionId) : undefined;
  const methodId = paymentMethodId ?? subscription?.default_payment_method ?? customer.invoice_settings.default_payment_method;
  const method = methodId ? state.objects.get(methodId) : undefined;
  invoice.attempt_count += 1;
  invoice.attempted = true;
  if (method && method.customer === customer.id && !state.cards.get(method.id)?.declinesCharges) {
    markPaid(context, invoice);
    return true;
  }
  context.emit('invoice.payment_failed', invoice);
  if (subscription && subscription.status === 'active') {
    subscription.status = 'past_due';
    context.emit('customer.subscription.updated', subscription);
  }
  return false;
}

export interface EnteredTestCard {
  card: TestCard;
  number: string;
  expiry: { month: number; year: number };
  name: string | null;
}

/** A card payment method made from a test card typed on a hosted page; `customer` null: not saved to anyone. */
export function storeCardMethod(context: CycleContext, { card, number, expiry, name }: EnteredTestCard, customer: string | null): StripeObject {
  const method = store(context.state, {
    id: newId('pm'),
    object: 'payment_method',
    created: context.nowSeconds(),
    type: 'card',
    customer,
    billing_details: { name, email: null, phone: null, address: null },
    card: { brand: card.brand, funding: card.funding, last4: number.slice(-4), exp_month: expiry.month, exp_year: expiry.year, country: 'US' },
    livemode: false,
  });
  context.state.cards.set(method.id, card);
  return method;
}

/** A card typed on the invoice's page pays it once: a payment method of no customer, the invoice paid. */
export function payWithCard(context: CycleContext, invoice: StripeObject, entered: EnteredTestCard): void {
  storeCardMethod(context, entered, null);
  invoice.attempt_count += 1;
  invoice.attempted = true;
  markPaid(context, invoice);
}

/** A declined attempt on the invoice's page: counted, announced, the invoice still open. */
export function recordFailedPayment(context: CycleContext, invoice: StripeObject): void {
  invoice.attempt_count += 1;
  invoice.attempted = true;
  context.emit('invoice.payment_failed', invoice);
}

function markPaid(context: CycleContext, invoice: StripeObject): void {
  Object.assign(invoice, { status: 'paid', amount_paid: invoice.amount_due, amount_remaining: 0 });
  invoice.status_transitions.paid_at = context.nowSeconds();
  context.emit('invoice.paid', invoice);
  const subscriptionId = invoice.parent?.subscription_details?.subscription;
  const subscription = subscriptionId ? context.state.objects.get(subscriptionId) : undefined;
  const stillOpen = subscription && [...context.state.objects.values()].some((other) => other.object === 'invoice' && other.status === 'open' && other.collection_method === 'charge_automatically' && other.parent?.subscription_details?.subscription === subscription.id);
  if (subscription && subscription.status === 'past_due' && !stillOpen) {
    subscription.status = 'active';
    context.emit('customer.subscription.updated', subscription);
  }
}

export function formatAmount(minor: number, currency: string): string {
  return `${(minor / 100).toFixed(2)} ${currency.toUpperCase()}`;
}
