import { randomUUID } from 'node:crypto';
import type { Db } from '../lib/db/database.ts';

const SETTINGS_ROW = 'current';

export interface SavedSettings {
  document: unknown;
  version: number;
  updatedBy: string;
  updatedAt: number;
}

export interface SettingChange {
  setting: string;
  oldValue: unknown;
  newValue: unknown;
}

export interface AuditEntry extends SettingChange {
  id: string;
  changedBy: string;
  changedAt: number;
}

export interface ModuleSettingsStore {
  load(): Promise<SavedSettings | null>;
  /** Saves if the stored version is still `expectedVersion` (0: never saved); false if someone saved first. */
  save(document: unknown, expectedVersion: number, changes: SettingChange[], changedBy: string, now: number): Promise<boolean>;
  listAudit(limit: number): Promise<AuditEntry[]>;
}

export function createModuleSettingsStore(db: Db): ModuleSettingsStore {
  return {
    async load() {
      const row = await db.selectFrom('module_settings').selectAll().where('id', '=', SETTINGS_ROW).executeTakeFirst();
      return row ? { document: JSON.parse(row.document), version: row.version, updatedBy: row.updated_by, updatedAt: row.updated_at } : null;
    },

    async save(document, expectedVersion, changes, changedBy, now) {
      return db.transaction().execute(async (trx) => {
        const values = { document: JSON.stringify(document), version: expectedVersion + 1, updated_by: changedBy, updated_at: now };
        if (expectedVersion === 0) {
          const inserted = await trx
            .insertInto('module_settings')
            .values({ id: SETTINGS_ROW, ...values })
            .onConflict((oc) => oc.column('id').doNothing())
            .executeTakeFirst();
          if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return false;
        } else {
          const updated = await trx.updateTable('module_settings').set(values).where('id', '=', SETTINGS_ROW).where('version', '=', expectedVersion).executeTakeFirst();
          if (Number(updated.numUpdatedRows) === 0) return false;
        }
        if (changes.length > 0) {
          await trx
            .insertInto('module_settings_audit')
            .values(
              changes.map((change) => ({
                id: randomUUID(),
                setting: change.setting,
                old_value: JSON.stringify(change.oldValue),
                new_value: JSON.stringify(change.newValue),
                changed_by: changedBy,
                changed_at: now,
              })),
            )
            .execute();
        }
        return true;
      });
    },

    async listAudit(limit) {
      const rows = await db.selectFrom('module_settings_audit').selectAll().orderBy('changed_at', 'desc').orderBy('setting').limit(limit).execute();
      return rows.map((row) => ({
        id: row.id,
        setting: row.setting,
        oldValue: JSON.parse(row.old_value),
        newValue: JSON.parse(row.new_value),
        changedBy: row.changed_by,
        changedAt: row.changed_at,
      }));
    },
  };
}
