/**
 * Recording a live session, for the whole room at once. One recording per live
 * session at a time; the media server writes the raw files into a folder per
 * recording (`<dataDir>/recordings/raw/<id>/`). Recorded time is metered from
 * the server's clock (the injectable scheduler), pauses excluded, into the
 * ledger at each pause, at the end and at least every minute, so a crash loses
 * at most a minute. The course's recording time (RecordingQuota) is checked
 * before starting and while recording: a warning at ten minutes left, and at
 * none left the recording is finished cleanly and held as over quota. The
 * disk's free space is checked the same way. Whatever ends a recording (Stop,
 * the session's end, the quota, a full disk, the media server dying), what was
 * recorded is kept and handed to processing in one transaction.
 *
 * Changes to one room's recording run one at a time (a per-room queue). The
 * live room calls in from its own queue; nothing here calls back into it.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { KeyedQueue } from '../../lib/async/keyed-queue.ts';
import type { ScheduledTask, Scheduler } from '../../lib/clock/scheduler.ts';
import type { RecordingFinishReason } from '../../lib/db/schema.ts';
import { phrase } from '../../lib/i18n/phrase.ts';
import type { Logger } from '../../lib/logger/logger.ts';
import { RoomActionError } from '../../live-room/room-action-error.ts';
import type { RoomActor } from '../../live-room/live-room-service.ts';
import type { RoomState } from '../../live-room/room-state.ts';
import { MediaServerError, type MediaServer } from '../../media/media-server.ts';
import type { LiveSessionStore } from '../../rooms/live-session-store.ts';
import type { RecordingQuota } from '../recording-quota.ts';
import type { FreeDiskBytes } from './disk-space.ts';
import type { RecordingMessageType, RecordingServerMessage, RecordingView } from './recording-protocol.ts';
import type { OpenRecording, RoomRecordingStore } from './room-recording-store.ts';

const messages = {
  notLive: phrase('recordings-room:errors.notLive'),
  alreadyRecording: phrase('recordings-room:errors.alreadyRecording'),
  notRecording: phrase('recordings-room:errors.notRecording'),
  notPaused: phrase('recordings-room:errors.notPaused'),
  needsJanus: phrase('recordings-room:errors.needsJanus'),
  mediaUnavailable: phrase('recordings-room:errors.mediaUnavailable'),
  noTimeLeft: phrase('recordings-room:errors.noTimeLeft'),
  diskLow: phrase('recordings-room:errors.diskLow'),
};

/** Ledger rows at least this often while recording. */
const METER_MS = 60_000;
const WARNING_MS = 10 * 60_000;
/** Raw files' folder, relative to the data folder. */
export const RAW_FOLDER = path.join('recordings', 'raw');

export interface RoomRecordingDeps {
  store: RoomRecordingStore;
  quota: Pick<RecordingQuota, 'forRoom'>;
  media: MediaServer;
  liveSessions: Pick<LiveSessionStore, 'findLive'>;
  rooms: { findById(id: string): Promise<{ name: string } | null> };
  state: Pick<RoomState, 'publish'>;
  scheduler: Scheduler;
  logger: Logger;
  dataDir: string;
  /** Where the media server sees `<dataDir>/recordings/raw` (a remote Janus through a shared folder); null: the same path. */
  mediaRawFolder: string | null;
  minFreeBytes: number;
  freeDiskBytes: FreeDiskBytes;
  /** Told when a finished recording was queued for processing: it starts now, not at processing's next poll. */
  processingQueued?: () => void;
}

interface Active {
  id: string;
  roomId: string;
  byName: string;
  startedAt: number;
  state: 'recording' | 'paused';
  /** Milliseconds recorded before the current stretch (everything, while paused). */
  recordedMs: number;
  /** When the current recording stretch began. */
  stretchFrom: number;
  /** Whole seconds of it already in the ledger. */
  ledgerSeconds: number;
  /** The course's seconds left when the ledger was last written. */
  leftAtLedger: number;
  /** Counts pauses and resumes: a check from before one is dropped. */
  stretch: number;
  warned: boolean;
  timer: ScheduledTask | null;
}

export class RoomRecordingService {
  readonly #deps: RoomRecordingDeps;
  readonly #active = new Map<string, Active>();
  readonly #queue = new KeyedQueue();
  readonly #stopListening: () => void;

  constructor(deps: RoomRecordingDeps) {
    this.#deps = deps;
    // Only the rooms the media server lost: a recording on another Janus that is still up goes on.
    this.#stopListening = deps.media.onReset(({ phase, roomIds }) => {
      if (phase !== 'lost') return;
      const lost = roomIds === 'every' ? [...this.#active.keys()] : roomIds.filter((roomId) => this.#active.has(roomId));
      for (const roomId of lost) this.#background(roomId, () => this.#finish(roomId, 'media_server_lost', { mediaGone: true }));
    });
  }

  /** A recording message of a person with the `record` permission (the live room checked it, and their admission). */
  handle(actor: RoomActor, type: RecordingMessageType): Promise<void> {
    return this.#inRoom(actor.roomId, async () => {
      switch (type) {
        case 'recording.start':
          return this.#start(actor);
        case 'recording.pause':
          return this.#pause(actor.roomId);
        case 'recording.resume':
          return this.#resume(actor.roomId);
        case 'recording.stop':
          return this.#finish(this.#require(actor.roomId, null).roomId, 'stopped');
      }
    });
  }

  /** The room's recording as a person entering sees it. */
  async snapshot(roomId: string): Promise<RecordingView> {
    return this.#view(roomId, this.#active.get(roomId) ?? null);
  }

  /** The live session ended: its recording ends with it. */
  sessionEnded(roomId: string): Promise<void> {
    return this.#inRoom(roomId, async () => {
      if (this.#active.has(roomId)) await this.#finish(roomId, 'session_ended');
    });
  }

  /**
   * After a restart: recordings left open by the process that stopped are finished as far as their ledger
   * went (the media server's recording died with the service's rooms), and handed to processing.
   */
  async recover(): Promise<void> {
    for (const open of await this.#deps.store.listOpen()) {
      await this.#deps.store.finish(open.id, open.roomId, { seconds: 0, reason: 'media_server_lost', endedAt: open.updatedAt, rawFolder: rawFolderOf(open.id), overQuota: false });
      this.#deps.logger.warn({ recordingId: open.id, roomId: open.roomId }, 'a recording left open by a restart was finished as far as its ledger went');
    }
  }

  /** Stops every timer (server shutdown). */
  stop(): void {
    this.#stopListening();
    for (const active of this.#active.values()) active.timer?.cancel();
  }

  async #start(actor: RoomActor): Promise<void> {
    const deps = this.#deps;
    const { liveSessions, store, media, scheduler } = deps;
    const session = await liveSessions.findLive(actor.roomId);
    if (!session) throw new RoomActionError('NOT_LIVE', messages.notLive);
    if (this.#active.has(actor.roomId) || (await store.openFor(session.id))) throw new RoomActionError('ALREADY_RECORDING', messages.alreadyRecording);
    if (!media.records) throw new RoomActionError('RECORDING_NEEDS_JANUS', messages.needsJanus);
    const { leftSeconds } = await deps.quota.forRoom(actor.roomId);
    if (leftSeconds <= 0) throw new RoomActionError('NO_RECORDING_TIME', messages.noTimeLeft);
    await this.#requireDisk();
    const id = randomUUID();
    const folder = path.join(deps.dataDir, rawFolderOf(id));
    await mkdir(folder, { recursive: true });
    const now = scheduler.now();
    try {
      await this.#startMedia(actor.roomId, id);
      const room = await deps.rooms.findById(actor.roomId);
      await store.create({ id, roomId: actor.roomId, liveSessionId: session.id, title: room?.name ?? '', recordedBy: actor.userId, recordedByName: actor.name, startedAt: now }).catch(async (error: unknown) => {
        await media.stopRecording(actor.roomId).catch(() => undefined);
        throw error;
      });
    } catch (error) {
      // Nothing partial is left: no row, no folder.
      await rm(folder, { recursive: true, force: true });
      throw error;
    }
    const active: Active = { id, roomId: actor.roomId, byName: actor.name, startedAt: now, state: 'recording', recordedMs: 0, stretchFrom: now, ledgerSeconds: 0, leftAtLedger: leftSeconds, stretch: 0, warned: false, timer: null };
    this.#active.set(actor.roomId, active);
    deps.logger.info({ recordingId: id, roomId: actor.roomId, leftSeconds }, 'recording started');
    await this.#publishChanged(active);
    this.#watch(active);
  }

  async #pause(roomId: string): Promise<void> {
    const active = this.#require(roomId, 'recording');
    await this.#deps.media.stopRecording(roomId).catch((error: unknown) => this.#deps.logger.warn({ err: error, roomId }, 'pausing the media server\'s recording failed'));
    active.timer?.cancel();
    active.timer = null;
    const now = this.#deps.scheduler.now();
    active.recordedMs += now - active.stretchFrom;
    active.state = 'paused';
    active.stretch += 1;
    await this.#meter(active, now, 'paused');
    await this.#publishChanged(active);
  }

  async #resume(roomId: string): Promise<void> {
    const active = this.#require(roomId, 'paused');
    if (this.#leftMs(active, this.#deps.scheduler.now()) <= 0) throw new RoomActionError('NO_RECORDING_TIME', messages.noTimeLeft);
    await this.#requireDisk();
    await this.#startMedia(roomId, active.id);
    const now = this.#deps.scheduler.now();
    active.state = 'recording';
    active.stretchFrom = now;
    active.stretch += 1;
    await this.#meter(active, now, 'recording');
    await this.#publishChanged(active);
    this.#watch(active);
  }

  /**
   * Ends the room's recording: the last seconds counted (never past the course's time), the media server told
   * to stop (unless it is gone), and the recording handed to processing, or held when the time ran out.
   */
  async #finish(roomId: string, reason: RecordingFinishReason, { mediaGone = false, at }: { mediaGone?: boolean; at?: number } = {}): Promise<void> {
    const active = this.#active.get(roomId);
    if (!active) return;
    this.#active.delete(roomId);
    active.timer?.cancel();
    const now = at ?? this.#deps.scheduler.now();
    if (!mediaGone && active.state === 'recording') {
      await this.#deps.media.stopRecording(roomId).catch((error: unknown) => this.#deps.logger.warn({ err: error, roomId }, 'stopping the media server\'s recording failed'));
    }
    const seconds = Math.min(this.#unmeteredSeconds(active, now), active.leftAtLedger);
    const finished = await this.#deps.store.finish(active.id, roomId, { seconds, reason, endedAt: now, rawFolder: rawFolderOf(active.id), overQuota: reason === 'quota' });
    if (finished && reason !== 'quota') this.#deps.processingQueued?.();
    this.#deps.logger.info({ recordingId: active.id, roomId, reason, recordedSeconds: active.ledgerSeconds + seconds, finished }, 'recording finished');
    this.#publish(roomId, { type: 'recording.changed', recording: await this.#view(roomId, null), finished: reason });
  }

  /**
   * The next check: a minute on, or sooner when the warning or the end of the course's time falls before. Each
   * check's timer sets the next one as it fires, so the chain never waits on the database; a check measures the
   * time its timer fell due, however late the room's queue gets to it, and is dropped if a pause or a resume
   * came first.
   */
  #watch(active: Active): void {
    const leftMs = this.#leftMs(active, this.#deps.scheduler.now());
    if (leftMs <= 0) return;
    const untilWarning = leftMs - WARNING_MS;
    const delay = Math.min(METER_MS, leftMs, untilWarning > 0 ? untilWarning : Infinity);
    const stretch = active.stretch;
    active.timer = this.#deps.scheduler.schedule(delay, () => {
      const at = this.#deps.scheduler.now();
      this.#watch(active);
      this.#background(active.roomId, () => this.#check(active, stretch, at));
    });
  }

  async #check(active: Active, stretch: number, now: number): Promise<void> {
    if (this.#active.get(active.roomId) !== active || active.stretch !== stretch) return;
    if (this.#leftMs(active, now) <= 0) return this.#finish(active.roomId, 'quota', { at: now });
    if (!(await this.#diskHasRoom())) return this.#finish(active.roomId, 'disk_full', { at: now });
    await this.#meter(active, now, 'recording');
    await this.#warnOnce(active, now);
  }

  async #warnOnce(active: Active, now: number): Promise<void> {
    const leftMs = this.#leftMs(active, now);
    if (active.warned || leftMs > WARNING_MS) return;
    active.warned = true;
    this.#publish(active.roomId, { type: 'recording.warning', minutesLeft: Math.ceil(leftMs / 60_000), leftSeconds: Math.ceil(leftMs / 1000) });
  }

  /** Whole seconds recorded since the last ledger row go into the ledger; the course's time left is read again (grants count at once). */
  async #meter(active: Active, now: number, state: 'recording' | 'paused'): Promise<void> {
    const seconds = this.#unmeteredSeconds(active, now);
    await this.#deps.store.meter(active.id, active.roomId, seconds, now, state);
    active.ledgerSeconds += seconds;
    active.leftAtLedger = (await this.#deps.quota.forRoom(active.roomId)).leftSeconds;
  }

  #recordedMs(active: Active, now: number): number {
    return active.recordedMs + (active.state === 'recording' ? now - active.stretchFrom : 0);
  }

  #unmeteredSeconds(active: Active, now: number): number {
    return Math.floor(this.#recordedMs(active, now) / 1000) - active.ledgerSeconds;
  }

  /** The course's recording time left now, in milliseconds. */
  #leftMs(active: Active, now: number): number {
    return active.leftAtLedger * 1000 - (this.#recordedMs(active, now) - active.ledgerSeconds * 1000);
  }

  #require(roomId: string, state: Active['state'] | null): Active {
    const active = this.#active.get(roomId);
    if (!active) throw new RoomActionError('NOT_RECORDING', messages.notRecording);
    if (state === 'recording' && active.state !== 'recording') throw new RoomActionError('NOT_RECORDING', messages.notRecording);
    if (state === 'paused' && active.state !== 'paused') throw new RoomActionError('NOT_PAUSED', messages.notPaused);
    return active;
  }

  async #startMedia(roomId: string, recordingId: string): Promise<void> {
    const folder = path.join(this.#deps.mediaRawFolder ?? path.join(this.#deps.dataDir, RAW_FOLDER), recordingId);
    try {
      await this.#deps.media.startRecording(roomId, folder);
    } catch (error) {
      this.#deps.logger.warn({ err: error, roomId }, 'the media server did not start recording');
      if (error instanceof MediaServerError && error.reason === 'refused' && !this.#deps.media.records) throw new RoomActionError('RECORDING_NEEDS_JANUS', messages.needsJanus);
      throw new RoomActionError('MEDIA_UNAVAILABLE', messages.mediaUnavailable);
    }
  }

  async #requireDisk(): Promise<void> {
    if (!(await this.#diskHasRoom())) throw new RoomActionError('DISK_LOW', messages.diskLow);
  }

  async #diskHasRoom(): Promise<boolean> {
    const folder = path.join(this.#deps.dataDir, RAW_FOLDER);
    await mkdir(folder, { recursive: true });
    return (await this.#deps.freeDiskBytes(folder)) >= this.#deps.minFreeBytes;
  }

  async #view(roomId: string, active: Active | null): Promise<RecordingView> {
    const now = this.#deps.scheduler.now();
    const available = this.#deps.media.records;
    if (!active) return { state: 'off', by: null, since: null, recordedSeconds: 0, leftSeconds: (await this.#deps.quota.forRoom(roomId)).leftSeconds, at: now, available };
    const leftSeconds = Math.max(0, Math.ceil(this.#leftMs(active, now) / 1000));
    return { state: active.state, by: active.byName, since: active.startedAt, recordedSeconds: Math.floor(this.#recordedMs(active, now) / 1000), leftSeconds, at: now, available };
  }

  async #publishChanged(active: Active): Promise<void> {
    this.#publish(active.roomId, { type: 'recording.changed', recording: await this.#view(active.roomId, active) });
  }

  #publish(roomId: string, message: RecordingServerMessage): void {
    this.#deps.state.publish({ roomId, audience: 'everyone', message });
  }

  /** Work the room did not ask for (a timer, the media server dying): in the room's order, failures logged. */
  #background(roomId: string, work: () => Promise<void>): void {
    this.#inRoom(roomId, work).catch((error: unknown) => this.#deps.logger.error({ err: error, roomId }, 'recording: a scheduled step failed'));
  }

  #inRoom<T>(roomId: string, work: () => Promise<T>): Promise<T> {
    return this.#queue.run(roomId, work);
  }

}

/** A recording's raw folder, relative to the data folder (as stored). */
export function rawFolderOf(recordingId: string): string {
  return path.join(RAW_FOLDER, recordingId);
}

export type { OpenRecording };
