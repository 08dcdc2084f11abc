/**
 * Reading whole Kaltura lists, as Kaltura pages them: at most 500 objects a
 * page, pageIndex from 1, totalCount in every answer. The first pages of all
 * the lists asked for travel in one multirequest; what they say is left
 * travels in as few more as it takes (PAGES_PER_REQUEST pages each), so
 * 1,200 users cost two round trips, not three. Objects are kept once by key:
 * a list that changes between pages may repeat one.
 */
import kaltura from 'kaltura-client';
import type { z } from 'zod';
import { listResponseSchema } from './kaltura-records.ts';

export const MAX_PAGE_SIZE = 500;
/** Pages asked for in one multirequest after the first: 10,000 objects, as much as Kaltura's search lets a list be paged through. */
const PAGES_PER_REQUEST = 20;

type Request = ReturnType<typeof kaltura.services.session.get>;

export interface ListQuery<T> {
  /** The list action for one page. */
  page(pager: object): Request;
  item: z.ZodType<T>;
  key(item: T): string | number;
}

/** Names a list; written this way so that each list's object type is inferred from its schema. */
export function listQuery<T>(query: ListQuery<T>): ListQuery<T> {
  return query;
}

export interface PagingTransport {
  sendMulti(requests: Request[]): Promise<unknown[]>;
  /** Unwraps one result of a multirequest, throwing the caller's error for a Kaltura exception. */
  unwrap(result: unknown): unknown;
  parse<T>(schema: z.ZodType<T>, value: unknown): T;
}

type Lists<Q extends ReadonlyArray<ListQuery<unknown>>> = { [K in keyof Q]: Q[K] extends ListQuery<infer T> ? T[] : never };

/** Every object of every list asked for, list by list. */
export async function listAll<const Q extends ReadonlyArray<ListQuery<unknown>>>(transport: PagingTransport, queries: Q): Promise<Lists<Q>> {
  return (await readAll(transport, queries)) as Lists<Q>;
}

async function readAll(transport: PagingTransport, queries: ReadonlyArray<ListQuery<unknown>>): Promise<unknown[][]> {
  if (queries.length === 0) return [];
  const firsts = await transport.sendMulti(queries.map((query) => query.page(pagerFor(1))));
  const collected = queries.map(() => new Map<string | number, unknown>());
  const remaining: Array<{ query: number; pageIndex: number }> = [];
  firsts.forEach((result, index) => {
    const list = transport.parse(listResponseSchema(queries[index]!.item), transport.unwrap(result));
    keep(collected[index]!, queries[index]!, list.objects);
    const pages = Math.ceil(list.totalCount / MAX_PAGE_SIZE);
    for (let pageIndex = 2; pageIndex <= pages; pageIndex++) remaining.push({ query: index, pageIndex });
  });
  for (let start = 0; start < remaining.length; start += PAGES_PER_REQUEST) {
    const batch = remaining.slice(start, start + PAGES_PER_REQUEST);
    const results = await transport.sendMulti(batch.map(({ query, pageIndex }) => queries[query]!.page(pagerFor(pageIndex))));
    results.forEach((result, index) => {
      const query = batch[index]!.query;
      keep(collected[query]!, queries[query]!, transport.parse(listResponseSchema(queries[query]!.item), transport.unwrap(result)).objects);
    });
  }
  return collected.map((items) => [...items.values()]);
}

/** Splits ids for an ...In filter into groups Kaltura answers in one page each. */
export function inGroups<T>(values: readonly T[], size = MAX_PAGE_SIZE): T[][] {
  const groups: T[][] = [];
  for (let start = 0; start < values.length; start += size) groups.push(values.slice(start, start + size));
  return groups;
}

function pagerFor(pageIndex: number): object {
  return new kaltura.objects.FilterPager({ pageSize: MAX_PAGE_SIZE, pageIndex });
}

function keep(into: Map<string | number, unknown>, query: ListQuery<unknown>, objects: readonly unknown[]): void {
  for (const object of objects) if (!into.has(query.key(object))) into.set(query.key(object), object);
}
