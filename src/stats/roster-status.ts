/**
 * Roster-aware attendance: each enrolled student of a session is Present,
 * Late, Left early or Absent, from the thresholds in the statistics' settings;
 * an instructor's Excused mark overrides. Everyone else who attended as a
 * participant is a Guest; instructors are listed as instructors.
 *
 * The edges: Late when the first entry is MORE than N minutes after the
 * start; Left early when the last exit is MORE than N minutes before the end;
 * Absent below P % of the session inside (exactly P % is enough).
 */
import type { StatsSettings } from './stats-settings.ts';

// notEnrolled: a course report's cell for a session held before the student joined the course (or after they left it).
export const STATUSES = ['present', 'late', 'leftEarly', 'absent', 'excused', 'guest', 'instructor', 'notEnrolled'] as const;
export type AttendanceStatus = (typeof STATUSES)[number];

export interface SessionSpan {
  startedAt: number;
  /** null: still live, measured until now. */
  endedAt: number | null;
}

export interface TimeInside {
  firstEntry: number;
  /** null: still inside. */
  lastExit: number | null;
  totalMs: number;
}

export type Thresholds = Pick<StatsSettings, 'lateAfterMinutes' | 'leftEarlyMinutes' | 'presentPercent'>;

/** The status of an enrolled student. */
export function studentStatus(session: SessionSpan, inside: TimeInside | null, thresholds: Thresholds, now: number, excused = false): AttendanceStatus {
  if (excused) return 'excused';
  if (!inside) return 'absent';
  const end = session.endedAt ?? now;
  const length = Math.max(0, end - session.startedAt);
  if (inside.totalMs * 100 < length * thresholds.presentPercent) return 'absent';
  if (inside.firstEntry - session.startedAt > thresholds.lateAfterMinutes * 60_000) return 'late';
  // A session still live has no end yet: nobody has left it early.
  if (session.endedAt !== null && inside.lastExit !== null && end - inside.lastExit > thresholds.leftEarlyMinutes * 60_000) return 'leftEarly';
  return 'present';
}

/** Counts as having attended (for a student's attendance rate). */
export function attended(status: AttendanceStatus): boolean {
  return status === 'present' || status === 'late' || status === 'leftEarly';
}
