/**
 * The demo partner's data (demo-fixture.json): users with their MediaSpace
 * roles (as a user-roles metadata record, or legacy partnerData), the
 * MediaSpace channel tree and the channel memberships. Secrets are not part of
 * it: the partner comes from the emulator options.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const FIXTURE_FILE = new URL('./demo-fixture.json', import.meta.url);

const MEDIASPACE_ROLES = ['anonymousRole', 'viewerRole', 'privateOnlyRole', 'adminRole', 'unmoderatedAdminRole'] as const;

const fixtureUserSchema = z.object({
  id: z.string().min(1),
  firstName: z.string(),
  lastName: z.string(),
  email: z.email(),
  /** Written as the user's record in the user-roles metadata profile. */
  role: z.enum(MEDIASPACE_ROLES).optional(),
  /** Older MediaSpace versions kept the role here, as "role=<name>". */
  partnerData: z.string().optional(),
  isAdmin: z.boolean().optional(),
});

const fixtureCategorySchema = z.object({
  id: z.number().int().positive(),
  name: z.string().min(1),
  /** 0 for a root category; a parent must be listed before its children. */
  parentId: z.number().int().min(0),
  description: z.string().optional(),
});

const fixtureMembershipSchema = z.object({
  categoryId: z.number().int().positive(),
  userId: z.string().min(1),
  level: z.enum(['MANAGER', 'MODERATOR', 'CONTRIBUTOR', 'MEMBER', 'NONE']),
  status: z.enum(['ACTIVE', 'PENDING', 'NOT_ACTIVE']).default('ACTIVE'),
});

const fixtureSchema = z
  .object({
    userRolesMetadataProfile: z.object({ id: z.number().int().positive(), name: z.string(), systemName: z.string() }),
    users: z.array(fixtureUserSchema),
    categories: z.array(fixtureCategorySchema),
    memberships: z.array(fixtureMembershipSchema),
  })
  .superRefine((fixture, ctx) => {
    for (const problem of referenceProblems(fixture)) ctx.addIssue({ code: 'custom', message: problem });
  });

export type EmulatorFixture = z.output<typeof fixtureSchema>;

export function loadDemoFixture(): EmulatorFixture {
  return fixtureSchema.parse(JSON.parse(readFileSync(FIXTURE_FILE, 'utf8')));
}

/** Broken references would only surface as odd emulator answers; name them at load time. */
function referenceProblems(fixture: z.input<typeof fixtureSchema>): string[] {
  const problems: string[] = [];
  const userIds = new Set<string>();
  for (const user of fixture.users) {
    if (userIds.has(user.id)) problems.push(`user ${user.id} is listed twice`);
    userIds.add(user.id);
  }
  const categoryIds = new Set<number>();
  for (const category of fixture.categories) {
    if (categoryIds.has(category.id)) problems.push(`category ${category.id} is listed twice`);
    if (category.parentId !== 0 && !categoryIds.has(category.parentId)) problems.push(`category ${category.id} comes before its parent ${category.parentId}`);
    categoryIds.add(category.id);
  }
  for (const membership of fixture.memberships) {
    if (!categoryIds.has(membership.categoryId)) problems.push(`membership of ${membership.userId} names unknown category ${membership.categoryId}`);
    if (!userIds.has(membership.userId)) problems.push(`membership in ${membership.categoryId} names unknown user ${membership.userId}`);
  }
  return problems;
}
