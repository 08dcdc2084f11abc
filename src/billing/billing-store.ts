/**
 * The billing side of the module's database: which Stripe customer and
 * subscription are the organisation's, the webhook events already applied,
 * the audit trail, and the purchased licence counts (plan_licences), which
 * here follow the subscription as Stripe reports it.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../lib/db/database.ts';

const ACCOUNT_ROW = 'organisation';

export interface BillingAccount {
  customerId: string | null;
  subscriptionId: string | null;
}

export interface AuditEntry {
  id: string;
  actorId: string | null;
  actorName: string;
  action: string;
  detail: Record<string, unknown>;
  at: number;
}

export interface CourseOnPlan {
  id: string;
  name: string;
  planId: string;
  planLimits: string | null;
}

export interface BillingContact {
  id: string;
  email: string;
  language: string;
  addedAt: number;
}

export interface BillingStore {
  account(): Promise<BillingAccount>;
  saveAccount(change: Partial<BillingAccount>, now: number): Promise<void>;
  /** Whether the event was applied before; `markEventApplied` answers false when another delivery got there first. */
  eventApplied(eventId: string): Promise<boolean>;
  markEventApplied(eventId: string, type: string, now: number): Promise<boolean>;
  /** Sets every listed plan's purchased count to Stripe's figure; answers the plans whose count changed. */
  setPurchased(counts: Record<string, number>, updatedBy: string, now: number): Promise<string[]>;
  coursesOnPlans(planIds: string[]): Promise<CourseOnPlan[]>;
  /** Moves every course on these plans to the inactive plan; answers their names. */
  deactivateCourses(planIds: string[], inactivePlanId: string, now: number): Promise<string[]>;
  contacts(): Promise<BillingContact[]>;
  /** False when the address is there already (two administrators adding it at once included). */
  addContact(contact: BillingContact, addedBy: string): Promise<boolean>;
  removeContact(id: string): Promise<BillingContact | null>;
  addAudit(entry: Omit<AuditEntry, 'id'>): Promise<void>;
  auditTrail(limit: number): Promise<AuditEntry[]>;
}

export function createBillingStore(db: Db): BillingStore {
  return {
    async account() {
      const row = await db.selectFrom('billing_account').select(['customer_id', 'subscription_id']).where('id', '=', ACCOUNT_ROW).executeTakeFirst();
      return { customerId: row?.customer_id ?? null, subscriptionId: row?.subscription_id ?? null };
    },

    async saveAccount(change, now) {
      const values = { ...(change.customerId !== undefined && { customer_id: change.customerId }), ...(change.subscriptionId !== undefined && { subscription_id: change.subscriptionId }), updated_at: now };
      await db
        .insertInto('billing_account')
        .values({ id: ACCOUNT_ROW, customer_id: null, subscription_id: null, ...values })
        .onConflict((oc) => oc.column('id').doUpdateSet(values))
        .execute();
    },

    async eventApplied(eventId) {
      return (await db.selectFrom('billing_events').select('event_id').where('event_id', '=', eventId).executeTakeFirst()) !== undefined;
    },

    async markEventApplied(eventId, type, now) {
      const result = await db.insertInto('billing_events').values({ event_id: eventId, type, received_at: now }).onConflict((oc) => oc.column('event_id').doNothing()).executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },

    async setPurchased(counts, updatedBy, now) {
      return db.transaction().execute(async (trx) => {
        const changed: string[] = [];
        for (const [planId, purchased] of Object.entries(counts)) {
          const current = await trx.selectFrom('plan_licences').select('purchased').where('plan_id', '=', planId).executeTakeFirst();
          if (Number(current?.purchased ?? 0) === purchased) continue;
          changed.push(planId);
          await trx
            .insertInto('plan_licences')
            .values({ plan_id: planId, purchased, updated_by: updatedBy, updated_at: now })
            .onConflict((oc) => oc.column('plan_id').doUpdateSet({ purchased, updated_by: updatedBy, updated_at: now }))
            .execute();
        }
        return changed;
      });
    },

    async coursesOnPlans(planIds) {
      if (planIds.length === 0) return [];
      const rows = await db.selectFrom('rooms').select(['id', 'name', 'plan_id', 'plan_limits']).where('plan_id', 'in', planIds).orderBy('name').execute();
      return rows.map((row) => ({ id: row.id, name: row.name, planId: row.plan_id!, planLimits: row.plan_limits }));
    },

    async deactivateCourses(planIds, inactivePlanId, now) {
      if (planIds.length === 0) return [];
      return db.transaction().execute(async (trx) => {
        const rows = await trx.selectFrom('rooms').select('name').where('plan_id', 'in', planIds).orderBy('name').execute();
        await trx
          .updateTable('rooms')
          .set((eb) => ({ plan_id: inactivePlanId, updated_by: 'stripe', updated_at: now, version: eb('version', '+', 1) }))
          .where('plan_id', 'in', planIds)
          .execute();
        return rows.map((row) => row.name);
      });
    },

    async contacts() {
      const rows = await db.selectFrom('billing_contacts').select(['id', 'email', 'language', 'added_at']).orderBy('added_at').orderBy('email').execute();
      return rows.map((row) => ({ id: row.id, email: row.email, language: row.language, addedAt: Number(row.added_at) }));
    },

    async addContact(contact, addedBy) {
      const result = await db
        .insertInto('billing_contacts')
        .values({ id: contact.id, email: contact.email, language: contact.language, added_by: addedBy, added_at: contact.addedAt })
        .onConflict((oc) => oc.column('email').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },

    async removeContact(id) {
      const row = await db.deleteFrom('billing_contacts').where('id', '=', id).returning(['id', 'email', 'language', 'added_at']).executeTakeFirst();
      return row ? { id: row.id, email: row.email, language: row.language, addedAt: Number(row.added_at) } : null;
    },

    async addAudit(entry) {
      await db.insertInto('billing_audit').values({ id: randomUUID(), actor_id: entry.actorId, actor_name: entry.actorName, action: entry.action, detail: JSON.stringify(entry.detail), at: entry.at }).execute();
    },

    async auditTrail(limit) {
      const rows = await db.selectFrom('billing_audit').selectAll().orderBy('at', 'desc').orderBy('id').limit(limit).execute();
      return rows.map((row) => ({ id: row.id, actorId: row.actor_id, actorName: row.actor_name, action: row.action, detail: JSON.parse(row.detail) as Record<string, unknown>, at: Number(row.at) }));
    },
  };
}
