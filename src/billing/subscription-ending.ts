/**
 * Ending the subscription: an administrator sets it to end when the billing
 * period ends (Stripe's cancel_at_period_end, so the period already paid for
 * is kept), after a confirmation naming the courses that become inactive then,
 * and can take it back until that date. When Stripe ends it, its webhook makes
 * the licence counts zero and the courses on those plans inactive.
 */
import { randomUUID } from 'node:crypto';
import type { TFunction } from 'i18next';
import type { BackendActor } from '../backend/backend-access.ts';
import type { PlanCatalogue } from '../courses/plan-catalogue.ts';
import { ConflictError } from '../lib/errors/app-error.ts';
import type { BillingGateway } from './billing-gateway.ts';
import type { SubscriptionView } from './billing-records.ts';
import type { BillingStore } from './billing-store.ts';
import { requireAdministrator } from './plans-service.ts';

export interface EndingPlan {
  subscriptionId: string;
  /** The moment the subscription ends: the end of the current period. */
  endsAt: number;
  /** Already set to end (the confirmation offers to take it back). */
  scheduled: boolean;
  /** Active courses on the subscription's plans, which become inactive when it ends. */
  courses: Array<{ id: string; name: string; planLabel: string }>;
}

export interface SubscriptionEndingDeps {
  gateway: BillingGateway;
  store: BillingStore;
  plans: PlanCatalogue;
  now: () => number;
}

export class SubscriptionEnding {
  readonly #deps: SubscriptionEndingDeps;

  constructor(deps: SubscriptionEndingDeps) {
    this.#deps = deps;
  }

  /** What ending the subscription does, for the confirmation; refused without a running subscription. */
  async plan(actor: BackendActor, t: TFunction): Promise<EndingPlan> {
    requireAdministrator(actor, t);
    const subscription = await this.#running(t);
    const courses = await this.#deps.store.coursesOnPlans(this.#deps.plans.licensed().map((plan) => plan.id));
    return {
      subscriptionId: subscription.id,
      endsAt: subscription.endsAt ?? subscription.periodEnd,
      scheduled: subscription.endsAt !== null,
      courses: courses.map((course) => ({ id: course.id, name: course.name, planLabel: this.#deps.plans.find(course.planId)?.label ?? course.planId })),
    };
  }

  /** Sets the subscription to end when the period ends (`end`), or takes that back. */
  async schedule(actor: BackendActor, end: boolean, t: TFunction): Promise<EndingPlan> {
    const before = await this.plan(actor, t);
    if (before.scheduled === end) return before;
    const subscription = await this.#deps.gateway.endAtPeriodEnd(before.subscriptionId, end, `ending-${randomUUID()}`);
    const endsAt = subscription.endsAt ?? subscription.periodEnd;
    await this.#deps.store.addAudit({
      actorId: actor.userId,
      actorName: actor.name,
      action: end ? 'subscription.end' : 'subscription.resume',
      detail: { endsAt, courses: before.courses.map((course) => course.name) },
      at: this.#deps.now(),
    });
    return { ...before, endsAt, scheduled: end };
  }

  /** Stripe ended the subscription: every course on a licensed plan becomes inactive, as no licence is left. */
  async ended(subscription: SubscriptionView): Promise<void> {
    const { plans, store } = this.#deps;
    const names = await store.deactivateCourses(plans.licensed().map((plan) => plan.id), plans.inactivePlan.id, this.#deps.now());
    await store.addAudit({ actorId: null, actorName: 'Stripe', action: 'subscription.ended', detail: { subscription: subscription.id, courses: names }, at: this.#deps.now() });
  }

  async #running(t: TFunction): Promise<SubscriptionView> {
    const account = await this.#deps.store.account();
    const subscription = account.subscriptionId ? await this.#deps.gateway.subscription(account.subscriptionId) : null;
    if (!subscription || ['canceled', 'incomplete_expired'].includes(subscription.status)) {
      throw new ConflictError(t('billing:errors.noSubscription'), { code: 'NO_SUBSCRIPTION' });
    }
    return subscription;
  }
}
