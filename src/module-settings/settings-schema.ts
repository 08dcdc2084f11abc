/**
 * The module's settings as code sees them. `module/module.json` is the
 * manifest MediaSpace administrators read (labels, field types, defaults);
 * this schema is what validates every value, wherever it comes from: the
 * manifest's defaults, config, the MODULE_SETTINGS variable or the settings page.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ROOM_PERMISSIONS, ROOM_ROLES, normalisePermissions } from '../rooms/room-permissions.ts';
import { CHANNEL_LEVELS } from '../channels/channel-levels.ts';

const MANIFEST_FILE = path.resolve(import.meta.dirname, '../../module/module.json');

export const roleMappingEntrySchema = z.object({
  channelLevel: z.enum(CHANNEL_LEVELS),
  roomRole: z.enum(ROOM_ROLES),
  permissions: z.array(z.enum(ROOM_PERMISSIONS)).transform(normalisePermissions),
});
export type RoleMappingEntry = z.output<typeof roleMappingEntrySchema>;

export const roleMappingSchema = z
  .array(roleMappingEntrySchema)
  .superRefine((entries, ctx) => {
    for (const level of CHANNEL_LEVELS) {
      const count = entries.filter((entry) => entry.channelLevel === level).length;
      if (count !== 1) ctx.addIssue({ code: 'custom', message: `needs exactly one row for channel level "${level}"` });
    }
  })
  .transform((entries) => CHANNEL_LEVELS.map((level) => entries.find((entry) => entry.channelLevel === level)!));

export const moduleSettingsSchema = z.object({
  enabled: z.boolean(),
  enableUserPrivateLiveRoom: z.boolean(),
  openInNewTab: z.boolean(),
  launchTokenLifetimeSeconds: z.coerce.number().int().min(10).max(120),
  maxPrivateRoomsPerUser: z.coerce.number().int().min(1).max(500),
  roleMapping: roleMappingSchema,
});
export type ModuleSettings = z.output<typeof moduleSettingsSchema>;
export type ModuleSettingName = keyof ModuleSettings;

export const partialModuleSettingsSchema = moduleSettingsSchema.partial().strict();
export type PartialModuleSettings = z.output<typeof partialModuleSettingsSchema>;

const manifestSettingSchema = z.object({
  name: z.string(),
  type: z.enum(['boolean', 'select', 'text', 'array']),
  label: z.string(),
  description: z.string(),
  options: z.array(z.union([z.string(), z.number()])).optional(),
  fields: z.record(z.string(), z.unknown()).optional(),
  default: z.unknown(),
});

export const moduleManifestSchema = z.object({
  id: z.string(),
  name: z.string(),
  version: z.string(),
  description: z.string(),
  usage: z.string(),
  hooks: z.object({ channelButtons: z.record(z.string(), z.string()), headerMenu: z.record(z.string(), z.string()) }),
  settings: z.array(manifestSettingSchema),
});
export type ModuleManifest = z.output<typeof moduleManifestSchema>;
export type ManifestSetting = ModuleManifest['settings'][number];

let cachedManifest: ModuleManifest | undefined;

export function loadModuleManifest(): ModuleManifest {
  cachedManifest ??= moduleManifestSchema.parse(JSON.parse(readFileSync(MANIFEST_FILE, 'utf8')));
  return cachedManifest;
}

/** The manifest's defaults, validated: a manifest that disagrees with the schema is a bug, caught at start-up. */
export function defaultModuleSettings(): ModuleSettings {
  const defaults = Object.fromEntries(loadModuleManifest().settings.map((setting) => [setting.name, setting.default]));
  return moduleSettingsSchema.parse(defaults);
}
