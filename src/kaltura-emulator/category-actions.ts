/**
 * category.add / get / list / update / delete.
 */
import { adminAction, userAction, type ServiceActions, type SessionCall } from './action-types.ts';
import {
  assertCanInherit,
  assertUniqueFullName,
  assertValidName,
  childrenOf,
  findCategory,
  findParent,
  fullNameUnder,
  isInSubtree,
  membershipSourceOf,
  placeUnder,
  refreshDescendants,
  subtreeOf,
} from './category-tree.ts';
import {
  CategoryEntryStatus,
  CategoryStatus,
  CategoryUserPermissionLevel,
  CategoryUserStatus,
  InheritanceType,
  PrivacyType,
  type CategoryRecord,
  nextId,
  type PartnerData,
} from './emulator-state.ts';
import { apiError } from './kaltura-errors.ts';
import { categoryFilterSchema, categoryObjectSchema, filterPagerSchema, type CategoryFilter, type CategoryInput } from './kaltura-schemas.ts';
import { equalsWhenGiven, listResponse, startsWithIgnoringCase, startsWithWhenGiven, within, type ListResponse, type OrderFields } from './list-response.ts';
import { csvIntegers, csvValues, readObject, requireInt, requireObject, requireProperty } from './param-readers.ts';

const AppearInList = { PARTNER_ONLY: 1 } as const;
const UserJoinPolicy = { NOT_ALLOWED: 3 } as const;
const ContributionPolicy = { ALL: 1 } as const;

export type KalturaCategory = CategoryRecord & {
  membersCount: number;
  pendingMembersCount: number;
  directSubCategoriesCount: number;
  entriesCount: number;
  directEntriesCount: number;
  objectType: 'KalturaCategory';
};

export type NewCategory = CategoryInput & { id: number; name: string };

export const categoryActions: ServiceActions = {
  add: adminAction(addCategory),
  get: userAction(getCategory, { widget: true }),
  list: userAction(listCategories, { widget: true }),
  update: adminAction(updateCategory),
  delete: adminAction(deleteCategory),
};

/** Validates and stores a category; shared by category.add and the fixture seeding. */
export function insertCategory(data: PartnerData, input: NewCategory, nowSeconds: number): CategoryRecord {
  assertValidName(input.name);
  const parent = findParent(data, input.parentId);
  assertUniqueFullName(data, fullNameUnder(parent, input.name));
  assertCanInherit(input.inheritanceType ?? InheritanceType.MANUAL, parent);
  const record: CategoryRecord = {
    id: input.id,
    partnerId: data.partner.id,
    parentId: 0,
    depth: 0,
    name: input.name,
    fullName: '',
    fullIds: '',
    privacy: PrivacyType.ALL,
    appearInList: AppearInList.PARTNER_ONLY,
    inheritanceType: InheritanceType.MANUAL,
    userJoinPolicy: UserJoinPolicy.NOT_ALLOWED,
    defaultPermissionLevel: CategoryUserPermissionLevel.MEMBER,
    contributionPolicy: ContributionPolicy.ALL,
    moderation: false,
    status: CategoryStatus.ACTIVE,
    createdAt: nowSeconds,
    updatedAt: nowSeconds,
  };
  applyCategoryInput(record, input);
  placeUnder(record, parent);
  data.categories.set(record.id, record);
  return record;
}

export function toKalturaCategory(data: PartnerData, record: CategoryRecord): KalturaCategory {
  const source = membershipSourceOf(record);
  const members = [...data.categoryUsers.values()].filter((member) => member.categoryId === source);
  return {
    ...record,
    membersCount: members.filter((member) => member.status === CategoryUserStatus.ACTIVE).length,
    pendingMembersCount: members.filter((member) => member.status === CategoryUserStatus.PENDING).length,
    directSubCategoriesCount: childrenOf(data, record.id).length,
    entriesCount: activeEntriesIn(data, (category) => category.id === record.id || category.fullIds.startsWith(`${record.fullIds}>`)),
    directEntriesCount: activeEntriesIn(data, (category) => category.id === record.id),
    objectType: 'KalturaCategory',
  };
}

/** Entries active in the categories `counts` takes (found by the links, so a list of many categories stays cheap). */
function activeEntriesIn(data: PartnerData, counts: (category: CategoryRecord) => boolean): number {
  const entries = new Set<string>();
  for (const link of data.categoryEntries.values()) {
    const category = data.categories.get(link.categoryId);
    if (link.status === CategoryEntryStatus.ACTIVE && category && counts(category)) entries.add(link.entryId);
  }
  return entries.size;
}

function addCategory({ params, data, state, nowSeconds }: SessionCall): KalturaCategory {
  const input = requireObject(params, 'category', ['KalturaCategory'], categoryObjectSchema);
  const name = requireProperty(input.name, 'KalturaCategory', 'name');
  const record = insertCategory(data, { ...input, name, id: nextId(state, 'category') }, nowSeconds);
  return toKalturaCategory(data, record);
}

function getCategory({ params, data }: SessionCall): KalturaCategory {
  return toKalturaCategory(data, findCategory(data, requireInt(params, 'id')));
}

function listCategories({ params, data }: SessionCall): ListResponse<KalturaCategory> {
  const filter = readObject(params, 'filter', ['KalturaCategoryFilter'], categoryFilterSchema) ?? {};
  const pager = readObject(params, 'pager', ['KalturaFilterPager'], filterPagerSchema);
  const matches = [...data.categories.values()].filter((category) => matchesCategoryFilter(category, filter));
  return listResponse(
    'KalturaCategoryListResponse',
    matches.map((category) => toKalturaCategory(data, category)),
    pager,
    { orderBy: filter.orderBy, fields: CATEGORY_ORDERS },
  );
}

function updateCategory({ params, data, nowSeconds }: SessionCall): KalturaCategory {
  const record = findCategory(data, requireInt(params, 'id'));
  const input = requireObject(params, 'category', ['KalturaCategory'], categoryObjectSchema);
  const name = input.name ?? record.name;
  assertValidName(name);
  const parent = input.parentId === undefined ? data.categories.get(record.parentId) : findParent(data, input.parentId);
  if (parent && isInSubtree(data, record, parent.id)) {
    throw apiError('PARENT_CATEGORY_IS_CHILD', { PARENT_CATEGORY: parent.id, OTHER_CATEGORY: record.id });
  }
  assertUniqueFullName(data, fullNameUnder(parent, name), record.id);
  assertCanInherit(input.inheritanceType ?? record.inheritanceType, parent);
  applyCategoryInput(record, input);
  record.name = name;
  record.updatedAt = nowSeconds;
  placeUnder(record, parent);
  refreshDescendants(data, record);
  return toKalturaCategory(data, record);
}

/** Kaltura deletes the sub-categories too, and with them every membership. */
function deleteCategory({ params, data }: SessionCall): void {
  const record = findCategory(data, requireInt(params, 'id'));
  for (const category of subtreeOf(data, record)) {
    for (const [key, member] of data.categoryUsers) {
      if (member.categoryId === category.id) data.categoryUsers.delete(key);
    }
    for (const [key, link] of data.categoryEntries) {
      if (link.categoryId === category.id) data.categoryEntries.delete(key);
    }
    data.categories.delete(category.id);
  }
}

function applyCategoryInput(record: CategoryRecord, input: CategoryInput): void {
  if (input.description !== undefined) record.description = input.description;
  if (input.tags !== undefined) record.tags = input.tags;
  if (input.referenceId !== undefined) record.referenceId = input.referenceId;
  if (input.privacy !== undefined) record.privacy = input.privacy;
  if (input.privacyContext !== undefined) record.privacyContext = input.privacyContext;
  if (input.owner !== undefined) record.owner = input.owner;
  if (input.appearInList !== undefined) record.appearInList = input.appearInList;
  if (input.inheritanceType !== undefined) record.inheritanceType = input.inheritanceType;
  if (input.userJoinPolicy !== undefined) record.userJoinPolicy = input.userJoinPolicy;
  if (input.defaultPermissionLevel !== undefined) record.defaultPermissionLevel = input.defaultPermissionLevel;
  if (input.contributionPolicy !== undefined) record.contributionPolicy = input.contributionPolicy;
  if (input.partnerData !== undefined) record.partnerData = input.partnerData;
  if (input.moderation !== undefined) record.moderation = input.moderation;
}

/** KalturaCategoryBaseFilter's order map (the part the emulator's categories have fields for). */
const CATEGORY_ORDERS: OrderFields<KalturaCategory> = {
  depth: (category) => category.depth,
  name: (category) => category.name,
  fullName: (category) => category.fullName,
  membersCount: (category) => category.membersCount,
  createdAt: (category) => category.createdAt,
  updatedAt: (category) => category.updatedAt,
};

function matchesCategoryFilter(category: CategoryRecord, filter: CategoryFilter): boolean {
  const prefix = filter.nameOrReferenceIdStartsWith;
  return (
    equalsWhenGiven(filter.idEqual, category.id) &&
    within(csvIntegers(filter.idIn), category.id) &&
    equalsWhenGiven(filter.parentIdEqual, category.parentId) &&
    within(csvIntegers(filter.parentIdIn), category.parentId) &&
    equalsWhenGiven(filter.depthEqual, category.depth) &&
    equalsWhenGiven(filter.fullNameEqual, category.fullName) &&
    within(csvValues(filter.fullNameIn), category.fullName) &&
    equalsWhenGiven(filter.inheritanceTypeEqual, category.inheritanceType) &&
    equalsWhenGiven(filter.inheritedParentIdEqual, category.inheritedParentId) &&
    within(csvIntegers(filter.inheritedParentIdIn), category.inheritedParentId ?? -1) &&
    startsWithWhenGiven(filter.fullNameStartsWith, category.fullName) &&
    (prefix === undefined || startsWithIgnoringCase(category.name, prefix) || startsWithIgnoringCase(category.referenceId, prefix))
  );
}
