/**
 * Stripe's request encoding: application/x-www-form-urlencoded with bracketed
 * keys (`items[0][price]=…`, `expand[]=…`, `metadata[key]=…`), as stripe-node
 * writes it, decoded into plain objects and arrays. Decoded by hand rather than
 * by a general query-string parser so that long arrays stay arrays and odd keys
 * are refused the way Stripe refuses them.
 */
import { StripeApiError } from './stripe-errors.ts';

type Node = Record<string, unknown>;

export function decodeStripeForm(text: string): Node {
  const root: Node = {};
  for (const [rawKey, value] of new URLSearchParams(text)) {
    const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(rawKey);
    if (!match) throw StripeApiError.invalid(`Invalid parameter name: ${rawKey}`, rawKey);
    const path = [match[1]!, ...[...match[2]!.matchAll(/\[([^[\]]*)\]/g)].map((part) => part[1]!)];
    place(root, path, value);
  }
  return arraysFromIndexes(root) as Node;
}

function place(node: Node, path: string[], value: string): void {
  let current = node;
  path.forEach((key, index) => {
    const last = index === path.length - 1;
    const slot = key === '' ? String(Object.keys(current).length) : key;
    if (last) {
      current[slot] = value;
      return;
    }
    const next = current[slot];
    if (typeof next !== 'object' || next === null) current[slot] = {};
    current = current[slot] as Node;
  });
}

/** Objects whose keys are 0…n-1 are arrays on the wire. */
function arraysFromIndexes(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value as Node).map(([key, child]) => [key, arraysFromIndexes(child)] as const);
  const indexes = entries.map(([key]) => Number(key));
  const isArray = entries.length > 0 && indexes.every((index) => Number.isInteger(index) && index >= 0 && index < entries.length) && new Set(indexes).size === entries.length;
  if (!isArray) return Object.fromEntries(entries);
  return entries.sort(([a], [b]) => Number(a) - Number(b)).map(([, child]) => child);
}
