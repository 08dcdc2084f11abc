/**
 * The emulated Kaltura partner the benchmark's service runs with, and the two
 * ends that use it: the service started in a child process with that partner,
 * and the seeder in the parent that mints KSs the service will honour. Its
 * secrets are fixed and worthless outside this benchmark.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deepMerge, loadConfig, type AppConfig, type ConfigInput } from '../../src/lib/config/config.ts';
import { startServer, type RunningServer } from '../../src/server.ts';
import { KalturaSeeder } from '../support/kaltura-seed.ts';

export const BENCH_PARTNER = {
  id: 4343,
  adminSecret: 'bench-admin-secret-0123456789',
  userSecret: 'bench-user-secret-0123456789',
  /** MediaSpace's user-roles metadata profile, where each user's role is written. */
  roleProfileId: 9001,
} as const;

export interface BenchService {
  running: RunningServer;
  config: AppConfig;
  /** Stops the service and removes its data folder. */
  close(): Promise<void>;
}

/**
 * The service started exactly as `npm start` does (startServer), with a temporary data folder,
 * an ephemeral loopback port, no logging and HTTP rate limits high enough that a load measures
 * the service, not the limiter. `overrides` adds what one load needs.
 */
export async function startBenchService(overrides: ConfigInput = {}): Promise<BenchService> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'live-rooms-bench-'));
  const config = loadConfig({
    // NODE_ENV=test: silent logs and the test defaults, but the production cache lifetimes from config/default.json.
    environment: { NODE_ENV: 'test' },
    overrides: deepMerge(
      {
        dataDir,
        http: { port: 0, host: '127.0.0.1', publicUrl: 'http://127.0.0.1' },
        log: { level: 'silent' },
        kaltura: { partnerId: BENCH_PARTNER.id, adminSecret: BENCH_PARTNER.adminSecret, userSecret: BENCH_PARTNER.userSecret, userRoleMetadataProfileId: BENCH_PARTNER.roleProfileId },
        rateLimit: { windowSeconds: 60, launchesPerWindow: 1e9, actionsPerWindow: 1e9 },
        moduleSettings: { enabled: true },
      },
      overrides,
    ),
  });
  const running = await startServer(config);
  return {
    running,
    config: running.config,
    async close() {
      try {
        await running.close();
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}

/** Seeds the bench partner through kaltura-client, the way the integration tests seed. */
export function benchSeeder(serviceUrl: string): KalturaSeeder {
  return new KalturaSeeder({
    serviceUrl,
    partnerId: BENCH_PARTNER.id,
    adminSecret: BENCH_PARTNER.adminSecret,
    userSecret: BENCH_PARTNER.userSecret,
    roleProfileId: BENCH_PARTNER.roleProfileId,
  });
}
