/**
 * The stores the users and invitations services work with, and a way to run
 * several writes as one: `transaction(work)` hands `work` the same stores
 * bound to one database transaction, committed when `work` resolves and
 * rolled back when it throws. Inside, use only the stores it was handed.
 */
import type { Db } from '../lib/db/database.ts';
import { createCourseMemberStore, type CourseMemberStore } from '../courses/course-member-store.ts';
import { createAccountStore, type AccountStore } from './account-store.ts';
import { createInvitationStore, type InvitationStore } from './invitation-store.ts';
import { createUserDirectoryStore, type UserDirectoryStore } from './user-directory-store.ts';

export interface UserRecords {
  accounts: AccountStore;
  invitations: InvitationStore;
  members: CourseMemberStore;
  directory: UserDirectoryStore;
}

export interface TransactionalUserRecords extends UserRecords {
  transaction<T>(work: (records: UserRecords) => Promise<T>): Promise<T>;
}

export function createUserRecords(db: Db): TransactionalUserRecords {
  const bound = (handle: Db): UserRecords => ({
    accounts: createAccountStore(handle),
    invitations: createInvitationStore(handle),
    members: createCourseMemberStore(handle),
    directory: createUserDirectoryStore(handle),
  });
  return {
    ...bound(db),
    transaction: (work) => db.transaction().execute((trx) => work(bound(trx))),
  };
}
