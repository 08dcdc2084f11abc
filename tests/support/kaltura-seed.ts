/**
 * Seeds the Kaltura emulator the way an administrator's tools would: through
 * kaltura-client over HTTP, never by reaching into its memory.
 */
import { randomUUID } from 'node:crypto';
import kaltura from 'kaltura-client';

const SESSION_USER = 0;
const SESSION_ADMIN = 2;
const METADATA_OBJECT_TYPE_USER = '3';
const USER_STATUS_DELETED = 2;
const USER_STATUS_BLOCKED = 0;
const INHERITANCE_INHERIT = 1;

export const LEVEL = { manager: 0, moderator: 1, contributor: 2, member: 3, none: 4 } as const;
export const MEMBERSHIP_STATUS = { active: 1, notActive: 3 } as const;

export interface SeedUser {
  id?: string;
  name?: string;
  email?: string;
  /** Written as MediaSpace does: a metadata record in the user-roles profile. */
  role?: string;
  partnerData?: string;
  isAdmin?: boolean;
}

// kaltura-client's own loose types would leak `any` everywhere; tests only need these calls.
const k = kaltura as any;

export class KalturaSeeder {
  readonly #client: any;
  readonly #partnerId: number;
  readonly #adminSecret: string;
  readonly #userSecret: string;
  readonly #roleProfileId: number;
  #adminKs: string | null = null;

  constructor({ serviceUrl, partnerId, adminSecret, userSecret, roleProfileId }: { serviceUrl: string; partnerId: number; adminSecret: string; userSecret: string; roleProfileId: number }) {
    const config = new k.Configuration();
    config.serviceUrl = serviceUrl;
    config.setLogger({ log() {}, error() {}, debug() {} });
    this.#client = new k.Client(config);
    this.#partnerId = partnerId;
    this.#adminSecret = adminSecret;
    this.#userSecret = userSecret;
    this.#roleProfileId = roleProfileId;
  }

  async adminKs(): Promise<string> {
    this.#adminKs ??= (await k.services.session.start(this.#adminSecret, 'seed-admin', SESSION_ADMIN, this.#partnerId, 86400, 'disableentitlement').execute(this.#client)) as string;
    return this.#adminKs;
  }

  async #asAdmin<T>(request: any): Promise<T> {
    return (await request.setKs(await this.adminKs()).execute(this.#client)) as T;
  }

  async createUser(seed: SeedUser = {}): Promise<{ id: string; name: string; email: string }> {
    const id = seed.id ?? `user-${randomUUID().slice(0, 8)}`;
    const name = seed.name ?? `Test ${id}`;
    const email = seed.email ?? `${id}@test.example`;
    const user = new k.objects.User({ id, screenName: name, fullName: name, email, partnerData: seed.partnerData ?? null, isAdmin: seed.isAdmin ?? false });
    await this.#asAdmin(k.services.user.add(user));
    if (seed.role) {
      await this.#asAdmin(k.services.metadata.add(this.#roleProfileId, METADATA_OBJECT_TYPE_USER, id, `<metadata><role>${seed.role}</role></metadata>`));
    }
    return { id, name, email };
  }

  /** A category; with `inheritFrom`, a sub-category of it that inherits its members (inheritanceType INHERIT). */
  async createChannel(name = `Channel ${randomUUID().slice(0, 6)}`, { inheritFrom }: { inheritFrom?: number } = {}): Promise<{ id: number; name: string }> {
    const fields = inheritFrom === undefined ? { name, parentId: 0 } : { name, parentId: inheritFrom, inheritanceType: INHERITANCE_INHERIT };
    const category = await this.#asAdmin<{ id: number; name: string }>(k.services.category.add(new k.objects.Category(fields)));
    return { id: category.id, name: category.name };
  }

  /** Marks a user DELETED, as Kaltura's user.delete does. */
  async deleteUser(id: string): Promise<void> {
    await this.#asAdmin(k.services.user.update(id, new k.objects.User({ status: USER_STATUS_DELETED })));
  }

  async blockUser(id: string): Promise<void> {
    await this.#asAdmin(k.services.user.update(id, new k.objects.User({ status: USER_STATUS_BLOCKED })));
  }

  async renameChannel(id: number, name: string): Promise<void> {
    await this.#asAdmin(k.services.category.update(id, new k.objects.Category({ name })));
  }

  async deleteChannel(id: number): Promise<void> {
    await this.#asAdmin(k.services.category.deleteAction(id));
  }

  async addMember(channelId: number, userId: string, level: number, status: number = MEMBERSHIP_STATUS.active): Promise<void> {
    await this.#asAdmin(k.services.categoryUser.add(new k.objects.CategoryUser({ categoryId: channelId, userId, permissionLevel: level })));
    if (status === MEMBERSHIP_STATUS.notActive) await this.#asAdmin(k.services.categoryUser.deactivate(channelId, userId));
  }

  async setMemberLevel(channelId: number, userId: string, level: number): Promise<void> {
    await this.#asAdmin(k.services.categoryUser.update(channelId, userId, new k.objects.CategoryUser({ permissionLevel: level })));
  }

  async removeMember(channelId: number, userId: string): Promise<void> {
    await this.#asAdmin(k.services.categoryUser.deleteAction(channelId, userId));
  }

  /** Ends a KS in Kaltura, as signing out of MediaSpace does. */
  async endSession(ks: string): Promise<void> {
    await k.services.session.end().setKs(ks).execute(this.#client);
  }

  /** A USER KS, as MediaSpace holds for a signed-in user (or, with `admin`, an ADMIN KS naming the user). */
  async userKs(
    userId: string,
    { expiry = 3600, secret = this.#userSecret, partnerId = this.#partnerId, privileges = '', admin = false }: { expiry?: number; secret?: string; partnerId?: number; privileges?: string; admin?: boolean } = {},
  ): Promise<string> {
    const [type, key] = admin ? [SESSION_ADMIN, this.#adminSecret] : [SESSION_USER, secret];
    return (await k.services.session.start(key, userId, type, partnerId, expiry, privileges).execute(this.#client)) as string;
  }
}
