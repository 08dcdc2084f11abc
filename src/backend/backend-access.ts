/**
 * Who is using the rooms backend, and as what, decided on the server from the
 * module's records on every request:
 * - a backend account: its role (administrator, instructor, student), while the account is active;
 * - a MediaSpace adminRole or unmoderatedAdminRole user: administrator;
 * - any other MediaSpace user: instructor if they instruct at least one course
 *   (a channel they manage or moderate, a private room they own), else student.
 * What they may do in one course is a second question, answered by courseAccess().
 */
import type { Request, RequestHandler } from 'express';
import type { AuthSession } from '../identity/auth-session-store.ts';
import { isMediaSpaceAdmin } from '../identity/mediaspace-roles.ts';
import { ForbiddenError, UnauthorizedError } from '../lib/errors/app-error.ts';
import type { AccountSource, AccountStore } from '../users/account-store.ts';
import type { CourseMemberStore, CourseRole } from '../courses/course-member-store.ts';
import type { BackendRole } from './backend-roles.ts';

export interface BackendActor {
  userId: string;
  name: string;
  email: string | null;
  role: BackendRole;
  source: AccountSource;
  /** The profile picture, shown beside their name in the backend's header. */
  pictureImageId: string | null;
}

export interface BackendAccessDeps {
  accounts: AccountStore;
  /** The verified store (src/courses/verified-course-members.ts): channel-level memberships are re-checked with Kaltura. */
  members: CourseMemberStore;
}

export async function resolveBackendActor(session: AuthSession, { accounts, members }: BackendAccessDeps): Promise<BackendActor | null> {
  const account = await accounts.findById(session.userId);
  if (session.source === 'backend') {
    if (!account || account.source !== 'backend' || account.status !== 'active' || !account.backendRole) return null;
    return { userId: account.id, name: account.name, email: account.email, role: account.backendRole, source: 'backend', pictureImageId: account.pictureImageId };
  }
  if (account?.status === 'deactivated') return null;
  const role: BackendRole = isMediaSpaceAdmin(session.mediaspaceRole) ? 'administrator' : (await members.isInstructorAnywhere(session.userId)) ? 'instructor' : 'student';
  return { userId: session.userId, name: account?.name ?? session.userName, email: session.userEmail, role, source: 'mediaspace', pictureImageId: account?.pictureImageId ?? null };
}

/** Sets req.backend for signed-in people; people without a session are sent to sign in. */
export function loadBackendActor(deps: BackendAccessDeps): RequestHandler {
  return async (req, res, next) => {
    const actor = req.auth ? await resolveBackendActor(req.auth, deps) : null;
    if (!actor) {
      if (req.accepts(['html', 'json']) === 'html' && req.method === 'GET') return res.redirect(303, `/login?returnTo=${encodeURIComponent(req.originalUrl)}`);
      throw new UnauthorizedError(req.t('common:errors.signInFirst'), { code: 'NO_SESSION' });
    }
    req.backend = actor;
    res.locals.backend = actor;
    next();
  };
}

export function currentActor(req: Request): BackendActor {
  if (!req.backend) throw new UnauthorizedError(req.t('common:errors.signInFirst'), { code: 'NO_SESSION' });
  return req.backend;
}

/** Only these backend roles may use the routes behind it. */
export function allowRoles(...roles: BackendRole[]): RequestHandler {
  return (req, _res, next) => {
    if (!roles.includes(currentActor(req).role)) throw new ForbiddenError(req.t('common:errors.roleNotAllowed'), { code: 'ROLE_NOT_ALLOWED' });
    next();
  };
}

export type CourseAccess = 'manage' | 'attend' | null;

/**
 * What one person may do in one course: administrators and the course's
 * instructors manage it (inactive or not); its students attend it while it is
 * active; everyone else has no access.
 */
export async function courseAccess(actor: BackendActor, course: { id: string; active: boolean }, members: CourseMemberStore): Promise<CourseAccess> {
  if (actor.role === 'administrator') return 'manage';
  const role: CourseRole | null = await members.roleIn(course.id, actor.userId);
  if (role === 'instructor') return 'manage';
  if (role === 'student' && course.active) return 'attend';
  return null;
}
