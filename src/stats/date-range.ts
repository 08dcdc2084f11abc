/**
 * The date range of Session Stats, in the viewer's time zone: from and to are
 * whole local days (both included), or a quick range (today, the last 7 or 30
 * days with today, the term an administrator set). Bad input is refused with
 * a message that says what is wrong, never guessed at.
 */
import { ValidationError } from '../lib/errors/app-error.ts';
import { phrase } from '../lib/i18n/phrase.ts';
import { addDays, localDateKey, localDateOf, parseLocalDate, startOfLocalDate, type LocalDate } from './time-zones.ts';

export const QUICK_RANGES = ['today', '7d', '30d', 'term'] as const;
export type QuickRange = (typeof QUICK_RANGES)[number];
/** The longest range a page or a file covers: two school years. */
export const MAX_RANGE_DAYS = 731;
const DEFAULT_RANGE: QuickRange = '30d';

export interface RangeQuery {
  range?: unknown;
  from?: unknown;
  to?: unknown;
}

export interface DateRange {
  quick: QuickRange | null;
  /** YYYY-MM-DD, local. */
  fromDate: string;
  toDate: string;
  /** The first instant of fromDate and the first instant after toDate, in the zone. */
  from: number;
  to: number;
}

export function resolveRange(query: RangeQuery, zone: string, now: number, term: { start: string | null; end: string | null }): DateRange {
  const today = localDateOf(zone, now);
  const quick = quickOf(query);
  if (quick === 'today') return span('today', today, today, zone);
  if (quick === '7d') return span('7d', addDays(today, -6), today, zone);
  if (quick === '30d') return span('30d', addDays(today, -29), today, zone);
  if (quick === 'term') {
    if (!term.start || !term.end) throw new ValidationError(phrase('stats:errors.noTerm'), { range: phrase('stats:errors.noTerm') }, { code: 'NO_TERM' });
    return span('term', parseLocalDate(term.start)!, parseLocalDate(term.end)!, zone);
  }
  const from = dateField(query.from, 'from');
  const to = dateField(query.to, 'to');
  return span(null, from, to, zone);
}

function quickOf(query: RangeQuery): QuickRange | null {
  const given = typeof query.range === 'string' ? query.range : '';
  if ((QUICK_RANGES as readonly string[]).includes(given)) return given as QuickRange;
  if (given !== '' && given !== 'custom') throw new ValidationError(phrase('stats:errors.badRange'), { range: phrase('stats:errors.badRange') }, { code: 'BAD_RANGE' });
  // Nothing chosen yet: the last 30 days.
  return given === '' && query.from === undefined && query.to === undefined ? DEFAULT_RANGE : null;
}

function dateField(value: unknown, field: 'from' | 'to'): LocalDate {
  const date = typeof value === 'string' ? parseLocalDate(value.trim()) : null;
  if (!date) throw new ValidationError(phrase('stats:errors.badDate', { field: phrase(`stats:range.${field}`) }), { [field]: phrase('stats:errors.badDateField') }, { code: 'BAD_DATE' });
  return date;
}

function span(quick: QuickRange | null, from: LocalDate, to: LocalDate, zone: string): DateRange {
  const fromDate = localDateKey(from);
  const toDate = localDateKey(to);
  if (fromDate > toDate) throw new ValidationError(phrase('stats:errors.reversed', { from: fromDate, to: toDate }), { to: phrase('stats:errors.reversedField') }, { code: 'RANGE_REVERSED' });
  const days = Math.round((Date.UTC(to.year, to.month - 1, to.day) - Date.UTC(from.year, from.month - 1, from.day)) / 86_400_000) + 1;
  if (days > MAX_RANGE_DAYS) throw new ValidationError(phrase('stats:errors.tooLong', { days, max: MAX_RANGE_DAYS }), { to: phrase('stats:errors.tooLongField', { max: MAX_RANGE_DAYS }) }, { code: 'RANGE_TOO_LONG' });
  return { quick, fromDate, toDate, from: startOfLocalDate(zone, from), to: startOfLocalDate(zone, addDays(to, 1)) };
}
