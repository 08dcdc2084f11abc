/**
 * Kaltura multirequests: sub-requests "0", "1"... run in order, each with its
 * own ks (or the request's), and a string parameter "{N:result}" or
 * "{N:result:path:to:value}" takes the value of the N-th (1-based) earlier result.
 */
import { answerCall, type Emulation } from './call-dispatcher.ts';
import type { Params } from './param-readers.ts';

const WHOLE_REFERENCE = /^\{(\d+):result(?::([^}]*))?\}$/;
/** Request-level parameters a sub-request inherits when it has none of its own. */
const INHERITED_PARAMS = ['ks', 'partnerId'] as const;

export function answerMultirequest(emulation: Emulation, body: Params): unknown[] {
  const results: unknown[] = [];
  for (const subRequest of subRequestsOf(body)) {
    const params = resolveReferences(subRequest, results) as Params;
    for (const name of INHERITED_PARAMS) params[name] ??= body[name];
    results.push(answerCall(emulation, { service: String(params.service ?? ''), action: String(params.action ?? ''), params }));
  }
  return results;
}

function subRequestsOf(body: Params): Params[] {
  return Object.keys(body)
    .filter((key) => /^\d+$/.test(key) && isPlainObject(body[key]))
    .sort((a, b) => Number(a) - Number(b))
    .map((key) => body[key] as Params);
}

function resolveReferences(value: unknown, results: readonly unknown[]): unknown {
  if (typeof value === 'string') return resolveReference(value, results);
  if (Array.isArray(value)) return value.map((item) => resolveReferences(item, results));
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolveReferences(item, results)]));
  return value;
}

/** A reference to an earlier result that failed or lacks the path is dropped, so the action sees the parameter as missing. */
function resolveReference(text: string, results: readonly unknown[]): unknown {
  const match = WHOLE_REFERENCE.exec(text);
  if (!match) return text;
  const index = Number(match[1]) - 1;
  if (index < 0 || index >= results.length) return text;
  return valueAt(results[index], match[2]);
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

function isKalturaError(value: unknown): boolean {
  return isPlainObject(value) && value.objectType === 'KalturaAPIException';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
