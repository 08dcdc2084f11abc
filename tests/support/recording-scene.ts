/**
 * A live channel session for recording tests: a server on a manual clock with a media server that records
 * (tests/support/recording-media-server.ts), a disk whose free space the test sets, the channel's manager
 * (who may record) and a participant (who may not) in the room, and the room's recording rows.
 */
import { randomUUID } from 'node:crypto';
import type { ConfigInput } from '../../src/lib/config/config.ts';
import { channelScene } from './channel-scene.ts';
import { ManualScheduler } from './manual-scheduler.ts';
import { recordingMediaServer, type RecordingMediaServer } from './recording-media-server.ts';
import type { RoomClient } from './room-client.ts';
import { startTestServer, type TestServer, type TestServerOptions } from './test-server.ts';
import { startTestServerOn, type TestDatabase } from './test-databases.ts';

export const MIN_FREE_MB = 100;

export interface RecordingHarness {
  server: TestServer;
  scheduler: ManualScheduler;
  media: RecordingMediaServer;
  disk: { freeBytes: number };
  track(client: RoomClient): RoomClient;
  /** Starts a server as the harness does (again on `dataDir`, for a restart: SQLite only). */
  start(dataDir?: string): Promise<TestServer>;
}

/** The scene's recording settings: an hour for a room outside the plans, the disk's threshold, no polling meanwhile. */
export const RECORDING_SCENE_SETTINGS = { hoursWithoutPlan: 1, minFreeMegabytes: MIN_FREE_MB, jobPollSeconds: 3600, jobStaleSeconds: 7200 };

/** A fresh server for each test of the enclosing `describe`; a room outside the plans has `hoursWithoutPlan` hours. */
export function eachRecordingServer(config: ConfigInput = {}, database: TestDatabase = 'SQLite'): RecordingHarness {
  const clients: RoomClient[] = [];
  const harness = {
    track: (client: RoomClient) => (clients.push(client), client),
    start: (dataDir?: string) =>
      (dataDir ? startTestServer : (options: TestServerOptions) => startTestServerOn(database, options))({
        scheduler: harness.scheduler,
        mediaServer: harness.media.chosen,
        freeDiskBytes: async () => harness.disk.freeBytes,
        ...(dataDir && { dataDir }),
        // Tests send many recording messages in a row: the action allowance is not what they test. They check
        // the job a finished recording leaves queued: this instance processes nothing (it would start at once).
        config: { recordings: { ...RECORDING_SCENE_SETTINGS, processingConcurrency: 0 }, liveRoom: { actionBurst: 100 }, ...config },
      }),
  } as RecordingHarness;
  beforeEach(async () => {
    harness.scheduler = new ManualScheduler();
    harness.media = recordingMediaServer();
    harness.disk = { freeBytes: 10 * MIN_FREE_MB * 1024 * 1024 };
    harness.server = await harness.start();
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.socket.terminate();
    await harness.server.stop();
  });
  return harness;
}

/** The channel's session started from MediaSpace, its manager and a participant inside. */
export async function liveRoom(harness: RecordingHarness) {
  const scene = await channelScene(harness.server);
  await scene.startFromMediaSpace();
  const ines = harness.track(await scene.instructor());
  const welcome = await ines.next('welcome');
  const pia = harness.track(await scene.participant('Pia'));
  await pia.next('welcome');
  const roomId: string = welcome.room.id;
  const db = harness.server.db;
  return {
    scene,
    ines,
    pia,
    roomId,
    welcome,
    /** Recorded time the course used before (another recording's ledger). */
    useSeconds: (seconds: number) => db.insertInto('recording_ledger').values({ id: randomUUID(), room_id: roomId, recording_id: 'an-earlier-one', seconds, recorded_at: 1 }).execute(),
    recordings: () => db.selectFrom('recordings').selectAll().where('room_id', '=', roomId).execute(),
    /** The room's one recording. */
    recordingId: async () => (await db.selectFrom('recordings').select('id').where('room_id', '=', roomId).executeTakeFirstOrThrow()).id,
    ledger: (recordingId: string) => db.selectFrom('recording_ledger').selectAll().where('recording_id', '=', recordingId).orderBy('recorded_at').execute(),
    jobs: (recordingId: string) => db.selectFrom('recording_jobs').selectAll().where('recording_id', '=', recordingId).execute(),
  };
}
