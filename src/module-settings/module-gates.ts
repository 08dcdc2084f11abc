import type { RequestHandler } from 'express';
import { NotFoundError } from '../lib/errors/app-error.ts';
import { phrase } from '../lib/i18n/phrase.ts';
import type { ModuleSettingsService } from './module-settings-service.ts';
import type { ModuleSettings } from './settings-schema.ts';

export function moduleNotEnabled(): NotFoundError {
  return new NotFoundError(phrase('module-settings:errors.notEnabled'), {
    help: phrase('module-settings:errors.notEnabledHelp'),
    code: 'MODULE_NOT_ENABLED',
  });
}

/** Routes that exist only while a setting allows them answer 404, as if they were not there. */
export function requireSettings(settings: ModuleSettingsService, allows: (current: ModuleSettings) => boolean, notAvailable: () => Error): RequestHandler {
  return async (_req, _res, next) => {
    if (!allows(await settings.current())) throw notAvailable();
    next();
  };
}

export function requireModuleEnabled(settings: ModuleSettingsService): RequestHandler {
  return requireSettings(settings, (current) => current.enabled, moduleNotEnabled);
}
