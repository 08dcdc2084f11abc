/**
 * Token buckets per key (one person in one room): `ratePerSecond` sustained,
 * bursts up to `burst`. The live room keeps one set for chat and one for every
 * other message that changes the room, so a person toggling a hand or a camera
 * as fast as a script can reaches the room at a bounded rate.
 */
export interface RateBucketOptions {
  ratePerSecond: number;
  burst: number;
  now: () => number;
}

/** Buckets kept before the full ones (the same as none) are swept out; the mark doubles with the live ones. */
const SWEEP_FROM = 10_000;

export class RateBuckets {
  readonly #options: RateBucketOptions;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  #sweepAt = SWEEP_FROM;

  constructor(options: RateBucketOptions) {
    this.#options = options;
  }

  /** Takes one token for `key`; false when the bucket is empty (the caller refuses the action). */
  take(key: string): boolean {
    const { ratePerSecond, burst, now } = this.#options;
    const at = now();
    const bucket = this.#buckets.get(key) ?? { tokens: burst, at };
    bucket.tokens = Math.min(burst, bucket.tokens + ((at - bucket.at) / 1000) * ratePerSecond);
    bucket.at = at;
    if (this.#buckets.size >= this.#sweepAt) this.#sweep(at);
    this.#buckets.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  #sweep(at: number): void {
    const { ratePerSecond, burst } = this.#options;
    for (const [key, bucket] of this.#buckets) {
      if (bucket.tokens + ((at - bucket.at) / 1000) * ratePerSecond >= burst) this.#buckets.delete(key);
    }
    this.#sweepAt = Math.max(SWEEP_FROM, this.#buckets.size * 2);
  }

  /** Forgets the buckets whose key starts with `prefix` (a room whose session ended). */
  forgetPrefix(prefix: string): void {
    for (const key of this.#buckets.keys()) if (key.startsWith(prefix)) this.#buckets.delete(key);
  }
}
