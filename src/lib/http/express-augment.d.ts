import type { TFunction } from 'i18next';
import type { AuthSession } from '../../identity/auth-session-store.ts';
import type { BackendActor } from '../../backend/backend-access.ts';

declare global {
  namespace Express {
    interface Request {
      /** The module session of the person making the request, set by the session middleware. */
      auth?: AuthSession;
      /** Who is using the rooms backend and with which role, set for /backend routes from the module's records. */
      backend?: BackendActor;
      /** Translations in the person's language. */
      t: TFunction;
    }
  }
}

export {};
