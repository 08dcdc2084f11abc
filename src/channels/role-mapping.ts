/**
 * From a channel permission level to what a person may do: the room role and
 * permissions (set by the administrator in the role mapping), and which
 * meeting actions the channel page offers.
 */
import type { RoleMappingEntry } from '../module-settings/settings-schema.ts';
import type { RoomPermission, RoomRole } from '../rooms/room-permissions.ts';
import type { ChannelLevel } from './channel-levels.ts';

export type MeetingAction = 'start' | 'join';

export interface RoomAccess {
  role: RoomRole;
  permissions: RoomPermission[];
}

export function roomAccessFor(level: ChannelLevel, mapping: readonly RoleMappingEntry[]): RoomAccess {
  const entry = mapping.find((candidate) => candidate.channelLevel === level);
  // The schema guarantees one row per level; a missing row grants nothing rather than everything.
  return entry ? { role: entry.roomRole, permissions: [...entry.permissions] } : { role: 'participant', permissions: [] };
}

export function canStartMeeting(level: ChannelLevel | null, mapping: readonly RoleMappingEntry[]): boolean {
  return level !== null && roomAccessFor(level, mapping).permissions.includes('startSession');
}

/**
 * One clear action: Start Meeting for those who may start the session (by
 * default Managers and Moderators) while none is live; Join Meeting for
 * everyone else who is a member, and for the starters too once a meeting is
 * live (starting it again would only join it). Non-members get nothing.
 */
export function meetingActions(level: ChannelLevel | null, mapping: readonly RoleMappingEntry[], live: boolean): MeetingAction[] {
  if (level === null) return [];
  if (!canStartMeeting(level, mapping) || live) return ['join'];
  return ['start'];
}
