/**
 * Attendance of live sessions: every stretch of time a person spends inside one
 * is a row. A reconnect within the grace period continues the same stretch, and
 * several tabs of one person count once. Stretches are kept in this process;
 * after a restart, those still open wait the grace period for their people to
 * reconnect.
 */
import type { Scheduler, ScheduledTask } from '../lib/clock/scheduler.ts';
import type { Logger } from '../lib/logger/logger.ts';
import type { LiveSession, LiveSessionStore } from '../rooms/live-session-store.ts';
import type { AttendanceStore } from './attendance-store.ts';
import type { PresentPerson, RoomState } from './room-state.ts';

export interface AttendanceTrackerDeps {
  attendance: AttendanceStore;
  liveSessions: LiveSessionStore;
  state: RoomState;
  scheduler: Scheduler;
  logger: Logger;
  reconnectGraceMs: number;
}

interface OpenStretch {
  intervalId: string;
  /** Pending close while the person is away, cancelled if they come back within the grace period. */
  departure: ScheduledTask | null;
}

export class AttendanceTracker {
  readonly #deps: AttendanceTrackerDeps;
  /** Open attendance per `${sessionId}|${userId}`. */
  readonly #stretches = new Map<string, OpenStretch>();

  constructor(deps: AttendanceTrackerDeps) {
    this.#deps = deps;
  }

  /** Opens the person's attendance in this session, or continues it if they are back within the grace period. */
  async keepAttending(session: LiveSession, person: PresentPerson): Promise<void> {
    const key = stretchKey(session.id, person.userId);
    const stretch = this.#stretches.get(key);
    if (stretch) {
      stretch.departure?.cancel();
      stretch.departure = null;
      return;
    }
    const interval = await this.#deps.attendance.open({
      liveSessionId: session.id,
      roomId: session.roomId,
      userId: person.userId,
      userName: person.name,
      userEmail: person.email,
      role: person.role,
      joinedAt: this.#deps.scheduler.now(),
    });
    this.#stretches.set(key, { intervalId: interval.id, departure: null });
  }

  /** The person is away: if they are not back within the grace period, their stretch ends when they left. */
  awaitReturn(session: LiveSession, userId: string, leftAt: number): void {
    const key = stretchKey(session.id, userId);
    const stretch = this.#stretches.get(key);
    if (!stretch) return;
    stretch.departure?.cancel();
    stretch.departure = this.#deps.scheduler.schedule(this.#deps.reconnectGraceMs, () => {
      if (this.#stretches.get(key) !== stretch) return;
      this.#stretches.delete(key);
      this.#deps.attendance.close(stretch.intervalId, leftAt).catch((error) => this.#deps.logger.error({ err: error }, 'closing attendance failed'));
    });
  }

  /** The session ended: every stretch in it ends now. */
  async endSession(sessionId: string, endedAt: number): Promise<void> {
    for (const [key, stretch] of this.#stretches) {
      if (key.startsWith(`${sessionId}|`)) {
        stretch.departure?.cancel();
        this.#stretches.delete(key);
      }
    }
    await this.#deps.attendance.closeAllOpen(sessionId, endedAt);
  }

  /**
   * After a restart: every live session's attendance stays open for the reconnect grace period, so people
   * whose clients reconnect continue where they were; the others are closed at the last time they were seen.
   * Answers the live sessions and how many stretches were open.
   */
  async recover(): Promise<{ live: LiveSession[]; open: number }> {
    const { attendance, liveSessions } = this.#deps;
    const live = new Map((await liveSessions.listLive()).map((session) => [session.id, session]));
    const open = await attendance.listOpen();
    for (const interval of open) {
      const session = live.get(interval.liveSessionId);
      if (!session) {
        await attendance.close(interval.id, interval.lastSeenAt);
        continue;
      }
      this.#stretches.set(stretchKey(session.id, interval.userId), { intervalId: interval.id, departure: null });
      this.awaitReturn(session, interval.userId, interval.lastSeenAt);
    }
    return { live: [...live.values()], open: open.length };
  }

  /** Notes that everyone connected is still here, so a crash loses at most one heartbeat of attendance. */
  async markPresentSeen(roomIds: Iterable<string>): Promise<void> {
    const { state, liveSessions, attendance, scheduler } = this.#deps;
    const seen: string[] = [];
    for (const roomId of roomIds) {
      const session = await liveSessions.findLive(roomId);
      if (!session) continue;
      for (const person of await state.people(roomId)) {
        const stretch = this.#stretches.get(stretchKey(session.id, person.userId));
        if (stretch && !stretch.departure) seen.push(stretch.intervalId);
      }
    }
    await attendance.markSeen(seen, scheduler.now());
  }

  /** Stops every timer (server shutdown); attendance stays open for recovery. */
  stop(): void {
    for (const stretch of this.#stretches.values()) stretch.departure?.cancel();
  }
}

function stretchKey(sessionId: string, userId: string): string {
  return `${sessionId}|${userId}`;
}
