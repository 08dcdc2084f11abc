/**
 * Kaltura as the service reaches it (the composition root's part): the real
 * Kaltura named in config, or, without one, the built-in emulator of a demo
 * partner, mounted on this very server under /api_v3; and the gateway every
 * service calls it through, with its short-lived caches.
 */
import type { AppConfig } from '../lib/config/config.ts';
import { randomSecret, readOrCreateSecretFile } from '../lib/secrets/local-secrets.ts';
import { createKalturaEmulator, type EmulatorPartner, type KalturaEmulator } from '../kaltura-emulator/create-kaltura-emulator.ts';
import { loadDemoFixture } from '../kaltura-emulator/demo-fixture.ts';
import { createCachedKalturaGateway, type CachedKalturaGateway } from './cached-kaltura-gateway.ts';
import { createKalturaGateway } from './kaltura-gateway.ts';

export interface ReachedKaltura {
  gateway: CachedKalturaGateway;
  /** The emulated demo partner's secrets, when the emulator is on. */
  emulatorPartner: EmulatorPartner | null;
  emulator: KalturaEmulator | null;
}

export function createKaltura(config: AppConfig, options: { port: number; now: () => number; extraEmulatorPartners?: EmulatorPartner[] }): ReachedKaltura {
  const { port, now } = options;
  const emulatorPartner = config.kaltura.serviceUrl === null ? demoPartner(config) : null;
  const emulator = emulatorPartner
    ? createKalturaEmulator({
        partners: [emulatorPartner, ...(options.extraEmulatorPartners ?? [])],
        fixture: loadDemoFixture(),
        now,
        mediaBudgetBytes: config.recordings.kalturaEmulatorMediaMegabytes * 1024 * 1024,
      })
    : null;
  const gateway = createCachedKalturaGateway(
    createKalturaGateway({
      // With the emulator on, Kaltura is this very server, under /api_v3.
      serviceUrl: config.kaltura.serviceUrl ?? `http://127.0.0.1:${port}`,
      partnerId: config.kaltura.partnerId,
      adminSecret: config.kaltura.adminSecret ?? emulatorPartner!.adminSecret,
      userSecret: config.kaltura.userSecret ?? emulatorPartner?.userSecret ?? null,
      timeoutMs: config.kaltura.timeoutMs,
      userRoleMetadataProfileId: config.kaltura.userRoleMetadataProfileId,
      adminSessionTtlSeconds: config.kaltura.adminSessionTtlSeconds,
      uploadTimeoutMs: config.recordings.publishChunkTimeoutMs,
      now,
    }),
    { ...config.cache, now },
  );
  return { gateway, emulatorPartner, emulator };
}

/** The emulated partner: its id from config, its secrets from config or made once and kept in the data folder. */
function demoPartner(config: AppConfig): EmulatorPartner {
  return {
    id: config.kaltura.partnerId,
    name: 'Live Rooms demo partner',
    adminSecret: config.kaltura.adminSecret ?? readOrCreateSecretFile(config.dataDir, 'emulator-admin-secret', randomSecret),
    userSecret: config.kaltura.userSecret ?? readOrCreateSecretFile(config.dataDir, 'emulator-user-secret', randomSecret),
  };
}
