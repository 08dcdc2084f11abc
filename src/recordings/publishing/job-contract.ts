/**
 * The job runner's contract (part C, src/recordings/processing/job-runner.ts),
 * declared here with the same names and shapes until both parts are on main;
 * at the merge this file becomes a re-export of the runner's.
 */
import type { RecordingJobKind } from '../../lib/db/schema.ts';

export interface RecordingJob {
  id: string;
  recordingId: string;
  kind: RecordingJobKind;
  /** Attempts so far, this one included once claimed. */
  attempts: number;
  progress: number;
}

/** A job's failure; `reason` is a translation key (`namespace:key`) people are shown, the message is for the logs. */
abstract class JobError extends Error {
  readonly reason: string;
  constructor(reason: string, detail?: string, options?: { cause?: unknown }) {
    super(detail ?? reason, options);
    this.reason = reason;
  }
}

/** Another attempt can help. */
export class RetryableJobError extends JobError {
  override name = 'RetryableJobError';
}

/** Another attempt cannot help. */
export class PermanentJobError extends JobError {
  override name = 'PermanentJobError';
}

export interface RecordingJobHandler {
  kind: RecordingJobKind;
  run(job: RecordingJob, report: (progress: number) => Promise<void>, signal: AbortSignal): Promise<void>;
  /** The job failed for good: mark what it was for. */
  failed?(job: RecordingJob, reason: string): Promise<void>;
}
