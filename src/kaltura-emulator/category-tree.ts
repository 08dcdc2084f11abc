/**
 * The category hierarchy: every category stores its depth, fullName
 * ("MediaSpace>site>channels") and fullIds ("1001>1002>1003") the way Kaltura
 * does, so they are recomputed for a whole subtree when a name or parent changes.
 */
import { InheritanceType, type CategoryRecord, type PartnerData } from './emulator-state.ts';
import { apiError } from './kaltura-errors.ts';

const PATH_SEPARATOR = '>';
export const ROOT_PARENT_ID = 0;

export function findCategory(data: PartnerData, id: number): CategoryRecord {
  const category = data.categories.get(id);
  if (!category) throw apiError('CATEGORY_NOT_FOUND', { ID: id });
  return category;
}

/** The parent a category is being placed under; 0 (or nothing) means the root. */
export function findParent(data: PartnerData, parentId: number | undefined): CategoryRecord | undefined {
  if (parentId === undefined || parentId === ROOT_PARENT_ID) return undefined;
  const parent = data.categories.get(parentId);
  if (!parent) throw apiError('PARENT_CATEGORY_NOT_FOUND', { ID: parentId });
  return parent;
}

export function assertValidName(name: string): void {
  if (name.includes(PATH_SEPARATOR)) throw apiError('CATEGORY_NAME_CONTAINS_INVALID_CHARS');
}

export function assertUniqueFullName(data: PartnerData, fullName: string, exceptId?: number): void {
  for (const category of data.categories.values()) {
    if (category.id !== exceptId && category.fullName === fullName) throw apiError('DUPLICATE_CATEGORY', { CATEGORY: fullName });
  }
}

export function fullNameUnder(parent: CategoryRecord | undefined, name: string): string {
  return parent ? `${parent.fullName}${PATH_SEPARATOR}${name}` : name;
}

/** A category that inherits its members needs a parent to inherit them from. */
export function assertCanInherit(inheritanceType: number, parent: CategoryRecord | undefined): void {
  if (inheritanceType === InheritanceType.INHERIT && !parent) throw apiError('CATEGORY_INHERIT_MEMBERS_MUST_SET_PARENT_CATEGORY');
}

/** The category whose memberships stand for this one's: itself, or for an INHERIT category the ancestor it inherits from. */
export function membershipSourceOf(category: CategoryRecord): number {
  return category.inheritanceType === InheritanceType.INHERIT && category.inheritedParentId !== undefined ? category.inheritedParentId : category.id;
}

/** Sets the fields derived from the parent; callers refresh the subtree afterwards if the category has children. */
export function placeUnder(category: CategoryRecord, parent: CategoryRecord | undefined): void {
  category.inheritedParentId = category.inheritanceType === InheritanceType.INHERIT && parent ? membershipSourceOf(parent) : undefined;
  category.parentId = parent?.id ?? ROOT_PARENT_ID;
  category.depth = parent ? parent.depth + 1 : 0;
  category.fullName = fullNameUnder(parent, category.name);
  category.fullIds = parent ? `${parent.fullIds}${PATH_SEPARATOR}${category.id}` : String(category.id);
}

export function refreshDescendants(data: PartnerData, category: CategoryRecord): void {
  for (const child of childrenOf(data, category.id)) {
    placeUnder(child, category);
    refreshDescendants(data, child);
  }
}

export function childrenOf(data: PartnerData, id: number): CategoryRecord[] {
  return [...data.categories.values()].filter((category) => category.parentId === id);
}

/** The category followed by all categories below it. */
export function subtreeOf(data: PartnerData, category: CategoryRecord): CategoryRecord[] {
  return [category, ...childrenOf(data, category.id).flatMap((child) => subtreeOf(data, child))];
}

export function isInSubtree(data: PartnerData, root: CategoryRecord, candidateId: number): boolean {
  return subtreeOf(data, root).some((category) => category.id === candidateId);
}
