/**
 * Validates a KS the way Kaltura does on every call, answering INVALID_KS with
 * Kaltura's own reason codes: -1 INVALID_STR (not a KS, unknown partner, bad
 * signature), -2 INVALID_PARTNER, -5 EXPIRED, -6 LOGOUT (ended by session.end).
 */
import { SessionType, type EmulatorState } from './emulator-state.ts';
import { apiError, type KalturaApiError } from './kaltura-errors.ts';
import { decodeKs, hasValidSignature } from './ks-codec.ts';

export interface VerifiedSession {
  ks: string;
  signature: string;
  partnerId: number;
  userId: string;
  type: number;
  expiry: number;
  privileges: string;
  isAdmin: boolean;
  /** The KS carries the disableentitlement privilege. */
  entitlementDisabled: boolean;
}

const KS_ERRORS = {
  INVALID_STR: -1,
  INVALID_PARTNER: -2,
  EXPIRED: -5,
  LOGOUT: -6,
} as const;

export function verifyKs(state: EmulatorState, ks: string, nowSeconds: number): VerifiedSession {
  const decoded = decodeKs(ks);
  const data = decoded ? state.partners.get(decoded.fields.partnerId) : undefined;
  if (!decoded || !data || !hasValidSignature(decoded, data.partner.adminSecret)) throw invalidKs(ks, 'INVALID_STR');
  if (decoded.fields.expiry <= nowSeconds) throw invalidKs(ks, 'EXPIRED');
  if (state.revokedKsSignatures.has(decoded.signature)) throw invalidKs(ks, 'LOGOUT');
  const { fields } = decoded;
  return {
    ks,
    signature: decoded.signature,
    partnerId: fields.partnerId,
    userId: fields.userId,
    type: fields.type,
    expiry: fields.expiry,
    privileges: fields.privileges,
    isAdmin: fields.type === SessionType.ADMIN,
    entitlementDisabled: hasPrivilege(fields.privileges, 'disableentitlement'),
  };
}

/** The session behind a call; a partnerId sent with the call must be the KS's own partner. */
export function verifyCallerSession(state: EmulatorState, ks: string | undefined, requestedPartnerId: number | undefined, nowSeconds: number): VerifiedSession {
  if (!ks) throw apiError('MISSING_KS');
  const session = verifyKs(state, ks, nowSeconds);
  if (requestedPartnerId !== undefined && requestedPartnerId !== session.partnerId) throw invalidKs(ks, 'INVALID_PARTNER');
  return session;
}

/** Admin sessions, and user sessions with entitlement disabled, are not narrowed to their own user. */
export function seesAllUsers(session: VerifiedSession): boolean {
  return session.isAdmin || session.entitlementDisabled;
}

function hasPrivilege(privileges: string, name: string): boolean {
  return privileges.split(',').some((privilege) => privilege.split(':')[0]?.trim().toLowerCase() === name);
}

function invalidKs(ks: string, reason: keyof typeof KS_ERRORS): KalturaApiError {
  return apiError('INVALID_KS', { KSID: ks, ERR_CODE: KS_ERRORS[reason], ERR_DESC: reason });
}
