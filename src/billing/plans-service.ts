/**
 * Plans: the catalogue with what each plan includes and costs, the
 * organisation's licences per plan (purchased, in use, free), recording hours,
 * and changes to the licences through Stripe: add, move to another plan,
 * remove, each previewed first (what it costs now, prorated, and from the next
 * period) and refused while active courses would be left without a licence.
 */
import { randomUUID } from 'node:crypto';
import type { TFunction } from 'i18next';
import type { BackendActor } from '../backend/backend-access.ts';
import type { CourseService, LicenceView } from '../courses/course-service.ts';
import type { Plan, PlanCatalogue } from '../courses/plan-catalogue.ts';
import type { RecordingQuota } from '../recordings/recording-quota.ts';
import { ConflictError, ForbiddenError, ValidationError } from '../lib/errors/app-error.ts';
import { AlreadyMadeError, type BillingGateway, type ItemChange, type PreviewView } from './billing-gateway.ts';
import type { PriceView } from './billing-records.ts';
import type { BillingStore } from './billing-store.ts';
import type { BillingAccountService } from './billing-account-service.ts';
import type { Serialised, SubscriptionSync } from './subscription-sync.ts';

export type LicenceChange =
  | { kind: 'add'; planId: string; quantity: number }
  | { kind: 'move'; fromPlanId: string; toPlanId: string; quantity: number }
  | { kind: 'remove'; planId: string; quantity: number };

export interface PlanOffer extends LicenceView {
  price: PriceView | null;
  free: number;
}

/** Hours (to the hundredth): the plan's, administrators' grants, recorded, left. */
export interface RecordingHours {
  courses: Array<{ id: string; name: string; planLabel: string; included: number; granted: number; used: number; left: number }>;
  included: number;
  granted: number;
  used: number;
  left: number;
}

export interface ChangePreview {
  change: LicenceChange;
  /** Licences per plan once the change is made. */
  after: Record<string, number>;
  preview: PreviewView;
  /** The moment the preview prorated to; the change names it so that the invoice says what the preview said. */
  prorationDate: number;
  /** Idempotency: the same confirmation sent twice makes one change. */
  token: string;
}

export interface PlansServiceDeps {
  gateway: BillingGateway;
  store: BillingStore;
  plans: PlanCatalogue;
  courses: Pick<CourseService, 'licences'>;
  recordingQuota: Pick<RecordingQuota, 'forRooms'>;
  sync: SubscriptionSync;
  account: BillingAccountService;
  serial: Serialised;
  now: () => number;
}

/** A licence count never goes past this in one change: a typing slip, not an order. */
export const MAX_LICENCES_PER_CHANGE = 500;
/** A preview's proration moment is honoured this long; later, the confirmation is previewed again. */
const PREVIEW_LIFETIME_SECONDS = 3600;

export class PlansService {
  readonly #deps: PlansServiceDeps;

  constructor(deps: PlansServiceDeps) {
    this.#deps = deps;
  }

  get plans(): PlanCatalogue {
    return this.#deps.plans;
  }

  async offers(): Promise<PlanOffer[]> {
    const [licences, prices] = await Promise.all([this.#deps.courses.licences(), this.#deps.sync.prices()]);
    return licences.map((licence) => ({ ...licence, price: prices.find((price) => price.planId === licence.plan.id) ?? null, free: Math.max(0, licence.purchased - licence.inUse) }));
  }

  /** Each active course's recording hours, as the room counts them (src/recordings/recording-quota.ts). */
  async recordingHours(): Promise<RecordingHours> {
    const { plans } = this.#deps;
    const onPlans = await this.#deps.store.coursesOnPlans(plans.licensed().map((plan) => plan.id));
    const times = await this.#deps.recordingQuota.forRooms(onPlans.map((course) => course.id));
    const courses = onPlans.map((course) => {
      const time = times.get(course.id);
      const [included, granted, used, left] = [time?.includedSeconds, time?.grantedSeconds, time?.usedSeconds, time?.leftSeconds].map(hours) as [number, number, number, number];
      return { id: course.id, name: course.name, planLabel: plans.find(course.planId)?.label ?? course.planId, included, granted, used, left };
    });
    const total = (key: 'included' | 'granted' | 'used' | 'left') => Math.round(courses.reduce((sum, course) => sum + course[key], 0) * 100) / 100;
    return { courses, included: total('included'), granted: total('granted'), used: total('used'), left: total('left') };
  }

  async preview(actor: BackendActor, change: LicenceChange, t: TFunction): Promise<ChangePreview> {
    requireAdministrator(actor, t);
    const prorationDate = Math.floor(this.#deps.now() / 1000);
    const { after, items, customerId, subscriptionId } = await this.#plan(change, t);
    const preview = await this.#deps.gateway.preview(customerId, subscriptionId, items, subscriptionId ? prorationDate : null);
    return { change, after, preview, prorationDate, token: randomUUID() };
  }

  /** Makes the change in Stripe (one subscription change per token) and sets the local counts from Stripe's answer. */
  async apply(actor: BackendActor, change: LicenceChange, confirmation: { prorationDate: number; token: string }, t: TFunction): Promise<Record<string, number>> {
    requireAdministrator(actor, t);
    const nowSeconds = Math.floor(this.#deps.now() / 1000);
    if (confirmation.prorationDate > nowSeconds + 60 || confirmation.prorationDate < nowSeconds - PREVIEW_LIFETIME_SECONDS) {
      throw new ConflictError(t('billing:errors.previewExpired'), { code: 'PREVIEW_EXPIRED', help: t('billing:errors.previewExpiredHelp') });
    }
    return this.#deps.serial.run(async () => {
      const { items, customerId, subscriptionId } = await this.#plan(change, t);
      const key = `licences-${confirmation.token}`;
      let subscription;
      try {
        subscription = subscriptionId
          ? await this.#deps.gateway.updateSubscription(subscriptionId, items, { prorationDate: confirmation.prorationDate }, key)
          : await this.#deps.gateway.createSubscription(customerId, items, await this.#deps.account.collection(customerId), key);
      } catch (error) {
        // The same confirmation again (a double click, a resent form): its change was made once already.
        if (!(error instanceof AlreadyMadeError) || !subscriptionId) throw error;
        const current = await this.#deps.gateway.subscription(subscriptionId);
        await this.#deps.sync.apply(current, actor.userId);
        return this.#deps.sync.countsOf(current);
      }
      if (!subscriptionId) await this.#deps.store.saveAccount({ subscriptionId: subscription.id }, this.#deps.now());
      await this.#deps.sync.apply(subscription, actor.userId);
      const counts = await this.#deps.sync.countsOf(subscription);
      await this.#deps.store.addAudit({ actorId: actor.userId, actorName: actor.name, action: `licences.${change.kind}`, detail: { ...change, after: counts }, at: this.#deps.now() });
      return counts;
    });
  }

  /** What the change does: licences per plan after it, the subscription items to send, and the guard. */
  async #plan(change: LicenceChange, t: TFunction): Promise<{ after: Record<string, number>; items: ItemChange[]; customerId: string; subscriptionId: string | null }> {
    const { sync, account } = this.#deps;
    const ids = await account.ensureCustomer(t);
    const subscription = ids.subscriptionId ? await this.#deps.gateway.subscription(ids.subscriptionId) : null;
    const live = subscription && !['canceled', 'incomplete_expired'].includes(subscription.status) ? subscription : null;
    const before = await sync.countsOf(live);
    const after = { ...before };
    const needPrice = async (planId: string, field: string): Promise<PriceView> => {
      const plan = this.#licensed(planId, field, t);
      const price = await sync.priceOf(plan.id);
      if (!price) throw new ValidationError(t('common:errors.fixBelow'), { [field]: t('billing:errors.onRequest', { plan: plan.label }) });
      return price;
    };
    if (change.kind === 'add') {
      await needPrice(change.planId, 'planId');
      after[change.planId] = (after[change.planId] ?? 0) + change.quantity;
    } else if (change.kind === 'move') {
      this.#licensed(change.fromPlanId, 'fromPlanId', t);
      await needPrice(change.toPlanId, 'toPlanId');
      if (change.fromPlanId === change.toPlanId) throw new ValidationError(t('common:errors.fixBelow'), { toPlanId: t('billing:errors.samePlan') });
      after[change.fromPlanId] = (after[change.fromPlanId] ?? 0) - change.quantity;
      after[change.toPlanId] = (after[change.toPlanId] ?? 0) + change.quantity;
    } else {
      this.#licensed(change.planId, 'planId', t);
      after[change.planId] = (after[change.planId] ?? 0) - change.quantity;
    }
    await this.#guard(before, after, t);
    if (Object.values(after).every((count) => count === 0)) throw new ConflictError(t('billing:errors.lastLicence'), { code: 'LAST_LICENCE', help: t('billing:errors.lastLicenceHelp') });
    return { after, items: await this.#items(live?.items ?? [], before, after), customerId: ids.customerId, subscriptionId: live?.id ?? null };
  }

  #licensed(planId: string, field: string, t: TFunction): Plan {
    const plan = this.#deps.plans.find(planId);
    if (!plan?.active) throw new ValidationError(t('common:errors.fixBelow'), { [field]: t('billing:errors.planUnknown') });
    return plan;
  }

  /** Fewer licences than a plan has courses, or fewer than none, is refused, naming the courses to make inactive first. */
  async #guard(before: Record<string, number>, after: Record<string, number>, t: TFunction): Promise<void> {
    for (const [planId, count] of Object.entries(after)) {
      if (count >= (before[planId] ?? 0)) continue;
      const plan = this.#deps.plans.find(planId)!;
      if (count < 0) throw new ConflictError(t('billing:errors.notThatMany', { plan: plan.label, count: before[planId] ?? 0 }), { code: 'NOT_THAT_MANY' });
      const courses = await this.#deps.store.coursesOnPlans([planId]);
      if (courses.length > count) {
        throw new ConflictError(t('billing:errors.coursesInUse', { plan: plan.label, count: courses.length, courses: courses.map((course) => course.name).join(', '), wanted: count }), {
          code: 'LICENCES_IN_USE',
          help: t('billing:errors.coursesInUseHelp', { count: courses.length - count }),
        });
      }
    }
  }

  async #items(current: Array<{ itemId: string; priceId: string; quantity: number }>, before: Record<string, number>, after: Record<string, number>): Promise<ItemChange[]> {
    const items: ItemChange[] = [];
    for (const [planId, count] of Object.entries(after)) {
      if (count === before[planId]) continue;
      const price = await this.#deps.sync.priceOf(planId);
      if (!price) continue;
      const existing = current.find((item) => item.priceId === price.priceId);
      items.push(existing ? { itemId: existing.itemId, priceId: price.priceId, quantity: count } : { priceId: price.priceId, quantity: count });
    }
    return items;
  }
}

function hours(seconds: number | undefined): number {
  return Math.round(((seconds ?? 0) / 3600) * 100) / 100;
}

export function requireAdministrator(actor: BackendActor, t: TFunction): void {
  if (actor.role !== 'administrator') throw new ForbiddenError(t('common:errors.roleNotAllowed'), { code: 'ROLE_NOT_ALLOWED' });
}
