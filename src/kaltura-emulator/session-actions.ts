/**
 * session.start / get / end.
 */
import type { EmulatorPartner } from './create-kaltura-emulator.ts';
import { adminAction, type PublicCall, type ServiceActions, type SessionCall } from './action-types.ts';
import { SessionType } from './emulator-state.ts';
import { apiError } from './kaltura-errors.ts';
import { encodeKs, randomKsPart } from './ks-codec.ts';
import { readEnum, readInt, readString, requireString } from './param-readers.ts';
import { parseSignedKs } from './session-verifier.ts';

const DEFAULT_EXPIRY_SECONDS = 86_400;

export interface SessionInfo {
  sessionType: number;
  partnerId: number;
  userId: string;
  expiry: number;
  privileges: string;
  objectType: 'KalturaSessionInfo';
}

export const sessionActions: ServiceActions = {
  start: { access: 'public', run: startSession },
  // Kaltura's service.session.ini: session.get needs KMC_ACCESS or KMC_READ_ONLY, which a plain user session lacks.
  get: adminAction(getSessionInfo),
  end: { access: 'session', permissions: ['ALWAYS_ALLOWED_ACTIONS', 'BASE_USER_SESSION_PERMISSION', 'WIDGET_SESSION_PERMISSION'], run: endSession },
};

function startSession({ params, state, nowSeconds }: PublicCall): string {
  const secret = requireString(params, 'secret');
  const userId = readString(params, 'userId') ?? '';
  const type = readEnum(params, 'type', 'KalturaSessionType') ?? SessionType.USER;
  const partnerId = readInt(params, 'partnerId');
  const expiry = readInt(params, 'expiry') ?? DEFAULT_EXPIRY_SECONDS;
  const privileges = readString(params, 'privileges') ?? '';
  const partner = partnerId === undefined ? undefined : state.partners.get(partnerId)?.partner;
  if (!partner || !secretOpensSession(partner, secret, type)) throw apiError('START_SESSION_ERROR', { PID: partnerId ?? '' });
  return encodeKs({ partnerId: partner.id, expiry: nowSeconds + expiry, type, random: randomKsPart(), userId, privileges }, partner.adminSecret);
}

/** The admin secret opens any session; the user secret only USER sessions. */
function secretOpensSession(partner: EmulatorPartner, secret: string, type: number): boolean {
  if (secret === partner.adminSecret) return true;
  return secret === partner.userSecret && type === SessionType.USER;
}

/**
 * Like Kaltura, a KS passed as `session` is only parsed and its signature checked: an expired
 * or ended KS is still described. One that cannot be parsed fails as Kaltura's does, with an
 * exception the API reports as an internal error. The answer never repeats the KS.
 */
function getSessionInfo({ params, state, session }: SessionCall): SessionInfo {
  const asked = readString(params, 'session');
  const target = asked ? parseSignedKs(state, asked)?.fields : session;
  if (!target) throw apiError('INTERNAL_SERVERL_ERROR', { ERROR: 'INVALID_STR' });
  if (target.partnerId !== session.partnerId) {
    throw apiError('PARTNER_ACCESS_FORBIDDEN', { ACCESSING_PID: session.partnerId, ACCESSED_PID: target.partnerId });
  }
  return {
    sessionType: target.type,
    partnerId: target.partnerId,
    userId: target.userId,
    expiry: target.expiry,
    privileges: target.privileges,
    objectType: 'KalturaSessionInfo',
  };
}

function endSession({ state, session }: SessionCall): void {
  state.revokedKsSignatures.add(session.signature);
}
