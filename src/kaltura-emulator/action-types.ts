/**
 * The contract between the dispatcher and the per-service action handlers.
 */
import type { EmulatorState, PartnerData } from './emulator-state.ts';
import type { Params } from './param-readers.ts';
import type { VerifiedSession } from './session-verifier.ts';

export interface RequestOrigin {
  remoteAddress: string;
  /** The request's path, as Kaltura's REQUEST_URI ("/api_v3/service/user/action/get"). */
  uri: string;
  /** Where the API is served ("http://host:port/api_v3"), for the URLs Kaltura hands out (downloadUrl). */
  baseUrl: string;
}

export interface PublicCall {
  service: string;
  action: string;
  params: Params;
  state: EmulatorState;
  nowSeconds: number;
  /** Where the HTTP request came from and what it asked for, for the iprestrict and urirestrict privileges. */
  origin: RequestOrigin;
}

export interface SessionCall extends PublicCall {
  session: VerifiedSession;
  /** The data of the session's partner. */
  data: PartnerData;
}

/**
 * The permissions of Kaltura's deployment/permissions/service.*.ini files that
 * the emulated roles hold besides the partner administrator's role, which
 * holds every permission ("*").
 */
export type Permission = 'ALWAYS_ALLOWED_ACTIONS' | 'BASE_USER_SESSION_PERMISSION' | 'WIDGET_SESSION_PERMISSION';

/**
 * public: no KS needed (session.start). session: a valid KS whose role holds
 * one of `permissions` (or the partner administrator's role); otherwise
 * SERVICE_FORBIDDEN. The handler may narrow further what a session sees.
 */
export type ActionDefinition =
  | { access: 'public'; run(call: PublicCall): unknown }
  | { access: 'session'; permissions: readonly Permission[]; run(call: SessionCall): unknown };

/** Action names in lower case: Kaltura matches them case-insensitively. */
export type ServiceActions = Record<string, ActionDefinition>;

/** Actions whose permission items list only administrative permissions (KMC_ACCESS, ADMIN_BASE, CONTENT_MANAGE_*...). */
export const adminAction = (run: (call: SessionCall) => unknown): ActionDefinition => ({ access: 'session', permissions: [], run });

/** Actions whose permission items include BASE_USER_SESSION_PERMISSION (and, where listed, WIDGET_SESSION_PERMISSION). */
export const userAction = (run: (call: SessionCall) => unknown, { widget = false } = {}): ActionDefinition => ({
  access: 'session',
  permissions: widget ? ['BASE_USER_SESSION_PERMISSION', 'WIDGET_SESSION_PERMISSION'] : ['BASE_USER_SESSION_PERMISSION'],
  run,
});
