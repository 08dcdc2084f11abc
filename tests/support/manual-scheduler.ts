import type { Scheduler } from '../../src/lib/clock/scheduler.ts';

/** A clock and timers that move only when a test says so. */
export class ManualScheduler implements Scheduler {
  #now: number;
  #tasks: Array<{ at: number; run: () => void; cancelled: boolean }> = [];

  constructor(start = Date.now()) {
    this.#now = start;
  }

  now = (): number => this.#now;

  schedule(delayMs: number, run: () => void) {
    const task = { at: this.#now + delayMs, run, cancelled: false };
    this.#tasks.push(task);
    return { cancel: () => void (task.cancelled = true) };
  }

  /** Moves time forward, running every task that falls due, in order, then lets their async work settle. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    for (;;) {
      const due = this.#tasks.filter((task) => !task.cancelled && task.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.#now = Math.max(this.#now, due.at);
      this.#tasks = this.#tasks.filter((task) => task !== due);
      due.run();
      await settle();
    }
    this.#now = target;
    await settle();
  }
}

/** Lets pending promise callbacks and I/O callbacks run (no wall-clock waiting). */
export async function settle(rounds = 5): Promise<void> {
  for (let round = 0; round < rounds; round++) await new Promise((resolve) => setImmediate(resolve));
}

/** Retries an assertion while the server finishes asynchronous work; fails after a bounded number of event-loop turns. */
export async function eventually<T>(check: () => Promise<T> | T, turns = 200): Promise<T> {
  let lastError: unknown;
  for (let turn = 0; turn < turns; turn++) {
    try {
      return await check();
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  throw lastError;
}
