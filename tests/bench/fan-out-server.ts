/**
 * The service under the fan-out load, started exactly as `npm start` does
 * (startServer) with a temporary data folder, an ephemeral loopback port and
 * no logging. Its live-room rules are production's, chat rate limit included
 * (5 messages a second, bursts of 10, per person): the load keeps every sender
 * under it. Only the room capacity is raised, so that any `--participants`
 * fit in one room, and the HTTP rate limits, so that entering the room is
 * not throttled. Run by tests/bench/fan-out.ts in a child process; it answers
 * questions about its memory over IPC (child-server.ts), never over HTTP.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/lib/config/config.ts';
import { startServer } from '../../src/server.ts';
import { BENCH_PARTNER } from './bench-partner.ts';
import { serveParent } from './child-server.ts';

/** The schema's ceiling: more participants than the load will ever bring. */
const ROOM_CAPACITY = 10_000;

const dataDir = mkdtempSync(path.join(tmpdir(), 'live-rooms-bench-'));
const config = loadConfig({
  environment: { NODE_ENV: 'test' },
  overrides: {
    dataDir,
    http: { port: 0, host: '127.0.0.1', publicUrl: 'http://127.0.0.1' },
    log: { level: 'silent' },
    kaltura: { partnerId: BENCH_PARTNER.id, adminSecret: BENCH_PARTNER.adminSecret, userSecret: BENCH_PARTNER.userSecret, userRoleMetadataProfileId: BENCH_PARTNER.roleProfileId },
    rateLimit: { windowSeconds: 60, launchesPerWindow: 1e9, actionsPerWindow: 1e9 },
    liveRoom: { defaultCapacity: ROOM_CAPACITY },
    moduleSettings: { enabled: true },
  },
});

const running = await startServer(config);
serveParent({
  url: running.url,
  details: {
    database: config.database.url === null ? 'sqlite' : 'postgres',
    chatLimit: { ratePerSecond: config.liveRoom.chatRatePerSecond, burst: config.liveRoom.chatBurst },
    heartbeatSeconds: config.liveRoom.heartbeatSeconds,
  },
  async close() {
    try {
      await running.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
});
