/**
 * Session Stats' settings, set by an administrator on /backend/stats/settings:
 * the thresholds of roster-aware attendance, the term (the "This term" range),
 * whether students see their own attendance, and how long statistics are kept.
 * One JSON document, validated by one schema; defaults until someone saves.
 */
import { z } from 'zod';
import type { Db } from '../lib/db/database.ts';
import { parseLocalDate } from './time-zones.ts';

const ROW_ID = 'stats';

const dateText = z.string().refine((value) => parseLocalDate(value) !== null, 'stats:errors.badDateField');

export const statsSettingsSchema = z
  .object({
    /** Late: first entry more than this many minutes after the start. */
    lateAfterMinutes: z.number().int().min(0).max(600),
    /** Left early: last exit more than this many minutes before the end. */
    leftEarlyMinutes: z.number().int().min(0).max(600),
    /** Present (or Late, Left early) only with at least this share of the session inside; else Absent. */
    presentPercent: z.number().int().min(0).max(100),
    studentsSeeOwnAttendance: z.boolean(),
    termStart: dateText.nullable(),
    termEnd: dateText.nullable(),
    /** Days statistics are kept after a session ends; null: forever. */
    retentionDays: z.number().int().min(1).max(36_500).nullable(),
  })
  .refine((settings) => (settings.termStart === null) === (settings.termEnd === null) && (settings.termStart === null || settings.termStart <= settings.termEnd!), {
    message: 'stats:errors.termOrder',
    path: ['termEnd'],
  });
export type StatsSettings = z.output<typeof statsSettingsSchema>;

export const DEFAULT_STATS_SETTINGS: StatsSettings = {
  lateAfterMinutes: 10,
  leftEarlyMinutes: 10,
  presentPercent: 50,
  studentsSeeOwnAttendance: false,
  termStart: null,
  termEnd: null,
  retentionDays: null,
};

export interface StatsSettingsSnapshot {
  settings: StatsSettings;
  /** 0 until an administrator saves. */
  version: number;
  updatedBy: string | null;
  updatedAt: number | null;
}

export interface StatsSettingsStore {
  current(): Promise<StatsSettingsSnapshot>;
  /** Saves on the version read; false when someone saved first (nothing changed). */
  save(settings: StatsSettings, version: number, updatedBy: string, now: number): Promise<boolean>;
}

export function createStatsSettingsStore(db: Db): StatsSettingsStore {
  return {
    async current() {
      const row = await db.selectFrom('stats_settings').selectAll().where('id', '=', ROW_ID).executeTakeFirst();
      if (!row) return { settings: DEFAULT_STATS_SETTINGS, version: 0, updatedBy: null, updatedAt: null };
      // A document written by an older version takes today's defaults for what it lacks.
      const parsed = statsSettingsSchema.safeParse({ ...DEFAULT_STATS_SETTINGS, ...JSON.parse(row.document) });
      return { settings: parsed.success ? parsed.data : DEFAULT_STATS_SETTINGS, version: row.version, updatedBy: row.updated_by, updatedAt: Number(row.updated_at) };
    },

    async save(settings, version, updatedBy, now) {
      const document = JSON.stringify(settings);
      if (version === 0) {
        const inserted = await db
          .insertInto('stats_settings')
          .values({ id: ROW_ID, document, version: 1, updated_by: updatedBy, updated_at: now })
          .onConflict((oc) => oc.column('id').doNothing())
          .executeTakeFirst();
        return Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
      }
      const updated = await db
        .updateTable('stats_settings')
        .set({ document, version: version + 1, updated_by: updatedBy, updated_at: now })
        .where('id', '=', ROW_ID)
        .where('version', '=', version)
        .executeTakeFirst();
      return Number(updated.numUpdatedRows) > 0;
    },
  };
}
