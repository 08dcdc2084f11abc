/**
 * The module's settings in effect: the manifest's defaults, overlaid by
 * config and MODULE_SETTINGS until an administrator saves the settings page;
 * from then on, what the administrator saved. Saves apply at once (no
 * restart), are refused if another administrator saved in between, and leave
 * an audit trail of who changed what, when, from what to what.
 */
import { isDeepStrictEqual } from 'node:util';
import { ConflictError } from '../lib/errors/app-error.ts';
import { parseInput } from '../lib/http/validate.ts';
import { phrase } from '../lib/i18n/phrase.ts';
import type { AuditEntry, ModuleSettingsStore, SettingChange } from './module-settings-store.ts';
import { defaultModuleSettings, moduleSettingsSchema, type ModuleSettings, type ModuleSettingName, type PartialModuleSettings } from './settings-schema.ts';

export interface SettingsSnapshot {
  settings: ModuleSettings;
  /** 0 until an administrator first saves. */
  version: number;
  source: 'defaults-and-config' | 'saved';
  updatedBy: string | null;
  updatedAt: number | null;
}

/** Other instances see a save within this long; this instance sees it at once. */
const REFRESH_AFTER_MS = 2_000;

export class ModuleSettingsService {
  readonly #store: ModuleSettingsStore;
  readonly #initial: ModuleSettings;
  readonly #now: () => number;
  #cached: { snapshot: SettingsSnapshot; readAt: number } | null = null;

  constructor(store: ModuleSettingsStore, fromConfig: PartialModuleSettings, now: () => number = Date.now) {
    this.#store = store;
    this.#initial = moduleSettingsSchema.parse({ ...defaultModuleSettings(), ...fromConfig });
    this.#now = now;
  }

  async current(): Promise<ModuleSettings> {
    return (await this.snapshot()).settings;
  }

  async snapshot(): Promise<SettingsSnapshot> {
    if (this.#cached && this.#now() - this.#cached.readAt < REFRESH_AFTER_MS) return this.#cached.snapshot;
    const saved = await this.#store.load();
    const snapshot: SettingsSnapshot = saved
      ? { settings: moduleSettingsSchema.parse(saved.document), version: saved.version, source: 'saved', updatedBy: saved.updatedBy, updatedAt: saved.updatedAt }
      : { settings: this.#initial, version: 0, source: 'defaults-and-config', updatedBy: null, updatedAt: null };
    this.#cached = { snapshot, readAt: this.#now() };
    return snapshot;
  }

  async save(input: unknown, expectedVersion: number, changedBy: string): Promise<SettingsSnapshot> {
    const next = parseInput(moduleSettingsSchema, input, phrase('module-settings:errors.notSaved'));
    this.#cached = null;
    const current = await this.snapshot();
    if (current.version !== expectedVersion) throw staleEdit();
    const changes = diffSettings(current.settings, next);
    const saved = await this.#store.save(next, expectedVersion, changes, changedBy, this.#now());
    this.#cached = null;
    if (!saved) throw staleEdit();
    return this.snapshot();
  }

  audit(limit = 50): Promise<AuditEntry[]> {
    return this.#store.listAudit(limit);
  }
}

export function diffSettings(before: ModuleSettings, after: ModuleSettings): SettingChange[] {
  return (Object.keys(after) as ModuleSettingName[])
    .filter((name) => !isDeepStrictEqual(before[name], after[name]))
    .map((name) => ({ setting: name, oldValue: before[name], newValue: after[name] }));
}

function staleEdit(): ConflictError {
  return new ConflictError(phrase('module-settings:errors.stale'), {
    help: phrase('module-settings:errors.staleHelp'),
    code: 'SETTINGS_CHANGED',
  });
}
