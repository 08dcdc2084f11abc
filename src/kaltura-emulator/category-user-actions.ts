/**
 * categoryUser.add / get / list / update / delete / activate / deactivate:
 * channel membership. A USER KS sees only its own memberships.
 */
import { userAction, type ServiceActions, type SessionCall } from './action-types.ts';
import { categoryUserKey, CategoryUserPermissionLevel, CategoryUserStatus, ensureUser, UserStatus, type CategoryUserRecord, type PartnerData } from './emulator-state.ts';
import { apiError } from './kaltura-errors.ts';
import { categoryUserFilterSchema, categoryUserObjectSchema, filterPagerSchema, type CategoryUserFilter } from './kaltura-schemas.ts';
import { equalsWhenGiven, listResponse, within, type ListResponse, type OrderFields } from './list-response.ts';
import { csvIntegers, csvValues, readObject, requireInt, requireObject, requireProperty, requireString } from './param-readers.ts';
import { findCategory, membershipSourceOf } from './category-tree.ts';
import { seesAllUsers } from './session-verifier.ts';

/** KalturaUpdateMethodType.MANUAL: changed through the API, not by a bulk upload. */
const UPDATE_METHOD_MANUAL = 0;

export type KalturaCategoryUser = CategoryUserRecord & { objectType: 'KalturaCategoryUser'; categoryFullIds: string };

export const categoryUserActions: ServiceActions = {
  add: userAction(addCategoryUser),
  get: userAction(getCategoryUser),
  list: userAction(listCategoryUsers),
  update: userAction(updateCategoryUser),
  delete: userAction(deleteCategoryUser),
  activate: userAction((call) => setStatus(call, CategoryUserStatus.ACTIVE)),
  deactivate: userAction((call) => setStatus(call, CategoryUserStatus.NOT_ACTIVE)),
};

/** Adds a membership; the fixture uses it too, to seed other statuses. */
export function insertCategoryUser(data: PartnerData, categoryId: number, userId: string, permissionLevel: number | undefined, status: number, nowSeconds: number): CategoryUserRecord {
  const category = findCategory(data, categoryId);
  if (membershipSourceOf(category) !== category.id) throw apiError('CATEGORY_INHERIT_MEMBERS', { CAT: category.id });
  ensureUser(data, userId, nowSeconds);
  const key = categoryUserKey(categoryId, userId);
  if (data.categoryUsers.has(key)) throw apiError('CATEGORY_USER_ALREADY_EXISTS');
  const record: CategoryUserRecord = {
    categoryId,
    userId,
    partnerId: data.partner.id,
    permissionLevel: permissionLevel ?? category.defaultPermissionLevel,
    status,
    updateMethod: UPDATE_METHOD_MANUAL,
    createdAt: nowSeconds,
    updatedAt: nowSeconds,
  };
  data.categoryUsers.set(key, record);
  return record;
}

function toKalturaCategoryUser(data: PartnerData, record: CategoryUserRecord): KalturaCategoryUser {
  return { ...record, categoryFullIds: data.categories.get(record.categoryId)?.fullIds ?? '', objectType: 'KalturaCategoryUser' };
}

function addCategoryUser({ params, data, nowSeconds, session }: SessionCall): KalturaCategoryUser {
  const input = requireObject(params, 'categoryUser', ['KalturaCategoryUser'], categoryUserObjectSchema);
  const categoryId = requireProperty(input.categoryId, 'KalturaCategoryUser', 'categoryId');
  const userId = requireProperty(input.userId, 'KalturaCategoryUser', 'userId');
  // Kaltura's join policies are not emulated: the categories here never let a user add themselves.
  if (!seesAllUsers(session) && !managesCategory(data, categoryId, session.userId)) throw apiError('CATEGORY_USER_JOIN_NOT_ALLOWED', { CAT: categoryId });
  return toKalturaCategoryUser(data, insertCategoryUser(data, categoryId, userId, input.permissionLevel, CategoryUserStatus.ACTIVE, nowSeconds));
}

/** For a category that inherits its members, Kaltura answers the membership in the category it inherits from. */
function getCategoryUser({ params, data, session }: SessionCall): KalturaCategoryUser {
  const userId = requireString(params, 'userId');
  assertKnownUser(data, userId);
  const record = findCategoryUser(data, membershipSourceOf(findCategory(data, requireInt(params, 'categoryId'))), userId);
  if (!seesAllUsers(session) && record.userId !== session.userId) throw apiError('INVALID_CATEGORY_USER_ID', { CAT: record.categoryId, USER: record.userId });
  return toKalturaCategoryUser(data, record);
}

function listCategoryUsers({ params, data, session }: SessionCall): ListResponse<KalturaCategoryUser> {
  const filter = readObject(params, 'filter', ['KalturaCategoryUserFilter'], categoryUserFilterSchema) ?? {};
  const pager = readObject(params, 'pager', ['KalturaFilterPager'], filterPagerSchema);
  const filtersSomething = [filter.categoryIdEqual, filter.categoryIdIn, filter.userIdEqual, filter.userIdIn].some((value) => value !== undefined);
  if (!filtersSomething) throw apiError('MUST_FILTER_USERS_OR_CATEGORY');
  const sources = membershipSourcesFilter(data, filter);
  const matches = [...data.categoryUsers.values()]
    // Kaltura's filter looks the users up first: an unknown or deleted user has no memberships, not an error.
    .filter((record) => isListedUser(data, record.userId))
    .filter((record) => seesAllUsers(session) || record.userId === session.userId)
    .filter((record) => within(sources, record.categoryId) && matchesCategoryUserFilter(record, filter))
    .sort((a, b) => a.categoryId - b.categoryId || a.createdAt - b.createdAt || a.userId.localeCompare(b.userId))
    .map((record) => toKalturaCategoryUser(data, record));
  return listResponse('KalturaCategoryUserListResponse', matches, pager, { orderBy: filter.orderBy, fields: CATEGORY_USER_ORDERS });
}

function updateCategoryUser({ params, data, nowSeconds, session }: SessionCall): KalturaCategoryUser {
  const record = findCategoryUser(data, requireInt(params, 'categoryId'), requireString(params, 'userId'));
  assertMayChange(session, data, record, { self: false });
  const input = requireObject(params, 'categoryUser', ['KalturaCategoryUser'], categoryUserObjectSchema);
  if (input.permissionLevel !== undefined) record.permissionLevel = input.permissionLevel;
  record.updatedAt = nowSeconds;
  return toKalturaCategoryUser(data, record);
}

function deleteCategoryUser({ params, data, session }: SessionCall): void {
  const record = findCategoryUser(data, requireInt(params, 'categoryId'), requireString(params, 'userId'));
  assertMayChange(session, data, record, { self: true });
  data.categoryUsers.delete(categoryUserKey(record.categoryId, record.userId));
}

function setStatus({ params, data, nowSeconds, session }: SessionCall, status: number): KalturaCategoryUser {
  const record = findCategoryUser(data, requireInt(params, 'categoryId'), requireString(params, 'userId'));
  // Kaltura lets members leave (deactivate themselves) but only managers let anyone in.
  assertMayChange(session, data, record, { self: status === CategoryUserStatus.NOT_ACTIVE });
  record.status = status;
  record.updatedAt = nowSeconds;
  return toKalturaCategoryUser(data, record);
}

function findCategoryUser(data: PartnerData, categoryId: number, userId: string): CategoryUserRecord {
  assertKnownUser(data, userId);
  const record = data.categoryUsers.get(categoryUserKey(categoryId, userId));
  if (!record) throw apiError('INVALID_CATEGORY_USER_ID', { CAT: categoryId, USER: userId });
  return record;
}

/**
 * Under entitlement (a USER KS without disableentitlement), Kaltura lets only the category's
 * managers change its memberships, and, where `self` says so, a member change their own.
 */
function assertMayChange(session: SessionCall['session'], data: PartnerData, record: CategoryUserRecord, { self }: { self: boolean }): void {
  if (seesAllUsers(session) || managesCategory(data, record.categoryId, session.userId)) return;
  if (self && record.userId === session.userId) return;
  throw apiError('CANNOT_UPDATE_CATEGORY_USER');
}

function managesCategory(data: PartnerData, categoryId: number, userId: string): boolean {
  const own = data.categoryUsers.get(categoryUserKey(categoryId, userId));
  return own?.status === CategoryUserStatus.ACTIVE && own.permissionLevel === CategoryUserPermissionLevel.MANAGER;
}

function isListedUser(data: PartnerData, userId: string): boolean {
  const user = data.users.get(userId);
  return user !== undefined && user.status !== UserStatus.DELETED;
}

function assertKnownUser(data: PartnerData, userId: string): void {
  if (!isListedUser(data, userId)) throw apiError('INVALID_USER_ID');
}

/** KalturaCategoryUserBaseFilter's order map. */
const CATEGORY_USER_ORDERS: OrderFields<KalturaCategoryUser> = { createdAt: (member) => member.createdAt, updatedAt: (member) => member.updatedAt };

/**
 * Kaltura replaces the categories a filter names by the ones their members come from (an INHERIT
 * category's inherited parent), so the answer holds the parent's records, with the parent's categoryId.
 */
function membershipSourcesFilter(data: PartnerData, filter: CategoryUserFilter): number[] | undefined {
  const named = filter.categoryIdEqual !== undefined ? [filter.categoryIdEqual] : csvIntegers(filter.categoryIdIn);
  return named?.flatMap((id) => {
    const category = data.categories.get(id);
    return category ? [membershipSourceOf(category)] : [];
  });
}

function matchesCategoryUserFilter(record: CategoryUserRecord, filter: CategoryUserFilter): boolean {
  return (
    equalsWhenGiven(filter.userIdEqual, record.userId) &&
    within(csvValues(filter.userIdIn), record.userId) &&
    equalsWhenGiven(filter.permissionLevelEqual, record.permissionLevel) &&
    within(csvIntegers(filter.permissionLevelIn), record.permissionLevel) &&
    equalsWhenGiven(filter.statusEqual, record.status) &&
    within(csvIntegers(filter.statusIn), record.status)
  );
}
