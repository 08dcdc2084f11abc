/**
 * Kaltura multirequests: sub-requests "1", "2"... run in order, each with its
 * own ks (or the request's), and "{N:result}" or "{N:result:path:to:value}"
 * anywhere in a string parameter takes the value of the N-th (1-based) earlier
 * result. Where that result failed or holds nothing at the path, Kaltura
 * substitutes an empty string, which silently turns a filter such as
 * objectIdEqual into no filter at all; the emulator fails the dependent call
 * with MISSING_MANDATORY_PARAMETER instead, so that code relying on a result
 * that is not there fails in tests.
 */
import type { RequestOrigin } from './action-types.ts';
import { answerCall, type Emulation } from './call-dispatcher.ts';
import { apiError, toErrorResponse } from './kaltura-errors.ts';
import type { Params } from './param-readers.ts';

const REFERENCE = /\{(\d+):result(?::([^}]*))?\}/g;
const WHOLE_REFERENCE = /^\{(\d+):result(?::([^}]*))?\}$/;
/** Request-level parameters a sub-request inherits when it has none of its own. */
const INHERITED_PARAMS = ['ks', 'partnerId'] as const;

class UnresolvedReference extends Error {
  constructor(readonly parameter: string) {
    super(`unresolved reference in ${parameter}`);
  }
}

export function answerMultirequest(emulation: Emulation, body: Params, origin: RequestOrigin): unknown[] {
  const results: unknown[] = [];
  for (const subRequest of subRequestsOf(body)) {
    let params: Params;
    try {
      params = resolveReferences(subRequest, results, '') as Params;
    } catch (error) {
      if (!(error instanceof UnresolvedReference)) throw error;
      results.push(toErrorResponse(apiError('MISSING_MANDATORY_PARAMETER', { PARAM_NAME: error.parameter })));
      continue;
    }
    for (const name of INHERITED_PARAMS) params[name] ??= body[name];
    results.push(answerCall(emulation, { service: String(params.service ?? ''), action: String(params.action ?? ''), params, origin }));
  }
  return results;
}

function subRequestsOf(body: Params): Params[] {
  return Object.keys(body)
    .filter((key) => /^\d+$/.test(key) && isPlainObject(body[key]))
    .sort((a, b) => Number(a) - Number(b))
    .map((key) => body[key] as Params);
}

/** `name` is the parameter's path as Kaltura names it in errors ("filter:objectIdEqual"). */
function resolveReferences(value: unknown, results: readonly unknown[], name: string): unknown {
  if (typeof value === 'string') return resolveString(value, results, name);
  if (Array.isArray(value)) return value.map((item, index) => resolveReferences(item, results, joinName(name, String(index))));
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolveReferences(item, results, joinName(name, key))]));
  return value;
}

/**
 * A whole-string reference keeps the value's type; references inside a longer string are replaced
 * by their text. A reference to a request that has not run (yet) stays as it is, as in Kaltura.
 */
function resolveString(text: string, results: readonly unknown[], name: string): unknown {
  const whole = WHOLE_REFERENCE.exec(text);
  if (whole) return referencedValue(text, whole[1]!, whole[2], results, name);
  return text.replace(REFERENCE, (reference, index: string, path: string | undefined) => String(referencedValue(reference, index, path, results, name)));
}

function referencedValue(reference: string, indexText: string, path: string | undefined, results: readonly unknown[], name: string): unknown {
  const index = Number(indexText) - 1;
  if (index < 0 || index >= results.length) return reference;
  const value = valueAt(results[index], path);
  if (value === undefined || value === null || value === '') throw new UnresolvedReference(name);
  return value;
}

function valueAt(result: unknown, path: string | undefined): unknown {
  if (isKalturaError(result)) return undefined;
  let current = result;
  for (const part of path ? path.split(':') : []) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, part)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function joinName(parent: string, key: string): string {
  return parent ? `${parent}:${key}` : key;
}

function isKalturaError(value: unknown): boolean {
  return isPlainObject(value) && value.objectType === 'KalturaAPIException';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
