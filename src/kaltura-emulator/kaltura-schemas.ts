/**
 * zod shapes of the Kaltura objects the emulated actions accept (objects,
 * filters, pager). Like PHP's API layer they take numbers sent as strings and
 * vice versa; every property is optional here because which ones are
 * mandatory depends on the action (add versus update).
 */
import { z } from 'zod';

/** Enumerations with the names Kaltura reports in INVALID_ENUM_VALUE. */
export const KALTURA_ENUMS = {
  KalturaSessionType: [0, 2],
  KalturaUserStatus: [0, 1, 2],
  KalturaNullableBoolean: [-1, 0, 1],
  KalturaPrivacyType: [1, 2, 3],
  KalturaAppearInListType: [1, 3],
  KalturaInheritanceType: [1, 2],
  KalturaUserJoinPolicyType: [1, 2, 3],
  KalturaContributionPolicyType: [1, 2],
  KalturaCategoryUserPermissionLevel: [0, 1, 2, 3, 4],
  KalturaCategoryUserStatus: [1, 2, 3, 4],
  KalturaMetadataProfileCreateMode: [1, 2, 3],
  KalturaMediaType: [1, 2, 5, 201, 202, 203, 204],
  KalturaUploadTokenStatus: [0, 1, 2, 3, 4, 5],
  KalturaCategoryEntryStatus: [1, 2, 3, 4],
} as const satisfies Record<string, readonly number[]>;

export type KalturaEnumName = keyof typeof KALTURA_ENUMS;

export const METADATA_OBJECT_TYPES = ['1', '2', '3', '4', '5', '6'] as const;

/** Marks an issue so it is reported as INVALID_ENUM_VALUE with this enum type. */
export interface EnumIssueParams {
  enumType: string;
}

const INTEGER_TEXT = /^-?\d+$/;

export const kInt = z.preprocess((value) => (typeof value === 'string' && INTEGER_TEXT.test(value.trim()) ? Number(value) : value), z.number().int());

export const kString = z.preprocess((value) => (typeof value === 'number' || typeof value === 'boolean' ? String(value) : value), z.string());

export const kBool = z.preprocess((value) => {
  if (value === 1 || value === '1' || value === 'true') return true;
  if (value === 0 || value === '0' || value === 'false') return false;
  return value;
}, z.boolean());

export function kEnum(enumType: KalturaEnumName) {
  const allowed: readonly number[] = KALTURA_ENUMS[enumType];
  return kInt.refine((value) => allowed.includes(value), { params: { enumType } satisfies EnumIssueParams });
}

/** Filters take NullableBoolean; JSON clients often send a plain boolean. */
const kNullableBool = z.preprocess((value) => (typeof value === 'boolean' ? Number(value) : value), kEnum('KalturaNullableBoolean'));

export const kMetadataObjectType = kString.refine((value) => (METADATA_OBJECT_TYPES as readonly string[]).includes(value), {
  params: { enumType: 'KalturaMetadataObjectType' } satisfies EnumIssueParams,
});

export const userObjectSchema = z.object({
  id: kString.optional(),
  screenName: kString.optional(),
  fullName: kString.optional(),
  firstName: kString.optional(),
  lastName: kString.optional(),
  email: kString.optional(),
  isAdmin: kBool.optional(),
  partnerData: kString.optional(),
  description: kString.optional(),
  tags: kString.optional(),
  status: kEnum('KalturaUserStatus').optional(),
});
export type UserInput = z.output<typeof userObjectSchema>;

export const categoryObjectSchema = z.object({
  parentId: kInt.optional(),
  name: kString.optional(),
  description: kString.optional(),
  tags: kString.optional(),
  referenceId: kString.optional(),
  privacy: kEnum('KalturaPrivacyType').optional(),
  privacyContext: kString.optional(),
  owner: kString.optional(),
  appearInList: kEnum('KalturaAppearInListType').optional(),
  inheritanceType: kEnum('KalturaInheritanceType').optional(),
  userJoinPolicy: kEnum('KalturaUserJoinPolicyType').optional(),
  defaultPermissionLevel: kEnum('KalturaCategoryUserPermissionLevel').optional(),
  contributionPolicy: kEnum('KalturaContributionPolicyType').optional(),
  partnerData: kString.optional(),
  moderation: kBool.optional(),
});
export type CategoryInput = z.output<typeof categoryObjectSchema>;

export const categoryUserObjectSchema = z.object({
  categoryId: kInt.optional(),
  userId: kString.optional(),
  permissionLevel: kEnum('KalturaCategoryUserPermissionLevel').optional(),
});

export const metadataProfileObjectSchema = z.object({
  metadataObjectType: kMetadataObjectType.optional(),
  name: kString.optional(),
  systemName: kString.optional(),
  description: kString.optional(),
  createMode: kEnum('KalturaMetadataProfileCreateMode').optional(),
});

export const uploadTokenObjectSchema = z.object({
  fileName: kString.optional(),
  fileSize: kInt.optional(),
  autoFinalize: kNullableBool.optional(),
});

export const mediaEntryObjectSchema = z.object({
  name: kString.optional(),
  description: kString.optional(),
  tags: kString.optional(),
  referenceId: kString.optional(),
  userId: kString.optional(),
  mediaType: kEnum('KalturaMediaType').optional(),
});

export const uploadedFileTokenResourceSchema = z.object({
  objectType: z.string().optional(),
  token: kString.optional(),
});

export const categoryEntryObjectSchema = z.object({
  categoryId: kInt.optional(),
  entryId: kString.optional(),
});

/**
 * Filters and the pager refuse a property they do not know. Kaltura ignores one silently, so code
 * that relies on a filter the emulator does not implement would get every object in tests and
 * pass; here it fails. Every filter takes Kaltura's orderBy ("+name,-createdAt").
 */
function kalturaFilter<Shape extends z.ZodRawShape>(shape: Shape) {
  return z.strictObject({ objectType: z.string().optional(), orderBy: kString.optional(), ...shape });
}

export const userFilterSchema = kalturaFilter({
  idEqual: kString.optional(),
  idIn: kString.optional(),
  screenNameLike: kString.optional(),
  screenNameStartsWith: kString.optional(),
  emailLike: kString.optional(),
  emailStartsWith: kString.optional(),
  firstNameStartsWith: kString.optional(),
  lastNameStartsWith: kString.optional(),
  firstNameOrLastNameStartsWith: kString.optional(),
  isAdminEqual: kNullableBool.optional(),
  statusEqual: kEnum('KalturaUserStatus').optional(),
  statusIn: kString.optional(),
});
export type UserFilter = z.output<typeof userFilterSchema>;

export const categoryFilterSchema = kalturaFilter({
  idEqual: kInt.optional(),
  idIn: kString.optional(),
  parentIdEqual: kInt.optional(),
  parentIdIn: kString.optional(),
  depthEqual: kInt.optional(),
  fullNameEqual: kString.optional(),
  fullNameIn: kString.optional(),
  fullNameStartsWith: kString.optional(),
  nameOrReferenceIdStartsWith: kString.optional(),
  inheritanceTypeEqual: kEnum('KalturaInheritanceType').optional(),
  inheritedParentIdEqual: kInt.optional(),
  inheritedParentIdIn: kString.optional(),
});
export type CategoryFilter = z.output<typeof categoryFilterSchema>;

export const categoryUserFilterSchema = kalturaFilter({
  categoryIdEqual: kInt.optional(),
  categoryIdIn: kString.optional(),
  userIdEqual: kString.optional(),
  userIdIn: kString.optional(),
  permissionLevelEqual: kEnum('KalturaCategoryUserPermissionLevel').optional(),
  permissionLevelIn: kString.optional(),
  statusEqual: kEnum('KalturaCategoryUserStatus').optional(),
  statusIn: kString.optional(),
});
export type CategoryUserFilter = z.output<typeof categoryUserFilterSchema>;

export const metadataFilterSchema = kalturaFilter({
  metadataProfileIdEqual: kInt.optional(),
  metadataObjectTypeEqual: kMetadataObjectType.optional(),
  objectIdEqual: kString.optional(),
  objectIdIn: kString.optional(),
});
export type MetadataFilter = z.output<typeof metadataFilterSchema>;

export const metadataProfileFilterSchema = kalturaFilter({
  idEqual: kInt.optional(),
  metadataObjectTypeEqual: kMetadataObjectType.optional(),
  systemNameEqual: kString.optional(),
});
export type MetadataProfileFilter = z.output<typeof metadataProfileFilterSchema>;

export const uploadTokenFilterSchema = kalturaFilter({
  idEqual: kString.optional(),
  idIn: kString.optional(),
  userIdEqual: kString.optional(),
  statusEqual: kEnum('KalturaUploadTokenStatus').optional(),
  statusIn: kString.optional(),
  fileNameEqual: kString.optional(),
  fileSizeEqual: kInt.optional(),
});
export type UploadTokenFilter = z.output<typeof uploadTokenFilterSchema>;

export const mediaEntryFilterSchema = kalturaFilter({
  idEqual: kString.optional(),
  idIn: kString.optional(),
  referenceIdEqual: kString.optional(),
  referenceIdIn: kString.optional(),
  userIdEqual: kString.optional(),
  categoriesIdsMatchAnd: kString.optional(),
  mediaTypeEqual: kEnum('KalturaMediaType').optional(),
});
export type MediaEntryFilter = z.output<typeof mediaEntryFilterSchema>;

export const categoryEntryFilterSchema = kalturaFilter({
  categoryIdEqual: kInt.optional(),
  categoryIdIn: kString.optional(),
  entryIdEqual: kString.optional(),
  entryIdIn: kString.optional(),
  statusEqual: kEnum('KalturaCategoryEntryStatus').optional(),
  statusIn: kString.optional(),
});
export type CategoryEntryFilter = z.output<typeof categoryEntryFilterSchema>;

export const filterPagerSchema = z.strictObject({
  objectType: z.string().optional(),
  pageSize: kInt.optional(),
  pageIndex: kInt.optional(),
});
export type FilterPager = z.output<typeof filterPagerSchema>;
