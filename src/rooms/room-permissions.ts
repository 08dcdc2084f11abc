/**
 * What a person may do inside a room. The launch token carries the role and
 * these named flags; the room trusts nothing else.
 */
export const ROOM_ROLES = ['instructor', 'participant'] as const;
export type RoomRole = (typeof ROOM_ROLES)[number];

export const ROOM_PERMISSIONS = [
  'startSession',
  'endSession',
  'admitParticipants',
  'removeParticipants',
  'muteOthers',
  'shareScreen',
  'record',
  'manageFiles',
  'chat',
  'camera',
  'microphone',
  'raiseHand',
  'moderateChat',
  'lowerHands',
] as const;
export type RoomPermission = (typeof ROOM_PERMISSIONS)[number];

/** Everything: the main instructor of a private room, and the default for channel managers and moderators. */
export const ALL_ROOM_PERMISSIONS: readonly RoomPermission[] = ROOM_PERMISSIONS;

/** Someone invited into a private room: they take part, they do not lead. */
export const INVITED_PARTICIPANT_PERMISSIONS: readonly RoomPermission[] = ['chat', 'camera', 'microphone', 'raiseHand'];

/** Keeps the catalogue order, drops duplicates, so tokens and pages list permissions the same way. */
export function normalisePermissions(permissions: Iterable<RoomPermission>): RoomPermission[] {
  const wanted = new Set(permissions);
  return ROOM_PERMISSIONS.filter((permission) => wanted.has(permission));
}
