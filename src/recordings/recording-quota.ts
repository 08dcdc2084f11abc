/**
 * A room's cloud recording time: what its plan includes (a course on a plan;
 * rooms outside the plans get the configured hours), what administrators
 * added, and what was recorded. Recorded time comes from the ledger, which
 * deleting a recording does not touch: recorded time is what the plan sells.
 * The room, Session Stats and the Plans page all read these figures here.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../lib/db/schema.ts';
import { parsePlanLimits, type PlanCatalogue } from '../courses/plan-catalogue.ts';

export interface RecordingTime {
  includedSeconds: number;
  grantedSeconds: number;
  usedSeconds: number;
  /** Never below zero, even when a recording finished over the quota. */
  leftSeconds: number;
}

export interface RecordingQuotaDeps {
  db: Kysely<Database>;
  plans: PlanCatalogue;
  hoursWithoutPlan: number;
}

const SECONDS_PER_HOUR = 3600;

export class RecordingQuota {
  readonly #deps: RecordingQuotaDeps;

  constructor(deps: RecordingQuotaDeps) {
    this.#deps = deps;
  }

  /** The room's recording time; an unknown room has none. */
  async forRoom(roomId: string): Promise<RecordingTime> {
    return (await this.forRooms([roomId])).get(roomId) ?? { includedSeconds: 0, grantedSeconds: 0, usedSeconds: 0, leftSeconds: 0 };
  }

  /** The same figures for many rooms in three queries (the Plans page lists every course). */
  async forRooms(roomIds: readonly string[]): Promise<Map<string, RecordingTime>> {
    const figures = new Map<string, RecordingTime>();
    if (roomIds.length === 0) return figures;
    const { db } = this.#deps;
    const [rooms, grants, ledger] = await Promise.all([
      db.selectFrom('rooms').select(['id', 'plan_id', 'plan_limits']).where('id', 'in', roomIds).execute(),
      this.#sums('recording_grants', roomIds),
      this.#sums('recording_ledger', roomIds),
    ]);
    for (const room of rooms) {
      const included = this.#included(room.plan_id, room.plan_limits);
      const granted = grants.get(room.id) ?? 0;
      const used = ledger.get(room.id) ?? 0;
      figures.set(room.id, { includedSeconds: included, grantedSeconds: granted, usedSeconds: used, leftSeconds: Math.max(0, included + granted - used) });
    }
    return figures;
  }

  #included(planId: string | null, planLimits: string | null): number {
    if (planId === null) return Math.round(this.#deps.hoursWithoutPlan * SECONDS_PER_HOUR);
    const limits = this.#deps.plans.limitsOf({ planId, planLimits: parsePlanLimits(planLimits) });
    return Math.round((limits?.cloudRecordingHours ?? 0) * SECONDS_PER_HOUR);
  }

  async #sums(table: 'recording_grants' | 'recording_ledger', roomIds: readonly string[]): Promise<Map<string, number>> {
    const rows = await this.#deps.db
      .selectFrom(table)
      .select(['room_id', (eb) => eb.fn.sum<number | string>('seconds').as('seconds')])
      .where('room_id', 'in', roomIds)
      .groupBy('room_id')
      .execute();
    // PostgreSQL answers sum() of integers as a numeric string.
    return new Map(rows.map((row) => [row.room_id, Number(row.seconds)]));
  }
}
