/**
 * Kaltura list answers: a page of objects plus the count of all matches.
 * Paging follows KalturaFilterPager: pageIndex is 1-based, pageSize defaults
 * to 30 and is capped at 500.
 */
import type { FilterPager } from './kaltura-schemas.ts';

const DEFAULT_PAGE_SIZE = 30;
const MAX_PAGE_SIZE = 500;

export interface ListResponse<T> {
  objects: T[];
  totalCount: number;
  objectType: string;
}

/** The sortable fields of a filter's order map ("+createdAt" sorts by `createdAt`). */
export type OrderFields<T> = Record<string, (item: T) => string | number | undefined>;

export interface Ordering<T> {
  orderBy: string | undefined;
  fields: OrderFields<T>;
}

export function listResponse<T>(objectType: string, matches: readonly T[], pager: FilterPager | undefined, ordering?: Ordering<T>): ListResponse<T> {
  const pageSize = effectivePageSize(pager?.pageSize);
  const pageIndex = Math.max(pager?.pageIndex ?? 1, 1);
  const start = (pageIndex - 1) * pageSize;
  const sorted = ordering ? orderedBy(matches, ordering) : matches;
  return { objects: sorted.slice(start, start + pageSize), totalCount: matches.length, objectType };
}

/**
 * Kaltura's orderBy: comma-separated "+field" or "-field" from the filter's order map, the first
 * deciding first. Kaltura drops an order its map lacks, so an unknown one leaves the order as it was.
 */
function orderedBy<T>(items: readonly T[], { orderBy, fields }: Ordering<T>): readonly T[] {
  const keys = (orderBy ?? '')
    .split(',')
    .map((part) => part.trim())
    .flatMap((part) => {
      const field = Object.hasOwn(fields, part.slice(1)) ? fields[part.slice(1)] : undefined;
      return (part.startsWith('+') || part.startsWith('-')) && field ? [{ field, direction: part.startsWith('-') ? -1 : 1 }] : [];
    });
  if (keys.length === 0) return items;
  return [...items].sort((a, b) => {
    for (const { field, direction } of keys) {
      const order = compareValues(field(a), field(b));
      if (order !== 0) return order * direction;
    }
    return 0;
  });
}

/** MySQL's default collation compares text without regard to case. */
function compareValues(a: string | number | undefined, b: string | number | undefined): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const left = String(a ?? '').toLowerCase();
  const right = String(b ?? '').toLowerCase();
  return left < right ? -1 : left > right ? 1 : 0;
}

function effectivePageSize(requested: number | undefined): number {
  if (requested === undefined || requested <= 0) return DEFAULT_PAGE_SIZE;
  return Math.min(requested, MAX_PAGE_SIZE);
}

/** MySQL's default collation makes Kaltura's text filters case-insensitive. */
export function containsIgnoringCase(value: string | undefined, part: string): boolean {
  return (value ?? '').toLowerCase().includes(part.toLowerCase());
}

export function startsWithIgnoringCase(value: string | undefined, prefix: string): boolean {
  return (value ?? '').toLowerCase().startsWith(prefix.toLowerCase());
}

export function startsWithWhenGiven(prefix: string | undefined, value: string | undefined): boolean {
  return prefix === undefined || startsWithIgnoringCase(value, prefix);
}

export function within<T>(allowed: readonly T[] | undefined, value: T): boolean {
  return allowed === undefined || allowed.includes(value);
}

export function equalsWhenGiven<T>(expected: T | undefined, value: T): boolean {
  return expected === undefined || expected === value;
}
