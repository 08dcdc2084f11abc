/**
 * Validates a KS the way Kaltura does on every call. A KS that cannot be
 * parsed or whose signature is wrong is INVALID_STR; one that parses but is
 * no longer honoured is reported as Kaltura's permission manager reports it,
 * with the reason in place of the KS: INVALID_KS "EXPIRED", "LOGOUT" (ended by
 * session.end), "EXCEEDED_ACTIONS_LIMIT" (actionslimit used up) or
 * "EXCEEDED_RESTRICTED_IP" (iprestrict) or "EXCEEDED_RESTRICTED_URI" (urirestrict). Kaltura echoes a KS it could not
 * parse; the emulator never does: a KS cut short in transit is still most of a
 * credential, and error messages end up in logs.
 */
import { SessionType, type EmulatorState } from './emulator-state.ts';
import { apiError, type KalturaApiError } from './kaltura-errors.ts';
import type { RequestOrigin } from './action-types.ts';
import { decodeKs, hasValidSignature, type DecodedKs } from './ks-codec.ts';

export interface VerifiedSession {
  ks: string;
  signature: string;
  partnerId: number;
  userId: string;
  type: number;
  expiry: number;
  privileges: string;
  isAdmin: boolean;
  /** A USER KS without a user that carries widget:1 (Kaltura's widget session). */
  isWidget: boolean;
  /** The KS carries the disableentitlement privilege. */
  entitlementDisabled: boolean;
}

type KsProblem = 'INVALID_STR' | 'EXPIRED' | 'LOGOUT' | 'EXCEEDED_ACTIONS_LIMIT' | 'EXCEEDED_RESTRICTED_IP' | 'EXCEEDED_RESTRICTED_URI';

/** Parses a KS and checks its signature only, as Kaltura's session.get does with a KS passed to it. */
export function parseSignedKs(state: EmulatorState, ks: string): DecodedKs | null {
  const decoded = decodeKs(ks);
  const data = decoded ? state.partners.get(decoded.fields.partnerId) : undefined;
  return decoded && data && hasValidSignature(decoded, data.partner.adminSecret) ? decoded : null;
}

/** Checks a KS used to make a call: signature, expiry, session.end, and the privileges that restrict its use. */
export function verifyKs(state: EmulatorState, ks: string, nowSeconds: number, origin: RequestOrigin): VerifiedSession {
  const decoded = parseSignedKs(state, ks);
  if (!decoded) throw invalidKs('INVALID_STR');
  const { fields } = decoded;
  if (fields.expiry <= nowSeconds) throw invalidKs('EXPIRED');
  const allowedAddresses = privilegeValues(fields.privileges, 'iprestrict');
  if (allowedAddresses.length > 0 && !allowedAddresses.includes(normaliseAddress(origin.remoteAddress))) throw invalidKs('EXCEEDED_RESTRICTED_IP');
  if (hasPrivilege(fields.privileges, 'urirestrict') && !uriAllowed(fields.privileges, origin.uri)) throw invalidKs('EXCEEDED_RESTRICTED_URI');
  if (state.revokedKsSignatures.has(decoded.signature)) throw invalidKs('LOGOUT');
  countAction(state, decoded);
  return {
    ks,
    signature: decoded.signature,
    partnerId: fields.partnerId,
    userId: fields.userId,
    type: fields.type,
    expiry: fields.expiry,
    privileges: fields.privileges,
    isAdmin: fields.type === SessionType.ADMIN,
    isWidget: fields.type === SessionType.USER && (fields.userId === '' || fields.userId === '0') && privilegeValues(fields.privileges, 'widget').includes('1'),
    entitlementDisabled: hasPrivilege(fields.privileges, 'disableentitlement'),
  };
}

/** The session behind a call; a partnerId sent with the call must be the KS's own partner. */
export function verifyCallerSession(state: EmulatorState, ks: string | undefined, requestedPartnerId: number | undefined, nowSeconds: number, origin: RequestOrigin): VerifiedSession {
  if (!ks) throw apiError('MISSING_KS');
  const session = verifyKs(state, ks, nowSeconds, origin);
  if (requestedPartnerId !== undefined && requestedPartnerId !== session.partnerId) {
    throw apiError('INVALID_KS', { KSID: 'INVALID_PARTNER', ERR_CODE: -2, ERR_DESC: 'INVALID_PARTNER' });
  }
  return session;
}

/** Admin sessions, and user sessions with entitlement disabled, are not narrowed to their own user. */
export function seesAllUsers(session: VerifiedSession): boolean {
  return session.isAdmin || session.entitlementDisabled;
}

/** The values of a privilege ("name:a/b" gives a, b; a bare "name" gives none), as Kaltura parses them. */
export function privilegeValues(privileges: string, name: string): string[] {
  return privileges
    .split(',')
    .map((privilege) => privilege.trim())
    .filter((privilege) => privilege.split(':')[0]?.toLowerCase() === name)
    .flatMap((privilege) => (privilege.includes(':') ? privilege.slice(privilege.indexOf(':') + 1).split('/') : []))
    .filter((value) => value.length > 0);
}

function hasPrivilege(privileges: string, name: string): boolean {
  return privileges.split(',').some((privilege) => privilege.split(':')[0]?.trim().toLowerCase() === name);
}

/**
 * actionslimit:N lets a KS make N calls (each sub-request of a multirequest is one), counted
 * where Kaltura counts them; a limit that is not a positive number is refused outright.
 */
function countAction(state: EmulatorState, decoded: DecodedKs): void {
  if (!hasPrivilege(decoded.fields.privileges, 'actionslimit')) return;
  const limit = Number(privilegeValues(decoded.fields.privileges, 'actionslimit')[0]);
  if (!Number.isInteger(limit) || limit <= 0) throw apiError('INVALID_ACTIONS_LIMIT');
  const left = state.ksActionsLeft.get(decoded.signature) ?? limit;
  if (left <= 0) throw invalidKs('EXCEEDED_ACTIONS_LIMIT');
  state.ksActionsLeft.set(decoded.signature, left - 1);
}

/** urirestrict:a|b* names the request paths a KS may be used on, exactly or, ending in *, by prefix. */
function uriAllowed(privileges: string, uri: string): boolean {
  const path = uri.split('?')[0] ?? '';
  const restriction = privileges.split(',').find((privilege) => privilege.trim().toLowerCase().startsWith('urirestrict:')) ?? '';
  return restriction
    .slice(restriction.indexOf(':') + 1)
    .split('|')
    .some((allowed) => allowed === path || (allowed.endsWith('*') && path.startsWith(allowed.slice(0, -1))));
}

/** Node reports IPv4 peers on a dual-stack socket as ::ffff:a.b.c.d; Kaltura sees a.b.c.d. */
function normaliseAddress(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

function invalidKs(problem: KsProblem): KalturaApiError {
  return apiError('INVALID_KS', { KSID: problem, ERR_CODE: -1, ERR_DESC: 'INVALID_STR' });
}
