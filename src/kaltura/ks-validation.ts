/**
 * How the module proves that a viewer's KS is a live MediaSpace login, with
 * only what Kaltura lets a plain user session do, in one multirequest:
 *
 * 1. session.get(ks) with the partner's admin KS: Kaltura's service.session.ini
 *    grants session.get to KMC_ACCESS and KMC_READ_ONLY only, so a viewer's own
 *    KS cannot ask it; it parses the KS and checks its signature, and nothing
 *    else (an expired or ended KS is still described).
 * 2. user.get() with the viewer's own KS: BASE_USER_SESSION_PERMISSION may make
 *    it, and every call Kaltura accepts proves the KS is still honoured (not
 *    expired, not ended, within its privileges). It answers the KS's own user.
 * 3. metadata.list with the admin KS, when MediaSpace keeps roles in a
 *    user-roles profile: the role record of the KS's user.
 *
 * Only a USER session with a user and no restricting privileges is a
 * MediaSpace login: an admin KS, a widget session, or a KS limited to a number
 * of calls, an address, a role or an entry is refused, whoever it names.
 */
import kaltura from 'kaltura-client';
import { ForbiddenError, UnauthorizedError } from '../lib/errors/app-error.ts';
import { phrase } from '../lib/i18n/phrase.ts';
import { kalturaApiErrorSchema, sessionInfoSchema, type KalturaApiErrorBody, type KalturaSessionInfo } from './kaltura-records.ts';

const SESSION_TYPE_USER = 0;
const METADATA_OBJECT_TYPE_USER = '3';

/**
 * Privileges (Kaltura's kSessionBase names) that narrow what a KS may do or who may use it: such
 * a KS was made for something else than signing a person in. Privileges that grant (sview, edit,
 * download, disableentitlement) or scope content (privacycontext, enableentitlement) do not count.
 */
export const RESTRICTING_PRIVILEGES = ['actionslimit', 'setrole', 'restrictingrole', 'iprestrict', 'urirestrict', 'limitentry', 'widget', 'preview'] as const;

const messages = {
  ksInvalid: phrase('kaltura:errors.ksInvalid'),
  ksExpired: phrase('kaltura:errors.ksExpired'),
  ksOtherPartner: phrase('kaltura:errors.ksOtherPartner'),
  ksNoUser: phrase('kaltura:errors.ksNoUser'),
  ksNotUserSession: phrase('kaltura:errors.ksNotUserSession'),
  ksRestricted: phrase('kaltura:errors.ksRestricted'),
  ksHelp: phrase('kaltura:errors.ksHelp'),
  userUnknown: phrase('kaltura:errors.userUnknown'),
  userUnknownHelp: phrase('kaltura:errors.userUnknownHelp'),
  userBlocked: phrase('kaltura:errors.userBlocked'),
};

export const ksRefusals = {
  invalid: () => new UnauthorizedError(messages.ksInvalid, { help: messages.ksHelp, code: 'KS_INVALID' }),
  expired: () => new UnauthorizedError(messages.ksExpired, { help: messages.ksHelp, code: 'KS_EXPIRED' }),
  otherPartner: () => new UnauthorizedError(messages.ksOtherPartner, { help: messages.ksHelp, code: 'KS_OTHER_PARTNER' }),
  noUser: () => new UnauthorizedError(messages.ksNoUser, { help: messages.ksHelp, code: 'KS_NO_USER' }),
  notUserSession: () => new UnauthorizedError(messages.ksNotUserSession, { help: messages.ksHelp, code: 'KS_NOT_USER_SESSION' }),
  restricted: () => new UnauthorizedError(messages.ksRestricted, { help: messages.ksHelp, code: 'KS_RESTRICTED' }),
  userUnknown: () => new ForbiddenError(messages.userUnknown, { help: messages.userUnknownHelp, code: 'KALTURA_USER_UNKNOWN' }),
  userBlocked: () => new ForbiddenError(messages.userBlocked, { help: messages.userUnknownHelp, code: 'KALTURA_USER_BLOCKED' }),
};

type Request = ReturnType<typeof kaltura.services.session.get>;

export function ksValidationRequests(ks: string, adminKs: string, roleProfileId: number | null): Request[] {
  const requests = [kaltura.services.session.get(ks).setKs(adminKs), kaltura.services.user.get().setKs(ks)];
  if (roleProfileId !== null) {
    const filter = new kaltura.objects.MetadataFilter({
      metadataProfileIdEqual: roleProfileId,
      metadataObjectTypeEqual: METADATA_OBJECT_TYPE_USER,
      objectIdEqual: '{1:result:userId}',
    });
    requests.push(kaltura.services.metadata.listAction(filter).setKs(adminKs));
  }
  return requests;
}

/** Kaltura's answer to a KS it will not take: INVALID_KS (the reason in its message) or EXPIRED_KS. */
export function isKsRejection(code: string): boolean {
  return code === 'INVALID_KS' || code === 'EXPIRED_KS' || code === 'MISSING_KS';
}

/**
 * Reads the session description (result 1) and the proof of life (result 2). Throws the
 * refusal a person should see; `adminKsRejected` is called when the admin KS itself was
 * refused, so the caller can start a new one and try again.
 */
export function acceptedSession(
  sessionResult: unknown,
  proofResult: unknown,
  { partnerId, now, adminKsRejected, kalturaFailed }: { partnerId: number; now: number; adminKsRejected(error: KalturaApiErrorBody): never; kalturaFailed(result: unknown): never },
): KalturaSessionInfo & { userId: string } {
  const infoError = apiErrorOf(sessionResult);
  if (infoError && isKsRejection(infoError.code)) adminKsRejected(infoError);
  if (infoError?.code === 'PARTNER_ACCESS_FORBIDDEN') throw ksRefusals.otherPartner();
  const proofError = apiErrorOf(proofResult);
  if (proofError && isKsRejection(proofError.code)) throw refusalFor(proofError);
  // The viewer's own call did not find fault with the KS, so a failed description is Kaltura's problem, not theirs.
  const info = sessionInfoSchema.safeParse(sessionResult);
  if (infoError || !info.success) return kalturaFailed(sessionResult);
  const session = info.data;
  if (session.partnerId !== partnerId) throw ksRefusals.otherPartner();
  if (session.sessionType !== SESSION_TYPE_USER) throw ksRefusals.notUserSession();
  if (!session.userId || session.userId === '0') throw ksRefusals.noUser();
  if (hasRestrictingPrivilege(session.privileges ?? '')) throw ksRefusals.restricted();
  if (session.expiry * 1000 <= now) throw ksRefusals.expired();
  if (proofError?.code === 'INVALID_USER_ID') throw ksRefusals.userUnknown();
  if (proofError?.code === 'USER_BLOCKED') throw ksRefusals.userBlocked();
  return { ...session, userId: session.userId };
}

export function hasRestrictingPrivilege(privileges: string): boolean {
  const names = privileges.split(',').map((privilege) => privilege.split(':')[0]!.trim().toLowerCase());
  return names.some((name) => (RESTRICTING_PRIVILEGES as readonly string[]).includes(name));
}

/**
 * Kaltura names why it refused a KS in the message (INVALID_KS "EXPIRED", "LOGOUT",
 * "EXCEEDED_ACTIONS_LIMIT", "EXCEEDED_RESTRICTED_IP"...), never as a code of its own.
 */
function refusalFor(error: KalturaApiErrorBody): Error {
  if (error.code === 'EXPIRED_KS' || /EXPIRED/.test(error.message)) return ksRefusals.expired();
  if (/EXCEEDED_/.test(error.message)) return ksRefusals.restricted();
  return ksRefusals.invalid();
}

function apiErrorOf(result: unknown): KalturaApiErrorBody | null {
  const error = kalturaApiErrorSchema.safeParse(result);
  return error.success ? error.data : null;
}
