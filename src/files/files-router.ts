/**
 * /backend/files and /backend/courses/:courseId/files…: the course files
 * pages and their JSON. Every handler asks FilesService, which decides from
 * the module's records what this person may do in this course. Forms keep
 * what was typed and show the problem beside the field; uploads are checked
 * for access before their body is read.
 */
import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { allowRoles, currentActor, type BackendActor } from '../backend/backend-access.ts';
import type { NavEntry } from '../backend/backend-nav.ts';
import { AppError, NotFoundError, ValidationError } from '../lib/errors/app-error.ts';
import { acceptUploads, uploadedFiles } from '../lib/http/multipart.ts';
import type { StoredFile } from './file-store.ts';
import { NAME_MAX } from './file-names.ts';
import { StorageQuotaError, type FilesService } from './files-service.ts';
import type { Folder } from './folder-store.ts';
import { choiceLabel, fileJson, fileRow, folderJson, formatDate, formatSize, sendDownload, urls } from './files-view.ts';

export interface FilesRouterDeps {
  files: FilesService;
  uploads: { maxBytes: number; maxFiles: number; tmpDir: string; rateLimit: RequestHandler };
}

const uuid = z.uuid();
/** Messages that can follow an action's redirect; anything else in ?notice= is ignored. */
const NOTICES = ['folderCreated', 'uploaded', 'renamed', 'moved', 'folderDeleted', 'fileDeleted'] as const;
type Notice = (typeof NOTICES)[number];

interface BrowseForm {
  folderName?: string;
  folderError?: string | null;
  uploadError?: string | null;
}

/** What an edit form sent, shown again with its problem: a name, or where to move (a folder id, '' or null for the top level). */
type Draft = Partial<Record<'name' | 'folder' | 'parent', string | null>>;

/** What a change made from a form answers: pages go to `location`, JSON callers get `json`. */
interface Done {
  location: string;
  json: object;
  status?: number;
}

/** A file or a folder, as its rename and move forms see it. */
interface Editable<T> {
  what: 'file' | 'folder';
  /** The field of the move form that names the folder to move into. */
  placeField: 'folder' | 'parent';
  rename(actor: BackendActor, courseId: string, id: string, name: unknown, t: Request['t']): Promise<T>;
  move(actor: BackendActor, courseId: string, id: string, place: string | null, t: Request['t']): Promise<T>;
  /** Back to the folder it is in now, with a notice. */
  done(courseId: string, item: T, notice: 'renamed' | 'moved'): Done;
  /** Its page again, with what was sent and the problem beside the field. */
  showForm(req: Request, res: Response, status: number, courseId: string, id: string, draft: Draft, errors: Record<string, string>): Promise<void>;
}

export function createFilesRouter({ files, uploads }: FilesRouterDeps): Router {
  const router = Router();
  const acceptFiles = acceptUploads({ field: 'files', maxBytes: uploads.maxBytes, maxFiles: uploads.maxFiles, form: { fields: 1 } /* _csrf */, tmpDir: uploads.tmpDir, rateLimit: uploads.rateLimit });

  /** Which id a route parameter or field names; an id that cannot be one is a place that does not exist. */
  function idOf(value: unknown, req: Request, what: 'course' | 'folder' | 'file'): string {
    const parsed = uuid.safeParse(value);
    if (parsed.success) return parsed.data;
    throw new NotFoundError(req.t(`files:errors.${what}NotFound`), { code: `${what.toUpperCase()}_NOT_FOUND` });
  }

  /** A folder chosen in a query or a form: '' or absent is the course's top level. */
  function placeOf(value: unknown, req: Request): string | null {
    return value === undefined || value === null || value === '' ? null : idOf(value, req, 'folder');
  }

  function wantsHtml(req: Request): boolean {
    return req.accepts(['html', 'json']) === 'html';
  }

  /**
   * Makes a change sent from a form and answers it; a problem the person can fix (a bad or taken
   * name, a move that cannot be) shows the form again instead, for pages. JSON callers get errors.
   */
  async function submitForm<T>(req: Request, res: Response, change: () => Promise<T>, done: (result: T) => Done, showForm: (error: AppError) => Promise<void>): Promise<void> {
    let result: T;
    try {
      result = await change();
    } catch (error) {
      if (!isFormError(error) || !wantsHtml(req)) throw error;
      return showForm(error);
    }
    const answer = done(result);
    res.format({ html: () => res.redirect(303, answer.location), json: () => res.status(answer.status ?? 200).json(answer.json) });
  }

  /** The rename and the move forms of a file or a folder, at `path` (its id in the parameter `:fileId` or `:folderId`). */
  function editRoutes<T>(path: string, editable: Editable<T>): void {
    const ids = (req: Request) => ({ courseId: idOf(req.params.courseId, req, 'course'), id: idOf(req.params[`${editable.what}Id`], req, editable.what) });

    router.post(`${path}/rename`, async (req, res) => {
      const { courseId, id } = ids(req);
      const name = (req.body as { name?: unknown } | undefined)?.name;
      await submitForm(
        req,
        res,
        () => editable.rename(currentActor(req), courseId, id, name, req.t),
        (item) => editable.done(courseId, item, 'renamed'),
        (error) => editable.showForm(req, res, error.status, courseId, id, { name: typeof name === 'string' ? name : '' }, { name: fieldMessage(error, 'name') }),
      );
    });

    router.post(`${path}/move`, async (req, res) => {
      const { courseId, id } = ids(req);
      const field = editable.placeField;
      const place = placeOf((req.body as Record<string, unknown> | undefined)?.[field], req);
      await submitForm(
        req,
        res,
        () => editable.move(currentActor(req), courseId, id, place, req.t),
        (item) => editable.done(courseId, item, 'moved'),
        (error) => editable.showForm(req, res, error.status, courseId, id, { [field]: place }, { [field]: fieldMessage(error, field) }),
      );
    });
  }

  async function renderBrowse(req: Request, res: Response, status: number, courseId: string, folderId: string | null, form: BrowseForm = {}) {
    const actor = currentActor(req);
    const language = String(res.locals.language ?? 'en');
    const listing = await files.list(actor, courseId, folderId, req.t);
    const notice = NOTICES.includes(req.query.notice as Notice) ? (req.query.notice as Notice) : null;
    const count = Math.max(0, Math.min(1000, Number.parseInt(String(req.query.count ?? '1'), 10) || 1));
    const csrf = String(res.locals.csrfToken());
    res.status(status).render('files/browse', {
      title: listing.folder ? listing.folder.name : req.t('files:courseTitle', { course: listing.course.name }),
      course: listing.course,
      manage: listing.access === 'manage',
      folder: listing.folder,
      breadcrumbs: [
        // Students reach a course's files from the course; the others from Files.
        ...(actor.role === 'student' ? [] : [{ name: req.t('files:title'), href: '/backend/files' }]),
        ...listing.breadcrumbs.map((crumb) => ({ name: crumb.name, href: urls.folder(listing.course.id, crumb.id) })),
      ],
      folders: listing.folders.map((folder) => ({ id: folder.id, name: folder.name, href: urls.folder(listing.course.id, folder.id), editHref: urls.editFolder(listing.course.id, folder.id), date: formatDate(folder.updatedAt, language), isoDate: new Date(folder.updatedAt).toISOString() })),
      files: listing.files.map((file) => ({ ...fileRow(listing.course.id, file, language, req.t), deleteAction: urls.fileAction(listing.course.id, file.id, 'delete') })),
      flash: notice ? req.t(`files:notices.${notice}`, { count }) : null,
      newFolderAction: urls.newFolder(listing.course.id),
      // Multipart bodies are checked for their CSRF token before they are read: the token rides in the query.
      uploadAction: urls.upload(listing.course.id, listing.folder?.id ?? null),
      csrf,
      nameMax: NAME_MAX,
      maxFiles: uploads.maxFiles,
      maxSize: formatSize(uploads.maxBytes, language, req.t),
      folderName: form.folderName ?? '',
      folderError: form.folderError ?? null,
      uploadError: form.uploadError ?? null,
    });
  }

  // A course's files are under Files in the menu, for those who have it there (students come from the course).
  router.use(['/courses/:courseId/files', '/courses/:courseId/folders'], (_req, res, next) => {
    const nav = res.locals.backendNav as NavEntry[] | undefined;
    if (nav?.some((entry) => entry.key === 'files')) res.locals.backendNav = nav.map((entry) => ({ ...entry, current: entry.key === 'files' }));
    next();
  });

  router.get('/files', allowRoles('administrator', 'instructor'), async (req, res) => {
    const courses = await files.courses(currentActor(req));
    const language = String(res.locals.language ?? 'en');
    res.format({
      html: () =>
        res.render('files/index', {
          title: req.t('files:title'),
          courses: courses.map((course) => ({ ...course, href: urls.course(course.id), size: formatSize(course.bytes, language, req.t) })),
        }),
      json: () => res.json({ courses: courses.map(({ id, name, kind, active, access, files: count, bytes }) => ({ id, name, kind, active, access, files: count, bytes, url: urls.course(id) })) }),
    });
  });

  router.get('/courses/:courseId/files', async (req, res) => {
    const courseId = idOf(req.params.courseId, req, 'course');
    const folderId = placeOf(req.query.folder, req);
    if (wantsHtml(req)) return renderBrowse(req, res, 200, courseId, folderId);
    const listing = await files.list(currentActor(req), courseId, folderId, req.t);
    res.json({
      course: listing.course,
      access: listing.access,
      folder: listing.folder ? folderJson(listing.folder) : null,
      breadcrumbs: listing.breadcrumbs,
      folders: listing.folders.map(folderJson),
      files: listing.files.map((file) => fileJson(listing.course.id, file)),
    });
  });

  router.post(
    '/courses/:courseId/files/upload',
    // Who may upload where is settled before a byte of the body is read.
    async (req: Request, _res: Response, next: NextFunction) => {
      await files.checkUpload(currentActor(req), idOf(req.params.courseId, req, 'course'), placeOf(req.query.folder, req), req.t);
      next();
    },
    (req: Request, res: Response, next: NextFunction) => acceptFiles(req, res, (error?: unknown) => next(error ? uploadError(error, req, uploads) : undefined)),
    async (req: Request, res: Response) => {
      const courseId = idOf(req.params.courseId, req, 'course');
      const folderId = placeOf(req.query.folder, req);
      const stored = await files.upload(currentActor(req), courseId, folderId, uploadedFiles(req), req.t);
      const location = urls.folder(courseId, folderId, { notice: 'uploaded', count: stored.length });
      res.format({
        html: () => res.redirect(303, location),
        json: () => res.status(201).json({ files: stored.map((file) => fileJson(courseId, file)), location }),
      });
    },
    // A browser without the upload script sees the folder again, with the problem above the upload form.
    async (raised: unknown, req: Request, res: Response, next: NextFunction) => {
      const error = raised instanceof StorageQuotaError ? quotaError(raised, req) : raised;
      if (!(error instanceof AppError) || ![400, 413, 500].includes(error.status) || !wantsHtml(req) || res.headersSent) return next(error);
      await renderBrowse(req, res, error.status, idOf(req.params.courseId, req, 'course'), placeOf(req.query.folder, req), { uploadError: error.message });
    },
  );

  router.get('/courses/:courseId/files/:fileId/download', async (req, res) => {
    const download = await files.download(currentActor(req), idOf(req.params.courseId, req, 'course'), idOf(req.params.fileId, req, 'file'), req.t);
    await sendDownload(res, download, req.t('files:errors.fileNotFound'));
  });

  async function renderFile(req: Request, res: Response, status: number, courseId: string, fileId: string, draft: Draft = {}, errors: Record<string, string> = {}) {
    const { course, file, path, moveTargets } = await files.file(currentActor(req), courseId, fileId, req.t);
    res.status(status).render('files/edit-file', {
      title: req.t('files:editFileTitle', { name: file.name }),
      course,
      file: fileRow(course.id, file, String(res.locals.language ?? 'en'), req.t),
      breadcrumbs: [course.name, ...path],
      backHref: urls.folder(course.id, file.folderId),
      renameAction: urls.fileAction(course.id, file.id, 'rename'),
      moveAction: urls.fileAction(course.id, file.id, 'move'),
      deleteAction: urls.fileAction(course.id, file.id, 'delete'),
      moveTargets: moveTargets.map((choice) => ({ value: choice.id ?? '', label: choiceLabel(choice, course.name) })),
      draftName: draft.name ?? file.name,
      draftFolder: draft.folder === undefined ? (file.folderId ?? '') : (draft.folder ?? ''),
      errors,
      nameMax: NAME_MAX,
    });
  }

  router.get('/courses/:courseId/files/:fileId/edit', async (req, res) => {
    await renderFile(req, res, 200, idOf(req.params.courseId, req, 'course'), idOf(req.params.fileId, req, 'file'));
  });

  editRoutes<StoredFile>('/courses/:courseId/files/:fileId', {
    what: 'file',
    placeField: 'folder',
    rename: (actor, courseId, fileId, name, t) => files.renameFile(actor, courseId, fileId, name, t),
    move: (actor, courseId, fileId, folderId, t) => files.moveFile(actor, courseId, fileId, folderId, t),
    done: (courseId, file, notice) => ({ location: urls.folder(courseId, file.folderId, { notice }), json: { file: fileJson(courseId, file) } }),
    showForm: renderFile,
  });

  router.post('/courses/:courseId/files/:fileId/delete', async (req, res) => {
    const courseId = idOf(req.params.courseId, req, 'course');
    const removed = await files.deleteFile(currentActor(req), courseId, idOf(req.params.fileId, req, 'file'), req.t);
    res.format({ html: () => res.redirect(303, urls.folder(courseId, removed.folderId, { notice: 'fileDeleted' })), json: () => res.json({ deleted: { files: 1 } }) });
  });

  router.post('/courses/:courseId/folders', async (req, res) => {
    const courseId = idOf(req.params.courseId, req, 'course');
    const body = (req.body ?? {}) as { name?: unknown; parent?: unknown };
    const parentId = placeOf(body.parent, req);
    await submitForm(
      req,
      res,
      () => files.createFolder(currentActor(req), courseId, parentId, body.name, req.t),
      (folder) => ({ location: urls.folder(courseId, parentId, { notice: 'folderCreated' }), json: { folder: folderJson(folder) }, status: 201 }),
      (error) => renderBrowse(req, res, error.status, courseId, parentId, { folderName: typeof body.name === 'string' ? body.name : '', folderError: fieldMessage(error, 'name') }),
    );
  });

  async function renderFolder(req: Request, res: Response, status: number, view: 'edit-folder' | 'delete-folder', courseId: string, folderId: string, draft: Draft = {}, errors: Record<string, string> = {}) {
    const { course, folder, path, contents, moveTargets } = await files.folder(currentActor(req), courseId, folderId, req.t);
    const language = String(res.locals.language ?? 'en');
    res.status(status).render(`files/${view}`, {
      title: req.t(view === 'edit-folder' ? 'files:editFolderTitle' : 'files:deleteFolderTitle', { name: folder.name }),
      course,
      folder: { id: folder.id, name: folder.name },
      breadcrumbs: [course.name, ...path],
      backHref: urls.folder(course.id, folder.parentId),
      openHref: urls.folder(course.id, folder.id),
      renameAction: urls.folderAction(course.id, folder.id, 'rename'),
      moveAction: urls.folderAction(course.id, folder.id, 'move'),
      deleteAction: urls.folderAction(course.id, folder.id, 'delete'),
      deleteHref: urls.folderAction(course.id, folder.id, 'delete'),
      contents: { ...contents, size: formatSize(contents.bytes, language, req.t) },
      moveTargets: moveTargets.map((choice) => ({ value: choice.id ?? '', label: choiceLabel(choice, course.name) })),
      draftName: draft.name ?? folder.name,
      draftParent: draft.parent === undefined ? (folder.parentId ?? '') : (draft.parent ?? ''),
      errors,
      nameMax: NAME_MAX,
    });
  }

  router.get('/courses/:courseId/folders/:folderId/edit', async (req, res) => {
    await renderFolder(req, res, 200, 'edit-folder', idOf(req.params.courseId, req, 'course'), idOf(req.params.folderId, req, 'folder'));
  });

  editRoutes<Folder>('/courses/:courseId/folders/:folderId', {
    what: 'folder',
    placeField: 'parent',
    rename: (actor, courseId, folderId, name, t) => files.renameFolder(actor, courseId, folderId, name, t),
    move: (actor, courseId, folderId, parentId, t) => files.moveFolder(actor, courseId, folderId, parentId, t),
    done: (courseId, folder, notice) => ({ location: urls.folder(courseId, folder.parentId, { notice }), json: { folder: folderJson(folder) } }),
    showForm: (req, res, status, courseId, folderId, draft, errors) => renderFolder(req, res, status, 'edit-folder', courseId, folderId, draft, errors),
  });

  // Deleting a folder removes everything in it: a page says how much, and the delete itself must say it was confirmed.
  router.get('/courses/:courseId/folders/:folderId/delete', async (req, res) => {
    await renderFolder(req, res, 200, 'delete-folder', idOf(req.params.courseId, req, 'course'), idOf(req.params.folderId, req, 'folder'));
  });

  router.post('/courses/:courseId/folders/:folderId/delete', async (req, res) => {
    const courseId = idOf(req.params.courseId, req, 'course');
    const folderId = idOf(req.params.folderId, req, 'folder');
    const confirm = (req.body as { confirm?: unknown } | undefined)?.confirm;
    if (confirm !== 'yes' && confirm !== true) {
      // Whoever may not manage this course learns nothing more than they would from the delete.
      await files.folder(currentActor(req), courseId, folderId, req.t);
      if (wantsHtml(req)) return renderFolder(req, res, 400, 'delete-folder', courseId, folderId);
      throw new ValidationError(req.t('files:errors.confirmDelete'), { confirm: req.t('files:problems.confirm') });
    }
    const { parentId, folders, files: fileCount } = await files.deleteFolder(currentActor(req), courseId, folderId, req.t);
    res.format({ html: () => res.redirect(303, urls.folder(courseId, parentId, { notice: 'folderDeleted' })), json: () => res.json({ deleted: { folders, files: fileCount } }) });
  });

  return router;
}

/** Problems a person fixes in the form: a bad or taken name, a move that cannot be. */
function isFormError(error: unknown): error is AppError {
  return error instanceof ValidationError || (error instanceof AppError && error.code === 'NAME_TAKEN');
}

function fieldMessage(error: AppError, field: string): string {
  return error instanceof ValidationError && error.fields[field] ? error.fields[field] : error.message;
}

function languageOf(req: Request): string {
  return isString(req.res?.locals.language) ? req.res.locals.language : 'en';
}

/** The quota an upload would go over, named in the person's number format. */
function quotaError(error: StorageQuotaError, req: Request): AppError {
  const quota = formatSize(error.quotaBytes, languageOf(req), req.t);
  return new AppError(413, req.t(`files:errors.${error.scope}Quota`, { quota }), { code: error.code, help: req.t(`files:errors.${error.scope}QuotaHelp`), cause: error });
}

/** The upload's limits, in the person's language and naming the limit. */
function uploadError(error: unknown, req: Request, limits: FilesRouterDeps['uploads']): unknown {
  if (!(error instanceof AppError)) return error;
  const language = languageOf(req);
  switch (error.code) {
    case 'FILE_TOO_LARGE':
      return new AppError(413, req.t('files:errors.tooLarge', { limit: formatSize(limits.maxBytes, language, req.t) }), { code: error.code, help: req.t('files:errors.tooLargeHelp'), cause: error });
    case 'TOO_MANY_FILES':
      return new AppError(413, req.t('files:errors.tooMany', { count: limits.maxFiles }), { code: error.code, help: req.t('files:errors.tooManyHelp'), cause: error });
    case 'VALIDATION_FAILED':
      return new ValidationError(req.t('files:errors.uploadBroken'), { files: req.t('files:problems.uploadBroken') }, { cause: error });
    case 'UPLOAD_FAILED':
      return new AppError(500, req.t('files:errors.storageFailed'), { code: 'STORAGE_FAILED', help: req.t('files:errors.storageFailedHelp'), cause: error });
    default:
      return error;
  }
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}
