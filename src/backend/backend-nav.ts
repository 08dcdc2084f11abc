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

const ENTRIES: Array<{ key: string; href: string | null; roles: BackendRole[] }> = [
  { key: 'courses', href: '/backend/courses', roles: ['administrator', 'instructor', 'student'] },
  { key: 'users', href: '/backend/users', roles: ['administrator'] },
  { key: 'files', href: '/backend/files', roles: ['administrator', 'instructor'] },
  { key: 'sessionStats', href: '/backend/stats', roles: ['administrator', 'instructor'] },
  { key: 'profile', href: '/backend/profile', roles: ['administrator', 'instructor', 'student'] },
  { key: 'branding', href: '/backend/branding', roles: ['administrator'] },
  { key: 'plans', href: null, roles: ['administrator'] },
  { key: 'billing', href: null, roles: ['administrator'] },
];

export function navFor(role: BackendRole, path: string): NavEntry[] {
  return ENTRIES.filter((entry) => entry.roles.includes(role)).map((entry) => ({
    key: entry.key,
    href: entry.href,
    later: entry.href === null,
    current: entry.href !== null && (path === entry.href || path.startsWith(`${entry.href}/`)),
  }));
}

/** Puts the menu for the current person on res.locals.backendNav (after loadBackendActor). */
export const backendNav: RequestHandler = (req, res, next) => {
  res.locals.backendNav = req.backend ? navFor(req.backend.role, req.originalUrl.split('?')[0] ?? '') : [];
  next();
};
