/**
 * The Metadata plugin: metadata_metadataprofile.add / list and
 * metadata_metadata.add / get / list / update / delete. MediaSpace keeps a
 * user's application role in such a record (object type USER).
 */
import { adminAction, userAction, type ServiceActions, type SessionCall } from './action-types.ts';
import { ensureUser, MetadataObjectType, MetadataProfileStatus, MetadataStatus, nextId, type MetadataProfileRecord, type MetadataRecord, type PartnerData } from './emulator-state.ts';
import { apiError } from './kaltura-errors.ts';
import { METADATA_OBJECT_TYPES, filterPagerSchema, metadataFilterSchema, metadataProfileFilterSchema, metadataProfileObjectSchema, type MetadataFilter, type MetadataProfileFilter } from './kaltura-schemas.ts';
import { equalsWhenGiven, listResponse, within, type ListResponse, type OrderFields } from './list-response.ts';
import { csvValues, readInt, readObject, readString, requireInt, requireObject, requireProperty, requireString, type Params } from './param-readers.ts';
import { seesAllUsers } from './session-verifier.ts';

const CREATE_MODE_API = 1;

type KalturaMetadataProfile = MetadataProfileRecord & { objectType: 'KalturaMetadataProfile' };
type KalturaMetadata = MetadataRecord & { objectType: 'KalturaMetadata' };

export const metadataProfileActions: ServiceActions = {
  add: adminAction(addProfile),
  list: userAction(listProfiles, { widget: true }),
};

export const metadataActions: ServiceActions = {
  add: userAction(addMetadata),
  get: userAction(getMetadata, { widget: true }),
  list: userAction(listMetadata, { widget: true }),
  update: userAction(updateMetadata),
  delete: userAction(deleteMetadata),
};

export function insertProfile(data: PartnerData, id: number, input: { metadataObjectType: string; name?: string; systemName?: string; description?: string; createMode?: number }, xsd: string, nowSeconds: number): MetadataProfileRecord {
  if (!looksLikeXml(xsd)) throw apiError('INVALID_METADATA_PROFILE_SCHEMA', { ERROR: 'the XSD is not XML' });
  if (input.systemName && [...data.metadataProfiles.values()].some((profile) => profile.systemName === input.systemName)) {
    throw apiError('SYSTEM_NAME_ALREADY_EXISTS', { SYS_NAME: input.systemName });
  }
  const record: MetadataProfileRecord = {
    id,
    partnerId: data.partner.id,
    metadataObjectType: input.metadataObjectType,
    version: 1,
    name: input.name,
    systemName: input.systemName,
    description: input.description,
    status: MetadataProfileStatus.ACTIVE,
    createMode: input.createMode ?? CREATE_MODE_API,
    xsd,
    createdAt: nowSeconds,
    updatedAt: nowSeconds,
  };
  data.metadataProfiles.set(id, record);
  return record;
}

export function insertMetadata(data: PartnerData, id: number, profileId: number, objectType: string, objectId: string, xml: string, nowSeconds: number): MetadataRecord {
  const profile = data.metadataProfiles.get(profileId);
  if (!profile) throw apiError('METADATA_PROFILE_NOT_FOUND', { ID: profileId });
  if (profile.metadataObjectType !== objectType) throw apiError('INCOMPATIBLE_METADATA_PROFILE_OBJECT_TYPE', { PROFILE_TYPE: profile.metadataObjectType, OBJECT_TYPE: objectType });
  if (!objectExists(data, objectType, objectId)) throw apiError('INVALID_METADATA_OBJECT', { ID: objectId });
  if (!looksLikeXml(xml)) throw apiError('INVALID_METADATA_DATA', { ERROR: 'the data is not XML' });
  const existing = [...data.metadata.values()].find((record) => record.metadataProfileId === profileId && record.objectId === objectId);
  if (existing) throw apiError('METADATA_ALREADY_EXISTS', { ID: existing.id });
  const record: MetadataRecord = {
    id,
    partnerId: data.partner.id,
    metadataProfileId: profileId,
    metadataProfileVersion: profile.version,
    metadataObjectType: objectType,
    objectId,
    version: 1,
    status: MetadataStatus.VALID,
    xml,
    createdAt: nowSeconds,
    updatedAt: nowSeconds,
  };
  data.metadata.set(id, record);
  return record;
}

function addProfile({ params, state, data, nowSeconds }: SessionCall): KalturaMetadataProfile {
  const input = requireObject(params, 'metadataProfile', ['KalturaMetadataProfile'], metadataProfileObjectSchema);
  const metadataObjectType = requireProperty(input.metadataObjectType, 'KalturaMetadataProfile', 'metadataObjectType');
  const record = insertProfile(data, nextId(state, 'metadataProfile'), { ...input, metadataObjectType }, requireString(params, 'xsdData'), nowSeconds);
  return { ...record, objectType: 'KalturaMetadataProfile' };
}

function listProfiles({ params, data }: SessionCall): ListResponse<KalturaMetadataProfile> {
  const filter = readObject(params, 'filter', ['KalturaMetadataProfileFilter'], metadataProfileFilterSchema) ?? {};
  const pager = readObject(params, 'pager', ['KalturaFilterPager'], filterPagerSchema);
  const matches = [...data.metadataProfiles.values()]
    .filter((profile) => matchesProfileFilter(profile, filter))
    .map((profile) => ({ ...profile, objectType: 'KalturaMetadataProfile' as const }));
  return listResponse('KalturaMetadataProfileListResponse', matches, pager, { orderBy: filter.orderBy, fields: TIMESTAMP_ORDERS });
}

/** Like Kaltura, metadata for a user id nobody has used yet creates that user. */
function addMetadata({ params, state, data, nowSeconds }: SessionCall): KalturaMetadata {
  const profileId = requireInt(params, 'metadataProfileId');
  const objectType = requireMetadataObjectType(params, 'objectType');
  const objectId = requireString(params, 'objectId');
  const xml = requireString(params, 'xmlData');
  const profile = data.metadataProfiles.get(profileId);
  if (profile?.metadataObjectType === MetadataObjectType.USER && objectType === MetadataObjectType.USER) ensureUser(data, objectId, nowSeconds);
  const record = insertMetadata(data, nextId(state, 'metadata'), profileId, objectType, objectId, xml, nowSeconds);
  return { ...record, objectType: 'KalturaMetadata' };
}

/** The order maps of KalturaMetadataProfileBaseFilter and KalturaMetadataBaseFilter share these. */
const TIMESTAMP_ORDERS: OrderFields<{ createdAt: number; updatedAt: number }> = { createdAt: (record) => record.createdAt, updatedAt: (record) => record.updatedAt };

function requireMetadataObjectType(params: Params, name: string): string {
  const value = requireString(params, name);
  if (!(METADATA_OBJECT_TYPES as readonly string[]).includes(value)) {
    throw apiError('INVALID_ENUM_VALUE', { ENUM_VAL: value, PARAM_NAME: name, ENUM_TYPE: 'KalturaMetadataObjectType' });
  }
  return value;
}

function getMetadata({ params, data, session }: SessionCall): KalturaMetadata {
  const record = findMetadata(data, requireInt(params, 'id'));
  if (!visibleTo(record, session)) throw apiError('METADATA_NOT_FOUND', { ID: record.id });
  return { ...record, objectType: 'KalturaMetadata' };
}

function listMetadata({ params, data, session }: SessionCall): ListResponse<KalturaMetadata> {
  const filter = readObject(params, 'filter', ['KalturaMetadataFilter'], metadataFilterSchema) ?? {};
  const pager = readObject(params, 'pager', ['KalturaFilterPager'], filterPagerSchema);
  const matches = [...data.metadata.values()]
    .filter((record) => visibleTo(record, session) && matchesMetadataFilter(record, filter))
    .sort((a, b) => a.id - b.id)
    .map((record) => ({ ...record, objectType: 'KalturaMetadata' as const }));
  return listResponse('KalturaMetadataListResponse', matches, pager, { orderBy: filter.orderBy, fields: { ...TIMESTAMP_ORDERS, version: (record) => record.version } });
}

function updateMetadata({ params, data, nowSeconds }: SessionCall): KalturaMetadata {
  const record = findMetadata(data, requireInt(params, 'id'));
  const version = readInt(params, 'version');
  if (version !== undefined && version !== record.version) throw apiError('INVALID_METADATA_VERSION', { VERSION: version });
  const xml = readString(params, 'xmlData');
  if (xml !== undefined) {
    if (!looksLikeXml(xml)) throw apiError('INVALID_METADATA_DATA', { ERROR: 'the data is not XML' });
    record.xml = xml;
    record.version += 1;
  }
  record.updatedAt = nowSeconds;
  return { ...record, objectType: 'KalturaMetadata' };
}

function deleteMetadata({ params, data }: SessionCall): void {
  data.metadata.delete(findMetadata(data, requireInt(params, 'id')).id);
}

function findMetadata(data: PartnerData, id: number): MetadataRecord {
  const record = data.metadata.get(id);
  if (!record) throw apiError('METADATA_NOT_FOUND', { ID: id });
  return record;
}

/** A USER KS reads only the metadata of its own user. */
function visibleTo(record: MetadataRecord, session: SessionCall['session']): boolean {
  return seesAllUsers(session) || (record.metadataObjectType === MetadataObjectType.USER && record.objectId === session.userId);
}

function objectExists(data: PartnerData, objectType: string, objectId: string): boolean {
  if (objectType === MetadataObjectType.USER) return data.users.has(objectId);
  if (objectType === MetadataObjectType.CATEGORY) return data.categories.has(Number(objectId));
  return true;
}

function looksLikeXml(text: string): boolean {
  const trimmed = text.trim();
  return trimmed.startsWith('<') && trimmed.endsWith('>');
}

function matchesMetadataFilter(record: MetadataRecord, filter: MetadataFilter): boolean {
  return (
    equalsWhenGiven(filter.metadataProfileIdEqual, record.metadataProfileId) &&
    equalsWhenGiven(filter.metadataObjectTypeEqual, record.metadataObjectType) &&
    equalsWhenGiven(filter.objectIdEqual, record.objectId) &&
    within(csvValues(filter.objectIdIn), record.objectId)
  );
}

function matchesProfileFilter(profile: MetadataProfileRecord, filter: MetadataProfileFilter): boolean {
  return (
    equalsWhenGiven(filter.idEqual, profile.id) &&
    equalsWhenGiven(filter.metadataObjectTypeEqual, profile.metadataObjectType) &&
    (filter.systemNameEqual === undefined || profile.systemName === filter.systemNameEqual)
  );
}
