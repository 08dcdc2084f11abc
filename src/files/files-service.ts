/**
 * Course files: folders and subfolders, uploads, downloads, rename, move and
 * delete. Who may do what is decided here on every call from the module's
 * records (courseAccess): the course's instructors and administrators manage,
 * its students (while it is active) list and download, everyone else is told
 * the course does not exist. Files and folders are addressed by id and always
 * looked up within the course, so an id from another course is not found.
 * An upload is stored and recorded whole or not at all; deletes remove the
 * records first and the bytes after, so no record ever points at nothing.
 */
import { randomUUID } from 'node:crypto';
import type { TFunction } from 'i18next';
import { courseAccess, type BackendActor, type CourseAccess } from '../backend/backend-access.ts';
import type { CourseMemberStore } from '../courses/course-member-store.ts';
import type { PlanDefinition } from '../lib/config/config.ts';
import { AppError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../lib/errors/app-error.ts';
import { formatBytes, type UploadedFile } from '../lib/http/multipart.ts';
import type { Logger } from '../lib/logger/logger.ts';
import type { RoomKind } from '../rooms/room-store.ts';
import type { FileCourse, FileCourseStore } from './file-course-store.ts';
import { checkName, cleanUploadedName, NAME_MAX } from './file-names.ts';
import type { FileStorage } from './file-storage.ts';
import type { FileStore, StorageQuota, StorageScope, StoredFile } from './file-store.ts';
import { contentTypeFor, servedContentType } from './file-types.ts';
import { subtree, type Folder, type FolderStore } from './folder-store.ts';

export interface FilesServiceDeps {
  courses: FileCourseStore;
  folders: FolderStore;
  files: FileStore;
  storage: FileStorage;
  members: CourseMemberStore;
  plans: Readonly<Record<string, PlanDefinition>>;
  quota: StorageQuota;
  logger: Logger;
  now: () => number;
}

export interface FilesCourse {
  id: string;
  name: string;
  kind: RoomKind;
  active: boolean;
}

export interface CourseFilesEntry extends FilesCourse {
  access: Exclude<CourseAccess, null>;
  files: number;
  bytes: number;
}

export interface Crumb {
  /** null: the course's top level. */
  id: string | null;
  name: string;
}

export interface FolderListing {
  course: FilesCourse;
  access: Exclude<CourseAccess, null>;
  /** null: the course's top level. */
  folder: Folder | null;
  /** From the course's top level down to the folder shown. */
  breadcrumbs: Crumb[];
  folders: Folder[];
  files: StoredFile[];
}

export interface FolderChoice {
  id: string | null;
  /** The folder's names from the top, the top level itself being []. */
  path: string[];
}

export interface FolderContents {
  folders: number;
  files: number;
  bytes: number;
}

export interface Download {
  path: string;
  name: string;
  contentType: string;
  bytes: number;
}

export interface RoomFileGroup {
  /** Folder names from the course's top level; [] for files at the top. */
  path: string[];
  files: StoredFile[];
}

type T = TFunction;

/**
 * An upload that would take its course or the whole organisation over its storage quota (413).
 * `quotaBytes` lets a page name the quota in the person's own number format.
 */
export class StorageQuotaError extends AppError {
  readonly scope: StorageScope;
  readonly quotaBytes: number;

  constructor(scope: StorageScope, quotaBytes: number, t: T) {
    super(413, t(`files:errors.${scope}Quota`, { quota: formatBytes(quotaBytes) }), { code: scope === 'course' ? 'COURSE_QUOTA_EXCEEDED' : 'ORGANISATION_QUOTA_EXCEEDED', help: t(`files:errors.${scope}QuotaHelp`) });
    this.scope = scope;
    this.quotaBytes = quotaBytes;
  }
}
const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
const byName = (a: { name: string }, b: { name: string }) => collator.compare(a.name, b.name);

export class FilesService {
  readonly #deps: FilesServiceDeps;

  constructor(deps: FilesServiceDeps) {
    this.#deps = deps;
  }

  /** Courses a course's students see only while it is on an active plan; MediaSpace rooms have no plan and are always open. */
  isActive(planId: string | null): boolean {
    return planId === null || this.#deps.plans[planId]?.active === true;
  }

  /** The courses whose files this person may see: administrators all, others those they instruct or attend. */
  async courses(actor: BackendActor): Promise<CourseFilesEntry[]> {
    const { courses, files } = this.#deps;
    const candidates: Array<FileCourse & { access: Exclude<CourseAccess, null> }> =
      actor.role === 'administrator'
        ? (await courses.listAll()).map((course) => ({ ...course, access: 'manage' as const }))
        : (await courses.listForMember(actor.userId)).flatMap((course): Array<FileCourse & { access: Exclude<CourseAccess, null> }> => {
            if (course.role === 'instructor') return [{ ...course, access: 'manage' }];
            return this.isActive(course.planId) ? [{ ...course, access: 'attend' }] : [];
          });
    const stats = await files.stats(candidates.map((course) => course.id));
    return candidates
      .map((course) => ({ ...this.#view(course), access: course.access, files: stats.get(course.id)?.files ?? 0, bytes: stats.get(course.id)?.bytes ?? 0 }))
      .sort(byName);
  }

  /** What may this person do with this course's files? Throws 404 when nothing (the course's existence is not revealed). */
  async open(actor: BackendActor, courseId: string, t: T): Promise<{ course: FilesCourse; access: Exclude<CourseAccess, null> }> {
    const course = await this.#deps.courses.find(courseId);
    const view = course ? this.#view(course) : null;
    const access = view ? await courseAccess(actor, view, this.#deps.members) : null;
    if (!view || !access) throw new NotFoundError(t('files:errors.courseNotFound'), { code: 'COURSE_NOT_FOUND' });
    return { course: view, access };
  }

  /** As open(), for actions that change files: students are refused (403), everyone else not told (404). */
  async openToManage(actor: BackendActor, courseId: string, t: T): Promise<FilesCourse> {
    const { course, access } = await this.open(actor, courseId, t);
    if (access !== 'manage') throw new ForbiddenError(t('files:errors.manageOnly'), { code: 'FILES_MANAGE_ONLY' });
    return course;
  }

  async list(actor: BackendActor, courseId: string, folderId: string | null, t: T): Promise<FolderListing> {
    const { course, access } = await this.open(actor, courseId, t);
    const all = await this.#deps.folders.listAll(course.id);
    const folder = folderId === null ? null : (all.find((candidate) => candidate.id === folderId) ?? null);
    if (folderId !== null && !folder) throw folderNotFound(t);
    const files = await this.#deps.files.listIn(course.id, folderId);
    return {
      course,
      access,
      folder,
      breadcrumbs: [{ id: null, name: course.name }, ...ancestry(folder, all).map((step) => ({ id: step.id, name: step.name }))],
      folders: all.filter((candidate) => candidate.parentId === folderId).sort(byName),
      files: files.sort(byName),
    };
  }

  async folder(actor: BackendActor, courseId: string, folderId: string, t: T): Promise<{ course: FilesCourse; folder: Folder; path: string[]; contents: FolderContents; moveTargets: FolderChoice[] }> {
    const course = await this.openToManage(actor, courseId, t);
    const all = await this.#deps.folders.listAll(course.id);
    const folder = all.find((candidate) => candidate.id === folderId);
    if (!folder) throw folderNotFound(t);
    const tree = subtree(folder.id, all.map((item) => ({ id: item.id, parent_id: item.parentId })));
    const inside = new Set(tree);
    const files = (await this.#deps.files.listCourse(course.id)).filter((file) => file.folderId !== null && inside.has(file.folderId));
    return {
      course,
      folder,
      path: ancestry(folder, all).map((step) => step.name),
      contents: { folders: tree.length - 1, files: files.length, bytes: files.reduce((sum, file) => sum + file.bytes, 0) },
      moveTargets: choices(all).filter((choice) => choice.id === null || !inside.has(choice.id)),
    };
  }

  async file(actor: BackendActor, courseId: string, fileId: string, t: T): Promise<{ course: FilesCourse; file: StoredFile; path: string[]; moveTargets: FolderChoice[] }> {
    const course = await this.openToManage(actor, courseId, t);
    const file = await this.#deps.files.find(course.id, fileId);
    if (!file) throw fileNotFound(t);
    const all = await this.#deps.folders.listAll(course.id);
    const folder = all.find((candidate) => candidate.id === file.folderId) ?? null;
    return { course, file, path: ancestry(folder, all).map((step) => step.name), moveTargets: choices(all) };
  }

  async createFolder(actor: BackendActor, courseId: string, parentId: string | null, rawName: unknown, t: T): Promise<Folder> {
    const course = await this.openToManage(actor, courseId, t);
    const name = typedName(rawName, t);
    const now = this.#deps.now();
    const folder: Folder = { id: randomUUID(), courseId: course.id, parentId, name, createdBy: actor.userId, createdAt: now, updatedAt: now };
    const result = await this.#deps.folders.create(folder);
    if (result === 'parentMissing') throw folderNotFound(t);
    if (result === 'nameTaken') throw nameTaken(t, name);
    return folder;
  }

  async renameFolder(actor: BackendActor, courseId: string, folderId: string, rawName: unknown, t: T): Promise<Folder> {
    const course = await this.openToManage(actor, courseId, t);
    const name = typedName(rawName, t);
    const result = await this.#deps.folders.rename(course.id, folderId, name, this.#deps.now());
    if (result === 'missing') throw folderNotFound(t);
    if (result === 'nameTaken') throw nameTaken(t, name);
    return (await this.#deps.folders.find(course.id, folderId))!;
  }

  async moveFolder(actor: BackendActor, courseId: string, folderId: string, parentId: string | null, t: T): Promise<Folder> {
    const course = await this.openToManage(actor, courseId, t);
    const result = await this.#deps.folders.move(course.id, folderId, parentId, this.#deps.now());
    if (result === 'missing' || result === 'parentMissing') throw folderNotFound(t);
    if (result === 'cycle') throw new ValidationError(t('files:errors.moveIntoItself'), { parent: t('files:problems.intoItself') });
    if (result === 'nameTaken') throw nameTaken(t, (await this.#deps.folders.find(course.id, folderId))?.name ?? '');
    return (await this.#deps.folders.find(course.id, folderId))!;
  }

  /** Deletes a folder with its subfolders and files: the records in one transaction, then the stored bytes. */
  async deleteFolder(actor: BackendActor, courseId: string, folderId: string, t: T): Promise<{ parentId: string | null; folders: number; files: number }> {
    const course = await this.openToManage(actor, courseId, t);
    const removed = await this.#deps.folders.deleteTree(course.id, folderId);
    if (!removed) throw folderNotFound(t);
    await this.#removeStored(removed.storageKeys);
    return { parentId: removed.parentId, folders: removed.folders, files: removed.files };
  }

  /**
   * Checks, before an upload's body is read, that this person may upload into this folder, and that
   * neither the course nor the organisation is full already. Whether this upload fits is known only
   * once it is read, and is checked where it is recorded.
   */
  async checkUpload(actor: BackendActor, courseId: string, folderId: string | null, t: T): Promise<FilesCourse> {
    const course = await this.openToManage(actor, courseId, t);
    if (folderId !== null && !(await this.#deps.folders.find(course.id, folderId))) throw folderNotFound(t);
    const used = await this.#deps.files.usage(course.id);
    const full = (['course', 'organisation'] as const).find((scope) => used[scope] >= this.#deps.quota[scope]);
    if (full) throw new StorageQuotaError(full, this.#deps.quota[full], t);
    return course;
  }

  /**
   * Moves an upload's temporary files into storage under new keys and records them: all of them,
   * or (on any failure) none, with whatever was already stored removed again.
   */
  async upload(actor: BackendActor, courseId: string, folderId: string | null, uploads: readonly UploadedFile[], t: T): Promise<StoredFile[]> {
    const course = await this.checkUpload(actor, courseId, folderId, t);
    if (uploads.length === 0) throw new ValidationError(t('files:errors.noFiles'), { files: t('files:problems.chooseFiles') });
    const { storage, files } = this.#deps;
    const keys: string[] = [];
    try {
      for (const upload of uploads) keys.push(await storage.put(upload.path));
    } catch (error) {
      await this.#removeStored(keys);
      throw new AppError(500, t('files:errors.storageFailed'), { code: 'STORAGE_FAILED', help: t('files:errors.storageFailedHelp'), cause: error });
    }
    const now = this.#deps.now();
    const records = uploads.map((upload, index) => {
      const name = cleanUploadedName(upload.originalName);
      return { id: randomUUID(), name, contentType: contentTypeFor(name), bytes: upload.bytes, storageKey: keys[index]!, uploadedBy: actor.userId, createdAt: now };
    });
    let recorded: Awaited<ReturnType<FileStore['insertAll']>>;
    try {
      recorded = await files.insertAll(course.id, folderId, records, this.#deps.quota);
    } catch (error) {
      await this.#removeStored(keys);
      throw error;
    }
    if (!Array.isArray(recorded)) {
      await this.#removeStored(keys);
      if (recorded === 'folderMissing') throw folderNotFound(t);
      throw new StorageQuotaError(recorded.full, this.#deps.quota[recorded.full], t);
    }
    return recorded.map((file) => ({ ...file, uploaderName: actor.name }));
  }

  async download(actor: BackendActor, courseId: string, fileId: string, t: T): Promise<Download> {
    const { course } = await this.open(actor, courseId, t);
    const file = await this.#deps.files.find(course.id, fileId);
    if (!file) throw fileNotFound(t);
    return this.#download(file);
  }

  async renameFile(actor: BackendActor, courseId: string, fileId: string, rawName: unknown, t: T): Promise<StoredFile> {
    const course = await this.openToManage(actor, courseId, t);
    const name = typedName(rawName, t);
    const result = await this.#deps.files.rename(course.id, fileId, name, contentTypeFor(name), this.#deps.now());
    if (result === 'missing') throw fileNotFound(t);
    if (result === 'nameTaken') throw nameTaken(t, name);
    return (await this.#deps.files.find(course.id, fileId))!;
  }

  async moveFile(actor: BackendActor, courseId: string, fileId: string, folderId: string | null, t: T): Promise<StoredFile> {
    const course = await this.openToManage(actor, courseId, t);
    const result = await this.#deps.files.move(course.id, fileId, folderId, this.#deps.now());
    if (result === 'missing') throw fileNotFound(t);
    if (result === 'folderMissing') throw folderNotFound(t);
    const file = (await this.#deps.files.find(course.id, fileId))!;
    if (result === 'nameTaken') throw nameTaken(t, file.name);
    return file;
  }

  async deleteFile(actor: BackendActor, courseId: string, fileId: string, t: T): Promise<StoredFile> {
    const course = await this.openToManage(actor, courseId, t);
    const removed = await this.#deps.files.delete(course.id, fileId);
    if (!removed) throw fileNotFound(t);
    await this.#removeStored([removed.storageKey]);
    return removed;
  }

  /** A room's files for the instructors in it, grouped by folder, top level first. Whoever calls checks the room pass. */
  async roomFiles(roomId: string): Promise<RoomFileGroup[]> {
    const [all, files] = await Promise.all([this.#deps.folders.listAll(roomId), this.#deps.files.listCourse(roomId)]);
    const byFolder = new Map<string | null, StoredFile[]>();
    for (const file of files) byFolder.set(file.folderId, [...(byFolder.get(file.folderId) ?? []), file]);
    return choices(all)
      .filter((choice) => byFolder.has(choice.id))
      .map((choice) => ({ path: choice.path, files: byFolder.get(choice.id)!.sort(byName) }));
  }

  /** One file of a room, for an instructor in it; null when the room has no such file. Whoever calls checks the room pass. */
  async roomDownload(roomId: string, fileId: string): Promise<Download | null> {
    const file = await this.#deps.files.find(roomId, fileId);
    return file ? this.#download(file) : null;
  }

  /**
   * Removes stored bytes no record points to, last changed before `before` (an upload in flight
   * has stored bytes whose record is a moment away): left by a crash between the two steps, or by
   * a room deleted with its records whose bytes could not be removed.
   */
  async removeOrphanedStorage(before: number): Promise<number> {
    const known = await this.#deps.files.storageKeys();
    const orphans = (await this.#deps.storage.list()).filter((object) => !known.has(object.key) && object.modifiedAt < before).map((object) => object.key);
    await this.#removeStored(orphans);
    return orphans.length;
  }

  #view(course: FileCourse): FilesCourse {
    return { id: course.id, name: course.name, kind: course.kind, active: this.isActive(course.planId) };
  }

  #download(file: StoredFile): Download {
    return { path: this.#deps.storage.pathOf(file.storageKey), name: file.name, contentType: servedContentType(file.contentType), bytes: file.bytes };
  }

  /** Bytes whose records are gone (or never made it): a failure here leaves unreachable bytes, which removeOrphanedStorage finds later. */
  async #removeStored(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    try {
      await this.#deps.storage.remove(keys);
    } catch (error) {
      this.#deps.logger.warn({ err: error, count: keys.length }, 'removing stored files failed');
    }
  }
}

function typedName(raw: unknown, t: T): string {
  const checked = checkName(raw);
  if ('name' in checked) return checked.name;
  throw new ValidationError(t('files:errors.nameInvalid'), { name: t(`files:problems.${checked.problem}`, { max: NAME_MAX }) });
}

function nameTaken(t: T, name: string): ConflictError {
  return new ConflictError(t('files:errors.nameTaken', { name }), { code: 'NAME_TAKEN', help: t('files:errors.nameTakenHelp') });
}

function folderNotFound(t: T): NotFoundError {
  return new NotFoundError(t('files:errors.folderNotFound'), { code: 'FOLDER_NOT_FOUND' });
}

function fileNotFound(t: T): NotFoundError {
  return new NotFoundError(t('files:errors.fileNotFound'), { code: 'FILE_NOT_FOUND' });
}

/** The folder and its parents, top first; [] for the top level. */
function ancestry(folder: Folder | null, all: readonly Folder[]): Folder[] {
  const byId = new Map(all.map((item) => [item.id, item]));
  const path: Folder[] = [];
  for (let at = folder; at && path.length <= all.length; at = at.parentId ? (byId.get(at.parentId) ?? null) : null) path.unshift(at);
  return path;
}

/** Every place in a course, the top level first, then each folder followed by its subfolders, by name. */
function choices(all: readonly Folder[]): FolderChoice[] {
  const children = new Map<string | null, Folder[]>();
  for (const folder of all) children.set(folder.parentId, [...(children.get(folder.parentId) ?? []), folder]);
  const result: FolderChoice[] = [{ id: null, path: [] }];
  const visit = (parentId: string, path: string[]) => {
    for (const child of (children.get(parentId) ?? []).sort(byName)) {
      const childPath = [...path, child.name];
      result.push({ id: child.id, path: childPath });
      if (childPath.length <= all.length) visit(child.id, childPath);
    }
  };
  for (const top of (children.get(null) ?? []).sort(byName)) {
    result.push({ id: top.id, path: [top.name] });
    visit(top.id, [top.name]);
  }
  return result;
}
