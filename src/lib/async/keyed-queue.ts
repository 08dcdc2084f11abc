/**
 * Work that must not interleave per key (a room's state changes): each runs
 * after the previous one for its key has settled, whether it failed or not.
 * Keys with nothing pending are forgotten.
 */
export class KeyedQueue {
  readonly #queues = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#queues.get(key) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.catch(() => undefined);
    this.#queues.set(key, settled);
    void settled.then(() => {
      if (this.#queues.get(key) === settled) this.#queues.delete(key);
    });
    return next;
  }
}
