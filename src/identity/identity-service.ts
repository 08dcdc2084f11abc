/**
 * Arriving from MediaSpace: a KS is validated with Kaltura once, the user's
 * MediaSpace role is read where MediaSpace keeps it, and the module keeps its
 * own short session (an opaque cookie; the database holds only its hash).
 */
import { LRUCache } from 'lru-cache';
import { ForbiddenError } from '../lib/errors/app-error.ts';
import { hashOpaqueToken, newOpaqueToken } from '../lib/secrets/opaque-tokens.ts';
import { phrase } from '../lib/i18n/phrase.ts';
import type { CachedKalturaGateway } from '../kaltura/cached-kaltura-gateway.ts';
import { displayNameOf } from '../kaltura/kaltura-records.ts';
import type { AuthSession, AuthSessionStore } from './auth-session-store.ts';
import { resolveMediaSpaceRole, type MediaSpaceRole } from './mediaspace-roles.ts';
import type { KsIdentity } from '../kaltura/kaltura-gateway.ts';
import type { UserStore } from './user-store.ts';
import { mediaSpaceUserKey } from './user-keys.ts';

export interface IdentityServiceOptions {
  idleMs: number;
  absoluteMs: number;
  now?: () => number;
}

export interface LaunchResult {
  /** The cookie value. */
  token: string;
  session: AuthSession;
}

const messages = {
  noRole: phrase('identity:errors.noRole'),
  noRoleHelp: phrase('identity:errors.noRoleHelp'),
};

/** Activity is written at most this often, so that reading a page is not a database write. */
const TOUCH_INTERVAL_MS = 60_000;
/** People whose unchanged profile was written in the last TOUCH_INTERVAL_MS, remembered to skip rewriting it. */
const RECORDED_USERS_MAX = 10_000;

type SessionProfile = Pick<AuthSession, 'userName' | 'userEmail' | 'mediaspaceRole'>;

export class IdentityService {
  readonly #gateway: CachedKalturaGateway;
  readonly #sessions: AuthSessionStore;
  readonly #users: UserStore;
  readonly #options: Required<IdentityServiceOptions>;
  /** userId → the profile last written for them, for TOUCH_INTERVAL_MS. */
  readonly #recordedUsers: LRUCache<string, string>;
  /** Told, with the person's user id, when sessions of theirs are ended on purpose (sign-out, deactivation). */
  readonly #endListeners: Array<(userId: string) => void> = [];

  constructor(gateway: CachedKalturaGateway, sessions: AuthSessionStore, users: UserStore, options: IdentityServiceOptions) {
    this.#gateway = gateway;
    this.#sessions = sessions;
    this.#users = users;
    this.#options = { now: Date.now, ...options };
    this.#recordedUsers = new LRUCache({ max: RECORDED_USERS_MAX, ttl: TOUCH_INTERVAL_MS, ttlResolution: 0, perf: { now: this.#options.now } });
  }

  /** Who a KS belongs to and their MediaSpace role, without starting a session. */
  async identify(ks: string): Promise<{ identity: KsIdentity; role: MediaSpaceRole }> {
    const identity = await this.#gateway.resolveKs(ks);
    const role = resolveMediaSpaceRole({ isAdmin: identity.user.isAdmin, roleMetadataXml: identity.roleMetadataXml, partnerData: identity.user.partnerData });
    if (!role) throw new ForbiddenError(messages.noRole, { help: messages.noRoleHelp, code: 'NO_MEDIASPACE_ROLE' });
    return { identity, role };
  }

  /**
   * Validates the KS and starts the person's module session. A browser that already holds a
   * session (`current`, as the session middleware found it) gets a new session id in its place,
   * so that an id seen before the launch is worth nothing after it; the same person keeps the
   * absolute expiry of their first sign-in, so relaunching never extends a session past it.
   */
  async launch(ks: string, current: AuthSession | null): Promise<LaunchResult> {
    const { identity, role } = await this.identify(ks);

    const now = this.#options.now();
    const userId = mediaSpaceUserKey(identity.userId);
    const profile: SessionProfile = { userName: displayNameOf(identity.user), userEmail: identity.user.email ?? null, mediaspaceRole: role };
    await this.#recordUser(userId, profile, now);

    const samePerson = current !== null && current.source === 'mediaspace' && current.userId === userId && current.partnerId === identity.partnerId;
    const createdAt = samePerson ? current.createdAt : now;
    // A later KS may carry a session that began with a short-lived one on, never past its first sign-in's lifetime.
    const expiresAt = Math.min(createdAt + this.#options.absoluteMs, samePerson ? Math.max(current.expiresAt, identity.expiresAt) : identity.expiresAt);
    const token = newOpaqueToken();
    const session: AuthSession = { id: hashOpaqueToken(token), userId, partnerId: identity.partnerId, ...profile, createdAt, lastSeenAt: now, expiresAt, source: 'mediaspace' };
    // Whoever held the browser before (this person, or someone else) loses that session id.
    if (current) await this.#sessions.rotate(current.id, session);
    else await this.#sessions.insert(session);
    return { token, session };
  }

  /** The live session behind a cookie value, or null if it is unknown, idle too long or past its absolute expiry. */
  findSession(token: string): Promise<AuthSession | null> {
    return this.holdSession(hashOpaqueToken(token));
  }

  /**
   * The live session with this id (auth_sessions.id), as findSession judges it. A room pass asks
   * while its holder is in the room: that is activity, so a meeting does not idle the session out.
   */
  async holdSession(id: string): Promise<AuthSession | null> {
    const session = await this.#sessions.findById(id);
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

  /**
   * A backend account signed in with its password: the same kind of session as a launch from
   * MediaSpace, marked as coming from the backend and carrying no MediaSpace role.
   */
  async startBackendSession(account: { id: string; name: string; email: string | null }, partnerId: number): Promise<LaunchResult> {
    const now = this.#options.now();
    const token = newOpaqueToken();
    const session: AuthSession = {
      id: hashOpaqueToken(token),
      userId: account.id,
      userName: account.name,
      userEmail: account.email,
      mediaspaceRole: 'anonymousRole',
      partnerId,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + this.#options.absoluteMs,
      source: 'backend',
    };
    await this.#sessions.insert(session);
    return { token, session };
  }

  /** Ends every session of one person: deactivated, or their password changed. */
  async signOutEverywhere(userId: string): Promise<void> {
    await this.#sessions.deleteForUser(userId);
    this.#tellEnded(userId);
  }

  /** `listener` hears the user id of everyone whose sessions are ended on purpose, as it happens (room sockets close). */
  onSessionsEnded(listener: (userId: string) => void): void {
    this.#endListeners.push(listener);
  }

  #tellEnded(userId: string): void {
    for (const listener of this.#endListeners) listener(userId);
  }

  /**
   * The person's MediaSpace profile, written when it changed and otherwise at most once per
   * TOUCH_INTERVAL_MS: a burst of launches is not a burst of writes, and users.last_seen_at
   * lags by no more than that.
   */
  async #recordUser(userId: string, profile: SessionProfile, now: number): Promise<void> {
    const recorded = JSON.stringify([profile.userName, profile.userEmail, profile.mediaspaceRole]);
    if (this.#recordedUsers.get(userId) === recorded) return;
    await this.#users.recordMediaSpaceUser({ id: userId, name: profile.userName, email: profile.userEmail, mediaspaceRole: profile.mediaspaceRole }, now);
    this.#recordedUsers.set(userId, recorded);
  }

  async signOut(token: string): Promise<void> {
    const id = hashOpaqueToken(token);
    const session = await this.#sessions.findById(id);
    await this.#sessions.delete(id);
    if (session) this.#tellEnded(session.userId);
  }

  async purgeExpired(): Promise<number> {
    return this.#sessions.deleteExpired(this.#options.now(), this.#options.idleMs);
  }
}
