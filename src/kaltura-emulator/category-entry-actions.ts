/**
 * categoryEntry.add / list: publishing an entry in a category (a MediaSpace
 * channel). As Kaltura's CategoryEntryService::addAction: under entitlement a
 * category that does not take everyone's contributions needs the person to be
 * a contributor, moderator or manager of it; in a moderated category the entry
 * waits (PENDING) unless a manager or moderator adds it, and an admin KS is no
 * exception (the channel's moderators decide).
 */
import { userAction, type ServiceActions, type SessionCall } from './action-types.ts';
import { findCategory, membershipSourceOf } from './category-tree.ts';
import {
  categoryEntryKey,
  CategoryEntryStatus,
  categoryUserKey,
  CategoryUserPermissionLevel,
  CategoryUserStatus,
  EntryStatus,
  type CategoryEntryRecord,
  type CategoryRecord,
  type PartnerData,
} from './emulator-state.ts';
import { apiError } from './kaltura-errors.ts';
import { categoryEntryFilterSchema, categoryEntryObjectSchema, filterPagerSchema, type CategoryEntryFilter } from './kaltura-schemas.ts';
import { equalsWhenGiven, listResponse, within, type ListResponse } from './list-response.ts';
import { mayView } from './media-actions.ts';
import { csvIntegers, csvValues, readObject, requireObject, requireProperty } from './param-readers.ts';
import { seesAllUsers, type VerifiedSession } from './session-verifier.ts';

const ContributionPolicy = { ALL: 1 } as const;

export type KalturaCategoryEntry = CategoryEntryRecord & { categoryFullIds: string; objectType: 'KalturaCategoryEntry' };

export const categoryEntryActions: ServiceActions = {
  add: userAction(addCategoryEntry),
  list: userAction(listCategoryEntries),
};

function toKalturaCategoryEntry(data: PartnerData, link: CategoryEntryRecord): KalturaCategoryEntry {
  return { ...link, categoryFullIds: data.categories.get(link.categoryId)?.fullIds ?? '', objectType: 'KalturaCategoryEntry' };
}

function addCategoryEntry({ params, data, session, nowSeconds }: SessionCall): KalturaCategoryEntry {
  const input = requireObject(params, 'categoryEntry', ['KalturaCategoryEntry'], categoryEntryObjectSchema);
  const categoryId = requireProperty(input.categoryId, 'KalturaCategoryEntry', 'categoryId');
  const entryId = requireProperty(input.entryId, 'KalturaCategoryEntry', 'entryId');
  const entry = data.entries.get(entryId);
  if (!entry || entry.status === EntryStatus.DELETED || !mayView(data, session, entry)) throw apiError('INVALID_ENTRY_ID', { ENTRY_ID: entryId });
  const category = findCategory(data, categoryId);
  const level = permissionLevelIn(data, category, session);
  if (!seesAllUsers(session) && category.contributionPolicy !== ContributionPolicy.ALL) {
    if (level === null || level === CategoryUserPermissionLevel.MEMBER || level === CategoryUserPermissionLevel.NONE) throw apiError('CANNOT_ASSIGN_ENTRY_TO_CATEGORY');
  }
  const key = categoryEntryKey(categoryId, entryId);
  const existing = data.categoryEntries.get(key);
  if (existing?.status === CategoryEntryStatus.ACTIVE) throw apiError('CATEGORY_ENTRY_ALREADY_EXISTS');
  const moderates = level === CategoryUserPermissionLevel.MANAGER || level === CategoryUserPermissionLevel.MODERATOR;
  const link: CategoryEntryRecord = {
    categoryId,
    entryId,
    partnerId: data.partner.id,
    status: category.moderation && !moderates ? CategoryEntryStatus.PENDING : CategoryEntryStatus.ACTIVE,
    creatorUserId: session.userId,
    createdAt: existing?.createdAt ?? nowSeconds,
    updatedAt: nowSeconds,
  };
  data.categoryEntries.set(key, link);
  return toKalturaCategoryEntry(data, link);
}

/** The session's user's level in the category (through the category its members come from), if an active member. */
function permissionLevelIn(data: PartnerData, category: CategoryRecord, session: VerifiedSession): number | null {
  if (!session.userId) return null;
  const member = data.categoryUsers.get(categoryUserKey(membershipSourceOf(category), session.userId));
  return member?.status === CategoryUserStatus.ACTIVE ? member.permissionLevel : null;
}

function listCategoryEntries({ params, data, session }: SessionCall): ListResponse<KalturaCategoryEntry> {
  const filter = readObject(params, 'filter', ['KalturaCategoryEntryFilter'], categoryEntryFilterSchema) ?? {};
  const pager = readObject(params, 'pager', ['KalturaFilterPager'], filterPagerSchema);
  const filtersSomething = [filter.entryIdEqual, filter.entryIdIn, filter.categoryIdEqual, filter.categoryIdIn].some((value) => value !== undefined);
  if (!filtersSomething && !seesAllUsers(session)) throw apiError('MUST_FILTER_ON_ENTRY_OR_CATEGORY');
  const matches = [...data.categoryEntries.values()]
    .filter((link) => matchesCategoryEntryFilter(link, filter))
    .filter((link) => {
      const entry = data.entries.get(link.entryId);
      return entry !== undefined && mayView(data, session, entry);
    })
    .sort((a, b) => a.createdAt - b.createdAt || a.categoryId - b.categoryId)
    .map((link) => toKalturaCategoryEntry(data, link));
  return listResponse('KalturaCategoryEntryListResponse', matches, pager, { orderBy: filter.orderBy, fields: { createdAt: (link) => link.createdAt } });
}

/** Without a status filter Kaltura lists the active and pending ones. */
function matchesCategoryEntryFilter(link: CategoryEntryRecord, filter: CategoryEntryFilter): boolean {
  const statuses = filter.statusEqual !== undefined ? [filter.statusEqual] : (csvIntegers(filter.statusIn) ?? [CategoryEntryStatus.ACTIVE, CategoryEntryStatus.PENDING]);
  return (
    equalsWhenGiven(filter.entryIdEqual, link.entryId) &&
    within(csvValues(filter.entryIdIn), link.entryId) &&
    equalsWhenGiven(filter.categoryIdEqual, link.categoryId) &&
    within(csvIntegers(filter.categoryIdIn), link.categoryId) &&
    statuses.includes(link.status)
  );
}
