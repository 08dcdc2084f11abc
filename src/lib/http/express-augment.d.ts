import type { AuthSession } from '../../identity/auth-session-store.ts';

declare global {
  namespace Express {
    interface Request {
      /** The module session of the person making the request, set by the session middleware. */
      auth?: AuthSession;
    }
  }
}

export {};
