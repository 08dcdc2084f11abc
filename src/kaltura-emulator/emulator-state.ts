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

export interface PartnerData {
  partner: EmulatorPartner;
  users: Map<string, UserRecord>;
  categories: Map<number, CategoryRecord>;
  /** Keyed by categoryUserKey(). */
  categoryUsers: Map<string, CategoryUserRecord>;
  metadataProfiles: Map<number, MetadataProfileRecord>;
  metadata: Map<number, MetadataRecord>;
}

export interface EmulatorState {
  partners: Map<number, PartnerData>;
  /** Signatures of sessions ended with session.end. */
  revokedKsSignatures: Set<string>;
  /** Calls left to a KS with the actionslimit privilege, by signature, once it has made its first. */
  ksActionsLeft: Map<string, number>;
  /** Kaltura ids are unique across partners, so the counters are global. */
  lastIds: { category: number; metadataProfile: number; metadata: number };
}

export function createEmulatorState(partners: readonly EmulatorPartner[]): EmulatorState {
  return {
    partners: new Map(partners.map((partner) => [partner.id, emptyPartnerData(partner)])),
    revokedKsSignatures: new Set(),
    ksActionsLeft: new Map(),
    lastIds: { category: 0, metadataProfile: 0, metadata: 0 },
  };
}

export function nextId(state: EmulatorState, kind: keyof EmulatorState['lastIds']): number {
  state.lastIds[kind] += 1;
  return state.lastIds[kind];
}

/** Keeps generated ids above ids that were given explicitly (e.g. by the fixture). */
export function reserveId(state: EmulatorState, kind: keyof EmulatorState['lastIds'], id: number): void {
  state.lastIds[kind] = Math.max(state.lastIds[kind], id);
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
  };
}
