/**
 * A Kaltura API emulator for development, tests and the demo: the wire format
 * kaltura-client speaks (JSON POSTs to /api_v3/service/{service}/action/{action}
 * and /api_v3/service/multirequest), KS checks on every call, Kaltura's list
 * answers and Kaltura's error objects. The service talks to it only over HTTP,
 * exactly as it talks to Kaltura.
 */
import type { Router } from 'express';
import type { EmulatorFixture } from './demo-fixture.ts';
import { applyFixture } from './fixture-seeding.ts';
import { createEmulatorRouter } from './emulator-router.ts';
import { createEmulatorState } from './emulator-state.ts';

export type { EmulatorFixture } from './demo-fixture.ts';

export interface EmulatorPartner {
  id: number;
  name: string;
  adminSecret: string;
  userSecret: string;
}

export interface KalturaEmulatorOptions {
  partners: EmulatorPartner[];
  /** Seeds partners[0]. */
  fixture?: EmulatorFixture;
  /** Milliseconds since the epoch; tests move it instead of sleeping. */
  now?: () => number;
  /** Bytes of uploaded media held in memory at most (uploads beyond it are refused with UPLOAD_ERROR). */
  mediaBudgetBytes?: number;
}

export interface KalturaEmulator {
  /** Mount at '/api_v3'. */
  router: Router;
  /** HTTP requests served; a multirequest counts once. */
  requestCount(): number;
}

export function createKalturaEmulator({ partners, fixture, now = Date.now, mediaBudgetBytes }: KalturaEmulatorOptions): KalturaEmulator {
  const [seeded] = partners;
  if (!seeded) throw new Error('The Kaltura emulator needs at least one partner');
  if (new Set(partners.map((partner) => partner.id)).size !== partners.length) throw new Error('The Kaltura emulator partners need distinct ids');
  const nowSeconds = () => Math.floor(now() / 1000);
  const state = createEmulatorState(partners, mediaBudgetBytes);
  if (fixture) applyFixture(state, seeded.id, fixture, nowSeconds());
  let served = 0;
  const router = createEmulatorRouter({ state, nowSeconds }, () => {
    served += 1;
  });
  return { router, requestCount: () => served };
}
