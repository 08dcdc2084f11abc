/**
 * Signing in to the rooms backend with email and password: one generic
 * answer for every wrong combination, a temporary lock-out after repeated
 * failures (per email address, whether or not an account has it, so the
 * lock-out reveals nothing either), and password reset by a single-use link
 * sent by mail.
 */
import type { TFunction } from 'i18next';
import { AppError, UnauthorizedError, ValidationError } from '../lib/errors/app-error.ts';
import type { Mailer } from '../lib/mail/mailer.ts';
import { renderMail } from '../lib/mail/mail-templates.ts';
import type { Logger } from '../lib/logger/logger.ts';
import type { BrandingService } from '../branding/branding-service.ts';
import type { IdentityService, LaunchResult } from '../identity/identity-service.ts';
import { hashOpaqueToken, newOpaqueToken } from '../lib/secrets/opaque-tokens.ts';
import { normaliseEmail, type AccountStore } from '../users/account-store.ts';
import { hashPassword, passwordChecks } from './passwords.ts';
import type { PasswordResetStore } from './password-reset-store.ts';
import type { SignInFailureStore } from './sign-in-failure-store.ts';

export interface SignInServiceDeps {
  accounts: AccountStore;
  failures: SignInFailureStore;
  resets: PasswordResetStore;
  identity: IdentityService;
  mailer: Mailer;
  branding: BrandingService;
  logger: Logger;
  publicUrl: string;
  partnerId: number;
  options: { maxFailures: number; lockMs: number; resetTtlMs: number };
  now: () => number;
}

export class SignInService {
  readonly #deps: SignInServiceDeps;

  constructor(deps: SignInServiceDeps) {
    this.#deps = deps;
  }

  async signIn(email: string, password: string, t: TFunction): Promise<LaunchResult> {
    const { accounts, failures, identity } = this.#deps;
    const now = this.#deps.now();
    const key = normaliseEmail(email);
    await this.#countAttempt(key, now, t);
    const account = await accounts.findBackendByEmail(key);
    const passwordHash = account?.status === 'active' ? await accounts.passwordHashOf(account.id) : null;
    const matches = passwordHash ? await passwordChecks.verify(passwordHash, password) : await passwordChecks.verifyAgainstNothing(password);
    if (!account || !matches) {
      throw new UnauthorizedError(t('sign-in:wrongCredentials'), { code: 'SIGN_IN_FAILED' });
    }
    await failures.clear(key);
    return identity.startBackendSession(account, this.#deps.partnerId);
  }

  /**
   * A signed-in backend account changes its password: the current one is required and
   * checked like a sign-in (a wrong one counts towards the same lock-out, so a borrowed
   * session cannot guess at it without limit). Every session of the account ends, reset
   * links stop working, and a fresh session is answered for the browser that made the change.
   */
  async changePassword(accountId: string, currentPassword: string, newPassword: string, t: TFunction): Promise<LaunchResult> {
    const { accounts, failures, resets, identity } = this.#deps;
    const account = await accounts.findById(accountId);
    if (!account || account.source !== 'backend' || account.status !== 'active' || !account.email) {
      throw new AppError(403, t('profile:password.notForMediaSpace'), { code: 'NO_PASSWORD_HERE' });
    }
    const now = this.#deps.now();
    const key = normaliseEmail(account.email);
    await this.#countAttempt(key, now, t);
    const passwordHash = await accounts.passwordHashOf(account.id);
    if (!passwordHash || !(await passwordChecks.verify(passwordHash, currentPassword))) {
      throw new ValidationError(t('profile:password.currentWrong'), { currentPassword: t('profile:password.currentWrong') }, { code: 'CURRENT_PASSWORD_WRONG' });
    }
    await failures.clear(key);
    if (key === normaliseEmail(newPassword)) throw new ValidationError(t('sign-in:passwordIsEmail'), { password: t('sign-in:passwordIsEmail') });
    await accounts.setPassword(account.id, await hashPassword(newPassword), now);
    await resets.retireForUser(account.id, now);
    await identity.signOutEverywhere(account.id);
    return identity.startBackendSession(account, this.#deps.partnerId);
  }

  /**
   * Every attempt counts before its password is checked, so that concurrent attempts cannot all be checked
   * against one stale count; a locked address is refused without a check. A right password clears the count.
   */
  async #countAttempt(key: string, now: number, t: TFunction): Promise<void> {
    const { maxFailures, lockMs } = this.#deps.options;
    const decision = await this.#deps.failures.countAttempt(key, now, { maxFailures, lockMs });
    if (!decision.allowed) {
      const minutes = Math.max(1, Math.ceil((decision.lockedUntil - now) / 60_000));
      throw new AppError(429, t('sign-in:locked', { count: minutes }), { code: 'SIGN_IN_LOCKED' });
    }
  }

  /** Always answers the same, whether an account has this address or not; only an active backend account gets a mail. */
  async requestPasswordReset(email: string, t: TFunction): Promise<void> {
    const { accounts, resets, mailer, logger } = this.#deps;
    const account = await accounts.findBackendByEmail(email);
    if (!account || account.status !== 'active' || !account.email) return;
    const now = this.#deps.now();
    const token = newOpaqueToken();
    await resets.retireForUser(account.id, now);
    await resets.insert({ tokenHash: hashOpaqueToken(token), userId: account.id, createdAt: now, expiresAt: now + this.#deps.options.resetTtlMs, usedAt: null });
    const branding = await this.#deps.branding.mailBranding();
    const mail = await renderMail('password-reset', account.email, {
      t,
      branding,
      subject: t('sign-in:resetMail.subject', { organisation: branding.organisationName }),
      name: account.name,
      link: `${this.#deps.publicUrl}/password-reset/${token}`,
      minutes: Math.round(this.#deps.options.resetTtlMs / 60_000),
    });
    // A mail that cannot go out is logged, not shown: the answer must not depend on the address.
    await mailer.send(mail).catch((error: unknown) => logger.error({ err: error }, 'password reset mail failed'));
  }

  /** The account a reset link belongs to, if the link is still good. */
  async checkResetLink(token: string, t: TFunction): Promise<{ userId: string; email: string | null }> {
    const reset = token.length <= 100 ? await this.#deps.resets.find(hashOpaqueToken(token)) : null;
    const account = reset ? await this.#deps.accounts.findById(reset.userId) : null;
    if (!reset || reset.usedAt !== null || reset.expiresAt <= this.#deps.now() || !account || account.status !== 'active') {
      throw new AppError(410, t('sign-in:resetLinkInvalid'), { code: 'RESET_LINK_INVALID', help: t('sign-in:resetLinkInvalidHelp') });
    }
    return { userId: account.id, email: account.email };
  }

  async resetPassword(token: string, password: string, t: TFunction): Promise<void> {
    const { userId, email } = await this.checkResetLink(token, t);
    if (email && normaliseEmail(email) === normaliseEmail(password)) throw new ValidationError(t('sign-in:passwordIsEmail'), { password: t('sign-in:passwordIsEmail') });
    const passwordHash = await hashPassword(password);
    const now = this.#deps.now();
    if (!(await this.#deps.resets.markUsed(hashOpaqueToken(token), now))) {
      throw new AppError(410, t('sign-in:resetLinkInvalid'), { code: 'RESET_LINK_INVALID', help: t('sign-in:resetLinkInvalidHelp') });
    }
    await this.#deps.accounts.setPassword(userId, passwordHash, now);
    await this.#deps.resets.retireForUser(userId, now);
    // Whoever knew the old password is signed out everywhere.
    await this.#deps.identity.signOutEverywhere(userId);
    if (email) await this.#deps.failures.clear(normaliseEmail(email));
  }
}

