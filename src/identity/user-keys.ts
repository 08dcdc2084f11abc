/**
 * The module's key for a person, one id space per source, so that a person
 * from one source can never be taken for a person from the other:
 * - a backend account keeps the random UUID it was created with;
 * - a MediaSpace user is `mediaspace:<Kaltura user id>`.
 * A Kaltura user id is any string Kaltura accepts (an administrator chooses
 * it), so it is never a key by itself: were it one, a Kaltura user named
 * after a backend account's id would be that account. Kaltura is asked about
 * the Kaltura user id only, never about a key.
 */
const MEDIASPACE_PREFIX = 'mediaspace:';

export function mediaSpaceUserKey(kalturaUserId: string): string {
  return MEDIASPACE_PREFIX + kalturaUserId;
}

/** The Kaltura user id behind a MediaSpace user's key; null for anyone else (a backend account has none). */
export function kalturaUserIdOf(userKey: string): string | null {
  return userKey.startsWith(MEDIASPACE_PREFIX) ? userKey.slice(MEDIASPACE_PREFIX.length) : null;
}

export function isMediaSpaceUserKey(userKey: string): boolean {
  return userKey.startsWith(MEDIASPACE_PREFIX);
}
