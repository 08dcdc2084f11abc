/**
 * A call's responseProfile (KalturaDetachedResponseProfile): with type
 * INCLUDE_FIELDS (1) Kaltura answers only the listed fields of each object, of
 * a list answer's objects too; with EXCLUDE_FIELDS (2) all but those.
 * objectType always stays, so clients still know what they hold.
 */
import { z } from 'zod';
import { kInt, kString } from './kaltura-schemas.ts';
import { readObject, csvValues, type Params } from './param-readers.ts';

const INCLUDE_FIELDS = 1;
const EXCLUDE_FIELDS = 2;

const responseProfileSchema = z.object({
  objectType: z.string().optional(),
  name: kString.optional(),
  type: kInt.optional(),
  fields: kString.optional(),
});

/** Reads the profile before the action runs (a bad one fails the call untouched) and returns what shapes its answer. */
export function responseShaper(params: Params): (result: unknown) => unknown {
  const profile = readObject(params, 'responseProfile', ['KalturaDetachedResponseProfile'], responseProfileSchema);
  const fields = csvValues(profile?.fields);
  if (!profile || !fields || (profile.type !== INCLUDE_FIELDS && profile.type !== EXCLUDE_FIELDS)) return (result) => result;
  const keep = (name: string) => name === 'objectType' || fields.includes(name) === (profile.type === INCLUDE_FIELDS);
  return (result) => {
    if (!isObject(result) || result.objectType === 'KalturaAPIException') return result;
    if (Array.isArray(result.objects) && String(result.objectType).endsWith('ListResponse')) {
      return { ...result, objects: result.objects.map((object) => (isObject(object) ? pick(object, keep) : object)) };
    }
    return pick(result, keep);
  };
}

function pick(object: Record<string, unknown>, keep: (name: string) => boolean): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([name]) => keep(name)));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
