/**
 * What the module reads from Kaltura, parsed with zod at the boundary so that
 * a surprising answer becomes a clear upstream error, not a crash deep inside.
 */
import { z } from 'zod';

export const kalturaApiErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  objectType: z.literal('KalturaAPIException').optional(),
});
export type KalturaApiErrorBody = z.output<typeof kalturaApiErrorSchema>;

export const sessionInfoSchema = z.object({
  sessionType: z.coerce.number(),
  partnerId: z.coerce.number(),
  userId: z.string().nullish(),
  expiry: z.coerce.number(),
  privileges: z.string().nullish(),
});
export type KalturaSessionInfo = z.output<typeof sessionInfoSchema>;

export const userSchema = z.object({
  id: z.string(),
  screenName: z.string().nullish(),
  fullName: z.string().nullish(),
  firstName: z.string().nullish(),
  lastName: z.string().nullish(),
  email: z.string().nullish(),
  isAdmin: z.boolean().nullish(),
  partnerData: z.string().nullish(),
});
export type KalturaUser = z.output<typeof userSchema>;

export const categorySchema = z.object({
  id: z.coerce.number(),
  inheritanceType: z.coerce.number().nullish(),
  /** For a category that inherits its members (inheritanceType 1), the category they come from. */
  inheritedParentId: z.coerce.number().nullish(),
  name: z.string(),
  fullName: z.string().nullish(),
  description: z.string().nullish(),
});
export type KalturaCategory = z.output<typeof categorySchema>;

export const categoryUserSchema = z.object({
  categoryId: z.coerce.number(),
  userId: z.string(),
  permissionLevel: z.coerce.number(),
  status: z.coerce.number(),
});
export type KalturaCategoryUser = z.output<typeof categoryUserSchema>;

export const metadataSchema = z.object({
  objectId: z.string(),
  xml: z.string().nullish(),
});

export function listResponseSchema<T extends z.ZodType>(item: T) {
  return z.object({ objects: z.array(item).nullish().transform((objects) => objects ?? []), totalCount: z.coerce.number() });
}

/** A display name the way MediaSpace shows it. */
export function displayNameOf(user: KalturaUser): string {
  const joined = [user.firstName, user.lastName].filter(Boolean).join(' ');
  return user.fullName?.trim() || joined || user.screenName?.trim() || user.id;
}
