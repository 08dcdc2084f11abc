/**
 * The one place that talks to Stripe, always through the official stripe
 * package over HTTP (to Stripe, or to the built-in emulator). It answers in
 * the module's terms (plans, licences, cards, invoices) and turns Stripe's
 * failures into AppErrors a person can understand: Stripe unreachable or slow,
 * a card declined, a request Stripe refused.
 */
import Stripe from 'stripe';
import { AppError, UpstreamError, ValidationError } from '../lib/errors/app-error.ts';
import { phrase } from '../lib/i18n/phrase.ts';
import { invoiceView, paymentMethodView, subscriptionView, type BillingAddress, type CardView, type CustomerView, type InvoiceView, type PriceView, type SubscriptionView, type TaxIdView } from './billing-records.ts';

export interface ItemChange {
  /** The subscription item to change; absent: a new item of `priceId`. */
  itemId?: string;
  priceId: string;
  /** 0 with an itemId removes the item. */
  quantity: number;
}

export interface PreviewView {
  currency: string;
  /** Charged (or credited, negative) now for the change: the proration lines. */
  now: number;
  /** Each period from the next one on, at the new quantities. */
  nextPeriod: number;
  nextPeriodStart: number;
  lines: Array<{ description: string; amount: number; proration: boolean }>;
}

export interface BillingGateway {
  prices(): Promise<PriceView[]>;
  createCustomer(input: { name: string; email: string | null; organisation: string }, idempotencyKey: string): Promise<string>;
  customer(customerId: string): Promise<CustomerView>;
  updateCustomer(customerId: string, input: { name: string; email: string | null; address: BillingAddress; purchaseOrder: string | null }): Promise<CustomerView>;
  taxIds(customerId: string): Promise<TaxIdView[]>;
  /** Refused with a ValidationError on `value` when Stripe finds the value's format wrong for the type. */
  addTaxId(customerId: string, taxId: { type: string; value: string; example: string }): Promise<TaxIdView>;
  removeTaxId(customerId: string, taxIdId: string): Promise<void>;
  subscription(subscriptionId: string): Promise<SubscriptionView>;
  createSubscription(customerId: string, items: ItemChange[], options: { payByInvoice: boolean; daysUntilDue: number }, idempotencyKey: string): Promise<SubscriptionView>;
  updateSubscription(subscriptionId: string, items: ItemChange[], options: { prorationDate: number | null; collection?: { payByInvoice: boolean; daysUntilDue: number } }, idempotencyKey: string): Promise<SubscriptionView>;
  /** Ends the subscription when its period ends (Stripe's cancel_at_period_end), or, false, keeps it renewing. */
  endAtPeriodEnd(subscriptionId: string, end: boolean, idempotencyKey: string): Promise<SubscriptionView>;
  preview(customerId: string, subscriptionId: string | null, items: ItemChange[], prorationDate: number | null): Promise<PreviewView>;
  invoices(customerId: string, startingAfter: string | null, limit: number): Promise<{ invoices: InvoiceView[]; hasMore: boolean }>;
  invoice(invoiceId: string): Promise<InvoiceView & { customerId: string }>;
  cards(customerId: string): Promise<CardView[]>;
  setDefaultCard(customerId: string, paymentMethodId: string): Promise<void>;
  removeCard(paymentMethodId: string): Promise<void>;
  createCardSetup(customerId: string, successUrl: string, cancelUrl: string): Promise<string>;
  /** The card a completed setup session saved, with its customer; null while the session is not complete. */
  completedCardSetup(sessionId: string): Promise<{ customerId: string; paymentMethodId: string } | null>;
  payInvoice(invoiceId: string): Promise<void>;
  /** A webhook's event, once its signature and timestamp are checked; throws StripeSignatureVerificationError otherwise. */
  verifyEvent(payload: Buffer, signature: string): Stripe.Event;
}

export interface BillingGatewayOptions {
  secretKey: string;
  webhookSecret: string;
  timeoutMs: number;
  interval: 'month' | 'year';
  /** Checkout in setup mode names the currency the card will be charged in. */
  currency: string;
  /** With the emulator: this very service. Unset: Stripe. */
  host?: { host: string; port: number; protocol: 'http' | 'https' };
  /** Seconds a webhook's timestamp may be old (Stripe's default tolerance is 300). */
  toleranceSeconds?: number;
  now?: () => number;
}

const messages = {
  timeout: (ms: number) => phrase('billing:errors.timeout', { count: Math.round(ms / 100) / 10 }),
  unreachable: phrase('billing:errors.unreachable'),
  refused: (message: string) => phrase('billing:errors.refused', { message }),
  retryHelp: phrase('billing:errors.retryHelp'),
  pageTitle: phrase('billing:errors.pageTitle'),
  fixBelow: phrase('common:errors.fixBelow'),
  taxIdInvalid: (example: string) => phrase('billing:taxIds.invalid', { example }),
  cardDeclined: (message: string) => phrase('billing:errors.cardDeclined', { message }),
  cardHelp: phrase('billing:errors.cardHelp'),
};

/** Stripe refused the request as a card problem: the person can fix it with another card. */
export class CardDeclinedError extends AppError {
  constructor(message: string) {
    super(402, messages.cardDeclined(message), { code: 'CARD_DECLINED', help: messages.cardHelp });
  }
}

/** The idempotency key was used before for another request: the change it named has been made already. */
export class AlreadyMadeError extends Error {}

function translateFailure(error: unknown, timeoutMs: number): unknown {
  if (!(error instanceof Stripe.errors.StripeError)) return error;
  if (error instanceof Stripe.errors.StripeIdempotencyError) return new AlreadyMadeError(error.message, { cause: error });
  if (error instanceof Stripe.errors.StripeConnectionError) {
    const timedOut = /timeout|timed out/i.test(error.message);
    return new UpstreamError(timedOut ? messages.timeout(timeoutMs) : messages.unreachable, { help: messages.retryHelp, timeout: timedOut, cause: error, code: timedOut ? 'STRIPE_TIMEOUT' : 'STRIPE_UNREACHABLE', title: messages.pageTitle });
  }
  if (error instanceof Stripe.errors.StripeCardError) return new CardDeclinedError(error.message);
  return new UpstreamError(messages.refused(error.message), { help: messages.retryHelp, cause: error, code: 'STRIPE_REFUSED', title: messages.pageTitle });
}

function taxIdView(taxId: Stripe.TaxId): TaxIdView {
  return { id: taxId.id, type: taxId.type, value: taxId.value, country: taxId.country ?? null };
}

function itemParams(items: ItemChange[]): Stripe.SubscriptionUpdateParams.Item[] {
  return items.map((item) => (item.itemId ? (item.quantity === 0 ? { id: item.itemId, deleted: true } : { id: item.itemId, price: item.priceId, quantity: item.quantity }) : { price: item.priceId, quantity: item.quantity }));
}

function collectionParams(collection: { payByInvoice: boolean; daysUntilDue: number }): Pick<Stripe.SubscriptionUpdateParams, 'collection_method' | 'days_until_due'> {
  return collection.payByInvoice ? { collection_method: 'send_invoice', days_until_due: collection.daysUntilDue } : { collection_method: 'charge_automatically' };
}

export function createBillingGateway(options: BillingGatewayOptions): BillingGateway {
  const stripe = new Stripe(options.secretKey, {
    timeout: options.timeoutMs,
    // Retried requests carry the same idempotency key, so a retry never buys twice.
    maxNetworkRetries: 1,
    ...(options.host && { host: options.host.host, port: options.host.port, protocol: options.host.protocol }),
    appInfo: { name: 'Live Rooms for MediaSpace' },
  });
  const now = options.now ?? Date.now;

  async function call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw translateFailure(error, options.timeoutMs);
    }
  }

  return {
    async prices() {
      const list = await call(() => stripe.prices.list({ active: true, limit: 100 }));
      const suffix = `_${options.interval}`;
      return list.data
        .filter((price) => price.lookup_key?.endsWith(suffix) && price.recurring?.interval === options.interval)
        .map((price) => ({ planId: price.lookup_key!.slice(0, -suffix.length), priceId: price.id, unitAmount: price.unit_amount ?? 0, currency: price.currency, interval: options.interval }));
    },

    async createCustomer({ name, email, organisation }, idempotencyKey) {
      const customer = await call(() => stripe.customers.create({ name, ...(email && { email }), metadata: { organisation } }, { idempotencyKey }));
      return customer.id;
    },

    async customer(customerId) {
      const customer = await call(() => stripe.customers.retrieve(customerId, { expand: ['invoice_settings.default_payment_method'] }));
      if (customer.deleted) throw new UpstreamError(messages.refused('customer deleted'), { help: messages.retryHelp });
      const method = customer.invoice_settings.default_payment_method;
      return {
        id: customer.id,
        name: customer.name ?? '',
        email: customer.email ?? null,
        address: customer.address ? { line1: customer.address.line1 ?? '', line2: customer.address.line2 ?? '', postalCode: customer.address.postal_code ?? '', city: customer.address.city ?? '', country: customer.address.country ?? '' } : null,
        purchaseOrder: customer.invoice_settings.custom_fields?.find((field) => field.name === 'PO number')?.value ?? null,
        defaultCard: method && typeof method === 'object' ? paymentMethodView(method, method.id) : null,
      };
    },

    async updateCustomer(customerId, { name, email, address, purchaseOrder }) {
      await call(() =>
        stripe.customers.update(customerId, {
          name,
          email: email ?? '',
          address: { line1: address.line1, line2: address.line2, postal_code: address.postalCode, city: address.city, country: address.country },
          invoice_settings: { custom_fields: purchaseOrder ? [{ name: 'PO number', value: purchaseOrder }] : '' },
        }),
      );
      return this.customer(customerId);
    },

    async taxIds(customerId) {
      const list = await call(() => stripe.customers.listTaxIds(customerId, { limit: 100 }));
      return list.data.map(taxIdView).reverse();
    },

    async addTaxId(customerId, { type, value, example }) {
      try {
        return taxIdView(await stripe.customers.createTaxId(customerId, { type: type as Stripe.CustomerCreateTaxIdParams.Type, value }));
      } catch (error) {
        if (error instanceof Stripe.errors.StripeInvalidRequestError && error.code === 'tax_id_invalid') throw new ValidationError(messages.fixBelow, { value: messages.taxIdInvalid(example) });
        throw translateFailure(error, options.timeoutMs);
      }
    },

    async removeTaxId(customerId, taxIdId) {
      await call(() => stripe.customers.deleteTaxId(customerId, taxIdId));
    },

    async subscription(subscriptionId) {
      return subscriptionView(await call(() => stripe.subscriptions.retrieve(subscriptionId)));
    },

    async createSubscription(customerId, items, collection, idempotencyKey) {
      const subscription = await call(() => stripe.subscriptions.create({ customer: customerId, items: items.map((item) => ({ price: item.priceId, quantity: item.quantity })), ...collectionParams(collection) }, { idempotencyKey }));
      return subscriptionView(subscription);
    },

    async updateSubscription(subscriptionId, items, { prorationDate, collection }, idempotencyKey) {
      const subscription = await call(() =>
        stripe.subscriptions.update(
          subscriptionId,
          {
            ...(items.length > 0 && { items: itemParams(items) }),
            // The change is invoiced at once (and charged, with a card on file): what the preview called "now".
            proration_behavior: 'always_invoice',
            ...(prorationDate !== null && { proration_date: prorationDate }),
            ...(collection && collectionParams(collection)),
          },
          { idempotencyKey },
        ),
      );
      return subscriptionView(subscription);
    },

    async endAtPeriodEnd(subscriptionId, end, idempotencyKey) {
      return subscriptionView(await call(() => stripe.subscriptions.update(subscriptionId, { cancel_at_period_end: end }, { idempotencyKey })));
    },

    async preview(customerId, subscriptionId, items, prorationDate) {
      const invoice = await call(() =>
        stripe.invoices.createPreview({
          customer: customerId,
          ...(subscriptionId && { subscription: subscriptionId }),
          subscription_details: { items: itemParams(items), ...(prorationDate !== null && subscriptionId && { proration_date: prorationDate }) },
        }),
      );
      const lines = invoice.lines.data.map((line) => ({ description: line.description ?? '', amount: line.amount, proration: line.parent?.subscription_item_details?.proration ?? false }));
      const prorated = lines.filter((line) => line.proration).reduce((sum, line) => sum + line.amount, 0);
      const regular = lines.filter((line) => !line.proration).reduce((sum, line) => sum + line.amount, 0);
      // Without a subscription the first period is what is charged now.
      return { currency: invoice.currency, now: subscriptionId ? prorated : regular, nextPeriod: regular, nextPeriodStart: invoice.period_start, lines };
    },

    async invoices(customerId, startingAfter, limit) {
      const list = await call(() => stripe.invoices.list({ customer: customerId, limit, ...(startingAfter && { starting_after: startingAfter }) }));
      return { invoices: list.data.map((invoice) => invoiceView(invoice, Math.floor(now() / 1000))), hasMore: list.has_more };
    },

    async invoice(invoiceId) {
      const invoice = await call(() => stripe.invoices.retrieve(invoiceId));
      return { ...invoiceView(invoice, Math.floor(now() / 1000)), customerId: typeof invoice.customer === 'string' ? invoice.customer : (invoice.customer?.id ?? '') };
    },

    async cards(customerId) {
      const [customer, list] = await Promise.all([
        call(() => stripe.customers.retrieve(customerId)),
        call(() => stripe.paymentMethods.list({ customer: customerId, type: 'card', limit: 20 })),
      ]);
      const defaultId = customer.deleted ? null : customer.invoice_settings.default_payment_method;
      return list.data.map((method) => paymentMethodView(method, typeof defaultId === 'string' ? defaultId : (defaultId?.id ?? null)));
    },

    async setDefaultCard(customerId, paymentMethodId) {
      await call(() => stripe.customers.update(customerId, { invoice_settings: { default_payment_method: paymentMethodId } }));
    },

    async removeCard(paymentMethodId) {
      await call(() => stripe.paymentMethods.detach(paymentMethodId));
    },

    async createCardSetup(customerId, successUrl, cancelUrl) {
      const session = await call(() => stripe.checkout.sessions.create({ mode: 'setup', customer: customerId, currency: options.currency, success_url: successUrl, cancel_url: cancelUrl }));
      return session.url!;
    },

    async completedCardSetup(sessionId) {
      const session = await call(() => stripe.checkout.sessions.retrieve(sessionId, { expand: ['setup_intent'] }));
      const intent = session.setup_intent;
      if (session.status !== 'complete' || !intent || typeof intent === 'string' || intent.status !== 'succeeded' || !intent.payment_method) return null;
      const paymentMethodId = typeof intent.payment_method === 'string' ? intent.payment_method : intent.payment_method.id;
      return { customerId: typeof session.customer === 'string' ? session.customer : (session.customer?.id ?? ''), paymentMethodId };
    },

    async payInvoice(invoiceId) {
      await call(() => stripe.invoices.pay(invoiceId));
    },

    verifyEvent(payload, signature) {
      // receivedAt is in milliseconds: the service's clock, which tests move.
      return stripe.webhooks.constructEvent(payload, signature, options.webhookSecret, options.toleranceSeconds ?? 300, undefined, now());
    },
  };
}
