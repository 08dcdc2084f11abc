/**
 * media.add / addContent / get / list / delete: media entries. An entry is
 * created empty (NO_CONTENT), gets its file from a fully uploaded token
 * (media.addContent with a KalturaUploadedFileTokenResource, which closes the
 * token) and is READY at once: the emulator does not transcode. The stored
 * file is served back at the entry's downloadUrl with a KS, so a test can
 * compare bytes. Under entitlement (a USER KS) a person sees their own entries
 * and those published in a category they may see, and changes only their own.
 */
import { randomBytes } from 'node:crypto';
import { userAction, type ServiceActions, type SessionCall } from './action-types.ts';
import { membershipSourceOf } from './category-tree.ts';
import {
  categoryEntryKey,
  categoryUserKey,
  CategoryEntryStatus,
  CategoryUserStatus,
  ensureUser,
  EntryStatus,
  EntryType,
  PrivacyType,
  UploadTokenStatus,
  type EntryRecord,
  type PartnerData,
} from './emulator-state.ts';
import { apiError } from './kaltura-errors.ts';
import { filterPagerSchema, mediaEntryFilterSchema, mediaEntryObjectSchema, uploadedFileTokenResourceSchema, type MediaEntryFilter } from './kaltura-schemas.ts';
import { equalsWhenGiven, listResponse, within, type ListResponse, type OrderFields } from './list-response.ts';
import { csvValues, readObject, requireObject, requireProperty, requireString, type Params } from './param-readers.ts';
import { seesAllUsers, type VerifiedSession } from './session-verifier.ts';
import { closeUploadToken, findUploadToken } from './upload-token-actions.ts';

export type KalturaMediaEntry = Omit<EntryRecord, 'content'> & {
  categoriesIds: string;
  downloadUrl?: string;
  objectType: 'KalturaMediaEntry';
};

export const mediaActions: ServiceActions = {
  add: userAction(addEntry),
  addcontent: userAction(addContent),
  get: userAction((call) => toKalturaMediaEntry(call, findVisibleEntry(call, requireString(call.params, 'entryId'))), { widget: true }),
  list: userAction(listEntries, { widget: true }),
  delete: userAction(deleteEntry),
};

/** Where the emulator serves an entry's file: Kaltura's download path for the source flavor, under the API's base. */
export function downloadPath(partnerId: number, entryId: string): string {
  return `/p/${partnerId}/sp/${partnerId}00/playManifest/entryId/${entryId}/format/download/protocol/http/flavorParamIds/0`;
}

/** The entry a session may see, or ENTRY_ID_NOT_FOUND as Kaltura answers for one hidden by entitlement. */
export function findVisibleEntry({ data, session }: Pick<SessionCall, 'data' | 'session'>, entryId: string): EntryRecord {
  const entry = data.entries.get(entryId);
  if (!entry || entry.status === EntryStatus.DELETED || !mayView(data, session, entry)) throw apiError('ENTRY_ID_NOT_FOUND', { ENTRY_ID: entryId });
  return entry;
}

export function mayView(data: PartnerData, session: VerifiedSession, entry: EntryRecord): boolean {
  if (seesAllUsers(session) || entry.userId === session.userId) return true;
  return [...data.categoryEntries.values()].some((link) => {
    const category = data.categories.get(link.categoryId);
    if (link.entryId !== entry.id || link.status !== CategoryEntryStatus.ACTIVE || !category) return false;
    if (category.privacy !== PrivacyType.MEMBERS_ONLY) return !session.isWidget || category.privacy === PrivacyType.ALL;
    return data.categoryUsers.get(categoryUserKey(membershipSourceOf(category), session.userId))?.status === CategoryUserStatus.ACTIVE;
  });
}

function toKalturaMediaEntry({ data, origin }: Pick<SessionCall, 'data' | 'origin'>, { content, ...entry }: EntryRecord): KalturaMediaEntry {
  const categoriesIds = [...data.categoryEntries.values()]
    .filter((link) => link.entryId === entry.id && link.status === CategoryEntryStatus.ACTIVE)
    .map((link) => link.categoryId)
    .join(',');
  const downloadUrl = content ? `${origin.baseUrl}${downloadPath(entry.partnerId, entry.id)}` : undefined;
  return { ...entry, categoriesIds, ...(downloadUrl ? { downloadUrl } : {}), objectType: 'KalturaMediaEntry' };
}

function addEntry(call: SessionCall): KalturaMediaEntry {
  const { params, data, session, nowSeconds } = call;
  const input = requireObject(params, 'entry', ['KalturaMediaEntry'], mediaEntryObjectSchema);
  const mediaType = requireProperty(input.mediaType, 'KalturaMediaEntry', 'mediaType');
  const userId = input.userId ?? session.userId;
  // Kaltura's checkAndSetValidUserInsert: only an admin KS creates an entry for someone else.
  if (!session.isAdmin && userId.toLowerCase() !== session.userId.toLowerCase()) throw invalidTypeKs();
  if (userId) ensureUser(data, userId, nowSeconds);
  const entry: EntryRecord = {
    id: newEntryId(data),
    partnerId: data.partner.id,
    name: input.name ?? '',
    description: input.description,
    tags: input.tags,
    referenceId: input.referenceId,
    userId,
    creatorId: session.userId || userId,
    type: EntryType.MEDIA_CLIP,
    mediaType,
    status: EntryStatus.NO_CONTENT,
    createdAt: nowSeconds,
    updatedAt: nowSeconds,
    content: null,
  };
  data.entries.set(entry.id, entry);
  return toKalturaMediaEntry(call, entry);
}

function addContent(call: SessionCall): KalturaMediaEntry {
  const { params, session, nowSeconds } = call;
  const entry = findVisibleEntry(call, requireString(params, 'entryId'));
  assertMayChange(session, entry);
  const resource = readUploadedFileTokenResource(params);
  if (entry.status !== EntryStatus.NO_CONTENT) throw apiError('ENTRY_ALREADY_WITH_CONTENT');
  const token = findUploadToken(call, requireProperty(resource.token, 'KalturaUploadedFileTokenResource', 'token'));
  if (token.status !== UploadTokenStatus.FULL_UPLOAD) throw apiError('UPLOAD_TOKEN_INVALID_STATUS_FOR_ADD_ENTRY');
  entry.content = token.content;
  entry.status = EntryStatus.READY;
  entry.updatedAt = nowSeconds;
  closeUploadToken(token, nowSeconds);
  return toKalturaMediaEntry(call, entry);
}

/** The emulator takes its content from an upload token only; Kaltura's other resources are named as unsupported. */
function readUploadedFileTokenResource(params: Params) {
  const objectType = (params.resource as { objectType?: unknown } | undefined)?.objectType;
  if (typeof objectType === 'string' && objectType.endsWith('Resource') && objectType !== 'KalturaUploadedFileTokenResource') {
    throw apiError('RESOURCE_TYPE_NOT_SUPPORTED', { RES_TYPE: objectType });
  }
  return requireObject(params, 'resource', ['KalturaUploadedFileTokenResource'], uploadedFileTokenResourceSchema);
}

function listEntries(call: SessionCall): ListResponse<KalturaMediaEntry> {
  const { params, data, session } = call;
  const filter = readObject(params, 'filter', ['KalturaMediaEntryFilter'], mediaEntryFilterSchema) ?? {};
  const pager = readObject(params, 'pager', ['KalturaFilterPager'], filterPagerSchema);
  const matches = [...data.entries.values()]
    .filter((entry) => entry.status !== EntryStatus.DELETED && mayView(data, session, entry) && matchesEntryFilter(data, entry, filter))
    .sort((a, b) => b.createdAt - a.createdAt)
    .map((entry) => toKalturaMediaEntry(call, entry));
  return listResponse('KalturaMediaListResponse', matches, pager, { orderBy: filter.orderBy, fields: ENTRY_ORDERS });
}

/** Kaltura marks the entry deleted; its file and its places in categories go with it. */
function deleteEntry(call: SessionCall): void {
  const { params, data, session, nowSeconds } = call;
  const entry = findVisibleEntry(call, requireString(params, 'entryId'));
  assertMayChange(session, entry);
  entry.status = EntryStatus.DELETED;
  entry.content = null;
  entry.updatedAt = nowSeconds;
  for (const [key, link] of data.categoryEntries) {
    if (link.entryId === entry.id) data.categoryEntries.delete(key);
  }
}

/** Kaltura's checkIfUserAllowedToUpdateEntry, for the owner case the emulator knows. */
function assertMayChange(session: VerifiedSession, entry: EntryRecord): void {
  if (!seesAllUsers(session) && entry.userId !== session.userId) throw invalidTypeKs();
}

function invalidTypeKs() {
  return apiError('INVALID_KS', { KSID: '', ERR_CODE: -3, ERR_DESC: 'INVALID_TYPE' });
}

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** Kaltura entry ids: the data centre's prefix and eight characters ("0_a1b2c3d4"). */
function newEntryId(data: PartnerData): string {
  for (;;) {
    const id = `0_${[...randomBytes(8)].map((byte) => ID_ALPHABET[byte % ID_ALPHABET.length]).join('')}`;
    if (!data.entries.has(id)) return id;
  }
}

const ENTRY_ORDERS: OrderFields<KalturaMediaEntry> = {
  createdAt: (entry) => entry.createdAt,
  updatedAt: (entry) => entry.updatedAt,
  name: (entry) => entry.name,
};

function matchesEntryFilter(data: PartnerData, entry: EntryRecord, filter: MediaEntryFilter): boolean {
  const categoryIds = csvValues(filter.categoriesIdsMatchAnd)?.map(Number);
  return (
    equalsWhenGiven(filter.idEqual, entry.id) &&
    within(csvValues(filter.idIn), entry.id) &&
    equalsWhenGiven(filter.referenceIdEqual, entry.referenceId) &&
    within(csvValues(filter.referenceIdIn), entry.referenceId) &&
    equalsWhenGiven(filter.userIdEqual, entry.userId) &&
    equalsWhenGiven(filter.mediaTypeEqual, entry.mediaType) &&
    (categoryIds === undefined ||
      categoryIds.every((categoryId) => data.categoryEntries.get(categoryEntryKey(categoryId, entry.id))?.status === CategoryEntryStatus.ACTIVE))
  );
}
