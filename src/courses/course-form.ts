/**
 * The course form: what it accepts (one zod schema, for the multipart form a
 * browser sends and for JSON alike) and what it shows again when something
 * needs fixing, so nobody loses what they typed.
 */
import type { TFunction } from 'i18next';
import { z } from 'zod';
import { parseInput } from '../lib/http/validate.ts';
import type { CourseRole } from './course-member-store.ts';
import type { MemberChoice } from './course-store.ts';
import type { CourseDetail, CourseInput } from './course-service.ts';
import { PLAN_LIMIT_KEYS, type PlanCatalogue, type PlanLimits } from './plan-catalogue.ts';

export const COURSE_NAME_MAX = 100;
export const COURSE_SUMMARY_MAX = 150;
export const COURSE_DESCRIPTION_MAX = 500;
/** Shown as a hint: the size the card and the invitation are cut from. */
export const RECOMMENDED_IMAGE = { width: 2560, height: 1440 } as const;

/** The most members one save names, and the most addresses the "Add people" box takes at once. */
export const COURSE_MEMBERS_MAX = 5000;
export const ADD_BY_EMAIL_MAX = 1000;
const EMAIL_MAX = 254;
/**
 * What the course form holds, so the upload parser takes exactly that: its own fields (a dozen,
 * rounded up), one role per member, and the box of addresses as the largest field.
 */
export const COURSE_FORM_LIMITS = { fields: 24 + COURSE_MEMBERS_MAX, fieldBytes: ADD_BY_EMAIL_MAX * (EMAIL_MAX + 2) } as const;

/** The limits a custom plan's course may set, and the form's bounds for them. */
export const CUSTOM_LIMIT_BOUNDS: Record<keyof PlanLimits, { min: number; max: number; step: number }> = {
  webcamUsers: { min: 1, max: 1000, step: 1 },
  virtualClassrooms: { min: 0, max: 100, step: 1 },
  cloudRecordingHours: { min: 0, max: 10_000, step: 0.5 },
  selfPacedCourses: { min: 0, max: 1000, step: 1 },
};

export interface CourseFormOptions {
  /** A backend course needs a summary and a description; a MediaSpace room may go without. */
  kind: 'channel' | 'private' | 'course';
  /** Editing names the version it started from. */
  editing: boolean;
}

export interface ParsedCourseForm {
  input: CourseInput;
  version: number | null;
}

/** Browsers send a textarea's line breaks as CRLF but count them as one character: so do we. */
function text(t: TFunction, max: number, required: boolean, singleLine: boolean) {
  const normalised = z
    .union([z.string(), z.null()])
    .optional()
    .transform((value) => {
      let result = (value ?? '').normalize('NFC').replace(/\r\n?/g, '\n');
      if (singleLine) result = result.replace(/\s+/g, ' ');
      return result.trim();
    });
  const limited = z.string().max(max, t('courses:errors.tooLong', { count: max }));
  return normalised.pipe(required ? limited.min(1, t('courses:errors.required')) : limited).refine((value) => !/[\p{Cc}\p{Cf}]/u.test(value.replace(/\n/g, '')), t('courses:errors.invisible'));
}

function limitField(t: TFunction, key: keyof PlanLimits) {
  const { min, max, step } = CUSTOM_LIMIT_BOUNDS[key];
  return z.preprocess(
    (value) => (value === '' || value === undefined || value === null ? undefined : Number(value)),
    z
      .number({ error: t('courses:errors.numberRequired') })
      .refine((value) => Number.isFinite(value) && value >= min && value <= max, t('courses:errors.numberRange', { min, max }))
      .refine((value) => step !== 1 || Number.isInteger(value), t('courses:errors.wholeNumber')),
  );
}

const MEMBER_VALUE = /^(instructor|student):(.{1,200})$/s;

export function courseFormSchema(t: TFunction, plans: PlanCatalogue, options: CourseFormOptions) {
  const planIds = plans.list().map((plan) => plan.id);
  const needsText = options.kind === 'course';
  return z
    .object({
      name: text(t, COURSE_NAME_MAX, true, true),
      summary: text(t, COURSE_SUMMARY_MAX, needsText, false),
      description: text(t, COURSE_DESCRIPTION_MAX, needsText, false),
      // Optional: an instructor's page has no plan field (only administrators change it). In zod 4 a
      // union with z.undefined() is still a required key; .optional() is what lets it be absent.
      plan: z
        .string()
        .optional()
        .refine((value) => value === undefined || value === '' || planIds.includes(value), t('courses:errors.planUnknown'))
        .refine((value) => options.kind !== 'course' || value !== '', t('courses:errors.planRequired')),
      // A custom plan's own limits, read in the transform below when the plan has custom limits.
      webcamUsers: z.unknown().optional(),
      virtualClassrooms: z.unknown().optional(),
      cloudRecordingHours: z.unknown().optional(),
      selfPacedCourses: z.unknown().optional(),
      // A browser's form: one select per person, "role:userId"; the hidden membersShown says the list was on the form.
      member: z.union([z.string(), z.array(z.string())]).optional(),
      membersShown: z.string().optional(),
      // JSON: [{ userId, role }].
      members: z.array(z.object({ userId: z.string().min(1).max(200), role: z.enum(['instructor', 'student']) })).max(COURSE_MEMBERS_MAX).optional(),
      // The "Add people" box: addresses, one per line (commas and spaces also separate them), all given one role.
      addMembers: z.string().optional(),
      addRole: z.enum(['instructor', 'student']).optional(),
      removeImage: z.union([z.string(), z.boolean()]).optional(),
      version: options.editing
        ? z.preprocess((value) => (value === '' || value === undefined ? undefined : Number(value)), z.number({ error: t('courses:errors.versionMissing') }).int().min(1))
        : z.unknown().optional(),
    })
    .transform((form, ctx) => {
      const planId = form.plan === undefined ? undefined : form.plan === '' ? null : form.plan;
      let planLimits: PlanLimits | null | undefined;
      // Left out altogether (an API call), a custom plan's limits are kept as they are, or the plan's defaults for a new course.
      const limitsGiven = PLAN_LIMIT_KEYS.some((key) => form[key] !== undefined && form[key] !== '');
      if (planId !== undefined && limitsGiven && plans.find(planId)?.customLimits) {
        const limits: Partial<PlanLimits> = {};
        for (const key of PLAN_LIMIT_KEYS) {
          const parsed = limitField(t, key).safeParse(form[key]);
          if (parsed.success) limits[key] = parsed.data;
          else ctx.addIssue({ code: 'custom', path: [key], message: parsed.error.issues[0]?.message ?? t('courses:errors.numberRequired') });
        }
        planLimits = limits as PlanLimits;
      }
      let members: MemberChoice[] | undefined;
      if (form.members) members = form.members;
      else if (form.membersShown) {
        const chosen = new Map<string, CourseRole>();
        for (const value of [form.member ?? []].flat()) {
          if (value === '') continue;
          const match = MEMBER_VALUE.exec(value);
          if (!match) {
            ctx.addIssue({ code: 'custom', path: ['members'], message: t('courses:errors.memberUnknown') });
            continue;
          }
          chosen.set(match[2]!, match[1] as CourseRole);
        }
        members = [...chosen].map(([userId, role]) => ({ userId, role }));
      }
      let addByEmail: CourseInput['addByEmail'];
      const emails = [...new Set((form.addMembers ?? '').split(/[\s,;]+/).filter(Boolean))];
      if (emails.length > ADD_BY_EMAIL_MAX) ctx.addIssue({ code: 'custom', path: ['addMembers'], message: t('courses:errors.tooManyEmails', { max: ADD_BY_EMAIL_MAX }) });
      const malformed = emails.filter((email) => !z.email().max(EMAIL_MAX).safeParse(email).success);
      if (malformed.length > 0) ctx.addIssue({ code: 'custom', path: ['addMembers'], message: t('courses:errors.emailsMalformed', { count: malformed.length, emails: malformed.slice(0, 10).join(', ') }) });
      if (emails.length > 0) addByEmail = { emails, role: form.addRole ?? 'student' };
      const input: CourseInput = {
        name: form.name,
        summary: form.summary,
        description: form.description,
        removeImage: form.removeImage === true || form.removeImage === 'on' || form.removeImage === '1' || form.removeImage === 'true',
        // Sent by an instructor, these reach the service, which refuses a change it is not theirs to make.
        ...(planId !== undefined && { planId }),
        ...(planLimits !== undefined && { planLimits }),
        ...(members !== undefined && { members }),
        ...(addByEmail !== undefined && { addByEmail }),
      };
      return { input, version: options.editing ? (form.version as number) : null };
    });
}

export function parseCourseForm(t: TFunction, plans: PlanCatalogue, options: CourseFormOptions, body: unknown): ParsedCourseForm {
  const labels = { name: t('courses:form.name'), summary: t('courses:form.summary'), description: t('courses:form.description'), plan: t('courses:form.plan'), addMembers: t('courses:form.addByEmail') };
  return parseInput(courseFormSchema(t, plans, options), body, t('common:errors.fixBelow'), undefined, labels);
}

/** What the form shows: what the person sent, else the course as it is, else a new course's defaults. */
export interface CourseFormValues {
  name: string;
  summary: string;
  description: string;
  plan: string;
  limits: Record<keyof PlanLimits, string>;
  members: Record<string, CourseRole>;
  /** The "Add people" box as typed, and the role it gives. */
  addMembers: string;
  addRole: CourseRole;
  removeImage: boolean;
}

export function formValues(plans: PlanCatalogue, course: CourseDetail | null, body: Record<string, unknown> | null): CourseFormValues {
  const plan = course ? (course.planId ?? '') : plans.inactivePlan.id;
  const customDefaults = plans.list().find((candidate) => candidate.customLimits);
  const currentLimits = course?.planLimits ?? (customDefaults ? { webcamUsers: customDefaults.webcamUsers, virtualClassrooms: customDefaults.virtualClassrooms, cloudRecordingHours: customDefaults.cloudRecordingHours, selfPacedCourses: customDefaults.selfPacedCourses } : null);
  const values: CourseFormValues = {
    name: course?.name ?? '',
    summary: course?.summary ?? '',
    description: course?.description ?? '',
    plan,
    limits: Object.fromEntries(PLAN_LIMIT_KEYS.map((key) => [key, currentLimits ? String(currentLimits[key]) : ''])) as Record<keyof PlanLimits, string>,
    members: Object.fromEntries((course?.members ?? []).map((member) => [member.userId, member.role])),
    addMembers: '',
    addRole: 'student',
    removeImage: false,
  };
  if (!body) return values;
  const asText = (value: unknown) => (typeof value === 'string' ? value.replace(/\r\n?/g, '\n') : '');
  if ('name' in body) values.name = asText(body.name);
  if ('summary' in body) values.summary = asText(body.summary);
  if ('description' in body) values.description = asText(body.description);
  if (typeof body.plan === 'string') values.plan = body.plan;
  for (const key of PLAN_LIMIT_KEYS) if (key in body) values.limits[key] = asText(body[key]);
  if (body.membersShown) {
    values.members = {};
    for (const value of [body.member ?? []].flat()) {
      const match = typeof value === 'string' ? MEMBER_VALUE.exec(value) : null;
      if (match) values.members[match[2]!] = match[1] as CourseRole;
    }
  }
  values.addMembers = asText(body.addMembers);
  if (body.addRole === 'instructor') values.addRole = 'instructor';
  values.removeImage = Boolean(body.removeImage);
  return values;
}
