/**
 * /backend/users: the users list, the invite form, one person's access, and
 * the actions on their account and invitation. Administrators only; every
 * route answers JSON for `Accept: application/json`.
 */
import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { AppError, ValidationError } from '../lib/errors/app-error.ts';
import { wantsJson } from '../lib/http/forms.ts';
import { parseInput } from '../lib/http/validate.ts';
import { allowRoles, currentActor } from '../backend/backend-access.ts';
import { BACKEND_ROLES } from '../backend/backend-roles.ts';
import { INVITES_PER_SUBMIT_MAX, NAME_MAX, EMAIL_MAX, type InvitationsService, type InviteRequest } from './invitations-service.ts';
import type { UserSummary, UsersService } from './users-service.ts';
import type { DirectoryRoleFilter } from './user-directory-store.ts';

const PAGE_SIZE = 25;
/** Rows the invite form offers at first; "Invite more" adds one (a script adds it in place). */
const INITIAL_INVITE_ROWS = 3;
const ROLE_FILTERS: DirectoryRoleFilter[] = [...BACKEND_ROLES, 'mediaspace'];
const STATUSES = ['invited', 'active', 'deactivated'] as const;
/** Notices shown after an action, by the `done` query parameter of the page it leads to. */
const DONE = ['saved', 'deactivated', 'reactivated', 'resent', 'resendFailed', 'revoked'] as const;

const listQuery = z.object({
  q: z.string().max(200).catch(''),
  role: z.enum(ROLE_FILTERS as [DirectoryRoleFilter, ...DirectoryRoleFilter[]]).nullable().catch(null),
  status: z.enum(STATUSES).nullable().catch(null),
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
});

const oneOrMany = z
  .union([z.string().max(100), z.array(z.string().max(100)).max(500)])
  .optional()
  .transform((value) => (value === undefined ? [] : [value].flat()));

const inviteRowInput = z.object({
  name: z.string().max(1000).default(''),
  email: z.string().max(1000).default(''),
  role: z.string().max(50).default('student'),
  courses: oneOrMany,
});

/** Rows arrive as an array, or (past the parser's array limit) as an object keyed by index. */
const inviteForm = z.object({
  rows: z
    .union([z.array(inviteRowInput).max(100), z.record(z.string().regex(/^\d{1,3}$/), inviteRowInput)])
    .default([])
    .transform((rows) => (Array.isArray(rows) ? rows : Object.entries(rows).sort(([a], [b]) => Number(a) - Number(b)).map(([, row]) => row))),
  more: z.string().max(10).optional(),
});

/** The courses one row of the invite form may tick (the JSON API takes more). */
const INVITE_COURSES_PER_ROW = 50;

/**
 * The invite form is larger than the others (up to INVITES_PER_SUBMIT_MAX people, each with a
 * name, an address, a role and the courses ticked), so it is read with limits that follow from that.
 */
export const inviteFormBody = express.urlencoded({
  extended: true,
  parameterLimit: INVITES_PER_SUBMIT_MAX * (3 + INVITE_COURSES_PER_ROW) + 5,
  limit: INVITES_PER_SUBMIT_MAX * (NAME_MAX + EMAIL_MAX + 40 + INVITE_COURSES_PER_ROW * 60) + 1024,
});

const versionField = z.coerce.number().int().min(0);

const accessForm = z.object({
  version: versionField,
  role: z.string().max(50).optional(),
  courseRole: z.string().max(50).optional(),
  courses: oneOrMany,
});

interface InviteRowView {
  name: string;
  email: string;
  role: string;
  courseIds: string[];
}

export interface UsersRouterDeps {
  users: UsersService;
  invitations: InvitationsService;
}

export function createUsersRouter({ users, invitations }: UsersRouterDeps): Router {
  const router = Router();
  router.use('/users', allowRoles('administrator'));

  router.get('/users', async (req, res) => {
    const query = listQuery.parse(req.query);
    const result = await users.list({ search: query.q, role: query.role, status: query.status, page: query.page, pageSize: PAGE_SIZE });
    if (wantsJson(req)) return res.json(result);
    const pageHref = (page: number) => `/backend/users?${new URLSearchParams({ ...(query.q && { q: query.q }), ...(query.role && { role: query.role }), ...(query.status && { status: query.status }), page: String(page) })}`;
    res.render('users/index', {
      title: req.t('users:title'),
      query,
      filtered: Boolean(query.q || query.role || query.status),
      roleFilters: ROLE_FILTERS,
      statuses: STATUSES,
      ...result,
      previousHref: result.page > 1 ? pageHref(result.page - 1) : null,
      nextHref: result.page < result.pages ? pageHref(result.page + 1) : null,
      flash: doneNotice(req),
    });
  });

  router.get('/users/invite', async (req, res) => {
    await renderInviteForm(req, res, 200, blankRows(INITIAL_INVITE_ROWS), {});
  });

  router.post('/users/invite', async (req, res) => {
    const form = parseInput(inviteForm, req.body, req.t('common:errors.fixBelow'));
    // Rows left blank (the form offers more than people often need) are not invitations.
    const submitted: InviteRowView[] = form.rows.map((row) => ({ name: row.name, email: row.email, role: row.role, courseIds: row.courses }));
    if (form.more && !wantsJson(req)) {
      // Without the page script, "Invite more" comes here: the same form, one row longer, nothing created.
      return renderInviteForm(req, res, 200, submitted.length < INVITES_PER_SUBMIT_MAX ? [...submitted, ...blankRows(1)] : submitted, {});
    }
    const rows = submitted.filter((row) => row.name.trim() !== '' || row.email.trim() !== '');
    try {
      const outcomes = await invitations.invite(currentActor(req), rows satisfies InviteRequest[], req.t);
      if (wantsJson(req)) return res.status(201).json({ invitations: outcomes });
      res.status(201).render('users/invited', { title: req.t('users:invited.title'), outcomes, failed: outcomes.filter((outcome) => !outcome.sent).length });
    } catch (error) {
      if (!(error instanceof ValidationError) || wantsJson(req)) throw error;
      await renderInviteForm(req, res, 400, rows.length > 0 ? rows : blankRows(INITIAL_INVITE_ROWS), error.fields);
    }
  });

  async function renderInviteForm(req: Request, res: Response, status: number, rows: InviteRowView[], errors: Record<string, string>) {
    res.status(status).render('users/invite', {
      title: req.t('users:invite.title'),
      rows,
      errors,
      errorList: inviteErrorList(req, errors),
      roles: BACKEND_ROLES,
      choices: await users.courseChoices(),
      maxRows: INVITES_PER_SUBMIT_MAX,
      nameMax: NAME_MAX,
      emailMax: EMAIL_MAX,
      days: invitations.ttlDays,
    });
  }

  router.get('/users/:id/edit', async (req, res) => {
    const user = await users.find(req.params.id, req.t);
    if (wantsJson(req)) return res.json({ user });
    await renderEdit(req, res, 200, user, valuesOf(user), {}, null);
  });

  router.post('/users/:id/edit', async (req, res) => {
    const form = parseInput(accessForm, req.body, req.t('common:errors.fixBelow'));
    const id = req.params.id;
    try {
      await users.changeAccess(currentActor(req), id, { role: form.role, courseRole: form.courseRole, courseIds: form.courses }, form.version, req.t);
    } catch (error) {
      if (wantsJson(req) || !(error instanceof ValidationError || (error instanceof AppError && error.status === 409))) throw error;
      const user = await users.find(id, req.t);
      const typed = { role: form.role ?? '', courseRole: form.courseRole ?? 'student', courseIds: form.courses };
      // A stale edit: the page shows what is saved now and keeps what the person chose, on top of the current version.
      if (error instanceof ValidationError) return renderEdit(req, res, 400, user, typed, error.fields, null, form.version);
      return renderEdit(req, res, 409, user, typed, {}, error);
    }
    if (wantsJson(req)) return res.json({ user: await users.find(id, req.t) });
    res.redirect(303, `${editPath(id)}?done=saved`);
  });

  async function renderEdit(req: Request, res: Response, status: number, user: UserSummary, values: AccessValues, errors: Record<string, string>, conflict: AppError | null, version = user.version) {
    const actor = currentActor(req);
    res.status(status).render('users/edit', {
      title: req.t('users:edit.title', { name: user.name }),
      user,
      values,
      errors,
      conflict,
      version,
      self: actor.userId === user.id,
      roles: BACKEND_ROLES,
      choices: await users.courseChoices(),
      fromMediaSpace: new Set(user.courses.filter((course) => course.source === 'mediaspace').map((course) => course.roomId)),
      editPath: editPath(user.id),
      flash: doneNotice(req),
    });
  }

  router.post('/users/:id/deactivate', async (req, res) => {
    const { version } = parseInput(z.object({ version: versionField }), req.body, req.t('common:errors.fixBelow'));
    await users.deactivate(currentActor(req), req.params.id, version, req.t);
    await answerAction(req, res, 'deactivated');
  });

  router.post('/users/:id/reactivate', async (req, res) => {
    const { version } = parseInput(z.object({ version: versionField }), req.body, req.t('common:errors.fixBelow'));
    await users.reactivate(req.params.id, version, req.t);
    await answerAction(req, res, 'reactivated');
  });

  router.post('/users/:id/resend-invitation', async (req, res) => {
    const outcome = await invitations.resend(currentActor(req), req.params.id, req.t);
    if (wantsJson(req)) return res.json({ invitation: outcome });
    res.redirect(303, `${editPath(req.params.id)}?done=${outcome.sent ? 'resent' : 'resendFailed'}`);
  });

  router.post('/users/:id/revoke-invitation', async (req, res) => {
    await invitations.revoke(req.params.id, req.t);
    if (wantsJson(req)) return res.status(204).end();
    res.redirect(303, '/backend/users?done=revoked');
  });

  async function answerAction(req: Request<{ id: string }>, res: Response, done: (typeof DONE)[number]) {
    if (wantsJson(req)) return res.json({ user: await users.find(req.params.id, req.t) });
    res.redirect(303, `${editPath(req.params.id)}?done=${done}`);
  }

  return router;
}

interface AccessValues {
  role: string;
  courseRole: string;
  courseIds: string[];
}

function valuesOf(user: UserSummary): AccessValues {
  const given = user.courses.filter((course) => course.source === 'backend');
  return {
    role: user.backendRole ?? '',
    courseRole: given.some((course) => course.role === 'instructor') ? 'instructor' : 'student',
    courseIds: given.map((course) => course.roomId),
  };
}

function blankRows(count: number): InviteRowView[] {
  return Array.from({ length: count }, () => ({ name: '', email: '', role: 'student', courseIds: [] }));
}

/** The error summary above the invite form: each message, and the field it links to. */
function inviteErrorList(req: Request, errors: Record<string, string>): Array<{ target: string; label: string; message: string }> {
  return Object.entries(errors).map(([key, message]) => {
    const match = key.match(/^rows\.(\d+)\.(name|email|role|courses)$/);
    if (!match) return { target: 'invite-0-name', label: req.t('users:invite.form'), message };
    const [, index, field] = match;
    return {
      target: `invite-${index}-${field}`,
      label: req.t('users:invite.fieldOfPerson', { field: req.t(`users:invite.fields.${field}`), person: Number(index) + 1 }),
      message,
    };
  });
}

function doneNotice(req: Request): string | null {
  const done = req.query.done;
  return typeof done === 'string' && (DONE as readonly string[]).includes(done) ? req.t(`users:done.${done}`) : null;
}

function editPath(id: string): string {
  return `/backend/users/${encodeURIComponent(id)}/edit`;
}
