/**
 * /backend/courses: the course cards, + Add new course, a course's page, edit
 * and delete, entering its room, and the organisation's licences per plan.
 * Pages for browsers, JSON for `Accept: application/json`. A form with a
 * problem comes back with what was typed and the problem next to its field:
 * 400 for what is not valid, 409 when someone else saved first or no licence
 * is free, 413 (before anything is read) for a picture over the size limit.
 */
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { AppError, NotFoundError, ValidationError } from '../lib/errors/app-error.ts';
import { acceptUploads, uploadedFiles, type ImageUploads } from '../lib/http/multipart.ts';
import { parseInput } from '../lib/http/validate.ts';
import { allowRoles, currentActor } from '../backend/backend-access.ts';
import { currentSession } from '../identity/session-middleware.ts';
import { sendLaunch } from '../rooms/send-launch.ts';
import {
  ADD_BY_EMAIL_MAX,
  COURSE_DESCRIPTION_MAX,
  COURSE_FORM_LIMITS,
  COURSE_NAME_MAX,
  COURSE_SUMMARY_MAX,
  CUSTOM_LIMIT_BOUNDS,
  formValues,
  parseCourseForm,
  RECOMMENDED_IMAGE,
} from './course-form.ts';
import type { CourseDetail, CourseService, CourseView, LicenceView } from './course-service.ts';
import { PLAN_LIMIT_KEYS } from './plan-catalogue.ts';

export interface CoursesRouterDeps {
  courses: CourseService;
  uploads: ImageUploads;
}

const courseIdSchema = z.uuid();
const FLASHES = ['created', 'saved', 'deleted', 'licences'] as const;

export function createCoursesRouter({ courses, uploads }: CoursesRouterDeps): Router {
  const router = Router();
  const acceptImage = acceptUploads({ field: 'image', maxBytes: uploads.maxImageBytes, maxFiles: 1, form: COURSE_FORM_LIMITS, tmpDir: uploads.tmpDir, rateLimit: uploads.rateLimit });
  const administrators = allowRoles('administrator');
  const imageMegabytes = +(uploads.maxImageBytes / (1024 * 1024)).toFixed(1);

  /** A course the person may change, loaded before a multipart body is read: nobody else's upload is accepted. */
  const loadManaged: RequestHandler = async (req, res, next) => {
    res.locals.course = await courses.forEditing(currentActor(req), courseIdOf(req), req.t);
    next();
  };

  router.get('/courses', async (req, res) => {
    const actor = currentActor(req);
    const [list, licences] = await Promise.all([courses.list(actor), actor.role === 'administrator' ? courses.licences() : Promise.resolve(null)]);
    const flash = FLASHES.find((key) => req.query[key] !== undefined);
    res.set('Cache-Control', 'no-store');
    res.format({
      html: () =>
        res.render('courses/index', {
          title: req.t('courses:title'),
          courses: list,
          licences,
          licenceErrors: {},
          licenceError: null,
          licenceValues: null,
          canCreate: actor.role === 'administrator',
          flash: flash ? req.t(`courses:flash.${flash}`) : null,
        }),
      json: () => res.json({ courses: list.map(courseJson), ...(licences && { licences: licences.map(licenceJson) }) }),
    });
  });

  router.get('/courses/new', administrators, async (req, res) => {
    await renderForm(req, res, 200, { course: null, body: null, errors: {}, error: null });
  });

  router.post('/courses', administrators, acceptImage, async (req, res) => {
    const actor = currentActor(req);
    try {
      const { input } = parseCourseForm(req.t, courses.plans, { kind: 'course', editing: false }, req.body);
      const course = await courses.create(actor, input, uploadedFiles(req)[0] ?? null, req.t);
      if (wantsPage(req)) return res.redirect(303, `/backend/courses/${course.id}?created=1`);
      res.status(201).json({ course: courseJson(await courses.get(actor, course.id, req.t)) });
    } catch (error) {
      if (!wantsPage(req) || !isFormProblem(error)) throw error;
      await renderForm(req, res, error.status, { course: null, body: req.body, errors: fieldsOf(error), error: error.message, help: error.help });
    }
  });

  /** The member picker's search as you type: a few people whose name or address holds what was typed. */
  router.get('/courses/people', administrators, async (req, res) => {
    const search = typeof req.query.q === 'string' ? req.query.q.slice(0, 200) : '';
    const people = await courses.searchPeople(search);
    res.set('Cache-Control', 'no-store');
    res.json({ people: people.map((person) => ({ id: person.id, name: person.name, email: person.email, source: person.source })) });
  });

  router.post('/courses/licences', administrators, async (req, res) => {
    const actor = currentActor(req);
    try {
      const form = parseInput(z.object({ licences: z.record(z.string().max(40), licenceCount(req)) }), req.body, req.t('common:errors.fixBelow'));
      await courses.setLicences(actor, form.licences, req.t);
    } catch (error) {
      if (!wantsPage(req) || !isFormProblem(error)) throw error;
      const [list, licences] = await Promise.all([courses.list(actor), courses.licences()]);
      return res.status(error.status).render('courses/index', {
        title: req.t('courses:title'),
        courses: list,
        licences,
        licenceErrors: fieldsOf(error),
        licenceError: error.message,
        licenceValues: (req.body as { licences?: Record<string, string> }).licences ?? {},
        canCreate: true,
        flash: null,
      });
    }
    if (wantsPage(req)) return res.redirect(303, '/backend/courses?licences=saved#licences');
    res.json({ licences: (await courses.licences()).map(licenceJson) });
  });

  router.get('/courses/:id', async (req, res) => {
    const course = await courses.get(currentActor(req), courseIdOf(req), req.t);
    const flash = FLASHES.find((key) => req.query[key] !== undefined);
    res.set('Cache-Control', 'no-store');
    res.format({
      html: () =>
        res.render('courses/show', {
          title: course.name,
          course,
          canDelete: currentActor(req).role === 'administrator',
          flash: flash ? req.t(`courses:flash.${flash}`) : null,
        }),
      json: () => res.json(courseJson(course)),
    });
  });

  router.get('/courses/:id/edit', loadManaged, async (req, res) => {
    await renderForm(req, res, 200, { course: res.locals.course as CourseDetail, body: null, errors: {}, error: null });
  });

  router.post('/courses/:id', loadManaged, acceptImage, async (req, res) => {
    const actor = currentActor(req);
    const course = res.locals.course as CourseDetail;
    try {
      const { input, version } = parseCourseForm(req.t, courses.plans, { kind: course.kind, editing: true }, req.body);
      await courses.update(actor, course.id, version!, input, uploadedFiles(req)[0] ?? null, req.t);
    } catch (error) {
      if (!wantsPage(req) || !isFormProblem(error)) throw error;
      return renderForm(req, res, error.status, { course, body: req.body, errors: fieldsOf(error), error: error.message, help: error.help });
    }
    if (wantsPage(req)) return res.redirect(303, `/backend/courses/${course.id}?saved=1`);
    res.json({ course: courseJson(await courses.get(actor, course.id, req.t)) });
  });

  /** The delete confirmation: what goes with the course, recordings included. */
  async function renderDelete(req: Request, res: Response, status: number, error: string | null): Promise<void> {
    const actor = currentActor(req);
    const course = await courses.get(actor, courseIdOf(req), req.t);
    const recordings = await courses.recordingCount(actor, course.id, req.t);
    res.status(status).render('courses/delete', { title: req.t('courses:delete.title', { name: course.name }), course, recordings, error });
  }

  router.get('/courses/:id/delete', administrators, async (req, res) => {
    await renderDelete(req, res, 200, null);
  });

  router.post('/courses/:id/delete', administrators, async (req, res) => {
    const actor = currentActor(req);
    const id = courseIdOf(req);
    // The second step: the confirmation page's form says so; a bare POST only shows that page.
    if ((req.body as { confirm?: unknown }).confirm !== 'delete') {
      if (!wantsPage(req)) throw new ValidationError(req.t('courses:delete.confirmMissing'), { confirm: req.t('courses:delete.confirmMissing') });
      return renderDelete(req, res, 400, req.t('courses:delete.confirmMissing'));
    }
    try {
      await courses.delete(actor, id, req.t);
    } catch (error) {
      if (!wantsPage(req) || !(error instanceof AppError) || error.status !== 409) throw error;
      return renderDelete(req, res, 409, error.message);
    }
    if (wantsPage(req)) return res.redirect(303, '/backend/courses?deleted=1');
    res.json({ deleted: id });
  });

  router.post('/courses/:id/enter', async (req, res) => {
    // The room pass lasts no longer than the session that asked for it.
    sendLaunch(res, await courses.enter(currentActor(req), courseIdOf(req), req.t, currentSession(req).id));
  });

  async function renderForm(
    req: Request,
    res: Response,
    status: number,
    { course, body, errors, error, help }: { course: CourseDetail | null; body: Record<string, unknown> | null; errors: Record<string, string>; error: string | null; help?: string | undefined },
  ): Promise<void> {
    const actor = currentActor(req);
    const administrator = actor.role === 'administrator';
    const values = formValues(courses.plans, course, body);
    // Only the members are on the form (by name), never everyone: others are found by searching.
    const people = administrator ? await courses.peopleByIds(Object.keys(values.members)) : [];
    res.status(status).render('courses/form', {
      title: course ? req.t('courses:form.editTitle', { name: course.name }) : req.t('courses:form.newTitle'),
      course,
      action: course ? `/backend/courses/${course.id}` : '/backend/courses',
      values,
      errors,
      error,
      help: help ?? null,
      plans: courses.plans.list(),
      allowNoPlan: course !== null && course.kind !== 'course',
      canChangePlan: administrator,
      canChangeMembers: administrator,
      nameLocked: course?.kind === 'channel',
      people,
      // A browser cannot be given a file back: after a failed save, the person is told to choose the picture again.
      pictureDropped: body !== null && !errors.image && uploadedFiles(req).some((file) => file.bytes > 0),
      addByEmailMax: ADD_BY_EMAIL_MAX,
      version: body && typeof body.version === 'string' ? body.version : String(course?.version ?? ''),
      max: { name: COURSE_NAME_MAX, summary: COURSE_SUMMARY_MAX, description: COURSE_DESCRIPTION_MAX },
      imageMegabytes,
      maxImageBytes: uploads.maxImageBytes,
      recommended: RECOMMENDED_IMAGE,
      limitKeys: PLAN_LIMIT_KEYS,
      limitBounds: CUSTOM_LIMIT_BOUNDS,
      summaryRequired: !course || course.kind === 'course',
    });
  }

  return router;
}

function licenceCount(req: Request) {
  return z.preprocess(
    (value) => (typeof value === 'string' ? (value.trim() === '' ? undefined : Number(value.trim())) : value),
    z.number({ error: req.t('courses:errors.numberRequired') }).int(req.t('courses:errors.wholeNumber')).min(0, req.t('courses:errors.numberRange', { min: 0, max: 100_000 })).max(100_000, req.t('courses:errors.numberRange', { min: 0, max: 100_000 })),
  );
}

function courseIdOf(req: Request): string {
  const parsed = courseIdSchema.safeParse(req.params.id);
  if (!parsed.success) throw new NotFoundError(req.t('courses:errors.notFound'), { code: 'COURSE_NOT_FOUND' });
  return parsed.data;
}

/** A browser's form (re-rendered with the problem), as opposed to an API call (answered with JSON). */
function wantsPage(req: Request): boolean {
  return req.accepts(['html', 'json']) === 'html';
}

function isFormProblem(error: unknown): error is AppError {
  return error instanceof ValidationError || (error instanceof AppError && error.status === 409);
}

function fieldsOf(error: AppError): Record<string, string> {
  return error instanceof ValidationError ? error.fields : {};
}

/** A course as the JSON API shows it. */
export function courseJson(course: CourseView | CourseDetail) {
  return {
    id: course.id,
    kind: course.kind,
    name: course.name,
    summary: course.summary,
    description: course.description,
    plan: course.plan ? { id: course.plan.id, label: course.plan.label, active: course.plan.active } : null,
    limits: course.limits,
    active: course.active,
    live: course.live,
    endsInMinutes: course.endsInMinutes,
    access: course.access,
    imageUrl: course.cardImageUrl,
    channelId: course.channelId,
    version: course.version,
    ...('members' in course && course.access === 'manage' && { members: course.members }),
  };
}

function licenceJson(licence: LicenceView) {
  return { planId: licence.plan.id, label: licence.plan.label, purchased: licence.purchased, inUse: licence.inUse, free: Math.max(0, licence.purchased - licence.inUse) };
}
