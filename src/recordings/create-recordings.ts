/**
 * The recordings' part of the composition root (src/server.ts): the jobs that
 * process recordings and publish them to Kaltura, recording in rooms (built
 * before the live room that asks it), and the library Session Stats and the
 * backend show.
 */
import type { Db } from '../lib/db/database.ts';
import type { KalturaMediaGateway } from '../kaltura/kaltura-media-gateway.ts';
import type { AppConfig } from '../lib/config/config.ts';
import { systemScheduler, type Scheduler } from '../lib/clock/scheduler.ts';
import type { Logger } from '../lib/logger/logger.ts';
import type { CourseMemberStore } from '../courses/course-member-store.ts';
import type { RecordingQuota } from './recording-quota.ts';
import { RecordingLibrary } from './library/recording-library.ts';
import { createRecordingLibraryStore } from './library/recording-library-store.ts';
import { RecordingFiles } from './library/recording-files.ts';
import type { RecordingEntryRemover } from './library/recording-entry-remover.ts';
import { createRecordingEntryRemover } from './publishing/entry-remover.ts';
import { createPublishJobHandler } from './publishing/publish-job.ts';
import { createRecordingJobRunner } from './processing/create-processing.ts';
import type { RecordingJobRunner } from './processing/job-runner.ts';
import { RoomRecordingService, type RoomRecordingDeps } from './room/room-recording-service.ts';
import { createRoomRecordingStore } from './room/room-recording-store.ts';
import { freeDiskBytes } from './room/disk-space.ts';

type Config = Pick<AppConfig, 'recordings' | 'dataDir'>;

/**
 * Processing and publishing, not started yet: jobs from the database, resumed after a restart. Made first, so that
 * recording in rooms and the library can tell it a job was queued.
 */
export function createRecordingJobs(deps: { config: Config; db: Db; gateway: KalturaMediaGateway; logger: Logger; now: () => number }): RecordingJobRunner {
  const { config, db, gateway, logger, now } = deps;
  const publishing = createPublishJobHandler({ db, gateway, dataDir: config.dataDir, config: config.recordings, now });
  // Real timers on the service's clock: its polls every few seconds would make a test's manual clock, moved by days, run them all.
  const scheduler: Scheduler = systemScheduler(now);
  return createRecordingJobRunner({ config, db, scheduler, logger, otherHandlers: [publishing] });
}

/** Recording in rooms; recordings a stop left open are finished as far as their ledger went, and processed. */
export async function createRoomRecording(
  deps: Pick<RoomRecordingDeps, 'quota' | 'media' | 'liveSessions' | 'rooms' | 'state' | 'scheduler' | 'logger'> & {
    config: Config;
    db: Db;
    jobs: RecordingJobRunner;
    freeDiskBytes?: RoomRecordingDeps['freeDiskBytes'];
  },
): Promise<RoomRecordingService> {
  const { config, db, jobs, ...rest } = deps;
  const recording = new RoomRecordingService({
    ...rest,
    store: createRoomRecordingStore(db),
    dataDir: config.dataDir,
    mediaRawFolder: config.recordings.janusRawFolder,
    minFreeBytes: config.recordings.minFreeMegabytes * 1024 * 1024,
    freeDiskBytes: deps.freeDiskBytes ?? freeDiskBytes,
    processingQueued: () => jobs.poke(),
  });
  await recording.recover();
  return recording;
}

/** The recordings Session Stats and the backend show, with their files; an administrator's Retry is taken at once. */
export function createRecordingLibrary(deps: {
  config: Config;
  db: Db;
  gateway: KalturaMediaGateway;
  members: CourseMemberStore;
  quota: RecordingQuota;
  jobs: RecordingJobRunner;
  /** Deletes a recording's Kaltura entry (tests pass a fake). */
  entries?: RecordingEntryRemover;
  logger: Logger;
  now: () => number;
}): { library: RecordingLibrary; files: RecordingFiles } {
  const { config, db, gateway, jobs, logger, now } = deps;
  const files = new RecordingFiles(config.dataDir);
  const entries = deps.entries ?? createRecordingEntryRemover(gateway);
  const library = new RecordingLibrary({ store: createRecordingLibraryStore(db), members: deps.members, quota: deps.quota, files, entries, logger, now, jobsQueued: () => jobs.poke() });
  return { library, files };
}
