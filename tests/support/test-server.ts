/**
 * Starts the real service for a test: the real app on an ephemeral loopback
 * port, a fresh temporary data folder and database, and the built-in Kaltura
 * emulator, exactly as `npm start` wires them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deepMerge, loadConfig, type ConfigInput } from '../../src/lib/config/config.ts';
import { startServer, type RunningServer, type StartOptions } from '../../src/server.ts';
import type { PartialModuleSettings } from '../../src/module-settings/settings-schema.ts';
import { KalturaSeeder } from './kaltura-seed.ts';
import { TestAgent } from './test-agent.ts';

export const TEST_PARTNER = { id: 4242, adminSecret: 'test-admin-secret-0123456789', userSecret: 'test-user-secret-0123456789' } as const;
export const OTHER_PARTNER = { id: 5151, name: 'Another partner', adminSecret: 'other-admin-secret-0123456789', userSecret: 'other-user-secret-0123456789' } as const;
export const ROLE_PROFILE_ID = 9001;

export interface TestServer extends RunningServer {
  kaltura: KalturaSeeder;
  otherPartner: KalturaSeeder;
  agent(): TestAgent;
  dataDir: string;
  /** Stops the server and removes its data folder. */
  stop(): Promise<void>;
}

export interface TestServerOptions extends Pick<StartOptions, 'now' | 'scheduler' | 'logger' | 'recordingEntries' | 'mediaServer' | 'freeDiskBytes'> {
  settings?: PartialModuleSettings;
  config?: ConfigInput;
  /** Reuse a data folder (restart tests). */
  dataDir?: string;
  /** Environment variables on top of NODE_ENV=test (for example NODE_ENV=production). */
  environment?: Record<string, string>;
}

export async function startTestServer({ settings = { enabled: true, enableUserPrivateLiveRoom: true }, config = {}, now, scheduler, dataDir, environment = {}, logger, recordingEntries, mediaServer, freeDiskBytes }: TestServerOptions = {}): Promise<TestServer> {
  const folder = dataDir ?? mkdtempSync(path.join(tmpdir(), 'live-rooms-test-'));
  const overrides = deepMerge(
    {
      dataDir: folder,
      http: { port: 0, host: '127.0.0.1', publicUrl: 'http://127.0.0.1' },
      kaltura: { partnerId: TEST_PARTNER.id, adminSecret: TEST_PARTNER.adminSecret, userSecret: TEST_PARTNER.userSecret, userRoleMetadataProfileId: ROLE_PROFILE_ID },
      rateLimit: { windowSeconds: 60, launchesPerWindow: 10_000, actionsPerWindow: 10_000, signInsPerWindow: 10_000, signInsPerAccountPerWindow: 10_000, uploadsPerWindow: 10_000 },
      moduleSettings: settings,
    },
    config,
  );
  const running = await startServer(loadConfig({ environment: { NODE_ENV: 'test', ...environment }, overrides }), { now, scheduler, logger, recordingEntries, mediaServer, freeDiskBytes, extraEmulatorPartners: [OTHER_PARTNER] });
  const seeder = (partner: { id: number; adminSecret: string; userSecret: string }) =>
    new KalturaSeeder({ serviceUrl: running.url, partnerId: partner.id, adminSecret: partner.adminSecret, userSecret: partner.userSecret, roleProfileId: ROLE_PROFILE_ID });
  return {
    ...running,
    kaltura: seeder(TEST_PARTNER),
    otherPartner: seeder(OTHER_PARTNER),
    dataDir: folder,
    agent: () => new TestAgent(running.url),
    async stop() {
      await running.close();
      if (!dataDir) rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** Signs a browser stand-in in through /launch with a fresh KS for the user. */
export async function signIn(server: TestServer, userId: string, { returnTo = '/', ksExpiry = 3600 }: { returnTo?: string; ksExpiry?: number } = {}): Promise<TestAgent> {
  const agent = server.agent();
  const ks = await server.kaltura.userKs(userId, { expiry: ksExpiry });
  const response = await agent.get(`/launch?ks=${encodeURIComponent(ks)}&returnTo=${encodeURIComponent(returnTo)}`);
  if (response.status !== 303) throw new Error(`launch for ${userId} answered ${response.status}: ${response.text.slice(0, 200)}`);
  return agent;
}
