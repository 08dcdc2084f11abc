/**
 * People's chosen languages, remembered briefly: every page a person sees is
 * in their language, and asking the database on each one would put a read on
 * every page of a visit. A change saved through this store takes effect here
 * at once; one saved through another instance of the service is seen here
 * within LANGUAGE_TTL_MS.
 */
import { ShortLivedCache } from '../lib/cache/short-lived-cache.ts';
import type { ProfileStore } from './profile-store.ts';

export const LANGUAGE_TTL_MS = 60_000;

export interface CachedProfileStoreOptions {
  maxEntries: number;
  ttlMs?: number;
  now?: () => number;
}

export function createCachedProfileStore(inner: ProfileStore, { maxEntries, ttlMs = LANGUAGE_TTL_MS, now }: CachedProfileStoreOptions): ProfileStore {
  const languages = new ShortLivedCache<string, string | null>({ ttlMs, maxEntries, now });
  return {
    languageOf: (userId) => languages.get(userId, () => inner.languageOf(userId)),
    updateDetails: (userId, details, expectedVersion) => languages.forgetAfter(userId, inner.updateDetails(userId, details, expectedVersion)),
    // A picture is not a language.
    setPicture: (userId, pictureImageId, expectedVersion) => inner.setPicture(userId, pictureImageId, expectedVersion),
  };
}
