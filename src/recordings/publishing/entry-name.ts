/**
 * A published recording's name in Kaltura: the course's (or room's) name and
 * its session's start in the organisation's time zone, e.g.
 * "Physics 101 — 2026-12-04 14:30". MediaSpace lists entries by name, so the
 * date is written the same way for everyone, whatever their language.
 */

/** Kaltura's limit on an entry's name. */
const MAX_NAME_LENGTH = 256;

export function publishedEntryName(roomName: string, sessionStartedAt: number, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
      .formatToParts(new Date(sessionStartedAt))
      .map((part) => [part.type, part.value]),
  );
  const when = `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
  const suffix = ` — ${when}`;
  return `${roomName.trim().slice(0, MAX_NAME_LENGTH - suffix.length)}${suffix}`;
}
