/**
 * Stripe's webhooks: each event's signature and timestamp checked
 * (`Stripe-Signature`, stripe.webhooks.constructEvent), each event applied
 * once (its id kept), and what it says read again from Stripe rather than
 * from the event, so that events late or out of order leave the counts as
 * Stripe has them now. A subscription event arriving before the API answer
 * that made it is applied all the same.
 */
import type { Logger } from '../lib/logger/logger.ts';
import { AppError } from '../lib/errors/app-error.ts';
import { inEnglish } from '../lib/i18n/i18n.ts';
import type { BillingGateway } from './billing-gateway.ts';
import type { BillingStore } from './billing-store.ts';
import type { BillingAccountService } from './billing-account-service.ts';
import type { SubscriptionSync } from './subscription-sync.ts';
import type { SubscriptionEnding } from './subscription-ending.ts';
import type { BillingContacts } from './billing-contacts.ts';

export type WebhookOutcome = 'applied' | 'duplicate' | 'ignored';

export interface BillingWebhooksDeps {
  gateway: BillingGateway;
  store: BillingStore;
  sync: SubscriptionSync;
  account: BillingAccountService;
  ending: SubscriptionEnding;
  contacts: BillingContacts;
  logger: Logger;
  now: () => number;
}

export class WebhookSignatureError extends AppError {
  constructor() {
    super(400, 'The webhook signature is missing, wrong or too old.', { code: 'WEBHOOK_SIGNATURE' });
  }
}

export class BillingWebhooks {
  readonly #deps: BillingWebhooksDeps;

  constructor(deps: BillingWebhooksDeps) {
    this.#deps = deps;
  }

  async receive(payload: Buffer, signature: string | undefined): Promise<WebhookOutcome> {
    const { gateway, store } = this.#deps;
    let event;
    try {
      if (!signature) throw new Error('no signature');
      event = gateway.verifyEvent(payload, signature);
    } catch (error) {
      this.#deps.logger.warn({ err: error }, 'refused a billing webhook: bad signature');
      throw new WebhookSignatureError();
    }
    if (await store.eventApplied(event.id)) return 'duplicate';
    const applied = await this.#apply(event.type, event.data.object as unknown as Record<string, unknown>);
    // Marked once applied: an event that failed half-way is answered 500 and Stripe sends it again.
    const first = await store.markEventApplied(event.id, event.type, this.#deps.now());
    return !first ? 'duplicate' : applied ? 'applied' : 'ignored';
  }

  async #apply(type: string, object: Record<string, unknown>): Promise<boolean> {
    const account = await this.#deps.store.account();
    if (!account.customerId || object.customer !== account.customerId) return false;
    if (type.startsWith('customer.subscription.')) {
      // Not queued behind a change in progress here: that change may be waiting for Stripe, and Stripe
      // for this answer. Counts are set from Stripe's subscription as read now, so a later event converges.
      const id = String(object.id);
      // Ours, or the first one for our customer (its event came before the API answer that made it).
      if (account.subscriptionId && account.subscriptionId !== id) return false;
      const subscription = await this.#deps.gateway.subscription(id);
      if (!account.subscriptionId) await this.#deps.store.saveAccount({ subscriptionId: id }, this.#deps.now());
      await this.#deps.sync.apply(subscription, 'stripe');
      if (type === 'customer.subscription.deleted' && subscription.status === 'canceled') await this.#deps.ending.ended(subscription);
      return true;
    }
    if (type === 'invoice.paid') {
      // However it was paid (the card on file, the invoice's page, a transfer), administrators see it in the audit.
      const invoice = await this.#deps.gateway.invoice(String(object.id));
      await this.#deps.store.addAudit({ actorId: null, actorName: 'Stripe', action: 'invoice.paid', detail: { number: invoice.number, amount: invoice.total, currency: invoice.currency }, at: this.#deps.now() });
      return true;
    }
    if (type === 'invoice.finalized') {
      await this.#deps.contacts.invoiceFinalized(String(object.id));
      return true;
    }
    if (type === 'checkout.session.completed' && object.mode === 'setup') {
      return this.#deps.account.finishCardSetup(null, String(object.id), inEnglish());
    }
    return false;
  }
}
