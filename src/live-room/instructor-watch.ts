/**
 * A live session with no instructor left ends by itself after the instructor
 * grace period; cards show the minutes left meanwhile.
 */
import type { Scheduler, ScheduledTask } from '../lib/clock/scheduler.ts';
import type { LiveSession } from '../rooms/live-session-store.ts';
import type { PresentPerson } from './room-state.ts';

export class InstructorWatch {
  readonly #scheduler: Scheduler;
  readonly #graceMs: number;
  readonly #noInstructor: (roomId: string) => void;
  readonly #timers = new Map<string, ScheduledTask>();
  /** When each room's session ends for want of an instructor, while its timer runs. */
  readonly #ends = new Map<string, number>();

  constructor(options: { scheduler: Scheduler; graceMs: number; noInstructor: (roomId: string) => void }) {
    this.#scheduler = options.scheduler;
    this.#graceMs = options.graceMs;
    this.#noInstructor = options.noInstructor;
  }

  /** Starts the countdown when the session has no instructor, stops it when it has one again (or ended). */
  watch(roomId: string, session: LiveSession | null, people: readonly PresentPerson[]): void {
    const instructorHere = people.some((person) => person.role === 'instructor');
    if (!session || instructorHere) return this.forget(roomId);
    if (this.#timers.has(roomId)) return;
    this.#ends.set(roomId, this.#scheduler.now() + this.#graceMs);
    this.#timers.set(
      roomId,
      this.#scheduler.schedule(this.#graceMs, () => {
        this.#timers.delete(roomId);
        this.#ends.delete(roomId);
        this.#noInstructor(roomId);
      }),
    );
  }

  forget(roomId: string): void {
    this.#timers.get(roomId)?.cancel();
    this.#timers.delete(roomId);
    this.#ends.delete(roomId);
  }

  /** Whole minutes (at least 1) until the session ends by itself; null while an instructor is in it (or nothing is live). */
  minutesLeft(roomId: string): number | null {
    const endsAt = this.#ends.get(roomId);
    return endsAt === undefined ? null : Math.max(1, Math.ceil((endsAt - this.#scheduler.now()) / 60_000));
  }

  stop(): void {
    for (const timer of this.#timers.values()) timer.cancel();
    this.#timers.clear();
    this.#ends.clear();
  }
}
