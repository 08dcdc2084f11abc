/**
 * The `publish` job: puts a processed recording into Kaltura, where MediaSpace
 * shows it. A channel room's recording goes into its channel; a course's or a
 * private room's into the configured category. Each attempt picks up where the
 * last one stopped, asking Kaltura what it already has rather than keeping
 * its own notes: the entry is found by its reference id (the recording's id),
 * the upload by its file name (`<recording id>.mp4`) and how many bytes it
 * holds, so a retry never creates a second entry nor sends the file from zero.
 * Kaltura failing leaves the recording ready here, its publishing "failed"
 * with a reason, for an administrator's Retry.
 */
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../lib/errors/app-error.ts';
import type { KalturaMediaGateway, MediaEntryInfo, UploadTokenInfo } from '../../kaltura/kaltura-media-gateway.ts';
import { MEDIA_ERROR_CODES } from '../../kaltura/kaltura-media-gateway.ts';
import { kalturaUserIdOf } from '../../identity/user-keys.ts';
import { publishedEntryName } from './entry-name.ts';
import { PermanentJobError, RetryableJobError, type RecordingJob, type RecordingJobHandler } from '../processing/job-runner.ts';
import { PublishStore, type RecordingToPublish } from './publish-store.ts';
import type { Kysely } from 'kysely';
import type { Database } from '../../lib/db/schema.ts';

export interface PublishingConfig {
  kalturaCategoryId: number | null;
  kalturaCategoryFullName: string | null;
  publishChunkBytes: number;
  timeZone: string;
}

export interface PublishJobDeps {
  db: Kysely<Database>;
  gateway: KalturaMediaGateway;
  dataDir: string;
  config: PublishingConfig;
  now: () => number;
}

/** Translation keys (recordings-publishing.json) of the reasons people are shown. */
export const PUBLISH_REASONS = {
  kaltura: 'recordings-publishing:failure.kaltura',
  categoryMissing: 'recordings-publishing:failure.categoryMissing',
  fileMissing: 'recordings-publishing:failure.fileMissing',
  notReady: 'recordings-publishing:failure.notReady',
} as const;

/** Progress: the entry made, the file sent (most of the work), the entry placed. */
const PROGRESS_ENTRY = 5;
const PROGRESS_UPLOADED = 90;
/** Kaltura answering that it holds another part of the upload than expected, this often in one attempt, ends it. */
const MAX_POSITION_CORRECTIONS = 3;

/** Whether a room's recordings are published at all: a channel's always, others where config names a category. */
export function publishingApplies(room: { kind: string; channel_id: number | null }, config: Pick<PublishingConfig, 'kalturaCategoryId' | 'kalturaCategoryFullName'>): boolean {
  if (room.kind === 'channel') return room.channel_id !== null;
  return config.kalturaCategoryId !== null || config.kalturaCategoryFullName !== null;
}

export function createPublishJobHandler(deps: PublishJobDeps): RecordingJobHandler {
  const store = new PublishStore(deps.db, deps.now);
  const { gateway } = deps;

  async function targetCategory(recording: RecordingToPublish): Promise<number | null> {
    if (recording.roomKind === 'channel') return recording.channelId;
    const { kalturaCategoryId, kalturaCategoryFullName } = deps.config;
    if (kalturaCategoryId !== null) return kalturaCategoryId;
    if (kalturaCategoryFullName === null) return null;
    const found = await gateway.findCategoryIdByFullName(kalturaCategoryFullName);
    if (found === null) throw new PermanentJobError(PUBLISH_REASONS.categoryMissing, `no Kaltura category named ${kalturaCategoryFullName}`);
    return found;
  }

  /** The recording's entry: the one an earlier attempt made, found by reference id, or a new one. */
  async function entryFor(recording: RecordingToPublish): Promise<MediaEntryInfo> {
    const existing = await gateway.findMediaEntryByReference(recording.id);
    if (existing) return existing;
    const owner = kalturaOwnerOf(recording);
    return gateway.createMediaEntry({
      name: publishedEntryName(recording.roomName, recording.sessionStartedAt, deps.config.timeZone),
      ...(owner ? { userId: owner } : {}),
      referenceId: recording.id,
    });
  }

  async function uploadFile(recording: RecordingToPublish, file: FileHandle, report: (progress: number) => Promise<void>, signal: AbortSignal): Promise<UploadTokenInfo> {
    const { size } = await file.stat();
    const fileName = `${recording.id}.mp4`;
    let token = (await gateway.findOpenUploadToken(fileName)) ?? (await gateway.createUploadToken(fileName, size));
    // A finished upload of another size is an earlier file's (processing ran again): this one starts afresh.
    if (token.complete && token.uploadedBytes !== size) token = await gateway.createUploadToken(fileName, size);
    let corrections = 0;
    while (!token.complete) {
      signal.throwIfAborted();
      try {
        token = await sendChunk(token, file, size);
      } catch (error) {
        if (!(error instanceof AppError) || ++corrections > MAX_POSITION_CORRECTIONS) throw error;
        if (error.code === MEDIA_ERROR_CODES.uploadPosition) token = (await gateway.findOpenUploadToken(fileName)) ?? (await gateway.createUploadToken(fileName, size));
        else if (error.code === MEDIA_ERROR_CODES.uploadTokenNotFound) token = await gateway.createUploadToken(fileName, size);
        else throw error;
      }
      await report(PROGRESS_ENTRY + ((PROGRESS_UPLOADED - PROGRESS_ENTRY) * Math.min(token.uploadedBytes, size)) / Math.max(size, 1));
    }
    return token;
  }

  /** The next chunk from where Kaltura's copy ends; a copy longer than the file is not ours to continue. */
  async function sendChunk(token: UploadTokenInfo, file: FileHandle, size: number): Promise<UploadTokenInfo> {
    const offset = token.uploadedBytes > size ? 0 : token.uploadedBytes;
    const length = Math.min(deps.config.publishChunkBytes, size - offset);
    const chunk = Buffer.alloc(length);
    const { bytesRead } = await file.read(chunk, 0, length, offset);
    if (bytesRead !== length) throw new RetryableJobError(PUBLISH_REASONS.fileMissing, 'the recording file changed while it was being sent');
    return gateway.uploadChunk(token.id, chunk, { resumeAt: offset, finalChunk: offset + length >= size });
  }

  async function publish(recording: RecordingToPublish, categoryId: number, report: (progress: number) => Promise<void>, signal: AbortSignal): Promise<void> {
    let entry = await entryFor(recording);
    await store.keepEntryId(recording.id, entry.id);
    await report(PROGRESS_ENTRY);
    if (!entry.hasContent) {
      const file = await openRecording(deps.dataDir, recording.storageKey!);
      try {
        const token = await uploadFile(recording, file, report, signal);
        entry = await gateway.addMediaContent(entry.id, token.id);
      } finally {
        await file.close();
      }
    }
    signal.throwIfAborted();
    const status = await gateway.addToCategory(entry.id, categoryId);
    await store.move(recording.id, ['publishing'], { publishState: 'published', publishStatus: status, kalturaEntryId: entry.id, failureReason: null });
    await report(100);
  }

  return {
    kind: 'publish',

    async run(job: RecordingJob, report, signal) {
      const recording = await store.load(job.recordingId);
      if (recording?.publishState === 'published') return;
      if (!recording || recording.state !== 'ready' || !recording.storageKey) throw new PermanentJobError(PUBLISH_REASONS.notReady, 'the recording is not ready to publish');
      try {
        const categoryId = await targetCategory(recording);
        if (categoryId === null) {
          // Nowhere to publish (config changed since the job was queued): nothing is pending any more.
          await store.move(recording.id, ['pending', 'publishing', 'failed'], { publishState: null });
          return;
        }
        if (!(await store.move(recording.id, ['pending', 'publishing', 'failed', null], { publishState: 'publishing' }))) {
          throw new PermanentJobError(PUBLISH_REASONS.notReady, 'the recording changed while publishing started');
        }
        await publish(recording, categoryId, report, signal);
      } catch (error) {
        throw signal.aborted ? error : asJobError(error);
      }
    },

    async failed(job, reason) {
      await store.move(job.recordingId, ['pending', 'publishing', 'failed', null], { publishState: 'failed', failureReason: reason });
    },
  };
}

/** The Kaltura user the entry belongs to: who recorded it, else the private room's owner, when they came from MediaSpace. */
function kalturaOwnerOf(recording: RecordingToPublish): string | null {
  return (recording.recordedBy && kalturaUserIdOf(recording.recordedBy)) || (recording.roomOwnerId && kalturaUserIdOf(recording.roomOwnerId)) || null;
}

/** The final file, from its key relative to the data folder; a key that leads outside it is not followed. */
async function openRecording(dataDir: string, storageKey: string): Promise<FileHandle> {
  const root = path.resolve(dataDir);
  const file = path.resolve(root, storageKey);
  if (!file.startsWith(root + path.sep)) throw new PermanentJobError(PUBLISH_REASONS.fileMissing, 'the recording file is outside the data folder');
  try {
    return await open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new PermanentJobError(PUBLISH_REASONS.fileMissing, 'the recording file is missing');
    throw error;
  }
}

/** Kaltura's category gone is for an administrator to fix; anything else Kaltura says may pass. */
function asJobError(error: unknown): unknown {
  if (error instanceof PermanentJobError || error instanceof RetryableJobError) return error;
  if (error instanceof AppError && error.code === MEDIA_ERROR_CODES.categoryNotFound) {
    return new PermanentJobError(PUBLISH_REASONS.categoryMissing, error.message, { cause: error });
  }
  if (error instanceof AppError) return new RetryableJobError(PUBLISH_REASONS.kaltura, error.message, { cause: error });
  return error;
}
