/**
 * The service under test, started exactly as `npm start` does (startServer)
 * but with a temporary data folder, an ephemeral loopback port, no logging and
 * rate limits high enough that the storm measures the service, not the
 * limiter. Run by tests/bench/run.ts in a child process; it reports its URL
 * and, when asked over IPC, how many requests it has sent to Kaltura.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/lib/config/config.ts';
import { startServer } from '../../src/server.ts';
import { BENCH_PARTNER } from './bench-partner.ts';
import { serveParent } from './child-server.ts';

const dataDir = mkdtempSync(path.join(tmpdir(), 'live-rooms-bench-'));
const config = loadConfig({
  // NODE_ENV=test: silent logs and the test defaults, but the production cache lifetimes from config/default.json.
  environment: { NODE_ENV: 'test' },
  overrides: {
    dataDir,
    http: { port: 0, host: '127.0.0.1', publicUrl: 'http://127.0.0.1' },
    log: { level: 'silent' },
    kaltura: { partnerId: BENCH_PARTNER.id, adminSecret: BENCH_PARTNER.adminSecret, userSecret: BENCH_PARTNER.userSecret, userRoleMetadataProfileId: BENCH_PARTNER.roleProfileId },
    rateLimit: { windowSeconds: 60, launchesPerWindow: 1e9, actionsPerWindow: 1e9 },
    moduleSettings: { enabled: true },
  },
});

const running = await startServer(config);
serveParent({
  url: running.url,
  details: { cache: config.cache, database: config.database.url === null ? 'sqlite' : 'postgres' },
  callCount: () => running.gateway.callCount(),
  async close() {
    try {
      await running.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
});
