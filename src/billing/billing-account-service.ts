/**
 * The organisation's billing account in Stripe: the customer (made on first
 * need), the overview (plans, period, next invoice, card, contact, invoices
 * past due), the invoice history, the billing address and contact, and cards,
 * added on Stripe's hosted Checkout page so that card numbers never pass here.
 */
import type { TFunction } from 'i18next';
import { randomUUID } from 'node:crypto';
import type { BackendActor } from '../backend/backend-access.ts';
import type { PlanCatalogue } from '../courses/plan-catalogue.ts';
import { ConflictError, NotFoundError, ValidationError } from '../lib/errors/app-error.ts';
import type { BillingGateway } from './billing-gateway.ts';
import type { BillingAddress, CardView, CustomerView, InvoiceView, SubscriptionView, TaxIdView } from './billing-records.ts';
import type { TaxIdInput } from './billing-forms.ts';
import type { AuditEntry, BillingStore } from './billing-store.ts';
import type { SubscriptionSync } from './subscription-sync.ts';

export interface BillingOverview {
  subscription: (SubscriptionView & { lines: Array<{ planLabel: string; quantity: number; unitAmount: number | null }> }) | null;
  nextInvoice: { date: number; amount: number; currency: string } | null;
  customer: CustomerView | null;
  cards: CardView[];
  taxIds: TaxIdView[];
  pastDue: InvoiceView[];
  currency: string;
  daysUntilDue: number;
}

export interface ContactInput {
  name: string;
  email: string | null;
  address: BillingAddress;
  purchaseOrder: string | null;
}

export interface BillingAccountDeps {
  gateway: BillingGateway;
  store: BillingStore;
  plans: PlanCatalogue;
  sync: SubscriptionSync;
  currency: string;
  daysUntilDue: number;
  organisationName: string;
  now: () => number;
}

export class BillingAccountService {
  readonly #deps: BillingAccountDeps;
  #creating: Promise<string> | null = null;

  constructor(deps: BillingAccountDeps) {
    this.#deps = deps;
  }

  /** The organisation's Stripe customer, made once: requests that need it meanwhile wait for the same one. */
  async ensureCustomer(_t: TFunction): Promise<{ customerId: string; subscriptionId: string | null }> {
    const existing = await this.#deps.store.account();
    if (existing.customerId) return { customerId: existing.customerId, subscriptionId: existing.subscriptionId };
    this.#creating ??= this.#createCustomer().finally(() => {
      this.#creating = null;
    });
    return { customerId: await this.#creating, subscriptionId: null };
  }

  async #createCustomer(): Promise<string> {
    const customerId = await this.#deps.gateway.createCustomer({ name: this.#deps.organisationName, email: null, organisation: this.#deps.organisationName }, `customer-${randomUUID()}`);
    await this.#deps.store.saveAccount({ customerId }, this.#deps.now());
    return customerId;
  }

  /** With a card on file the subscription charges it; without, invoices are sent and paid by transfer. */
  async collection(customerId: string): Promise<{ payByInvoice: boolean; daysUntilDue: number }> {
    const customer = await this.#deps.gateway.customer(customerId);
    return { payByInvoice: customer.defaultCard === null, daysUntilDue: this.#deps.daysUntilDue };
  }

  async overview(): Promise<BillingOverview> {
    const { gateway, store, sync, plans, currency } = this.#deps;
    const account = await store.account();
    if (!account.customerId) return { subscription: null, nextInvoice: null, customer: null, cards: [], taxIds: [], pastDue: [], currency, daysUntilDue: this.#deps.daysUntilDue };
    const [customer, cards, taxIds, subscription, invoices, prices] = await Promise.all([
      gateway.customer(account.customerId),
      gateway.cards(account.customerId),
      gateway.taxIds(account.customerId),
      account.subscriptionId ? gateway.subscription(account.subscriptionId) : Promise.resolve(null),
      gateway.invoices(account.customerId, null, 20),
      sync.prices(),
    ]);
    const running = subscription && !['canceled', 'incomplete_expired'].includes(subscription.status) ? subscription : null;
    // One set to end has no next invoice.
    const upcoming = running && running.endsAt === null ? await gateway.preview(account.customerId, running.id, [], null) : null;
    const lines = (running?.items ?? []).map((item) => {
      const price = prices.find((candidate) => candidate.priceId === item.priceId);
      return { planLabel: plans.find(price?.planId)?.label ?? item.priceId, quantity: item.quantity, unitAmount: price?.unitAmount ?? null };
    });
    return {
      subscription: running && { ...running, lines },
      nextInvoice: upcoming && { date: upcoming.nextPeriodStart, amount: upcoming.nextPeriod, currency: upcoming.currency },
      customer,
      cards,
      taxIds,
      pastDue: invoices.invoices.filter((invoice) => invoice.pastDue),
      currency,
      daysUntilDue: this.#deps.daysUntilDue,
    };
  }

  /** The Stripe customer's email, which Stripe sends the invoices to; null before there is one. */
  async billingEmail(): Promise<string | null> {
    const account = await this.#deps.store.account();
    return account.customerId ? (await this.#deps.gateway.customer(account.customerId)).email : null;
  }

  async invoices(startingAfter: string | null, limit: number): Promise<{ invoices: InvoiceView[]; hasMore: boolean }> {
    const account = await this.#deps.store.account();
    if (!account.customerId) return { invoices: [], hasMore: false };
    return this.#deps.gateway.invoices(account.customerId, startingAfter, limit);
  }

  async updateContact(actor: BackendActor, input: ContactInput, t: TFunction): Promise<CustomerView> {
    const { customerId } = await this.ensureCustomer(t);
    const customer = await this.#deps.gateway.updateCustomer(customerId, input);
    await this.#audit(actor, 'address.update', { name: input.name, email: input.email, country: input.address.country, city: input.address.city, purchaseOrder: input.purchaseOrder });
    return customer;
  }

  /** A tax id printed on the invoices from now on; Stripe checks its format for the type. */
  async addTaxId(actor: BackendActor, input: TaxIdInput, t: TFunction): Promise<TaxIdView> {
    const { customerId } = await this.ensureCustomer(t);
    const existing = await this.#deps.gateway.taxIds(customerId);
    if (existing.some((taxId) => taxId.type === input.type && taxId.value === input.value)) throw new ValidationError(t('common:errors.fixBelow'), { value: t('billing:taxIds.duplicate') });
    const taxId = await this.#deps.gateway.addTaxId(customerId, input);
    await this.#audit(actor, 'taxId.add', { type: taxId.type, value: taxId.value });
    return taxId;
  }

  async removeTaxId(actor: BackendActor, taxIdId: string, t: TFunction): Promise<void> {
    const account = await this.#deps.store.account();
    const taxId = account.customerId ? (await this.#deps.gateway.taxIds(account.customerId)).find((candidate) => candidate.id === taxIdId) : undefined;
    if (!account.customerId || !taxId) throw new NotFoundError(t('billing:taxIds.notFound'));
    await this.#deps.gateway.removeTaxId(account.customerId, taxId.id);
    await this.#audit(actor, 'taxId.remove', { type: taxId.type, value: taxId.value });
  }

  /** Stripe's hosted page to add a card; it comes back to `returnUrl` with the session id. */
  async startCardSetup(t: TFunction, returnUrl: string, cancelUrl: string): Promise<string> {
    const { customerId } = await this.ensureCustomer(t);
    return this.#deps.gateway.createCardSetup(customerId, `${returnUrl}?session_id={CHECKOUT_SESSION_ID}`, cancelUrl);
  }

  /** Back from Checkout (or told by its webhook): the new card becomes the default and the subscription charges it. */
  async finishCardSetup(actor: BackendActor | null, sessionId: string, t: TFunction): Promise<boolean> {
    const account = await this.#deps.store.account();
    const setup = await this.#deps.gateway.completedCardSetup(sessionId);
    if (!setup || setup.customerId !== account.customerId) return false;
    await this.#adoptCard(actor, setup.paymentMethodId, t);
    return true;
  }

  async makeDefault(actor: BackendActor, paymentMethodId: string, t: TFunction): Promise<void> {
    await this.#ownCard(paymentMethodId, t);
    await this.#adoptCard(actor, paymentMethodId, t);
  }

  async removeCard(actor: BackendActor, paymentMethodId: string, t: TFunction): Promise<void> {
    const card = await this.#ownCard(paymentMethodId, t);
    await this.#deps.gateway.removeCard(paymentMethodId);
    const account = await this.#deps.store.account();
    // Without a default card, the next invoices are sent to be paid by transfer instead of failing to charge.
    if (card.isDefault && account.subscriptionId) {
      await this.#deps.gateway.updateSubscription(account.subscriptionId, [], { prorationDate: null, collection: { payByInvoice: true, daysUntilDue: this.#deps.daysUntilDue } }, `collection-${randomUUID()}`);
    }
    await this.#audit(actor, 'card.remove', { brand: card.brand, last4: card.last4 });
  }

  /** Pays an open invoice of the organisation with the default card now. */
  async payInvoice(actor: BackendActor, invoiceId: string, t: TFunction): Promise<void> {
    const account = await this.#deps.store.account();
    const invoice = await this.#deps.gateway.invoice(invoiceId).catch(() => null);
    if (!invoice || invoice.customerId !== account.customerId) throw new NotFoundError(t('billing:errors.invoiceNotFound'));
    if (invoice.status !== 'open') throw new ConflictError(t('billing:errors.invoiceNotOpen'), { code: 'INVOICE_NOT_OPEN' });
    await this.#deps.gateway.payInvoice(invoiceId);
    await this.#audit(actor, 'invoice.pay', { number: invoice.number, amount: invoice.amountRemaining });
  }

  auditTrail(limit = 30): Promise<AuditEntry[]> {
    return this.#deps.store.auditTrail(limit);
  }

  async #ownCard(paymentMethodId: string, t: TFunction): Promise<CardView> {
    const account = await this.#deps.store.account();
    const card = account.customerId ? (await this.#deps.gateway.cards(account.customerId)).find((candidate) => candidate.id === paymentMethodId) : undefined;
    if (!card) throw new NotFoundError(t('billing:errors.cardNotFound'));
    return card;
  }

  async #adoptCard(actor: BackendActor | null, paymentMethodId: string, t: TFunction): Promise<void> {
    const { customerId, subscriptionId } = await this.ensureCustomer(t);
    const customer = await this.#deps.gateway.customer(customerId);
    if (customer.defaultCard?.id === paymentMethodId) return;
    await this.#deps.gateway.setDefaultCard(customerId, paymentMethodId);
    if (subscriptionId) {
      await this.#deps.gateway.updateSubscription(subscriptionId, [], { prorationDate: null, collection: { payByInvoice: false, daysUntilDue: this.#deps.daysUntilDue } }, `collection-${randomUUID()}`);
    }
    const card = (await this.#deps.gateway.cards(customerId)).find((candidate) => candidate.id === paymentMethodId);
    await this.#audit(actor, 'card.default', { brand: card?.brand, last4: card?.last4 });
  }

  async #audit(actor: BackendActor | null, action: string, detail: Record<string, unknown>): Promise<void> {
    await this.#deps.store.addAudit({ actorId: actor?.userId ?? null, actorName: actor?.name ?? 'Stripe', action, detail, at: this.#deps.now() });
  }
}
