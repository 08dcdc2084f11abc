/** The rooms backend's roles, lowest first, as the product documentation names them. */
export const BACKEND_ROLES = ['student', 'instructor', 'administrator'] as const;
export type BackendRole = (typeof BACKEND_ROLES)[number];

export function isBackendRole(value: unknown): value is BackendRole {
  return typeof value === 'string' && (BACKEND_ROLES as readonly string[]).includes(value);
}
