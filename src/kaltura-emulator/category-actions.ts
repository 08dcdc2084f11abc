/**
 * category.add / get / list / update / delete. Categories form a tree whose
 * fullName ("MediaSpace>site>channels>Physics") and fullIds follow their parents.
 */
import type { ServiceActions, SessionCall } from './action-types.ts';
import { CategoryStatus, nextId, PrivacyType, type CategoryRecord, type PartnerData } from './emulator-state.ts';
import { apiError } from './kaltura-errors.ts';
import { categoryFilterSchema, categoryObjectSchema, filterPagerSchema, type CategoryFilter, type CategoryInput } from './kaltura-schemas.ts';
import { equalsWhenGiven, listResponse, startsWithIgnoringCase, within, type ListResponse } from './list-response.ts';
import { csvIntegers, readObject, requireInt, requireObject, requireProperty } from './param-readers.ts';

const INHERITANCE_MANUAL = 2;
const JOIN_POLICY_NOT_ALLOWED = 3;
const DEFAULT_LEVEL_MEMBER = 3;
const CONTRIBUTION_ALL = 1;
const APPEAR_IN_LIST_ALL = 1;

export type KalturaCategory = CategoryRecord & { objectType: 'KalturaCategory'; membersCount: number; directSubCategoriesCount: number };

export const categoryActions: ServiceActions = {
  add: { access: 'admin', run: addCategory },
  get: { access: 'session', run: getCategory },
  list: { access: 'session', run: listCategories },
  update: { access: 'admin', run: updateCategory },
  delete: { access: 'admin', run: deleteCategory },
};

/** Creates a category record under its parent; the fixture uses it too, with explicit ids. */
export function insertCategory(data: PartnerData, input: CategoryInput & { name: string }, id: number, nowSeconds: number): CategoryRecord {
  const parentId = input.parentId ?? 0;
  const parent = parentId === 0 ? null : data.categories.get(parentId);
  if (parentId !== 0 && !parent) throw apiError('PARENT_CATEGORY_NOT_FOUND', { ID: parentId });
  assertValidName(input.name);
  const fullName = parent ? `${parent.fullName}>${input.name}` : input.name;
  if ([...data.categories.values()].some((category) => category.fullName === fullName)) throw apiError('DUPLICATE_CATEGORY', { CATEGORY: fullName });
  const record: CategoryRecord = {
    id,
    partnerId: data.partner.id,
    parentId,
    depth: parent ? parent.depth + 1 : 0,
    name: input.name,
    fullName,
    fullIds: parent ? `${parent.fullIds}>${id}` : String(id),
    privacy: input.privacy ?? PrivacyType.ALL,
    appearInList: input.appearInList ?? APPEAR_IN_LIST_ALL,
    inheritanceType: input.inheritanceType ?? INHERITANCE_MANUAL,
    userJoinPolicy: input.userJoinPolicy ?? JOIN_POLICY_NOT_ALLOWED,
    defaultPermissionLevel: input.defaultPermissionLevel ?? DEFAULT_LEVEL_MEMBER,
    contributionPolicy: input.contributionPolicy ?? CONTRIBUTION_ALL,
    status: CategoryStatus.ACTIVE,
    createdAt: nowSeconds,
    updatedAt: nowSeconds,
  };
  applyCategoryInput(record, input);
  data.categories.set(id, record);
  return record;
}

export function toKalturaCategory(data: PartnerData, record: CategoryRecord): KalturaCategory {
  let membersCount = 0;
  for (const member of data.categoryUsers.values()) if (member.categoryId === record.id) membersCount += 1;
  let directSubCategoriesCount = 0;
  for (const category of data.categories.values()) if (category.parentId === record.id) directSubCategoriesCount += 1;
  return { ...record, membersCount, directSubCategoriesCount, objectType: 'KalturaCategory' };
}

export function findCategory(data: PartnerData, id: number): CategoryRecord {
  const record = data.categories.get(id);
  if (!record) throw apiError('CATEGORY_NOT_FOUND', { ID: id });
  return record;
}

function addCategory({ params, state, data, nowSeconds }: SessionCall): KalturaCategory {
  const input = requireObject(params, 'category', ['KalturaCategory'], categoryObjectSchema);
  const name = requireProperty(input.name, 'KalturaCategory', 'name');
  return toKalturaCategory(data, insertCategory(data, { ...input, name }, nextId(state, 'category'), nowSeconds));
}

function getCategory({ params, data }: SessionCall): KalturaCategory {
  return toKalturaCategory(data, findCategory(data, requireInt(params, 'id')));
}

function listCategories({ params, data }: SessionCall): ListResponse<KalturaCategory> {
  const filter = readObject(params, 'filter', ['KalturaCategoryFilter'], categoryFilterSchema) ?? {};
  const pager = readObject(params, 'pager', ['KalturaFilterPager'], filterPagerSchema);
  const matches = [...data.categories.values()]
    .filter((category) => matchesCategoryFilter(category, filter))
    .sort((a, b) => a.id - b.id)
    .map((category) => toKalturaCategory(data, category));
  return listResponse('KalturaCategoryListResponse', matches, pager);
}

function updateCategory({ params, data, nowSeconds }: SessionCall): KalturaCategory {
  const record = findCategory(data, requireInt(params, 'id'));
  const input = requireObject(params, 'category', ['KalturaCategory'], categoryObjectSchema);
  if (input.name !== undefined && input.name !== record.name) {
    assertValidName(input.name);
    record.name = input.name;
    renameSubtree(data, record);
  }
  applyCategoryInput(record, input);
  record.updatedAt = nowSeconds;
  return toKalturaCategory(data, record);
}

/** Deleting a category deletes its sub-categories and every membership in them. */
function deleteCategory({ params, data }: SessionCall): void {
  const record = findCategory(data, requireInt(params, 'id'));
  const doomed = new Set([...data.categories.values()].filter((category) => category.id === record.id || `>${category.fullIds}>`.includes(`>${record.id}>`)).map((c) => c.id));
  for (const id of doomed) data.categories.delete(id);
  for (const [key, member] of data.categoryUsers) if (doomed.has(member.categoryId)) data.categoryUsers.delete(key);
}

function renameSubtree(data: PartnerData, record: CategoryRecord): void {
  const parent = record.parentId === 0 ? null : data.categories.get(record.parentId);
  const oldPrefix = `${record.fullName}>`;
  record.fullName = parent ? `${parent.fullName}>${record.name}` : record.name;
  for (const category of data.categories.values()) {
    if (category.fullName.startsWith(oldPrefix)) category.fullName = `${record.fullName}>${category.fullName.slice(oldPrefix.length)}`;
  }
}

function applyCategoryInput(record: CategoryRecord, input: CategoryInput): void {
  for (const key of ['description', 'tags', 'referenceId', 'privacyContext', 'owner', 'partnerData'] as const) {
    if (input[key] !== undefined) record[key] = input[key];
  }
  for (const key of ['privacy', 'appearInList', 'inheritanceType', 'userJoinPolicy', 'defaultPermissionLevel', 'contributionPolicy'] as const) {
    if (input[key] !== undefined) record[key] = input[key];
  }
}

/** '>' separates levels of fullName, so it cannot be part of a name. */
function assertValidName(name: string): void {
  if (name.trim() === '' || name.includes('>')) throw apiError('CATEGORY_NAME_CONTAINS_INVALID_CHARS');
}

function matchesCategoryFilter(category: CategoryRecord, filter: CategoryFilter): boolean {
  return (
    equalsWhenGiven(filter.idEqual, category.id) &&
    within(csvIntegers(filter.idIn), category.id) &&
    equalsWhenGiven(filter.parentIdEqual, category.parentId) &&
    (filter.fullNameStartsWith === undefined || startsWithIgnoringCase(category.fullName, filter.fullNameStartsWith)) &&
    (filter.nameOrReferenceIdStartsWith === undefined ||
      startsWithIgnoringCase(category.name, filter.nameOrReferenceIdStartsWith) ||
      startsWithIgnoringCase(category.referenceId, filter.nameOrReferenceIdStartsWith))
  );
}
