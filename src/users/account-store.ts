/**
 * Everyone the backend knows, in the `users` table: MediaSpace users (met at
 * their first launch, keyed `mediaspace:<Kaltura user id>`) and backend
 * accounts (invited by an administrator, signing in with email and password,
 * keyed by a random UUID): two id spaces that never meet (src/identity/user-keys.ts).
 * The only code that reads or writes account rows.
 */
import type { Db } from '../lib/db/database.ts';
import type { Selectable } from 'kysely';
import type { UsersTable } from '../lib/db/schema.ts';
import { BACKEND_ROLES, type BackendRole } from '../backend/backend-roles.ts';
import { isMediaSpaceUserKey } from '../identity/user-keys.ts';

export type AccountSource = 'mediaspace' | 'backend';
export type AccountStatus = 'invited' | 'active' | 'deactivated';

export interface Account {
  id: string;
  /** The name people see: the profile's display name, else the name from MediaSpace or the invitation. */
  name: string;
  /** The name from MediaSpace or the invitation, before any profile change. */
  givenName: string;
  email: string | null;
  source: AccountSource;
  /** Backend accounts only; a MediaSpace user's access follows their MediaSpace role and course membership. */
  backendRole: BackendRole | null;
  mediaspaceRole: string | null;
  status: AccountStatus;
  language: string | null;
  pictureImageId: string | null;
  hasPassword: boolean;
  firstSeenAt: number;
  lastSeenAt: number;
  version: number;
}

export interface NewBackendAccount {
  id: string;
  name: string;
  email: string;
  backendRole: BackendRole;
  status: AccountStatus;
  createdAt: number;
}

export interface AccountStore {
  findById(id: string): Promise<Account | null>;
  /** The backend account with this email address (case-insensitive), whatever its status. */
  findBackendByEmail(email: string): Promise<Account | null>;
  /** Any account, MediaSpace or backend, that uses this email address. */
  findAnyByEmail(email: string): Promise<Account | null>;
  passwordHashOf(id: string): Promise<string | null>;
  insertBackendAccount(account: NewBackendAccount): Promise<Account>;
  setPassword(id: string, passwordHash: string, now: number): Promise<void>;
  /** Sets an invited account active with its first password (an accepted invitation); false if it is not invited (any more). */
  activate(id: string, passwordHash: string, now: number): Promise<boolean>;
  /** Accounts of any source using one of these addresses (case-insensitive). */
  findByEmails(emails: string[]): Promise<Account[]>;
  /**
   * Records a change of a person's access (their role; their courses change beside it) on top of
   * `expectedVersion`; false, changing nothing, when the account changed in between or is gone.
   * `backendRole` undefined keeps the role (MediaSpace users, whose role comes from MediaSpace).
   */
  saveAccess(id: string, backendRole: BackendRole | undefined, expectedVersion: number): Promise<boolean>;
  /** Moves an account from one status to another on top of `expectedVersion`; false when it was not in `from` at that version. */
  changeStatus(id: string, change: { from: AccountStatus; to: AccountStatus }, expectedVersion: number, now: number): Promise<boolean>;
  /** Removes a backend account that never accepted its invitation, with its invitation and memberships; false if it is not (any more) such an account. */
  deleteInvited(id: string): Promise<boolean>;
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function createAccountStore(db: Db): AccountStore {
  async function findOne(where: (query: ReturnType<typeof selectAccounts>) => ReturnType<typeof selectAccounts>): Promise<Account | null> {
    const row = await where(selectAccounts(db)).executeTakeFirst();
    return row ? toAccount(row) : null;
  }

  return {
    findById: (id) => findOne((query) => query.where('id', '=', id)),
    findBackendByEmail: (email) => findOne((query) => query.where('email_normalized', '=', normaliseEmail(email)).where('source', '=', 'backend')),
    findAnyByEmail: (email) => findOne((query) => query.where('email_normalized', '=', normaliseEmail(email)).orderBy('source')),

    async passwordHashOf(id) {
      const row = await db.selectFrom('users').select('password_hash').where('id', '=', id).executeTakeFirst();
      return row?.password_hash ?? null;
    },

    async insertBackendAccount(account) {
      // Backend accounts and MediaSpace users live in separate id spaces (src/identity/user-keys.ts).
      if (isMediaSpaceUserKey(account.id)) throw new Error('a backend account cannot take a MediaSpace user key');
      await db
        .insertInto('users')
        .values({
          id: account.id,
          name: account.name,
          email: account.email.trim(),
          email_normalized: normaliseEmail(account.email),
          mediaspace_role: null,
          source: 'backend',
          backend_role: account.backendRole,
          password_hash: null,
          display_name: null,
          language: null,
          picture_image_id: null,
          status: account.status,
          deactivated_at: null,
          first_seen_at: account.createdAt,
          last_seen_at: account.createdAt,
        })
        .execute();
      return (await this.findById(account.id))!;
    },

    async setPassword(id, passwordHash, now) {
      await db.updateTable('users').set({ password_hash: passwordHash, last_seen_at: now }).where('id', '=', id).execute();
    },

    async activate(id, passwordHash, now) {
      const result = await db
        .updateTable('users')
        .set((eb) => ({ password_hash: passwordHash, status: 'active', last_seen_at: now, version: eb('version', '+', 1) }))
        .where('id', '=', id)
        .where('status', '=', 'invited')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async findByEmails(emails) {
      const normalised = [...new Set(emails.map(normaliseEmail))];
      if (normalised.length === 0) return [];
      const rows = await selectAccounts(db).where('email_normalized', 'in', normalised).execute();
      return rows.map(toAccount);
    },

    async saveAccess(id, backendRole, expectedVersion) {
      const result = await db
        .updateTable('users')
        .set((eb) => ({ ...(backendRole !== undefined && { backend_role: backendRole }), version: eb('version', '+', 1) }))
        .where('id', '=', id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async changeStatus(id, { from, to }, expectedVersion, now) {
      const result = await db
        .updateTable('users')
        .set((eb) => ({ status: to, deactivated_at: to === 'deactivated' ? now : null, version: eb('version', '+', 1) }))
        .where('id', '=', id)
        .where('status', '=', from)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async deleteInvited(id) {
      const result = await db.deleteFrom('users').where('id', '=', id).where('source', '=', 'backend').where('status', '=', 'invited').executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },
  };
}

function selectAccounts(db: Db) {
  return db.selectFrom('users').selectAll();
}

export function toAccount(row: Selectable<UsersTable>): Account {
  return {
    id: row.id,
    name: row.display_name ?? row.name,
    givenName: row.name,
    email: row.email,
    source: row.source === 'backend' ? 'backend' : 'mediaspace',
    backendRole: (BACKEND_ROLES as readonly string[]).includes(row.backend_role ?? '') ? (row.backend_role as BackendRole) : null,
    mediaspaceRole: row.mediaspace_role,
    status: row.status === 'invited' || row.status === 'deactivated' ? row.status : 'active',
    language: row.language,
    pictureImageId: row.picture_image_id,
    hasPassword: row.password_hash !== null,
    firstSeenAt: Number(row.first_seen_at),
    lastSeenAt: Number(row.last_seen_at),
    version: Number(row.version),
  };
}
