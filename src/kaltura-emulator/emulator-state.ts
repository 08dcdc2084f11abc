/**
 * The in-memory data of one emulator instance. Records keep the field names
 * of the Kaltura objects they stand for, so answering is a copy plus objectType.
 */
import type { EmulatorPartner } from './create-kaltura-emulator.ts';

export const SessionType = { USER: 0, ADMIN: 2 } as const;
export const UserStatus = { BLOCKED: 0, ACTIVE: 1, DELETED: 2 } as const;
export const CategoryStatus = { ACTIVE: 2 } as const;
export const CategoryUserStatus = { ACTIVE: 1, PENDING: 2, NOT_ACTIVE: 3, DELETED: 4 } as const;
export const CategoryUserPermissionLevel = { MANAGER: 0, MODERATOR: 1, CONTRIBUTOR: 2, MEMBER: 3, NONE: 4 } as const;
export const InheritanceType = { INHERIT: 1, MANUAL: 2 } as const;
export const PrivacyType = { ALL: 1, AUTHENTICATED_USERS: 2, MEMBERS_ONLY: 3 } as const;
export const MetadataStatus = { VALID: 1 } as const;
export const UploadTokenStatus = { PENDING: 0, PARTIAL_UPLOAD: 1, FULL_UPLOAD: 2, CLOSED: 3, TIMED_OUT: 4, DELETED: 5 } as const;
export const EntryStatus = { READY: 2, DELETED: 3, NO_CONTENT: 7 } as const;
export const EntryType = { MEDIA_CLIP: 1 } as const;
export const MediaType = { VIDEO: 1, IMAGE: 2, AUDIO: 5 } as const;
export const CategoryEntryStatus = { PENDING: 1, ACTIVE: 2, DELETED: 3, REJECTED: 4 } as const;
export const MetadataProfileStatus = { ACTIVE: 1 } as const;
/** KalturaMetadataObjectType is a string enum on the wire. */
export const MetadataObjectType = { ENTRY: '1', CATEGORY: '2', USER: '3', PARTNER: '4', DYNAMIC_OBJECT: '5', USER_ENTRY: '6' } as const;

export interface UserRecord {
  id: string;
  partnerId: number;
  type: number;
  screenName: string;
  fullName: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  isAdmin: boolean;
  partnerData?: string;
  description?: string;
  tags?: string;
  status: number;
  createdAt: number;
  updatedAt: number;
}

export interface CategoryRecord {
  id: number;
  partnerId: number;
  parentId: number;
  depth: number;
  name: string;
  fullName: string;
  fullIds: string;
  description?: string;
  tags?: string;
  referenceId?: string;
  privacy: number;
  privacyContext?: string;
  owner?: string;
  appearInList: number;
  inheritanceType: number;
  /** For an INHERIT category, the nearest MANUAL ancestor, whose members it has. */
  inheritedParentId?: number;
  userJoinPolicy: number;
  defaultPermissionLevel: number;
  contributionPolicy: number;
  partnerData?: string;
  /** Entries added to a moderated category wait for a manager or moderator (categoryEntry status PENDING). */
  moderation: boolean;
  status: number;
  createdAt: number;
  updatedAt: number;
}

export interface CategoryUserRecord {
  categoryId: number;
  userId: string;
  partnerId: number;
  permissionLevel: number;
  status: number;
  updateMethod: number;
  createdAt: number;
  updatedAt: number;
}

export interface MetadataProfileRecord {
  id: number;
  partnerId: number;
  metadataObjectType: string;
  version: number;
  name?: string;
  systemName?: string;
  description?: string;
  status: number;
  createMode: number;
  xsd: string;
  views?: string;
  createdAt: number;
  updatedAt: number;
}

export interface MetadataRecord {
  id: number;
  partnerId: number;
  metadataProfileId: number;
  metadataProfileVersion: number;
  metadataObjectType: string;
  objectId: string;
  version: number;
  status: number;
  xml: string;
  createdAt: number;
  updatedAt: number;
}

export interface UploadTokenRecord {
  id: string;
  partnerId: number;
  userId: string;
  status: number;
  fileName?: string;
  fileSize?: number;
  autoFinalize: boolean;
  createdAt: number;
  updatedAt: number;
  /** What was uploaded so far, in order; its length is the token's uploadedFileSize. */
  content: Buffer;
}

export interface EntryRecord {
  id: string;
  partnerId: number;
  name: string;
  description?: string;
  tags?: string;
  referenceId?: string;
  userId: string;
  creatorId: string;
  type: number;
  mediaType: number;
  status: number;
  createdAt: number;
  updatedAt: number;
  /** The file given with media.addContent; null until then (status NO_CONTENT). */
  content: Buffer | null;
}

export interface CategoryEntryRecord {
  categoryId: number;
  entryId: string;
  partnerId: number;
  status: number;
  creatorUserId: string;
  createdAt: number;
  updatedAt: number;
}

export interface PartnerData {
  partner: EmulatorPartner;
  users: Map<string, UserRecord>;
  categories: Map<number, CategoryRecord>;
  /** Keyed by categoryUserKey(). */
  categoryUsers: Map<string, CategoryUserRecord>;
  metadataProfiles: Map<number, MetadataProfileRecord>;
  metadata: Map<number, MetadataRecord>;
  uploadTokens: Map<string, UploadTokenRecord>;
  entries: Map<string, EntryRecord>;
  /** Keyed by categoryEntryKey(). */
  categoryEntries: Map<string, CategoryEntryRecord>;
}

export interface EmulatorState {
  partners: Map<number, PartnerData>;
  /** Signatures of sessions ended with session.end. */
  revokedKsSignatures: Set<string>;
  /** Calls left to a KS with the actionslimit privilege, by signature, once it has made its first. */
  ksActionsLeft: Map<string, number>;
  /** Kaltura ids are unique across partners, so the counters are global. */
  lastIds: { category: number; metadataProfile: number; metadata: number };
  /** Bytes of uploaded and stored media the emulator may hold in memory, across partners. */
  mediaBudgetBytes: number;
}

export function createEmulatorState(partners: readonly EmulatorPartner[], mediaBudgetBytes = DEFAULT_MEDIA_BUDGET_BYTES): EmulatorState {
  return {
    mediaBudgetBytes,
    partners: new Map(partners.map((partner) => [partner.id, emptyPartnerData(partner)])),
    revokedKsSignatures: new Set(),
    ksActionsLeft: new Map(),
    lastIds: { category: 0, metadataProfile: 0, metadata: 0 },
  };
}

/** Media held by default: enough for tests and a demo's recordings, not enough to exhaust the machine. */
export const DEFAULT_MEDIA_BUDGET_BYTES = 256 * 1024 * 1024;

export function nextId(state: EmulatorState, kind: keyof EmulatorState['lastIds']): number {
  state.lastIds[kind] += 1;
  return state.lastIds[kind];
}

/** Keeps generated ids above ids that were given explicitly (e.g. by the fixture). */
export function reserveId(state: EmulatorState, kind: keyof EmulatorState['lastIds'], id: number): void {
  state.lastIds[kind] = Math.max(state.lastIds[kind], id);
}

export function categoryEntryKey(categoryId: number, entryId: string): string {
  return `${categoryId}|${entryId}`;
}

/** Bytes of media the emulator holds now: upload tokens not yet used, and entries' content. */
export function mediaBytesHeld(state: EmulatorState): number {
  let held = 0;
  for (const data of state.partners.values()) {
    for (const token of data.uploadTokens.values()) held += token.content.length;
    for (const entry of data.entries.values()) held += entry.content?.length ?? 0;
  }
  return held;
}

export function categoryUserKey(categoryId: number, userId: string): string {
  return `${categoryId}|${userId}`;
}

/** Kaltura creates a bare user when an action names one that does not exist yet (categoryUser.add, metadata.add). */
export function ensureUser(data: PartnerData, userId: string, nowSeconds: number): UserRecord {
  const existing = data.users.get(userId);
  if (existing) return existing;
  const created: UserRecord = {
    id: userId,
    partnerId: data.partner.id,
    type: 0,
    screenName: userId,
    fullName: '',
    isAdmin: false,
    status: UserStatus.ACTIVE,
    createdAt: nowSeconds,
    updatedAt: nowSeconds,
  };
  data.users.set(userId, created);
  return created;
}

function emptyPartnerData(partner: EmulatorPartner): PartnerData {
  return {
    partner,
    users: new Map(),
    categories: new Map(),
    categoryUsers: new Map(),
    metadataProfiles: new Map(),
    metadata: new Map(),
    uploadTokens: new Map(),
    entries: new Map(),
    categoryEntries: new Map(),
  };
}
