/**
 * Inviting people to the rooms backend: an administrator names them, their
 * role and courses; each gets an account (invited), course memberships and a
 * single-use link by mail that expires. Every row of one submit is created,
 * or none is. Mail goes out after the database commit; a mail that could not
 * be sent is recorded on the invitation, shown to the administrator and can
 * be resent. Following the link, the person chooses a password and their
 * account becomes active.
 */
import { randomUUID } from 'node:crypto';
import { hashOpaqueToken, newOpaqueToken } from '../lib/secrets/opaque-tokens.ts';
import type { TFunction } from 'i18next';
import { z } from 'zod';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../lib/errors/app-error.ts';
import { isUniqueViolation } from '../lib/db/database.ts';
import type { Logger } from '../lib/logger/logger.ts';
import type { Mailer } from '../lib/mail/mailer.ts';
import { renderMail, type MailBranding } from '../lib/mail/mail-templates.ts';
import type { BackendActor } from '../backend/backend-access.ts';
import { BACKEND_ROLES, isBackendRole, type BackendRole } from '../backend/backend-roles.ts';
import type { BrandingService } from '../branding/branding-service.ts';
import type { CourseRole } from '../courses/course-member-store.ts';
import { ImageService } from '../images/image-service.ts';
import { hashPassword } from '../sign-in/passwords.ts';
import { normaliseEmail, type Account } from './account-store.ts';
import type { CourseChoice } from './user-directory-store.ts';
import type { TransactionalUserRecords, UserRecords } from './user-records.ts';

export const NAME_MAX = 100;
export const EMAIL_MAX = 254;
/** People in one submit of the invite form. */
export const INVITES_PER_SUBMIT_MAX = 100;
/** Invitation mails handed to the mail server at once. */
const MAILS_AT_ONCE = 10;
/** 32 random bytes, base64url. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** One row of the invite form as it was sent: checked here, all rows at once. */
export interface InviteRequest {
  name: string;
  email: string;
  role: string;
  courseIds: string[];
}

/** What became of one invitation: its account, and whether its mail went out. */
export interface InvitationOutcome {
  userId: string;
  name: string;
  email: string;
  role: BackendRole;
  courses: CourseChoice[];
  expiresAt: number;
  sent: boolean;
  sendError: string | null;
}

/** What the invitation page shows the person who follows the link. */
export interface InvitationView {
  name: string;
  email: string;
  role: BackendRole;
  inviterName: string | null;
  courses: CourseChoice[];
  expiresAt: number;
}

export type InvitationLinkProblem = 'unknown' | 'expired' | 'used';

/** A link that cannot be used (any more): 410, with what the person can do about it. */
export class InvitationLinkError extends AppError {
  readonly problem: InvitationLinkProblem;
  constructor(problem: InvitationLinkProblem, t: TFunction) {
    super(410, t(`users:link.${problem}`), { code: `INVITATION_${problem.toUpperCase()}`, help: t(`users:link.${problem}Help`) });
    this.problem = problem;
  }
}

export interface InvitationsServiceDeps {
  records: TransactionalUserRecords;
  mailer: Mailer;
  branding: BrandingService;
  logger: Logger;
  publicUrl: string;
  ttlMs: number;
  now: () => number;
}

/** The role a person has in the courses they were given: administrators and instructors teach them. */
export function courseRoleFor(role: BackendRole): CourseRole {
  return role === 'student' ? 'student' : 'instructor';
}

interface Created {
  account: Account;
  courses: CourseChoice[];
  token: string;
  expiresAt: number;
}

export class InvitationsService {
  readonly #deps: InvitationsServiceDeps;

  constructor(deps: InvitationsServiceDeps) {
    this.#deps = deps;
  }

  get ttlDays(): number {
    return Math.round((this.#deps.ttlMs / 86_400_000) * 100) / 100;
  }

  /**
   * Creates every invitation of one submit in one transaction, then mails them. Throws a
   * ValidationError naming each field (`rows.<i>.<field>`) and creates nothing when any row is wrong.
   * `max` is the invite form's; a CSV import, previewed first, allows more.
   */
  async invite(actor: BackendActor, rows: InviteRequest[], t: TFunction, max = INVITES_PER_SUBMIT_MAX): Promise<InvitationOutcome[]> {
    if (rows.length === 0) throw new ValidationError(t('users:errors.nobody'), { rows: t('users:errors.nobody') });
    if (rows.length > max) throw new ValidationError(t('users:errors.tooMany', { max }), { rows: t('users:errors.tooMany', { max }) });
    const schema = inviteRowSchema(t);
    const now = this.#deps.now();
    const expiresAt = now + this.#deps.ttlMs;

    let created: Created[];
    try {
      created = await this.#deps.records.transaction(async (records) => {
        const fields: Record<string, string> = {};
        const parsed = rows.map((row, index) => {
          const result = schema.safeParse(row);
          if (!result.success) for (const issue of result.error.issues) fields[`rows.${index}.${String(issue.path[0] ?? 'name')}`] ??= issue.message;
          return result.success ? result.data : null;
        });

        // The same address twice in one submit: the later rows are refused.
        const seen = new Map<string, number>();
        parsed.forEach((row, index) => {
          if (!row) return;
          const email = normaliseEmail(row.email);
          if (seen.has(email)) fields[`rows.${index}.email`] ??= t('users:errors.emailTwice', { person: seen.get(email)! + 1 });
          else seen.set(email, index);
        });
        const existing = new Map((await records.accounts.findByEmails([...seen.keys()])).map((account) => [normaliseEmail(account.email ?? ''), account]));
        parsed.forEach((row, index) => {
          const account = row && existing.get(normaliseEmail(row.email));
          if (account) fields[`rows.${index}.email`] ??= t(account.source === 'mediaspace' ? 'users:errors.emailTakenMediaSpace' : 'users:errors.emailTaken');
        });

        const courses = new Map((await records.directory.findCourses(parsed.flatMap((row) => row?.courseIds ?? []))).map((course) => [course.id, course]));
        parsed.forEach((row, index) => {
          if (row?.courseIds.some((id) => !courses.has(id))) fields[`rows.${index}.courses`] ??= t('users:errors.courseUnknown');
        });

        if (Object.keys(fields).length > 0) throw new ValidationError(t('common:errors.fixBelow'), fields);

        const made: Created[] = [];
        for (const row of parsed as Array<NonNullable<(typeof parsed)[number]>>) {
          made.push(await this.#create(records, actor, row, [...new Set(row.courseIds)].map((id) => courses.get(id)!), now, expiresAt));
        }
        return made;
      });
    } catch (error) {
      // Someone invited the same address at the same moment: the database's unique index says so.
      if (isUniqueViolation(error)) throw new ValidationError(t('users:errors.emailTakenRace'), { rows: t('users:errors.emailTakenRace') });
      throw error;
    }

    const branding = await this.#deps.branding.mailBranding();
    // A few at a time: a CSV import's thousand mails would otherwise open a thousand SMTP connections at once.
    const outcomes: InvitationOutcome[] = [];
    for (let start = 0; start < created.length; start += MAILS_AT_ONCE) {
      outcomes.push(...(await Promise.all(created.slice(start, start + MAILS_AT_ONCE).map((invitee) => this.#deliver(actor.name, invitee, branding, t)))));
    }
    return outcomes;
  }

  /** A new link for an invitation not yet accepted: the old link stops working and the expiry restarts. */
  async resend(actor: BackendActor, userId: string, t: TFunction): Promise<InvitationOutcome> {
    const { records } = this.#deps;
    const account = await records.accounts.findById(userId);
    if (!account || account.source !== 'backend') throw new NotFoundError(t('users:errors.notFound'));
    if (account.status !== 'invited') throw new ConflictError(t('users:errors.alreadyAccepted'), { code: 'INVITATION_ACCEPTED' });
    const now = this.#deps.now();
    const token = newOpaqueToken();
    const renewal = { tokenHash: hashOpaqueToken(token), invitedBy: actor.userId, createdAt: now, expiresAt: now + this.#deps.ttlMs };
    if (!(await records.invitations.renew(userId, renewal))) {
      if (await records.invitations.findForUser(userId)) throw new ConflictError(t('users:errors.alreadyAccepted'), { code: 'INVITATION_ACCEPTED' });
      await records.invitations.insert({ id: randomUUID(), userId, ...renewal });
    }
    const courses = await this.#coursesOf(records, userId);
    return this.#deliver(actor.name, { account, courses, token, expiresAt: renewal.expiresAt }, await this.#deps.branding.mailBranding(), t);
  }

  /** Withdraws an invitation not yet accepted: the invited account goes, with its invitation and memberships. */
  async revoke(userId: string, t: TFunction): Promise<void> {
    const { records } = this.#deps;
    if (await records.accounts.deleteInvited(userId)) return;
    const account = await records.accounts.findById(userId);
    if (!account || account.source !== 'backend') throw new NotFoundError(t('users:errors.notFound'));
    throw new ConflictError(t('users:errors.alreadyAccepted'), { code: 'INVITATION_ACCEPTED', help: t('users:errors.alreadyAcceptedHelp') });
  }

  /** Who the link is for, if it can still be used. */
  async open(token: string, t: TFunction): Promise<InvitationView> {
    const { account, invitation } = await this.#usable(token, t);
    const inviter = await this.#deps.records.accounts.findById(invitation.invitedBy);
    return {
      name: account.name,
      email: account.email ?? '',
      role: account.backendRole ?? 'student',
      inviterName: inviter?.name ?? null,
      courses: await this.#coursesOf(this.#deps.records, account.id),
      expiresAt: invitation.expiresAt,
    };
  }

  /** Sets the person's first password and activates the account; the link is used up. */
  async accept(token: string, password: string, t: TFunction): Promise<void> {
    const { account } = await this.#usable(token, t);
    if (account.email && normaliseEmail(account.email) === normaliseEmail(password)) {
      throw new ValidationError(t('sign-in:passwordIsEmail'), { password: t('sign-in:passwordIsEmail') });
    }
    const passwordHash = await hashPassword(password);
    const now = this.#deps.now();
    await this.#deps.records.transaction(async (records) => {
      // Both conditional: of two submits of one link, one wins and the other is told the link is used.
      if (!(await records.invitations.markAccepted(hashOpaqueToken(token), now))) throw new InvitationLinkError('used', t);
      if (!(await records.accounts.activate(account.id, passwordHash, now))) throw new InvitationLinkError('used', t);
    });
  }

  async #usable(token: string, t: TFunction) {
    const { records } = this.#deps;
    const invitation = TOKEN.test(token) ? await records.invitations.findByTokenHash(hashOpaqueToken(token)) : null;
    if (!invitation) throw new InvitationLinkError('unknown', t);
    if (invitation.acceptedAt !== null) throw new InvitationLinkError('used', t);
    if (invitation.expiresAt <= this.#deps.now()) throw new InvitationLinkError('expired', t);
    const account = await records.accounts.findById(invitation.userId);
    if (!account || account.status !== 'invited') throw new InvitationLinkError(account?.status === 'active' ? 'used' : 'unknown', t);
    return { account, invitation };
  }

  async #create(records: UserRecords, actor: BackendActor, row: ValidInviteRow, courses: CourseChoice[], now: number, expiresAt: number): Promise<Created> {
    const id = randomUUID();
    const token = newOpaqueToken();
    const account = await records.accounts.insertBackendAccount({ id, name: row.name, email: row.email, backendRole: row.role, status: 'invited', createdAt: now });
    for (const course of courses) {
      await records.members.put({ roomId: course.id, userId: id, role: courseRoleFor(row.role), source: 'backend', addedAt: now });
    }
    await records.invitations.insert({ id: randomUUID(), userId: id, tokenHash: hashOpaqueToken(token), invitedBy: actor.userId, createdAt: now, expiresAt });
    return { account, courses, token, expiresAt };
  }

  async #coursesOf(records: UserRecords, userId: string): Promise<CourseChoice[]> {
    const memberships = await records.members.listForUser(userId);
    return records.directory.findCourses(memberships.map((membership) => membership.roomId));
  }

  /** Mails one invitation and records the outcome on it; a failure is reported, never thrown. */
  async #deliver(inviterName: string, { account, courses, token, expiresAt }: Created, branding: MailBranding, t: TFunction): Promise<InvitationOutcome> {
    const { records, mailer, logger, publicUrl } = this.#deps;
    const role = account.backendRole ?? 'student';
    const tokenHash = hashOpaqueToken(token);
    let sendError: string | null = null;
    try {
      const mail = await renderMail('invitation', account.email!, {
        t,
        branding,
        subject: t('users:mail.subject', { inviter: inviterName, organisation: branding.organisationName }),
        name: account.name,
        inviter: inviterName,
        role,
        courses: courses.map((course) => ({ name: course.name, imageUrl: course.imageId ? `${publicUrl}${ImageService.url(course.imageId, 'invitation')}` : null })),
        link: `${publicUrl}/invitations/${token}`,
        expiresAt: new Date(expiresAt),
        days: this.ttlDays,
      });
      await mailer.send(mail);
      await records.invitations.recordDelivery(tokenHash, { sentAt: this.#deps.now() });
    } catch (error) {
      sendError = describeSendFailure(error);
      logger.warn({ err: error, userId: account.id }, 'invitation mail could not be sent');
      await records.invitations.recordDelivery(tokenHash, { sendError });
    }
    return { userId: account.id, name: account.name, email: account.email!, role, courses, expiresAt, sent: sendError === null, sendError };
  }
}

type ValidInviteRow = z.output<ReturnType<typeof inviteRowSchema>>;

/** One person to invite, checked: the invite form's rows and a CSV import's lines alike. */
export function inviteRowSchema(t: TFunction) {
  return z.object({
    name: z
      .string()
      .trim()
      .min(1, t('users:errors.nameRequired'))
      .max(NAME_MAX, t('users:errors.nameTooLong', { max: NAME_MAX })),
    email: z
      .string()
      .trim()
      .min(1, t('users:errors.emailRequired'))
      .max(EMAIL_MAX, t('users:errors.emailInvalid'))
      .pipe(z.email(t('users:errors.emailInvalid'))),
    role: z.string().refine(isBackendRole, t('users:errors.roleInvalid', { roles: BACKEND_ROLES.join(', ') })).transform((role) => role as BackendRole),
    courseIds: z.array(z.string().max(100)).max(200),
  });
}

/** What the mail server answered (an SMTP reply such as "550 mailbox unavailable"), else what went wrong on the way, short. */
function describeSendFailure(error: unknown): string {
  const failure = error as { response?: string; message?: string } | null;
  const reason = failure?.response || failure?.message || 'unknown error';
  return reason.replace(/\s+/g, ' ').trim().slice(0, 300);
}
