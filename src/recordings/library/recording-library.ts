/**
 * The recordings library: a session's recordings as Session Stats lists them,
 * their player and download, and what people do with them.
 *
 * Who may do what, decided here on every call:
 * - seeing, playing, downloading, renaming and deleting a recording: whoever
 *   manages its course (administrators, the course's instructors), as for its
 *   session in Session Stats; another course's recording is not found (404);
 *   students never see recordings here (403), even when they may see their own
 *   attendance;
 * - Retry of a failed job, releasing a recording kept over quota, and adding
 *   recording hours to a course: administrators only.
 * Recorded time stays counted when a recording is deleted (the ledger is not touched).
 */
import { courseAccess, type BackendActor } from '../../backend/backend-access.ts';
import type { CourseMemberStore } from '../../courses/course-member-store.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '../../lib/errors/app-error.ts';
import { phrase } from '../../lib/i18n/phrase.ts';
import type { Logger } from '../../lib/logger/logger.ts';
import type { RecordingJobKind, RecordingState } from '../../lib/db/schema.ts';
import type { RecordingQuota, RecordingTime } from '../recording-quota.ts';
import type { RecordingEntryRemover } from './recording-entry-remover.ts';
import type { RecordingFiles } from './recording-files.ts';
import type { RecordingGrant, RecordingLibraryStore, RecordingRecord } from './recording-library-store.ts';

export interface RecordingLibraryDeps {
  store: RecordingLibraryStore;
  members: CourseMemberStore;
  quota: Pick<RecordingQuota, 'forRoom'>;
  files: RecordingFiles;
  entries: RecordingEntryRemover;
  logger: Logger;
  now: () => number;
  /** Told when a job was queued (Retry, release): processing looks for it now instead of at its next poll. */
  jobsQueued?: () => void;
}

/** One recording as the session page shows it. */
export interface RecordingView {
  id: string;
  title: string;
  state: RecordingState;
  publishState: RecordingRecord['publishState'];
  publishStatus: string | null;
  startedAt: number;
  endedAt: number | null;
  recordedByName: string | null;
  /** The final file's length once processed, else the metered time. */
  durationMs: number;
  sizeBytes: number | null;
  /** The running or queued job's progress (0–100), while processing or publishing. */
  progress: number | null;
  failureReason: string | null;
  publishFailure: string | null;
  playable: boolean;
  kalturaEntryId: string | null;
  /** False while something may still write its files (recording, processing). */
  deletable: boolean;
  version: number;
}

/** Hours added to a course at most at once: a typing slip, not a purchase. */
export const MAX_GRANT_HOURS = 1000;
const BUSY: readonly RecordingState[] = ['recording', 'paused', 'processing'];

export class RecordingLibrary {
  readonly #deps: RecordingLibraryDeps;

  constructor(deps: RecordingLibraryDeps) {
    this.#deps = deps;
  }

  /** A session's recordings; the caller (Session Stats) has checked that this person manages the session. */
  async forSession(sessionId: string): Promise<RecordingView[]> {
    return (await this.#deps.store.forSession(sessionId)).map(toView);
  }

  async view(actor: BackendActor, id: string): Promise<RecordingView & { liveSessionId: string; recordedSeconds: number }> {
    const record = await this.#managed(actor, id);
    return { ...toView(record), liveSessionId: record.liveSessionId, recordedSeconds: record.recordedSeconds };
  }

  /** The final file to play or download, with the name a download gets. */
  async file(actor: BackendActor, id: string): Promise<{ path: string; fileName: string }> {
    const record = await this.#managed(actor, id);
    const path = toView(record).playable ? await this.#deps.files.playable(record.storageKey) : null;
    if (path === null) throw new NotFoundError(phrase('recordings-library:errors.notPlayable'), { code: 'RECORDING_NOT_PLAYABLE' });
    return { path, fileName: `${record.title}.mp4` };
  }

  async rename(actor: BackendActor, id: string, version: number, title: string): Promise<string> {
    const record = await this.#managed(actor, id);
    if (!(await this.#deps.store.rename(record.id, version, title, this.#deps.now()))) throw stale();
    return record.liveSessionId;
  }

  /**
   * Deletes the recording, its jobs, its final file and any raw folder; with `deleteEntry`, its
   * Kaltura entry first (a Kaltura failure leaves everything in place, so it can be tried again).
   */
  async delete(actor: BackendActor, id: string, version: number, deleteEntry: boolean): Promise<string> {
    const record = await this.#managed(actor, id);
    if (BUSY.includes(record.state) || record.jobs.some((job) => job.state === 'running')) throw busy();
    if (record.version !== version) throw stale();
    if (deleteEntry && record.kalturaEntryId !== null) await this.#deps.entries.deleteEntry(record.kalturaEntryId);
    const removed = await this.#deps.store.remove(record.id, version);
    if (removed === null) throw (await this.#deps.store.find(record.id))?.version === version ? busy() : stale();
    try {
      await this.#deps.files.removeRecording({ id: record.id, ...removed });
    } catch (error) {
      this.#deps.logger.error({ err: error, recordingId: record.id }, "removing a deleted recording's files failed");
    }
    return record.liveSessionId;
  }

  /** An administrator's Retry of a failed job: queued again now, with its attempts from zero. */
  async retry(actor: BackendActor, id: string, version: number, kind: RecordingJobKind): Promise<string> {
    requireAdministrator(actor);
    const record = await this.#managed(actor, id);
    if (!(await this.#deps.store.retry(record.id, version, kind, this.#deps.now()))) throw stale();
    this.#deps.jobsQueued?.();
    return record.liveSessionId;
  }

  /** An administrator lets a recording kept over quota be processed. */
  async release(actor: BackendActor, id: string, version: number): Promise<string> {
    requireAdministrator(actor);
    const record = await this.#managed(actor, id);
    if (!(await this.#deps.store.release(record.id, version, this.#deps.now()))) throw stale();
    this.#deps.jobsQueued?.();
    return record.liveSessionId;
  }

  /** A course's recording time and the hours administrators added, newest first. */
  async hours(actor: BackendActor, roomId: string): Promise<{ room: { id: string; name: string }; time: RecordingTime; grants: RecordingGrant[] }> {
    requireAdministrator(actor);
    const room = await this.#deps.store.findRoom(roomId);
    if (!room) throw new NotFoundError(phrase('recordings-library:errors.courseNotFound'), { code: 'COURSE_NOT_FOUND' });
    const [time, grants] = await Promise.all([this.#deps.quota.forRoom(room.id), this.#deps.store.grants(room.id)]);
    return { room, time, grants };
  }

  async grant(actor: BackendActor, roomId: string, hours: number, note: string | null): Promise<void> {
    requireAdministrator(actor);
    const room = await this.#deps.store.findRoom(roomId);
    if (!room) throw new NotFoundError(phrase('recordings-library:errors.courseNotFound'), { code: 'COURSE_NOT_FOUND' });
    await this.#deps.store.addGrant({ roomId: room.id, seconds: Math.round(hours * 3600), note, grantedBy: actor.userId, grantedByName: actor.name, grantedAt: this.#deps.now() });
  }

  async #managed(actor: BackendActor, id: string): Promise<RecordingRecord> {
    if (actor.role === 'student') throw new ForbiddenError(phrase('recordings-library:errors.studentsNotAllowed'), { code: 'RECORDINGS_NOT_ALLOWED' });
    const record = await this.#deps.store.find(id);
    if (!record || (await courseAccess(actor, { id: record.roomId, active: true }, this.#deps.members)) !== 'manage') {
      throw new NotFoundError(phrase('recordings-library:errors.notFound'), { code: 'RECORDING_NOT_FOUND' });
    }
    return record;
  }
}

function toView(record: RecordingRecord): RecordingView {
  const job = (kind: RecordingJobKind) => record.jobs.find((entry) => entry.kind === kind) ?? null;
  const processing = record.state === 'queued' || record.state === 'processing';
  const publishing = record.publishState === 'pending' || record.publishState === 'publishing';
  return {
    id: record.id,
    title: record.title,
    state: record.state,
    publishState: record.publishState,
    publishStatus: record.publishStatus,
    startedAt: record.startedAt,
    endedAt: record.endedAt,
    recordedByName: record.recordedByName,
    durationMs: record.durationMs ?? record.recordedSeconds * 1000,
    sizeBytes: record.sizeBytes,
    progress: processing ? (job('process')?.progress ?? 0) : publishing ? (job('publish')?.progress ?? 0) : null,
    // A reason is a translation key (the page says it in the viewer's words); a job's last error is the tool's own text.
    failureReason: record.state === 'failed' ? (record.failureReason ?? job('process')?.lastError ?? null) : null,
    publishFailure: record.publishState === 'failed' ? (record.failureReason ?? job('publish')?.lastError ?? null) : null,
    playable: record.state === 'ready' && record.storageKey !== null,
    kalturaEntryId: record.kalturaEntryId,
    deletable: !BUSY.includes(record.state) && !record.jobs.some((entry) => entry.state === 'running'),
    version: record.version,
  };
}

function requireAdministrator(actor: BackendActor): void {
  if (actor.role !== 'administrator') throw new ForbiddenError(phrase('common:errors.roleNotAllowed'), { code: 'ROLE_NOT_ALLOWED' });
}

function stale(): ConflictError {
  return new ConflictError(phrase('common:errors.conflict'), { code: 'STALE_VERSION', help: phrase('common:errors.conflictHelp') });
}

function busy(): ConflictError {
  return new ConflictError(phrase('recordings-library:errors.busy'), { code: 'RECORDING_BUSY', help: phrase('recordings-library:errors.busyHelp') });
}
