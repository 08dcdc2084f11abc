/**
 * The demo partner's data: users with their MediaSpace roles (as metadata, or
 * in legacy partnerData), the MediaSpace channel tree and memberships.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { CategoryUserPermissionLevel, CategoryUserStatus, MetadataObjectType, reserveId, UserStatus, type EmulatorState, type PartnerData } from './emulator-state.ts';
import { insertCategory } from './category-actions.ts';
import { insertCategoryUser } from './category-user-actions.ts';
import { insertMetadata, insertProfile } from './metadata-actions.ts';

const FIXTURE_FILE = path.resolve(import.meta.dirname, 'demo-fixture.json');

const MEDIASPACE_ROLES = ['anonymousRole', 'viewerRole', 'privateOnlyRole', 'adminRole', 'unmoderatedAdminRole'] as const;

const fixtureSchema = z.object({
  userRolesMetadataProfile: z.object({ id: z.number().int().positive(), name: z.string(), systemName: z.string() }),
  users: z.array(
    z.object({
      id: z.string().min(1),
      firstName: z.string(),
      lastName: z.string(),
      email: z.email(),
      role: z.enum(MEDIASPACE_ROLES).optional(),
      partnerData: z.string().optional(),
      isAdmin: z.boolean().optional(),
    }),
  ),
  categories: z.array(z.object({ id: z.number().int().positive(), name: z.string().min(1), parentId: z.number().int().min(0), description: z.string().optional() })),
  memberships: z.array(
    z.object({
      categoryId: z.number().int().positive(),
      userId: z.string().min(1),
      level: z.enum(['MANAGER', 'MODERATOR', 'CONTRIBUTOR', 'MEMBER', 'NONE']),
      status: z.enum(['ACTIVE', 'PENDING', 'NOT_ACTIVE']).default('ACTIVE'),
    }),
  ),
});
export type EmulatorFixture = z.output<typeof fixtureSchema>;

/** The XSD of MediaSpace's user-roles profile: one <role> element. */
const USER_ROLES_XSD =
  '<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema"><xsd:element name="metadata"><xsd:complexType><xsd:sequence>' +
  '<xsd:element name="role" minOccurs="0" maxOccurs="1" type="xsd:string"/></xsd:sequence></xsd:complexType></xsd:element></xsd:schema>';

export function loadDemoFixture(): EmulatorFixture {
  return fixtureSchema.parse(JSON.parse(readFileSync(FIXTURE_FILE, 'utf8')));
}

/** Writes the fixture into a partner's data, keeping generated ids above the fixture's own. */
export function applyFixture(state: EmulatorState, data: PartnerData, fixture: EmulatorFixture, nowSeconds: number): void {
  const profile = fixture.userRolesMetadataProfile;
  insertProfile(data, profile.id, { metadataObjectType: MetadataObjectType.USER, name: profile.name, systemName: profile.systemName }, USER_ROLES_XSD, nowSeconds);
  reserveId(state, 'metadataProfile', profile.id);

  for (const user of fixture.users) {
    data.users.set(user.id, {
      id: user.id,
      partnerId: data.partner.id,
      type: 0,
      screenName: `${user.firstName} ${user.lastName}`,
      fullName: `${user.firstName} ${user.lastName}`,
      firstName: user.firstName,
      lastName: user.lastName,
      email: user.email,
      isAdmin: user.isAdmin ?? false,
      partnerData: user.partnerData,
      status: UserStatus.ACTIVE,
      createdAt: nowSeconds,
      updatedAt: nowSeconds,
    });
    if (user.role) {
      const id = state.lastIds.metadata + 1;
      insertMetadata(data, id, profile.id, MetadataObjectType.USER, user.id, `<metadata><role>${user.role}</role></metadata>`, nowSeconds);
      reserveId(state, 'metadata', id);
    }
  }

  for (const category of fixture.categories) {
    insertCategory(data, category, category.id, nowSeconds);
    reserveId(state, 'category', category.id);
  }

  for (const membership of fixture.memberships) {
    insertCategoryUser(data, membership.categoryId, membership.userId, CategoryUserPermissionLevel[membership.level], CategoryUserStatus[membership.status], nowSeconds);
  }
}
