/**
 * Builds the recordings' job runner from config, with the `process` handler (and any other handlers given,
 * such as publishing), for the composition root to start and stop with the server.
 */
import type { AppConfig } from '../../lib/config/config.ts';
import type { Scheduler } from '../../lib/clock/scheduler.ts';
import type { Db } from '../../lib/db/database.ts';
import type { Logger } from '../../lib/logger/logger.ts';
import { RecordingJobRunner, type RecordingJobHandler } from './job-runner.ts';
import { RecordingJobStore } from './job-store.ts';
import { ProcessRecordingHandler } from './process-recording.ts';
import { publishingApplies } from '../publishing/publish-job.ts';
import { ProcessingStore } from './processing-store.ts';

export interface ProcessingDeps {
  config: Pick<AppConfig, 'recordings' | 'dataDir'>;
  db: Db;
  scheduler: Scheduler;
  logger: Logger;
  /** Handlers of other kinds (publishing to Kaltura). */
  otherHandlers?: readonly RecordingJobHandler[];
}

export function createRecordingJobRunner({ config, db, scheduler, logger, otherHandlers = [] }: ProcessingDeps): RecordingJobRunner {
  const settings = config.recordings;
  const process = new ProcessRecordingHandler({
    store: new ProcessingStore(db, scheduler.now),
    dataDir: config.dataDir,
    tools: { janusPpRec: settings.janusPpRecPath, ffmpeg: settings.ffmpegPath, ffprobe: settings.ffprobePath },
    logger,
    minFreeBytes: settings.minFreeDiskMegabytes * 1024 * 1024,
    publishes: (recording) => publishingApplies({ kind: recording.roomKind, channel_id: recording.channelId }, settings),
  });
  return new RecordingJobRunner({
    store: new RecordingJobStore(db),
    handlers: [process, ...otherHandlers],
    scheduler,
    logger,
    concurrency: settings.processingConcurrency,
    maxAttempts: settings.maxAttempts,
    retryBaseMs: settings.retryBaseSeconds * 1000,
    heartbeatMs: settings.jobHeartbeatSeconds * 1000,
    staleMs: settings.jobStaleSeconds * 1000,
    pollMs: settings.jobPollSeconds * 1000,
  });
}
