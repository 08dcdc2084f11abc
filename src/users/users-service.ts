/**
 * The people of the rooms backend, for administrators: the list, one
 * person's access (role and courses, saved on top of the version the
 * administrator saw), deactivation (their sessions end at once) and
 * reactivation. A MediaSpace user's role comes from MediaSpace and is not
 * changed here; their courses are. Administrators cannot take away their own
 * access, so an administrator able to manage always remains.
 */
import type { TFunction } from 'i18next';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../lib/errors/app-error.ts';
import type { BackendActor } from '../backend/backend-access.ts';
import { isBackendRole, type BackendRole } from '../backend/backend-roles.ts';
import type { CourseMembership, CourseRole } from '../courses/course-member-store.ts';
import type { AccountStatus } from './account-store.ts';
import { courseRoleFor } from './invitations-service.ts';
import type { CourseChoice, DirectoryCourse, DirectoryEntry, DirectoryQuery } from './user-directory-store.ts';
import type { TransactionalUserRecords } from './user-records.ts';

/** Where an invitation stands: its link works, its link expired, or it was accepted. */
export type InvitationState = 'pending' | 'expired' | 'accepted';

/** One person as the users pages and their JSON show them. */
export interface UserSummary {
  id: string;
  name: string;
  email: string | null;
  source: 'backend' | 'mediaspace';
  /** What they may do in the backend: a backend account's role, or what a MediaSpace user's role and courses give them. */
  accessRole: BackendRole;
  /** Backend accounts: the role an administrator gave them; null for MediaSpace users. */
  backendRole: BackendRole | null;
  mediaspaceRole: string | null;
  status: AccountStatus;
  version: number;
  invitation: { state: InvitationState; expiresAt: number; sentAt: number | null; sendError: string | null; acceptedAt: number | null } | null;
  courses: DirectoryCourse[];
}

export interface UsersPage {
  users: UserSummary[];
  total: number;
  page: number;
  pageSize: number;
  pages: number;
}

/** A change of someone's access as an administrator sends it. */
export interface AccessChange {
  /** Backend accounts only; absent for MediaSpace users. */
  role?: string;
  courseIds: string[];
  /** MediaSpace users only: the role they take in the courses given to them here. */
  courseRole?: string;
}

export interface UsersServiceDeps {
  records: TransactionalUserRecords;
  /** Ends every session of one person. */
  sessions: { signOutEverywhere(userId: string): Promise<void> };
  now: () => number;
}

export class UsersService {
  readonly #deps: UsersServiceDeps;

  constructor(deps: UsersServiceDeps) {
    this.#deps = deps;
  }

  async list(query: DirectoryQuery): Promise<UsersPage> {
    const { entries, total } = await this.#deps.records.directory.list(query);
    const now = this.#deps.now();
    return { users: entries.map((entry) => summarise(entry, now)), total, page: query.page, pageSize: query.pageSize, pages: Math.max(1, Math.ceil(total / query.pageSize)) };
  }

  async find(userId: string, t: TFunction): Promise<UserSummary> {
    const entry = await this.#deps.records.directory.find(userId);
    if (!entry) throw new NotFoundError(t('users:errors.notFound'));
    return summarise(entry, this.#deps.now());
  }

  courseChoices(): Promise<CourseChoice[]> {
    return this.#deps.records.directory.courseChoices();
  }

  /**
   * Saves a person's role and courses together, on top of `expectedVersion`: a stale edit is
   * refused (409) and changes nothing. Memberships that came from MediaSpace stay as they are.
   */
  async changeAccess(actor: BackendActor, userId: string, change: AccessChange, expectedVersion: number, t: TFunction): Promise<void> {
    await this.#deps.records.transaction(async (records) => {
      const account = await records.accounts.findById(userId);
      if (!account) throw new NotFoundError(t('users:errors.notFound'));
      const fields: Record<string, string> = {};
      let role: BackendRole | undefined;
      let courseRole: CourseRole;
      if (account.source === 'backend') {
        if (!isBackendRole(change.role)) fields.role = t('users:errors.roleRequired');
        else if (actor.userId === userId && change.role !== 'administrator') fields.role = t('users:errors.cannotDemoteSelf');
        else role = change.role;
        courseRole = courseRoleFor(role ?? 'student');
      } else {
        if (change.role !== undefined && change.role !== '') fields.role = t('users:errors.roleFromMediaSpace');
        if (change.courseRole !== undefined && change.courseRole !== 'student' && change.courseRole !== 'instructor') fields.courseRole = t('users:errors.courseRoleInvalid');
        courseRole = change.courseRole === 'instructor' ? 'instructor' : 'student';
      }
      const wanted = [...new Set(change.courseIds)];
      const known = await records.directory.findCourses(wanted);
      if (known.length !== wanted.length) fields.courses = t('users:errors.courseUnknown');
      if (Object.keys(fields).length > 0) throw new ValidationError(t('common:errors.fixBelow'), fields);

      if (!(await records.accounts.saveAccess(userId, role, expectedVersion))) throw this.#stale(t);

      const current = new Map<string, CourseMembership>((await records.members.listForUser(userId)).map((membership) => [membership.roomId, membership]));
      for (const membership of current.values()) {
        if (membership.source === 'backend' && !wanted.includes(membership.roomId)) await records.members.remove(membership.roomId, userId);
      }
      const now = this.#deps.now();
      for (const roomId of wanted) {
        const existing = current.get(roomId);
        if (existing?.source === 'mediaspace' || existing?.role === courseRole) continue;
        await records.members.put({ roomId, userId, role: courseRole, source: 'backend', addedAt: existing?.addedAt ?? now });
      }
    });
  }

  /** Deactivates an active person and ends their sessions; they can no longer use the backend. */
  async deactivate(actor: BackendActor, userId: string, expectedVersion: number, t: TFunction): Promise<void> {
    if (actor.userId === userId) throw new AppError(400, t('users:errors.cannotDeactivateSelf'), { code: 'CANNOT_DEACTIVATE_SELF' });
    await this.#changeStatus(userId, { from: 'active', to: 'deactivated' }, expectedVersion, t);
    await this.#deps.sessions.signOutEverywhere(userId);
  }

  async reactivate(userId: string, expectedVersion: number, t: TFunction): Promise<void> {
    await this.#changeStatus(userId, { from: 'deactivated', to: 'active' }, expectedVersion, t);
  }

  async #changeStatus(userId: string, change: { from: AccountStatus; to: AccountStatus }, expectedVersion: number, t: TFunction): Promise<void> {
    const { accounts } = this.#deps.records;
    if (await accounts.changeStatus(userId, change, expectedVersion, this.#deps.now())) return;
    const account = await accounts.findById(userId);
    if (!account) throw new NotFoundError(t('users:errors.notFound'));
    if (account.version !== expectedVersion) throw this.#stale(t);
    throw new ConflictError(t(`users:errors.not_${change.from}`), { code: 'WRONG_STATUS' });
  }

  #stale(t: TFunction): ConflictError {
    return new ConflictError(t('common:errors.conflict'), { code: 'STALE_VERSION', help: t('common:errors.conflictHelp') });
  }
}

function summarise({ account, accessRole, invitation, courses }: DirectoryEntry, now: number): UserSummary {
  return {
    id: account.id,
    name: account.name,
    email: account.email,
    source: account.source,
    accessRole,
    backendRole: account.source === 'backend' ? account.backendRole : null,
    mediaspaceRole: account.source === 'mediaspace' ? account.mediaspaceRole : null,
    status: account.status,
    version: account.version,
    invitation: invitation && {
      state: invitation.acceptedAt !== null ? 'accepted' : invitation.expiresAt <= now ? 'expired' : 'pending',
      expiresAt: invitation.expiresAt,
      sentAt: invitation.sentAt,
      sendError: invitation.sendError,
      acceptedAt: invitation.acceptedAt,
    },
    courses,
  };
}
