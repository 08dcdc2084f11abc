/**
 * Runs one API call the way Kaltura's dispatcher does: find the action, check
 * the KS (all actions but session.start), check that the session's role holds
 * a permission the action's permission items list, run the action. Whatever
 * happens, the answer is a result or a Kaltura error object.
 */
import { findAction } from './action-table.ts';
import type { RequestOrigin } from './action-types.ts';
import { UserStatus, type EmulatorState } from './emulator-state.ts';
import { apiError, toErrorResponse } from './kaltura-errors.ts';
import { findVisibleEntry } from './media-actions.ts';
import { readInt, readString, type Params } from './param-readers.ts';
import { responseShaper } from './response-profile.ts';
import { assertPermitted, roleOf } from './session-roles.ts';
import { verifyCallerSession } from './session-verifier.ts';

export interface ApiCall {
  service: string;
  action: string;
  /** The action's parameters plus the request-level ones (ks, partnerId, format...). */
  params: Params;
  origin: RequestOrigin;
}

export interface Emulation {
  state: EmulatorState;
  nowSeconds(): number;
}

/** The action's result (null for void actions), or the KalturaAPIException that stands in its place. */
export function answerCall(emulation: Emulation, call: ApiCall): unknown {
  try {
    const shape = responseShaper(call.params);
    return shape(runCall(emulation, call) ?? null);
  } catch (error) {
    return toErrorResponse(error);
  }
}

/**
 * An entry's stored file for its downloadUrl, when the KS is valid for the entry's partner and may
 * see the entry (as Kaltura's playManifest checks a /ks/ given with it); null otherwise.
 */
export function entryDownload({ state, nowSeconds }: Emulation, request: { partnerId: number; entryId: string; ks: string; origin: RequestOrigin }): { entryId: string; content: Buffer } | null {
  try {
    const session = verifyCallerSession(state, request.ks, request.partnerId, nowSeconds(), request.origin);
    const data = state.partners.get(session.partnerId);
    const entry = data ? findVisibleEntry({ data, session }, request.entryId) : null;
    return entry?.content ? { entryId: entry.id, content: entry.content } : null;
  } catch {
    return null;
  }
}

function runCall({ state, nowSeconds }: Emulation, { service, action, params, origin }: ApiCall): unknown {
  const definition = findAction(service, action);
  const publicCall = { service, action, params, state, nowSeconds: nowSeconds(), origin };
  if (definition.access === 'public') return definition.run(publicCall);

  const session = verifyCallerSession(state, readString(params, 'ks'), readInt(params, 'partnerId'), publicCall.nowSeconds, origin);
  const data = state.partners.get(session.partnerId);
  if (!data) throw apiError('INVALID_KS', { KSID: 'INVALID_STR', ERR_CODE: -1, ERR_DESC: 'INVALID_STR' });
  // Kaltura's permission manager refuses every call made with a blocked user's KS.
  if (data.users.get(session.userId)?.status === UserStatus.BLOCKED) throw apiError('USER_BLOCKED');
  assertPermitted(roleOf(session, data), definition, service, action);
  return definition.run({ ...publicCall, session, data });
}
