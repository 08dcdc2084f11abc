/**
 * Open room sockets last no longer than the passes behind them. A socket is
 * checked when its pass's time is up (exactly then), every `everyMs` (a pass
 * ended by another instance, a person removed from the channel in Kaltura),
 * and at once when a person's sessions are ended on this instance (sign-out,
 * deactivation). Every check reads the pass afresh, so a pass that follows its
 * session to a new id (rotation on relaunch) keeps working.
 */
import type { Scheduler, ScheduledTask } from '../lib/clock/scheduler.ts';
import type { Logger } from '../lib/logger/logger.ts';
import type { PassVerdict, RoomPassGuard } from '../rooms/room-pass-guard.ts';

export interface WatchedPass {
  passId: string;
  userId: string;
  expiresAt: number;
  /** Called once when the pass no longer admits: close the socket with the reason. */
  end(verdict: Exclude<PassVerdict, 'ok'>): void;
}

export interface PassWatchDeps {
  guard: Pick<RoomPassGuard, 'verdictFor'>;
  scheduler: Scheduler;
  everyMs: number;
  logger: Logger;
}

export class PassWatch {
  readonly #deps: PassWatchDeps;
  readonly #watched = new Map<WatchedPass, ScheduledTask>();
  #round: ScheduledTask | null = null;
  #stopped = false;

  constructor(deps: PassWatchDeps) {
    this.#deps = deps;
    this.#scheduleRound();
  }

  /** Watches a socket's pass until the returned function is called (the socket closed). */
  watch(entry: WatchedPass): () => void {
    const { scheduler } = this.#deps;
    const timeUp = scheduler.schedule(Math.max(0, entry.expiresAt - scheduler.now()), () => void this.#check([entry]));
    this.#watched.set(entry, timeUp);
    return () => this.#forget(entry);
  }

  /** Sessions of this person ended here: their sockets are checked now, not at the next round. */
  recheckPerson(userId: string): Promise<void> {
    return this.#check([...this.#watched.keys()].filter((entry) => entry.userId === userId));
  }

  stop(): void {
    this.#stopped = true;
    this.#round?.cancel();
    for (const timeUp of this.#watched.values()) timeUp.cancel();
    this.#watched.clear();
  }

  #scheduleRound(): void {
    if (this.#stopped) return;
    this.#round = this.#deps.scheduler.schedule(this.#deps.everyMs, () => {
      void this.#check([...this.#watched.keys()]).finally(() => this.#scheduleRound());
    });
  }

  /** One verdict per pass, however many sockets share it. */
  async #check(entries: readonly WatchedPass[]): Promise<void> {
    const byPass = new Map<string, WatchedPass[]>();
    for (const entry of entries) byPass.set(entry.passId, [...(byPass.get(entry.passId) ?? []), entry]);
    for (const [passId, sharing] of byPass) {
      let verdict: PassVerdict;
      try {
        verdict = await this.#deps.guard.verdictFor(passId);
      } catch (error) {
        this.#deps.logger.warn({ err: error }, 'checking the pass of an open room socket failed');
        continue;
      }
      if (verdict === 'ok') continue;
      for (const entry of sharing) {
        if (!this.#watched.has(entry)) continue;
        this.#forget(entry);
        entry.end(verdict);
      }
    }
  }

  #forget(entry: WatchedPass): void {
    this.#watched.get(entry)?.cancel();
    this.#watched.delete(entry);
  }
}
