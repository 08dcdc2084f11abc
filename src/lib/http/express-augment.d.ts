import type { TFunction } from 'i18next';
import type { AuthSession } from '../../identity/auth-session-store.ts';
import type { BackendActor } from '../../backend/backend-access.ts';
import type { Language } from '../i18n/i18n.ts';

declare global {
  namespace Express {
    interface Request {
      /** The module session of the person making the request, set by the session middleware. */
      auth?: AuthSession;
      /** Who is using the rooms backend and with which role, set for /backend routes from the module's records. */
      backend?: BackendActor;
      /**
       * Translations in the person's language: their browser's until `resolveLanguage()` has
       * looked at their profile's choice, which rendering a page or an error always does first.
       */
      t: TFunction;
      /** Settles the person's language (profile choice, else browser, else default); `req.t` speaks it afterwards. */
      resolveLanguage(): Promise<Language>;
    }
  }
}

export {};
