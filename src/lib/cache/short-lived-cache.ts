/**
 * A read-through cache for hot database reads. Entries live a short, bounded
 * time on the injected clock, so tests move time instead of sleeping. Writes
 * go through `forgetAfter`, `rememberAfter` or `clearAfter`; a load that was under way
 * while a write happened still answers its callers but is not remembered, so
 * a racing read can never put back what a write just changed. Concurrent
 * misses of one key share a single load. Remembered objects are frozen
 * (shallowly): every caller gets the same one.
 */
import { LRUCache } from 'lru-cache';

export interface ShortLivedCacheOptions {
  ttlMs: number;
  maxEntries: number;
  now?: () => number;
}

/** lru-cache stores no null or undefined; "there is none" is an answer worth remembering. */
interface Entry<V> {
  value: V;
}

export class ShortLivedCache<K extends NonNullable<unknown>, V> {
  readonly #entries: LRUCache<K, Entry<V>>;
  readonly #loading = new Map<K, Promise<V>>();
  /** Counts forgets and clears: a load that started before the latest one may hold what was just changed. */
  #writes = 0;

  constructor({ ttlMs, maxEntries, now = Date.now }: ShortLivedCacheOptions) {
    // ttlResolution 0: read the clock on every look-up, so a moved test clock counts at once.
    this.#entries = new LRUCache({ max: maxEntries, ttl: ttlMs, ttlResolution: 0, perf: { now } });
  }

  /** The remembered value, or what `load` answers (remembered unless a write happened meanwhile). */
  get(key: K, load: () => Promise<V>): Promise<V> {
    const entry = this.#entries.get(key);
    if (entry) return Promise.resolve(entry.value);
    return this.#loading.get(key) ?? this.#load(key, load);
  }

  /** Waits for a write to what `key` names, then forgets it; also when the write failed, as it may have happened anyway. */
  async forgetAfter<T>(key: K, write: Promise<T>): Promise<T> {
    try {
      return await write;
    } finally {
      this.forget(key);
    }
  }

  /**
   * Waits for a write that made `key` hold `value` (a row just inserted), then remembers it, so
   * that the next look-up reads nothing; if the write failed, `key` is forgotten instead.
   */
  async rememberAfter<T>(key: K, value: V, write: Promise<T>): Promise<T> {
    const result = await this.forgetAfter(key, write);
    if (typeof value === 'object' && value !== null) Object.freeze(value);
    this.#entries.set(key, { value });
    return result;
  }

  /** Waits for a write that may touch any key, then forgets everything (also when it failed). */
  async clearAfter<T>(write: Promise<T>): Promise<T> {
    try {
      return await write;
    } finally {
      this.clear();
    }
  }

  /** The next look-up of `key` reads it afresh. */
  forget(key: K): void {
    this.#writes++;
    this.#loading.delete(key);
    this.#entries.delete(key);
  }

  /** Every next look-up reads afresh. */
  clear(): void {
    this.#writes++;
    this.#loading.clear();
    this.#entries.clear();
  }

  #load(key: K, load: () => Promise<V>): Promise<V> {
    const writesBefore = this.#writes;
    const loading = load()
      .then((value) => {
        if (typeof value === 'object' && value !== null) Object.freeze(value);
        if (this.#writes === writesBefore) this.#entries.set(key, { value });
        return value;
      })
      .finally(() => {
        if (this.#loading.get(key) === loading) this.#loading.delete(key);
      });
    this.#loading.set(key, loading);
    return loading;
  }
}
