/**
 * Arriving from MediaSpace: a KS is validated with Kaltura once, the user's
 * MediaSpace role is read where MediaSpace keeps it, and the module keeps its
 * own short session (an opaque cookie; the database holds only its hash).
 */
import { createHash, randomBytes } from 'node:crypto';
import { ForbiddenError } from '../lib/errors/app-error.ts';
import type { CachedKalturaGateway } from '../kaltura/cached-kaltura-gateway.ts';
import { displayNameOf } from '../kaltura/kaltura-records.ts';
import type { AuthSession, AuthSessionStore } from './auth-session-store.ts';
import { resolveMediaSpaceRole, type MediaSpaceRole } from './mediaspace-roles.ts';
import type { KsIdentity } from '../kaltura/kaltura-gateway.ts';
import type { UserStore } from './user-store.ts';

export interface IdentityServiceOptions {
  idleMs: number;
  absoluteMs: number;
  now?: () => number;
}

export interface LaunchResult {
  /** The cookie value; null when the browser's current session was kept. */
  token: string | null;
  session: AuthSession;
}

const messages = {
  noRole: 'Your MediaSpace account has no role, so it cannot use Live Rooms.',
  noRoleHelp: 'Ask your MediaSpace administrator to give your account a role.',
};

/** Activity is written at most this often, so that reading a page is not a database write. */
const TOUCH_INTERVAL_MS = 60_000;

export class IdentityService {
  readonly #gateway: CachedKalturaGateway;
  readonly #sessions: AuthSessionStore;
  readonly #users: UserStore;
  readonly #options: Required<IdentityServiceOptions>;

  constructor(gateway: CachedKalturaGateway, sessions: AuthSessionStore, users: UserStore, options: IdentityServiceOptions) {
    this.#gateway = gateway;
    this.#sessions = sessions;
    this.#users = users;
    this.#options = { now: Date.now, ...options };
  }

  /** Who a KS belongs to and their MediaSpace role, without starting a session. */
  async identify(ks: string): Promise<{ identity: KsIdentity; role: MediaSpaceRole }> {
    const identity = await this.#gateway.resolveKs(ks);
    const role = resolveMediaSpaceRole({ isAdmin: identity.user.isAdmin, roleMetadataXml: identity.roleMetadataXml, partnerData: identity.user.partnerData });
    if (!role) throw new ForbiddenError(messages.noRole, { help: messages.noRoleHelp, code: 'NO_MEDIASPACE_ROLE' });
    return { identity, role };
  }

  async launch(ks: string, currentToken: string | undefined): Promise<LaunchResult> {
    const { identity, role } = await this.identify(ks);

    const now = this.#options.now();
    const profile = { userName: displayNameOf(identity.user), userEmail: identity.user.email ?? null, mediaspaceRole: role };
    const expiresAt = Math.min(now + this.#options.absoluteMs, identity.expiresAt);
    await this.#users.recordMediaSpaceUser({ id: identity.userId, name: profile.userName, email: profile.userEmail, mediaspaceRole: role }, now);

    // The same person arriving again (another channel page, another tab) keeps one session.
    const current = currentToken ? await this.findSession(currentToken) : null;
    if (current && current.userId === identity.userId && current.partnerId === identity.partnerId) {
      const refreshed = { ...current, ...profile, lastSeenAt: now, expiresAt: Math.max(current.expiresAt, expiresAt) };
      await this.#sessions.refresh(current.id, refreshed);
      return { token: null, session: refreshed };
    }

    const token = randomBytes(32).toString('base64url');
    const session: AuthSession = { id: hashToken(token), userId: identity.userId, partnerId: identity.partnerId, ...profile, createdAt: now, lastSeenAt: now, expiresAt };
    await this.#sessions.insert(session);
    return { token, session };
  }

  /** The live session behind a cookie value, or null if it is unknown, idle too long or past its absolute expiry. */
  async findSession(token: string): Promise<AuthSession | null> {
    const session = await this.#sessions.findById(hashToken(token));
    if (!session) return null;
    const now = this.#options.now();
    if (now >= session.expiresAt || now - session.lastSeenAt >= this.#options.idleMs) {
      await this.#sessions.delete(session.id);
      return null;
    }
    if (now - session.lastSeenAt >= TOUCH_INTERVAL_MS) {
      await this.#sessions.refresh(session.id, { lastSeenAt: now });
      return { ...session, lastSeenAt: now };
    }
    return session;
  }

  async signOut(token: string): Promise<void> {
    await this.#sessions.delete(hashToken(token));
  }

  async purgeExpired(): Promise<number> {
    return this.#sessions.deleteExpired(this.#options.now(), this.#options.idleMs);
  }
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
