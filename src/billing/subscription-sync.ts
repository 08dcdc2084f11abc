/**
 * Local licence counts follow the Stripe subscription: after every change
 * made here (from Stripe's answer) and on every webhook (from the subscription
 * as Stripe has it now). Counts are set, not added to, so applying the same
 * subscription twice changes nothing.
 */
import type { PlanCatalogue } from '../courses/plan-catalogue.ts';
import type { BillingGateway } from './billing-gateway.ts';
import type { PriceView, SubscriptionView } from './billing-records.ts';
import type { BillingStore } from './billing-store.ts';

const ENDED = new Set(['canceled', 'incomplete_expired']);

export class SubscriptionSync {
  readonly #gateway: BillingGateway;
  readonly #store: BillingStore;
  readonly #plans: PlanCatalogue;
  readonly #now: () => number;
  #prices: Promise<PriceView[]> | null = null;

  constructor(deps: { gateway: BillingGateway; store: BillingStore; plans: PlanCatalogue; now: () => number }) {
    this.#gateway = deps.gateway;
    this.#store = deps.store;
    this.#plans = deps.plans;
    this.#now = deps.now;
  }

  /** The catalogue's prices in Stripe (lookup key `<plan>_<interval>`), read once; a failed read is tried again next time. */
  async prices(): Promise<PriceView[]> {
    this.#prices ??= this.#gateway.prices().catch((error: unknown) => {
      this.#prices = null;
      throw error;
    });
    return this.#prices;
  }

  async priceOf(planId: string): Promise<PriceView | null> {
    return (await this.prices()).find((price) => price.planId === planId) ?? null;
  }

  /** Licences per licensed plan in the subscription. */
  async countsOf(subscription: SubscriptionView | null): Promise<Record<string, number>> {
    let prices = await this.prices();
    if (subscription && subscription.items.some((item) => !prices.some((price) => price.priceId === item.priceId))) {
      // A price made in Stripe after start-up (a new period's price): read them again once.
      this.#prices = null;
      prices = await this.prices();
    }
    const counts: Record<string, number> = Object.fromEntries(this.#plans.licensed().map((plan) => [plan.id, 0]));
    if (!subscription || ENDED.has(subscription.status)) return counts;
    for (const item of subscription.items) {
      const planId = prices.find((price) => price.priceId === item.priceId)?.planId;
      if (planId && planId in counts) counts[planId] = (counts[planId] ?? 0) + item.quantity;
    }
    return counts;
  }

  /** Makes the local counts the subscription's; answers the plans whose count changed. */
  async apply(subscription: SubscriptionView, updatedBy: string): Promise<string[]> {
    return this.#store.setPurchased(await this.countsOf(subscription), updatedBy, this.#now());
  }
}

/** One change at a time in this process: each reads the subscription Stripe has after the one before. */
export class Serialised {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(work, work);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
