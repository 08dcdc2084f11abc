/**
 * The plan catalogue, read from config (`plans`): the one place plans, their
 * labels and their limits are defined. Everything that asks "may this room go
 * live?", "does it need a licence?" or "how many webcams?" asks here.
 *
 * A room without a plan (plan_id null) is a MediaSpace room: a channel's room
 * or a private room as MediaSpace made it. It can go live, needs no licence
 * and has no webcam limit of its own; an administrator may put it on a plan
 * like any course, and from then on the plan's rules apply to it.
 */
import type { AppConfig, PlanDefinition } from '../lib/config/config.ts';

export interface PlanLimits {
  virtualClassrooms: number;
  cloudRecordingHours: number;
  selfPacedCourses: number;
  webcamUsers: number;
}

export const PLAN_LIMIT_KEYS = ['webcamUsers', 'virtualClassrooms', 'cloudRecordingHours', 'selfPacedCourses'] as const satisfies ReadonlyArray<keyof PlanLimits>;

export interface Plan extends PlanLimits {
  id: string;
  label: string;
  /** Courses on an inactive plan are invisible to students, cannot go live and need no licence. */
  active: boolean;
  /** Each course on this plan carries its own limits (rooms.plan_limits); the ones above are the form's defaults. */
  customLimits: boolean;
  /** A licence's price per billing period in minor units (billing's emulator seeds Stripe's prices from it); none: on request. */
  prices?: { month?: number; year?: number };
}

/** What the catalogue needs to know of a room. */
export interface PlannedRoom {
  planId: string | null;
  planLimits: PlanLimits | null;
}

export class PlanCatalogue {
  readonly #plans: Plan[];

  constructor(plans: AppConfig['plans']) {
    this.#plans = Object.entries(plans).map(([id, plan]: [string, PlanDefinition]) => ({ id, ...plan }));
  }

  /** In config order: the order of the plan select and the licence table. */
  list(): Plan[] {
    return [...this.#plans];
  }

  /** Plans a course can be active on: each needs a purchased licence per active course. */
  licensed(): Plan[] {
    return this.#plans.filter((plan) => plan.active);
  }

  find(id: string | null | undefined): Plan | null {
    return this.#plans.find((plan) => plan.id === id) ?? null;
  }

  /** The plan a new course starts on: the first one that is not active (config requires one). */
  get inactivePlan(): Plan {
    return this.#plans.find((plan) => !plan.active)!;
  }

  /** Whether the room's plan needs a licence: a plan that is active. */
  needsLicence(planId: string | null): boolean {
    return this.find(planId)?.active ?? false;
  }

  /** Active rooms can go live and are visible to their students; a plan unknown to the catalogue counts as inactive. */
  isActive(room: Pick<PlannedRoom, 'planId'>): boolean {
    if (room.planId === null) return true;
    return this.find(room.planId)?.active ?? false;
  }

  /** Same as isActive: the live room's word for it. */
  canGoLive(room: Pick<PlannedRoom, 'planId'>): boolean {
    return this.isActive(room);
  }

  /** The limits that apply to the room: its own on a custom plan, else its plan's; null for a room without a plan. */
  limitsOf(room: PlannedRoom): PlanLimits | null {
    if (room.planId === null) return null;
    const plan = this.find(room.planId);
    if (!plan) return { virtualClassrooms: 0, cloudRecordingHours: 0, selfPacedCourses: 0, webcamUsers: 0 };
    if (plan.customLimits && room.planLimits) return room.planLimits;
    return { virtualClassrooms: plan.virtualClassrooms, cloudRecordingHours: plan.cloudRecordingHours, selfPacedCourses: plan.selfPacedCourses, webcamUsers: plan.webcamUsers };
  }

  /** Webcam users per live session; null: no limit (a MediaSpace room outside the plans). */
  webcamLimit(room: PlannedRoom): number | null {
    return this.limitsOf(room)?.webcamUsers ?? null;
  }
}

/** rooms.plan_limits holds JSON; anything that is not a complete set of limits reads as none. */
export function parsePlanLimits(json: string | null): PlanLimits | null {
  if (!json) return null;
  try {
    const value = JSON.parse(json) as Record<string, unknown>;
    const limits = Object.fromEntries(PLAN_LIMIT_KEYS.map((key) => [key, value[key]]));
    return Object.values(limits).every((limit) => typeof limit === 'number' && Number.isFinite(limit) && limit >= 0) ? (limits as unknown as PlanLimits) : null;
  } catch {
    return null;
  }
}
