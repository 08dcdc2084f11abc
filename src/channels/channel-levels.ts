/**
 * Channel permission levels as Kaltura's categoryUser records them
 * (KalturaCategoryUserPermissionLevel), and the names the module uses for them.
 */
export const CHANNEL_LEVELS = ['manager', 'moderator', 'contributor', 'member'] as const;
export type ChannelLevel = (typeof CHANNEL_LEVELS)[number];

const LEVEL_BY_KALTURA_VALUE: Record<number, ChannelLevel> = {
  0: 'manager',
  1: 'moderator',
  2: 'contributor',
  3: 'member',
};

/** NONE (4) and unknown values mean "not a member". */
export function channelLevelFromKaltura(permissionLevel: number): ChannelLevel | null {
  return LEVEL_BY_KALTURA_VALUE[permissionLevel] ?? null;
}
