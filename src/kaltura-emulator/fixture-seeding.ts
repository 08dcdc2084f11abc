/**
 * Writes a fixture into a partner's data through the same inserts the actions
 * use, keeping generated ids above the fixture's own.
 */
import { insertCategory } from './category-actions.ts';
import { insertCategoryUser } from './category-user-actions.ts';
import type { EmulatorFixture } from './demo-fixture.ts';
import {
  CategoryUserPermissionLevel,
  CategoryUserStatus,
  MetadataObjectType,
  nextId,
  reserveId,
  UserStatus,
  type EmulatorState,
  type PartnerData,
} from './emulator-state.ts';
import { insertMetadata, insertProfile } from './metadata-actions.ts';

/** The XSD of MediaSpace's user-roles profile: one optional <role> element. */
const USER_ROLES_XSD =
  '<?xml version="1.0"?><xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema"><xsd:element name="metadata"><xsd:complexType><xsd:sequence>' +
  '<xsd:element name="role" minOccurs="0" maxOccurs="1" type="xsd:string"/></xsd:sequence></xsd:complexType></xsd:element></xsd:schema>';

export function applyFixture(state: EmulatorState, partnerId: number, fixture: EmulatorFixture, nowSeconds: number): void {
  const data = state.partners.get(partnerId);
  if (!data) throw new Error(`No partner ${partnerId} to seed`);
  const profile = fixture.userRolesMetadataProfile;
  insertProfile(data, profile.id, { metadataObjectType: MetadataObjectType.USER, name: profile.name, systemName: profile.systemName }, USER_ROLES_XSD, nowSeconds);
  reserveId(state, 'metadataProfile', profile.id);
  seedUsers(state, data, fixture, nowSeconds);
  for (const category of fixture.categories) {
    insertCategory(data, category, nowSeconds);
    reserveId(state, 'category', category.id);
  }
  for (const membership of fixture.memberships) {
    const level = CategoryUserPermissionLevel[membership.level];
    insertCategoryUser(data, membership.categoryId, membership.userId, level, CategoryUserStatus[membership.status], nowSeconds);
  }
}

function seedUsers(state: EmulatorState, data: PartnerData, fixture: EmulatorFixture, nowSeconds: number): void {
  for (const user of fixture.users) {
    const fullName = `${user.firstName} ${user.lastName}`;
    data.users.set(user.id, {
      id: user.id,
      partnerId: data.partner.id,
      type: 0,
      screenName: fullName,
      fullName,
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
      const xml = `<metadata><role>${user.role}</role></metadata>`;
      insertMetadata(data, nextId(state, 'metadata'), fixture.userRolesMetadataProfile.id, MetadataObjectType.USER, user.id, xml, nowSeconds);
    }
  }
}
