/**
 * A person's own profile in the rooms backend: picture, display name,
 * language, and (backend accounts only) password. MediaSpace users have a
 * profile too; their display name replaces MediaSpace's name in the backend,
 * and their password belongs to MediaSpace. Every change is made on the
 * version the person saw, and refused with a conflict when the row moved on.
 */
import type { TFunction } from 'i18next';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../lib/errors/app-error.ts';
import type { Language } from '../lib/i18n/i18n.ts';
import type { ImageService } from '../images/image-service.ts';
import type { LaunchResult } from '../identity/identity-service.ts';
import type { SignInService } from '../sign-in/sign-in-service.ts';
import type { Account, AccountStore } from '../users/account-store.ts';
import type { ProfileStore } from './profile-store.ts';

export interface ProfileServiceDeps {
  accounts: AccountStore;
  profiles: ProfileStore;
  images: ImageService;
  signIn: Pick<SignInService, 'changePassword'>;
  now: () => number;
}

export class ProfileService {
  readonly #deps: ProfileServiceDeps;

  constructor(deps: ProfileServiceDeps) {
    this.#deps = deps;
  }

  async profileOf(userId: string, t: TFunction): Promise<Account> {
    const account = await this.#deps.accounts.findById(userId);
    if (!account) throw new NotFoundError(t('profile:errors.noProfile'), { code: 'NO_PROFILE' });
    return account;
  }

  /** Only backend accounts have a password here; MediaSpace users sign in with MediaSpace. */
  static canChangePassword(account: Pick<Account, 'source'>): boolean {
    return account.source === 'backend';
  }

  /**
   * A display name equal to the name from MediaSpace or the invitation is stored as none,
   * so that the person keeps following a later change made there.
   */
  async updateDetails(userId: string, details: { displayName: string; language: Language }, expectedVersion: number, t: TFunction): Promise<Account> {
    const account = await this.profileOf(userId, t);
    const displayName = details.displayName === account.givenName ? null : details.displayName;
    if (!(await this.#deps.profiles.updateDetails(userId, { displayName, language: details.language }, expectedVersion))) throw conflict(t);
    return this.profileOf(userId, t);
  }

  /** Stores the new picture, then swaps it in; the replaced one is deleted, and on a conflict the new one is. */
  async replacePicture(userId: string, upload: { path: string; bytes: number }, expectedVersion: number, t: TFunction): Promise<Account> {
    const { images, profiles } = this.#deps;
    const account = await this.profileOf(userId, t);
    if (account.version !== expectedVersion) throw conflict(t);
    const picture = await images.store(upload, 'avatar', userId, this.#deps.now(), 'picture').catch((error: unknown) => {
      // The image service's own message is not in the person's language.
      if (!(error instanceof ValidationError)) throw error;
      const message = error.code === 'IMAGE_TOO_MANY_PIXELS' ? t('profile:errors.picturePixels') : t('profile:errors.pictureType');
      throw new ValidationError(message, { picture: message }, { code: error.code });
    });
    let saved = false;
    try {
      saved = await profiles.setPicture(userId, picture.id, expectedVersion);
    } finally {
      if (!saved) await images.delete(picture.id);
    }
    if (!saved) throw conflict(t);
    if (account.pictureImageId) await images.delete(account.pictureImageId);
    return this.profileOf(userId, t);
  }

  async removePicture(userId: string, expectedVersion: number, t: TFunction): Promise<Account> {
    const account = await this.profileOf(userId, t);
    if (account.version !== expectedVersion || !(await this.#deps.profiles.setPicture(userId, null, expectedVersion))) throw conflict(t);
    if (account.pictureImageId) await this.#deps.images.delete(account.pictureImageId);
    return this.profileOf(userId, t);
  }

  /** Answers the fresh session the browser that made the change keeps; every other session has ended. */
  async changePassword(userId: string, currentPassword: string, newPassword: string, t: TFunction): Promise<LaunchResult> {
    const account = await this.profileOf(userId, t);
    if (!ProfileService.canChangePassword(account)) {
      throw new AppError(403, t('profile:password.notForMediaSpace'), { code: 'NO_PASSWORD_HERE' });
    }
    return this.#deps.signIn.changePassword(userId, currentPassword, newPassword, t);
  }
}

function conflict(t: TFunction): ConflictError {
  return new ConflictError(t('common:errors.conflict'), { help: t('common:errors.conflictHelp'), code: 'STALE_VERSION' });
}
