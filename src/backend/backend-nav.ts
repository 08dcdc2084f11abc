/**
 * The backend's one menu. Which entries a person sees is decided here from
 * their role; each route checks the same role again on its own.
 */
import type { RequestHandler } from 'express';
import type { BackendRole } from './backend-roles.ts';

export interface NavEntry {
  key: string;
  href: string | null;
  /** Entries of a later issue are shown, not linked, so administrators know where they will be. */
  later: boolean;
  current: boolean;
}

const ENTRIES: Array<{ key: string; href: string | null; roles: BackendRole[]; billing?: true; ownAttendance?: true }> = [
  { key: 'courses', href: '/backend/courses', roles: ['administrator', 'instructor', 'student'] },
  { key: 'users', href: '/backend/users', roles: ['administrator'] },
  { key: 'files', href: '/backend/files', roles: ['administrator', 'instructor'] },
  { key: 'sessionStats', href: '/backend/stats', roles: ['administrator', 'instructor'] },
  // Students' own rows, while an administrator lets students see their own attendance.
  { key: 'sessionStats', href: '/backend/stats', roles: ['student'], ownAttendance: true },
  { key: 'profile', href: '/backend/profile', roles: ['administrator', 'instructor', 'student'] },
  { key: 'branding', href: '/backend/branding', roles: ['administrator'] },
  { key: 'plans', href: '/backend/plans', roles: ['administrator'], billing: true },
  { key: 'billing', href: '/backend/billing', roles: ['administrator'], billing: true },
];

/**
 * Plans and Billing are there only with billing on; without it licences are set by hand on the courses page.
 * A student has Session Stats only while students see their own attendance.
 */
export function navFor(role: BackendRole, path: string, { billing = false, ownAttendance = false }: { billing?: boolean; ownAttendance?: boolean } = {}): NavEntry[] {
  return ENTRIES.filter((entry) => entry.roles.includes(role) && (billing || !entry.billing) && (ownAttendance || !entry.ownAttendance)).map((entry) => ({
    key: entry.key,
    href: entry.href,
    later: entry.href === null,
    current: entry.href !== null && (path === entry.href || path.startsWith(`${entry.href}/`)),
  }));
}

/** Puts the menu for the current person on res.locals.backendNav (after loadBackendActor); the setting is read for students only. */
export function backendNav(features: { billing: boolean; studentsSeeOwnAttendance: () => Promise<boolean> }): RequestHandler {
  return async (req, res, next) => {
    const role = req.backend?.role;
    const ownAttendance = role === 'student' && (await features.studentsSeeOwnAttendance());
    res.locals.backendNav = role ? navFor(role, req.originalUrl.split('?')[0] ?? '', { billing: features.billing, ownAttendance }) : [];
    next();
  };
}
