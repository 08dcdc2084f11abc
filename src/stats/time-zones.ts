/**
 * Times as people read them: in the viewer's IANA time zone, with the offset
 * that zone had at that instant (so a date range or a session on either side
 * of a daylight-saving change is still right), through Intl alone.
 */
export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

const formats = new Map<string, Intl.DateTimeFormat>();

function formatFor(zone: string): Intl.DateTimeFormat {
  let format = formats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    // Bounded by the zones Intl knows (a few hundred).
    formats.set(zone, format);
  }
  return format;
}

/** A zone Intl knows by its IANA name (Europe/Paris, America/New_York, UTC). */
export function isTimeZone(value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock time in the zone at the instant, read as if it were UTC (milliseconds). */
function wallClock(zone: string, instant: number): number {
  const parts: Record<string, number> = {};
  for (const part of formatFor(zone).formatToParts(new Date(instant))) if (part.type !== 'literal') parts[part.type] = Number(part.value);
  return Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!) + (instant % 1000 + 1000) % 1000;
}

/** The zone's offset from UTC at the instant, in minutes (Paris in summer: 120). */
export function offsetMinutes(zone: string, instant: number): number {
  return Math.round((wallClock(zone, instant) - instant) / 60_000);
}

/** The calendar date in the zone at the instant. */
export function localDateOf(zone: string, instant: number): LocalDate {
  const wall = new Date(wallClock(zone, instant));
  return { year: wall.getUTCFullYear(), month: wall.getUTCMonth() + 1, day: wall.getUTCDate() };
}

/** The first instant of the date in the zone (its midnight; where a change skips midnight, the first time that exists). */
export function startOfLocalDate(zone: string, date: LocalDate): number {
  const wall = Date.UTC(date.year, date.month - 1, date.day);
  let guess = wall - offsetMinutes(zone, wall) * 60_000;
  // The offset at the guess may differ from the one at the wall time read as UTC: one correction settles it.
  guess = wall - offsetMinutes(zone, guess) * 60_000;
  return localDateKey(localDateOf(zone, guess)) < localDateKey(date) ? guess + 3600_000 : guess;
}

/** The date `days` after (or before) it. */
export function addDays(date: LocalDate, days: number): LocalDate {
  const moved = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: moved.getUTCFullYear(), month: moved.getUTCMonth() + 1, day: moved.getUTCDate() };
}

/** YYYY-MM-DD */
export function localDateKey(date: LocalDate): string {
  return `${String(date.year).padStart(4, '0')}-${pad(date.month)}-${pad(date.day)}`;
}

/** A YYYY-MM-DD that names a real date, or null. */
export function parseLocalDate(text: string): LocalDate | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return null;
  const date = { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
  return localDateKey(addDays(date, 0)) === text && date.year >= 1970 ? date : null;
}

/** ISO 8601 in the zone with its offset at that instant: 2026-03-29T03:30:00+02:00. */
export function isoInZone(instant: number, zone: string): string {
  const offset = offsetMinutes(zone, instant);
  const wall = new Date(instant + offset * 60_000).toISOString().slice(0, 19);
  const sign = offset < 0 ? '-' : '+';
  return `${wall}${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
}

/** ISO 8601 in UTC, to the second: 2026-03-29T01:30:00Z. */
export function isoUtc(instant: number): string {
  return `${new Date(instant).toISOString().slice(0, 19)}Z`;
}

/** A duration as h:mm:ss; hours go past 24 (26:03:00), never wrapping into days. */
export function hms(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(seconds / 3600)}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}`;
}

/** Local date and time as a page shows it: 2026-03-29 03:30. */
export function shortLocal(instant: number, zone: string): string {
  return isoInZone(instant, zone).slice(0, 16).replace('T', ' ');
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}
