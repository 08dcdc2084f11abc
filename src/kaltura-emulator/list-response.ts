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

export function listResponse<T>(objectType: string, matches: readonly T[], pager: FilterPager | undefined): ListResponse<T> {
  const pageSize = effectivePageSize(pager?.pageSize);
  const pageIndex = Math.max(pager?.pageIndex ?? 1, 1);
  const start = (pageIndex - 1) * pageSize;
  return { objects: matches.slice(start, start + pageSize), totalCount: matches.length, objectType };
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

export function within<T>(allowed: readonly T[] | undefined, value: T): boolean {
  return allowed === undefined || allowed.includes(value);
}

export function equalsWhenGiven<T>(expected: T | undefined, value: T): boolean {
  return expected === undefined || expected === value;
}
