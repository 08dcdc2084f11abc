/**
 * MediaSpace application roles, and where MediaSpace keeps a user's role:
 * 1. a Kaltura admin user (`isAdmin`) is unmoderatedAdminRole;
 * 2. otherwise the role in the user-roles custom-metadata record
 *    (`<metadata><role>viewerRole</role></metadata>`), as current KMS versions store it;
 * 3. otherwise `role=<name>` inside the user's partnerData, as older KMS versions did.
 * A user with none of these has no role and is not authorised.
 */
export const MEDIASPACE_ROLES = ['anonymousRole', 'viewerRole', 'privateOnlyRole', 'adminRole', 'unmoderatedAdminRole'] as const;
export type MediaSpaceRole = (typeof MEDIASPACE_ROLES)[number];

export interface RoleSources {
  isAdmin?: boolean | null;
  roleMetadataXml?: string | null;
  partnerData?: string | null;
}

export function isMediaSpaceRole(value: unknown): value is MediaSpaceRole {
  return typeof value === 'string' && (MEDIASPACE_ROLES as readonly string[]).includes(value);
}

export function resolveMediaSpaceRole({ isAdmin, roleMetadataXml, partnerData }: RoleSources): MediaSpaceRole | null {
  if (isAdmin) return 'unmoderatedAdminRole';
  return roleFromMetadata(roleMetadataXml) ?? roleFromPartnerData(partnerData);
}

function roleFromMetadata(xml: string | null | undefined): MediaSpaceRole | null {
  const match = xml?.match(/<role>\s*([A-Za-z]+)\s*<\/role>/);
  return match && isMediaSpaceRole(match[1]) ? match[1] : null;
}

/** partnerData holds several `key=value` pairs, separated by commas, semicolons, ampersands or pipes. */
function roleFromPartnerData(partnerData: string | null | undefined): MediaSpaceRole | null {
  for (const pair of partnerData?.split(/[,;&|]/) ?? []) {
    const [key, value] = pair.split('=').map((part) => part.trim());
    if (key === 'role' && isMediaSpaceRole(value)) return value;
  }
  return null;
}

export function roleRank(role: MediaSpaceRole): number {
  return MEDIASPACE_ROLES.indexOf(role);
}

export function hasRoleAtLeast(role: MediaSpaceRole, minimum: MediaSpaceRole): boolean {
  return roleRank(role) >= roleRank(minimum);
}

export function isMediaSpaceAdmin(role: MediaSpaceRole): boolean {
  return hasRoleAtLeast(role, 'adminRole');
}
