/**
 * Setup before the clock starts: one channel and N users in the service's
 * Kaltura emulator, each user a member or contributor of the channel with a
 * MediaSpace role, and a USER KS minted for each, as MediaSpace would hold.
 * Everything goes through kaltura-client, the way the integration tests seed.
 */
import { KalturaSeeder, LEVEL } from '../support/kaltura-seed.ts';
import { benchSeeder } from './bench-partner.ts';
import { runConcurrently } from './load-generator.ts';

/** Seeding is not measured; this only keeps it quick without flooding the emulator. */
const SEED_CONCURRENCY = 16;
/** Long enough to outlive both passes, so no KS expires mid-benchmark. */
const KS_EXPIRY_SECONDS = 2 * 3600;

export interface SeededUser {
  userId: string;
  level: 'member' | 'contributor';
  ks: string;
}

export interface Seeded {
  channelId: number;
  users: SeededUser[];
}

export async function seedJoinStorm(serviceUrl: string, userCount: number): Promise<Seeded> {
  const seeder = benchSeeder(serviceUrl);
  const channel = await seeder.createChannel('Bench join storm');
  const indexes = Array.from({ length: userCount }, (_, index) => index);
  const { outcomes } = await runConcurrently(indexes, SEED_CONCURRENCY, (index) => seedUser(seeder, channel.id, index));
  const failed = outcomes.filter((outcome) => outcome.error !== undefined);
  if (failed.length > 0) throw new Error(`seeding failed for ${failed.length} of ${userCount} users; first: ${String(failed[0]!.error)}`);
  return { channelId: channel.id, users: outcomes.map((outcome) => outcome.value!) };
}

async function seedUser(seeder: KalturaSeeder, channelId: number, index: number): Promise<SeededUser> {
  const userId = `bench-user-${String(index).padStart(5, '0')}`;
  // Both levels are offered Join (not Start); a mix exercises both rows of the role mapping.
  const level = index % 3 === 0 ? 'contributor' : 'member';
  await seeder.createUser({ id: userId, name: `Bench user ${index}`, role: 'viewerRole' });
  await seeder.addMember(channelId, userId, LEVEL[level]);
  const ks = await seeder.userKs(userId, { expiry: KS_EXPIRY_SECONDS });
  return { userId, level, ks };
}
