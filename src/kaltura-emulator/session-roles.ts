/**
 * Which role a session plays, and whether that role may call an action, in
 * the order Kaltura's kPermissionManager decides it: a `setrole` privilege
 * names the role; otherwise the KS's user brings their own roles (a KMC
 * administrator's user session has the administrator's role, so an
 * administrator passes where a viewer is refused); otherwise the session type
 * gives the default role (widget, partner administrator, or basic user).
 * Every role also holds ALWAYS_ALLOWED_ACTIONS.
 */
import type { ActionDefinition, Permission } from './action-types.ts';
import type { PartnerData } from './emulator-state.ts';
import { apiError } from './kaltura-errors.ts';
import { privilegeValues, type VerifiedSession } from './session-verifier.ts';

const ROLE_PERMISSIONS = {
  PARTNER_ADMIN_ROLE: 'all',
  BASE_USER_SESSION_ROLE: ['BASE_USER_SESSION_PERMISSION'],
  WIDGET_SESSION_ROLE: ['WIDGET_SESSION_PERMISSION'],
  NO_SESSION_ROLE: [],
} as const satisfies Record<string, 'all' | readonly Permission[]>;

export type RoleName = keyof typeof ROLE_PERMISSIONS;

export function roleOf(session: VerifiedSession, data: PartnerData): RoleName {
  const setRole = privilegeValues(session.privileges, 'setrole')[0];
  if (setRole !== undefined) {
    // Kaltura answers a role it cannot find with kCoreException ID_NOT_FOUND, i.e. INVALID_OBJECT_ID without the id.
    if (!Object.hasOwn(ROLE_PERMISSIONS, setRole)) throw apiError('INVALID_OBJECT_ID', { ID: '' });
    return setRole as RoleName;
  }
  if (data.users.get(session.userId)?.isAdmin) return 'PARTNER_ADMIN_ROLE';
  if (session.isWidget) return 'WIDGET_SESSION_ROLE';
  return session.isAdmin ? 'PARTNER_ADMIN_ROLE' : 'BASE_USER_SESSION_ROLE';
}

export function assertPermitted(role: RoleName, definition: Extract<ActionDefinition, { access: 'session' }>, service: string, action: string): void {
  const held = ROLE_PERMISSIONS[role];
  if (held === 'all') return;
  const permissions: readonly Permission[] = ['ALWAYS_ALLOWED_ACTIONS', ...held];
  if (!definition.permissions.some((permission) => permissions.includes(permission))) {
    throw apiError('SERVICE_FORBIDDEN', { SERVICE: `${service}->${action}` });
  }
}
