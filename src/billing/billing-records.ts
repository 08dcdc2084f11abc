/** Stripe's objects as the billing pages need them: plain views, amounts in minor units, times in seconds. */
import type Stripe from 'stripe';

export interface PriceView {
  planId: string;
  priceId: string;
  unitAmount: number;
  currency: string;
  interval: 'month' | 'year';
}

export interface BillingAddress {
  line1: string;
  line2: string;
  postalCode: string;
  city: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
}

export interface CardView {
  id: string;
  brand: string;
  last4: string;
  expMonth: number;
  expYear: number;
  isDefault: boolean;
}

export interface CustomerView {
  id: string;
  name: string;
  email: string | null;
  address: BillingAddress | null;
  purchaseOrder: string | null;
  defaultCard: CardView | null;
}

export interface TaxIdView {
  id: string;
  /** Stripe's tax id type: eu_vat, gb_vat, us_ein… */
  type: string;
  value: string;
  country: string | null;
}

export interface SubscriptionItemView {
  itemId: string;
  priceId: string;
  quantity: number;
}

export interface SubscriptionView {
  id: string;
  status: Stripe.Subscription.Status;
  payByInvoice: boolean;
  periodStart: number;
  periodEnd: number;
  /** When a subscription set to end at the period's end (cancel_at_period_end) ends; null: it renews. */
  endsAt: number | null;
  items: SubscriptionItemView[];
}

export interface InvoiceView {
  id: string;
  number: string | null;
  created: number;
  periodStart: number;
  periodEnd: number;
  dueDate: number | null;
  currency: string;
  total: number;
  tax: number;
  amountRemaining: number;
  status: Stripe.Invoice.Status | null;
  pastDue: boolean;
  pdfUrl: string | null;
  hostedUrl: string | null;
  chargedAutomatically: boolean;
}

export function subscriptionView(subscription: Stripe.Subscription): SubscriptionView {
  const [first] = subscription.items.data;
  return {
    id: subscription.id,
    status: subscription.status,
    payByInvoice: subscription.collection_method === 'send_invoice',
    periodStart: first?.current_period_start ?? 0,
    periodEnd: first?.current_period_end ?? 0,
    endsAt: subscription.cancel_at_period_end ? (subscription.cancel_at ?? first?.current_period_end ?? 0) : null,
    items: subscription.items.data.map((item) => ({ itemId: item.id, priceId: item.price.id, quantity: item.quantity ?? 0 })),
  };
}

/** `nowSeconds`: the service's clock, which says whether an invoice is past its due date. */
export function invoiceView(invoice: Stripe.Invoice, nowSeconds: number): InvoiceView {
  return {
    id: invoice.id!,
    number: invoice.number,
    created: invoice.created,
    periodStart: invoice.period_start,
    periodEnd: invoice.period_end,
    dueDate: invoice.due_date ?? null,
    currency: invoice.currency,
    total: invoice.total,
    tax: (invoice.total_taxes ?? []).reduce((sum, tax) => sum + tax.amount, 0),
    amountRemaining: invoice.amount_remaining,
    status: invoice.status,
    pastDue: invoice.status === 'open' && (invoice.collection_method === 'charge_automatically' ? invoice.attempt_count > 0 : (invoice.due_date ?? Infinity) < nowSeconds),
    pdfUrl: invoice.invoice_pdf ?? null,
    hostedUrl: invoice.hosted_invoice_url ?? null,
    chargedAutomatically: invoice.collection_method === 'charge_automatically',
  };
}

export function paymentMethodView(method: Stripe.PaymentMethod, defaultId: string | null): CardView {
  return { id: method.id, brand: method.card?.brand ?? 'card', last4: method.card?.last4 ?? '', expMonth: method.card?.exp_month ?? 0, expYear: method.card?.exp_year ?? 0, isDefault: method.id === defaultId };
}
