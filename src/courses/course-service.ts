/**
 * Courses in the rooms backend: who sees which (administrators every room,
 * instructors the ones they instruct, active or not, students the active ones
 * they belong to), making, changing and deleting them, their plan and the
 * organisation's licences, and entering a course's room.
 *
 * Who may do what:
 * - administrators make courses, change everything of any room (plan and
 *   members included), delete courses and set the licences;
 * - instructors prepare the courses they instruct: picture, name, summary and
 *   description; the plan (licences) and the members stay with administrators;
 * - a channel's room keeps the channel's name from MediaSpace.
 */
import { randomUUID } from 'node:crypto';
import type { TFunction } from 'i18next';
import { AppError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../lib/errors/app-error.ts';
import type { Logger } from '../lib/logger/logger.ts';
import type { UploadedFile } from '../lib/http/multipart.ts';
import { courseAccess, type BackendActor, type CourseAccess } from '../backend/backend-access.ts';
import { ImageService, type StoredImage } from '../images/image-service.ts';
import type { ModuleSettingsService } from '../module-settings/module-settings-service.ts';
import { roomAccessFor } from '../channels/role-mapping.ts';
import type { RoomCacheInvalidation } from '../rooms/cached-room-store.ts';
import type { LiveSessionStore } from '../rooms/live-session-store.ts';
import { ALL_ROOM_PERMISSIONS } from '../rooms/room-permissions.ts';
import type { RoomLaunchService } from '../rooms/room-launch-service.ts';
import type { CourseMemberStore, CourseRole } from './course-member-store.ts';
import {
  LicencesInUseError,
  NoFreeLicenceError,
  type Course,
  type CourseFields,
  type CourseMemberView,
  type CourseStore,
  type MemberChoice,
  type Person,
} from './course-store.ts';
import { PLAN_LIMIT_KEYS, type Plan, type PlanCatalogue, type PlanLimits } from './plan-catalogue.ts';
import type { RecordingFiles } from '../recordings/library/recording-files.ts';

/** What a course form says; fields left undefined stay as they are (an instructor's form has no plan and no members). */
export interface CourseInput {
  name: string;
  summary: string;
  description: string;
  /** null: no plan (MediaSpace rooms only). */
  planId?: string | null;
  /** The course's own limits, used when the plan has custom limits. */
  planLimits?: PlanLimits | null;
  members?: MemberChoice[];
  /** People added by address (the form's "Add people" box), on top of `members`. */
  addByEmail?: { emails: string[]; role: CourseRole };
  removeImage?: boolean;
}

/** How many people the member picker offers for what was typed. */
export const PEOPLE_SEARCH_LIMIT = 20;

export interface CourseView extends Course {
  plan: Plan | null;
  /** On an active plan, or a MediaSpace room outside the plans: visible to its students and can go live. */
  active: boolean;
  live: boolean;
  /** Live with no instructor in the room: minutes until it ends by itself; otherwise null. */
  endsInMinutes: number | null;
  limits: PlanLimits | null;
  access: Exclude<CourseAccess, null>;
  cardImageUrl: string | null;
}

export interface CourseDetail extends CourseView {
  members: CourseMemberView[];
}

export interface LicenceView {
  plan: Plan;
  purchased: number;
  inUse: number;
}

export interface CourseLaunch {
  launchUrl: string;
  roomId: string;
  roomRole: 'instructor' | 'participant';
  openInNewTab: boolean;
}

/** Removes stored course files by key (the files capability's storage under the data folder). */
export interface CourseFileRemoval {
  remove(keys: readonly string[]): Promise<void>;
}

export interface CourseServiceDeps {
  courses: CourseStore;
  members: CourseMemberStore;
  plans: PlanCatalogue;
  images: Pick<ImageService, 'store' | 'delete'>;
  liveSessions: Pick<LiveSessionStore, 'findLive' | 'listLive'>;
  /** How long a live session with no instructor has left (src/live-room). */
  instructorWatch?: { minutesLeftWithoutInstructor(roomId: string): number | null };
  launches: Pick<RoomLaunchService, 'launchUrl'>;
  settings: Pick<ModuleSettingsService, 'current'>;
  /** Caches that remember rooms or their live state: told about every write. */
  roomCaches: RoomCacheInvalidation[];
  files: CourseFileRemoval;
  /** A deleted course's recordings' files (src/recordings/library). */
  recordingFiles: Pick<RecordingFiles, 'removeRecording'>;
  logger: Logger;
  now: () => number;
}

export class CourseService {
  readonly #deps: CourseServiceDeps;

  constructor(deps: CourseServiceDeps) {
    this.#deps = deps;
  }

  get plans(): PlanCatalogue {
    return this.#deps.plans;
  }

  /** The courses this person sees, as cards. */
  async list(actor: BackendActor): Promise<CourseView[]> {
    const { courses, plans } = this.#deps;
    const live = new Set((await this.#deps.liveSessions.listLive()).map((session) => session.roomId));
    if (actor.role === 'administrator') return (await courses.listAll()).map((course) => this.#view(course, 'manage', live.has(course.id)));
    const views: CourseView[] = [];
    for (const course of await courses.listForMember(actor.userId)) {
      const access: CourseAccess = course.memberRole === 'instructor' ? 'manage' : plans.isActive(course) ? 'attend' : null;
      if (access) views.push(this.#view(course, access, live.has(course.id)));
    }
    return views;
  }

  /** One course; a course the person has no access to is not found, as if it did not exist. */
  async get(actor: BackendActor, id: string, t: TFunction): Promise<CourseDetail> {
    const { course, access } = await this.#visible(actor, id, t);
    const live = (await this.#deps.liveSessions.findLive(course.id)) !== null;
    return { ...this.#view(course, access, live), members: access === 'manage' ? await this.#deps.courses.members(course.id) : [] };
  }

  /** One course the person may change (administrators, its instructors). */
  async forEditing(actor: BackendActor, id: string, t: TFunction): Promise<CourseDetail> {
    const detail = await this.get(actor, id, t);
    if (detail.access !== 'manage') throw new ForbiddenError(t('courses:errors.cannotEdit'), { code: 'COURSE_NOT_MANAGED' });
    return detail;
  }

  /** People a course can be given (backend accounts, MediaSpace users who launched once) whose name or address holds every word searched. */
  searchPeople(search: string): Promise<Person[]> {
    return search.trim() === '' ? Promise.resolve([]) : this.#deps.courses.people({ search, limit: PEOPLE_SEARCH_LIMIT });
  }

  /** The people of a member list, to show them by name. */
  peopleByIds(ids: readonly string[]): Promise<Person[]> {
    return this.#deps.courses.people({ ids });
  }

  async create(actor: BackendActor, input: CourseInput, upload: UploadedFile | null, t: TFunction): Promise<Course> {
    requireAdministrator(actor, t);
    const planId = input.planId ?? this.#deps.plans.inactivePlan.id;
    if (!this.#deps.plans.find(planId)) throw new ValidationError(t('common:errors.fixBelow'), { plan: t('courses:errors.planUnknown') });
    const members = await this.#checkMembers(input.members ?? [], input.addByEmail, t);
    const image = upload ? await this.#storeImage(upload, actor, t) : null;
    const now = this.#deps.now();
    try {
      return await this.#deps.courses.create(
        {
          id: randomUUID(),
          name: input.name,
          summary: input.summary,
          description: input.description,
          planId,
          planLimits: this.#limitsToStore(planId, input.planLimits),
          imageId: image?.id ?? null,
          createdBy: actor.userId,
          createdAt: now,
        },
        members,
        this.#deps.plans,
      );
    } catch (error) {
      if (image) await this.#deps.images.delete(image.id);
      throw this.#licenceError(error, t);
    }
  }

  /** Saves a change made on `expectedVersion`; someone else's save in between is a 409, and nothing is changed. */
  async update(actor: BackendActor, id: string, expectedVersion: number, input: CourseInput, upload: UploadedFile | null, t: TFunction): Promise<void> {
    const { course, access } = await this.#visible(actor, id, t);
    if (access !== 'manage') throw new ForbiddenError(t('courses:errors.cannotEdit'), { code: 'COURSE_NOT_MANAGED' });
    const administrator = actor.role === 'administrator';
    const planId = input.planId === undefined ? course.planId : input.planId;
    const planChanged = planId !== course.planId || (input.planLimits !== undefined && !sameLimits(this.#limitsToStore(planId, input.planLimits), course.planLimits));
    if (!administrator && (planChanged || input.members !== undefined || input.addByEmail !== undefined)) {
      throw new ForbiddenError(t('courses:errors.planAndMembersForAdministrators'), { code: 'ADMINISTRATORS_ONLY' });
    }
    if (planId === null && course.kind === 'course') throw new ValidationError(t('common:errors.fixBelow'), { plan: t('courses:errors.planRequired') });
    if (planId !== null && !this.#deps.plans.find(planId)) throw new ValidationError(t('common:errors.fixBelow'), { plan: t('courses:errors.planUnknown') });
    if (!this.#deps.plans.isActive({ planId }) && this.#deps.plans.isActive(course) && (await this.#deps.liveSessions.findLive(course.id))) {
      throw new ConflictError(t('courses:errors.deactivateWhileLive'), { code: 'COURSE_LIVE' });
    }
    const members = input.members === undefined && input.addByEmail === undefined ? null : await this.#checkMembers(input.members ?? (await this.#deps.courses.members(id)), input.addByEmail, t);

    const image = upload ? await this.#storeImage(upload, actor, t) : null;
    const change: CourseFields = {
      // A channel's room is named after the channel in MediaSpace, and follows it there.
      name: course.kind === 'channel' ? course.name : input.name,
      summary: input.summary,
      description: input.description,
      planId,
      planLimits: input.planLimits === undefined && planId === course.planId ? course.planLimits : this.#limitsToStore(planId, input.planLimits),
      imageId: image ? image.id : input.removeImage ? null : course.imageId,
    };
    let outcome;
    try {
      outcome = await this.#deps.courses.update(id, expectedVersion, change, members, this.#deps.plans, actor.userId, this.#deps.now());
    } catch (error) {
      if (image) await this.#deps.images.delete(image.id);
      throw this.#licenceError(error, t);
    } finally {
      this.#forget(course);
    }
    if (outcome !== 'saved') {
      if (image) await this.#deps.images.delete(image.id);
      if (outcome === 'missing') throw notFound(t);
      throw new ConflictError(t('common:errors.conflict'), { code: 'STALE_VERSION', help: t('common:errors.conflictHelp') });
    }
    // The replaced picture goes once the new one is saved.
    if (course.imageId && course.imageId !== change.imageId) await this.#deps.images.delete(course.imageId);
  }

  /** How many recordings deleting the course deletes (administrators, who may delete it). */
  async recordingCount(actor: BackendActor, id: string, t: TFunction): Promise<number> {
    requireAdministrator(actor, t);
    return this.#deps.courses.recordingCount(id);
  }

  /**
   * Deletes the room and everything hanging on it: members, folders and files (records and
   * stored bytes), its picture, room passes, its sessions' history and its recordings (rows
   * and files; the recorded time stays in the ledger). Not while it is live.
   */
  async delete(actor: BackendActor, id: string, t: TFunction): Promise<void> {
    requireAdministrator(actor, t);
    const outcome = await this.#deps.courses.remove(id);
    if (outcome === 'missing') throw notFound(t);
    if (outcome === 'live') throw new ConflictError(t('courses:errors.deleteWhileLive'), { code: 'COURSE_LIVE', help: t('courses:errors.deleteWhileLiveHelp') });
    this.#forget(outcome);
    // The records are gone; what remains on disk would be unreachable, so a failure here is logged, not shown.
    try {
      if (outcome.imageId) await this.#deps.images.delete(outcome.imageId);
      if (outcome.fileStorageKeys.length > 0) await this.#deps.files.remove(outcome.fileStorageKeys);
      for (const recording of outcome.recordings) await this.#deps.recordingFiles.removeRecording(recording);
    } catch (error) {
      this.#deps.logger.error({ err: error, roomId: id }, 'removing a deleted course\'s stored files failed');
    }
  }

  /** Into the course's room: its instructors (and administrators) as instructors, its students as participants. */
  async enter(actor: BackendActor, id: string, t: TFunction, sessionId: string): Promise<CourseLaunch> {
    const { course, access } = await this.#visible(actor, id, t);
    const settings = await this.#deps.settings.current();
    const person = { id: actor.userId, name: actor.name, email: actor.email, sessionId };
    // Instructors get everything, like the owner of a private room; participants what the module's role mapping gives a channel member.
    const [role, permissions] = access === 'manage' ? (['instructor', ALL_ROOM_PERMISSIONS] as const) : (['participant', roomAccessFor('member', settings.roleMapping).permissions] as const);
    const launchUrl = this.#deps.launches.launchUrl(course, person, role, permissions, settings.launchTokenLifetimeSeconds);
    return { launchUrl, roomId: course.id, roomRole: role, openInNewTab: settings.openInNewTab };
  }

  /** Purchased and used licences of every plan a course can be active on. */
  async licences(): Promise<LicenceView[]> {
    const plans = this.#deps.plans.licensed();
    const counts = await this.#deps.courses.licenceCounts(plans.map((plan) => plan.id));
    return plans.map((plan) => {
      const count = counts.find((candidate) => candidate.planId === plan.id)!;
      return { plan, purchased: count.purchased, inUse: count.inUse };
    });
  }

  /** Sets purchased licences per plan; fewer than the courses active on a plan is refused. */
  async setLicences(actor: BackendActor, purchased: Record<string, number>, t: TFunction): Promise<void> {
    requireAdministrator(actor, t);
    for (const planId of Object.keys(purchased)) {
      if (!this.#deps.plans.needsLicence(planId)) throw new ValidationError(t('common:errors.fixBelow'), { [`licences.${planId}`]: t('courses:errors.planUnknown') });
    }
    try {
      await this.#deps.courses.setLicences(purchased, actor.userId, this.#deps.now());
    } catch (error) {
      if (!(error instanceof LicencesInUseError)) throw error;
      const plan = this.#deps.plans.find(error.planId)!;
      throw new ConflictError(t('courses:licences.belowInUse', { count: error.inUse, plan: plan.label, wanted: error.wanted }), { code: 'LICENCES_IN_USE', help: t('courses:licences.belowInUseHelp', { plan: plan.label }) });
    }
  }

  async #visible(actor: BackendActor, id: string, t: TFunction): Promise<{ course: Course; access: Exclude<CourseAccess, null> }> {
    const course = await this.#deps.courses.findById(id);
    if (!course) throw notFound(t);
    const access = await courseAccess(actor, { id: course.id, active: this.#deps.plans.isActive(course) }, this.#deps.members);
    if (!access) throw notFound(t);
    return { course, access };
  }

  #view(course: Course, access: Exclude<CourseAccess, null>, live: boolean): CourseView {
    const { plans } = this.#deps;
    return {
      ...course,
      plan: plans.find(course.planId),
      active: plans.isActive(course),
      live,
      endsInMinutes: live ? (this.#deps.instructorWatch?.minutesLeftWithoutInstructor(course.id) ?? null) : null,
      limits: plans.limitsOf(course),
      access,
      cardImageUrl: course.imageId ? ImageService.url(course.imageId, 'card') : null,
    };
  }

  /** A custom plan keeps the course's own limits (the plan's as defaults); other plans keep none. */
  #limitsToStore(planId: string | null, limits: PlanLimits | null | undefined): PlanLimits | null {
    const plan = this.#deps.plans.find(planId);
    if (!plan?.customLimits) return null;
    return limits ?? { virtualClassrooms: plan.virtualClassrooms, cloudRecordingHours: plan.cloudRecordingHours, selfPacedCourses: plan.selfPacedCourses, webcamUsers: plan.webcamUsers };
  }

  /** Only people the backend knows, and not deactivated ones; those added by address join the list (an address already there keeps its role). */
  async #checkMembers(members: readonly MemberChoice[], added: CourseInput['addByEmail'], t: TFunction): Promise<MemberChoice[]> {
    const chosen = new Map(members.map((member) => [member.userId, member.role]));
    if (added && added.emails.length > 0) {
      const found = await this.#deps.courses.people({ emails: added.emails });
      const byEmail = new Map(found.map((person) => [person.email?.trim().toLowerCase(), person.id]));
      const unknown = added.emails.filter((email) => !byEmail.has(email.trim().toLowerCase()));
      if (unknown.length > 0) throw new ValidationError(t('common:errors.fixBelow'), { addMembers: t('courses:errors.emailsUnknown', { count: unknown.length, emails: unknown.join(', ') }) });
      for (const id of byEmail.values()) if (!chosen.has(id)) chosen.set(id, added.role);
    }
    if (chosen.size === 0) return [];
    const known = new Set((await this.#deps.courses.people({ ids: [...chosen.keys()] })).map((person) => person.id));
    if ([...chosen.keys()].some((id) => !known.has(id))) throw new ValidationError(t('common:errors.fixBelow'), { members: t('courses:errors.memberUnknown') });
    return [...chosen].map(([userId, role]) => ({ userId, role }));
  }

  async #storeImage(upload: UploadedFile, actor: BackendActor, t: TFunction): Promise<StoredImage> {
    try {
      return await this.#deps.images.store(upload, 'course', actor.userId, this.#deps.now(), 'image');
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      const problem = error.code === 'IMAGE_TOO_MANY_PIXELS' ? t('courses:errors.imagePixels') : t('courses:errors.imageType');
      throw new ValidationError(problem, { image: problem }, { code: error.code });
    }
  }

  #licenceError(error: unknown, t: TFunction): unknown {
    if (!(error instanceof NoFreeLicenceError)) return error;
    const plan = this.#deps.plans.find(error.planId)!;
    const message =
      error.purchased === 0
        ? t('courses:licences.nonePurchased', { plan: plan.label })
        : t('courses:licences.allInUse', { count: error.purchased, plan: plan.label, inUse: error.inUse });
    return new ConflictError(message, { code: 'NO_FREE_LICENCE', help: t('courses:licences.allInUseHelp', { plan: plan.label }) });
  }

  #forget(room: { id: string; channelId: number | null }): void {
    for (const cache of this.#deps.roomCaches) cache.forgetRoom(room);
  }
}

function requireAdministrator(actor: BackendActor, t: TFunction): void {
  if (actor.role !== 'administrator') throw new ForbiddenError(t('courses:errors.administratorsOnly'), { code: 'ADMINISTRATORS_ONLY' });
}

function notFound(t: TFunction): AppError {
  return new NotFoundError(t('courses:errors.notFound'), { code: 'COURSE_NOT_FOUND', help: t('courses:errors.notFoundHelp') });
}

function sameLimits(a: PlanLimits | null, b: PlanLimits | null): boolean {
  if (a === null || b === null) return a === b;
  return PLAN_LIMIT_KEYS.every((key) => a[key] === b[key]);
}
