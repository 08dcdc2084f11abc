/**
 * Time as the services see it: the current moment and delayed work. Tests
 * use a manual scheduler and move time instead of sleeping.
 */
export interface ScheduledTask {
  cancel(): void;
}

export interface Scheduler {
  now(): number;
  /** Runs `task` after `delayMs`; the timer never keeps the process alive on its own. */
  schedule(delayMs: number, task: () => void): ScheduledTask;
}

export function systemScheduler(now: () => number = Date.now): Scheduler {
  return {
    now,
    schedule(delayMs, task) {
      const timer = setTimeout(task, delayMs);
      timer.unref();
      return { cancel: () => clearTimeout(timer) };
    },
  };
}
