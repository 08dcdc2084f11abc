/**
 * What the Stripe emulator holds: Stripe's objects by id, as the API shows
 * them (snake_case fields, `object`, times in seconds), and the few reading
 * helpers every resource needs: ids, lists with has_more, parameters, expand.
 */
import { randomBytes } from 'node:crypto';
import { StripeApiError } from './stripe-errors.ts';
import type { TestCard } from './test-cards.ts';

export type StripeObject = Record<string, any> & { id: string; object: string; created?: number };

export interface PriceSeed {
  planId: string;
  label: string;
  interval: 'month' | 'year';
  unitAmount: number;
}

export interface EmulatorState {
  readonly objects: Map<string, StripeObject>;
  readonly currency: string;
  /** Invoice numbers: one sequence per customer, as Stripe numbers them by default. */
  readonly invoiceSequence: Map<string, number>;
  /** Which test card each payment method was made from: Stripe never shows the number, but it decides charges. */
  readonly cards: Map<string, TestCard>;
}

export function createEmulatorState(currency: string): EmulatorState {
  return { objects: new Map(), currency, invoiceSequence: new Map(), cards: new Map() };
}

export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}`;
}

export function store<T extends StripeObject>(state: EmulatorState, object: T): T {
  state.objects.set(object.id, object);
  return object;
}

export function find(state: EmulatorState, kind: string, id: unknown, param = 'id'): StripeObject {
  const object = typeof id === 'string' ? state.objects.get(id) : undefined;
  if (!object || object.object !== kind || object.deleted) throw StripeApiError.noSuch(kind, String(id), param);
  return object;
}

/** Every object of a kind, newest first (Stripe's list order). */
export function all(state: EmulatorState, kind: string, keep: (object: StripeObject) => boolean = () => true): StripeObject[] {
  return [...state.objects.values()].filter((object) => object.object === kind && !object.deleted && keep(object)).reverse();
}

/** A list object: `limit` (1–100, default 10), `starting_after` and `ending_before` cursors, `has_more`. */
export function listOf(objects: StripeObject[], params: Record<string, unknown>, url: string): StripeObject {
  const limit = params.limit === undefined ? 10 : integer(params, 'limit', 1, 100);
  let start = 0;
  let end = objects.length;
  if (typeof params.starting_after === 'string') {
    const at = objects.findIndex((object) => object.id === params.starting_after);
    if (at < 0) throw StripeApiError.noSuch('object', params.starting_after, 'starting_after');
    start = at + 1;
  }
  if (typeof params.ending_before === 'string') {
    const at = objects.findIndex((object) => object.id === params.ending_before);
    if (at < 0) throw StripeApiError.noSuch('object', params.ending_before, 'ending_before');
    end = at;
    start = Math.max(start, end - limit);
  }
  const data = objects.slice(start, Math.min(end, start + limit));
  return { id: '', object: 'list', data, has_more: start + data.length < end, url };
}

export function text(params: Record<string, unknown>, name: string, { required = false, max = 5000 } = {}): string | undefined {
  const value = params[name];
  if (value === undefined) {
    if (required) throw StripeApiError.missingParam(name);
    return undefined;
  }
  if (typeof value !== 'string') throw StripeApiError.invalid(`Invalid string: ${name}`, name);
  if (value.length > max) throw StripeApiError.invalid(`Invalid string: ${value.slice(0, 20)}...; must be at most ${max} characters`, name);
  return value;
}

export function integer(params: Record<string, unknown>, name: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const raw = params[name];
  if (typeof raw !== 'string' || !/^-?\d+$/.test(raw)) throw StripeApiError.invalid(`Invalid integer: ${String(raw)}`, name);
  const value = Number(raw);
  if (value < min || value > max) throw StripeApiError.invalid(`This value must be between ${min} and ${max}.`, name);
  return value;
}

export function oneOf<T extends string>(params: Record<string, unknown>, name: string, values: readonly T[]): T | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !values.includes(value as T)) throw StripeApiError.invalid(`Invalid ${name}: must be one of ${values.join(', ')}`, name);
  return value as T;
}

export function objectParam(params: Record<string, unknown>, name: string): Record<string, unknown> | undefined {
  const value = params[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw StripeApiError.invalid(`Invalid hash`, name);
  return value as Record<string, unknown>;
}

export function arrayParam(params: Record<string, unknown>, name: string): unknown[] {
  const value = params[name];
  if (value === undefined || value === '') return [];
  if (!Array.isArray(value)) throw StripeApiError.invalid(`Invalid array`, name);
  return value;
}

/** Only these parameters (plus expand) are understood; Stripe refuses any other by name. */
export function onlyParams(params: Record<string, unknown>, allowed: readonly string[]): void {
  for (const name of Object.keys(params)) if (name !== 'expand' && !allowed.includes(name)) throw StripeApiError.unknownParam(name);
}

/** `expand[]=a.b`: the id at that path replaced by its object (a copy; what is stored keeps ids). */
export function expand(state: EmulatorState, object: StripeObject, params: Record<string, unknown>): StripeObject {
  const paths = arrayParam(params, 'expand').map(String);
  if (paths.length === 0) return object;
  const copy = structuredClone(object);
  for (const path of paths) expandPath(state, copy, path.split('.'), path);
  return copy;
}

function expandPath(state: EmulatorState, node: Record<string, any>, keys: string[], whole: string): void {
  const [key, ...rest] = keys;
  if (key === undefined || node === null || typeof node !== 'object') return;
  if (key === 'data' && Array.isArray(node.data)) {
    for (const item of node.data) expandPath(state, item, rest, whole);
    return;
  }
  if (!(key in node)) throw StripeApiError.invalid(`This property cannot be expanded (${whole}).`, 'expand');
  if (rest.length === 0) {
    if (typeof node[key] === 'string') node[key] = structuredClone(state.objects.get(node[key]) ?? node[key]);
    return;
  }
  expandPath(state, node[key], rest, whole);
}
