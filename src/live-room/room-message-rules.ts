/**
 * What each room message needs before the live room acts on it: the
 * permission from the launch token, and the rate limit it counts against.
 */
import type { RoomPermission } from '../rooms/room-permissions.ts';
import type { ClientMessage } from './room-protocol.ts';

/** What a refused person was not allowed to do (live-room:actions.<action>). */
export type RoomAction = 'startSession' | 'endSession' | 'chat' | 'deleteMessages' | 'raiseHand' | 'removeParticipants' | 'letBackIn' | 'cameraOn' | 'useCamera' | 'lowerHands' | 'admitPeople' | 'record';

export const PERMISSION_NEEDED: Partial<Record<ClientMessage['type'], [RoomPermission, RoomAction]>> = {
  'session.start': ['startSession', 'startSession'],
  'session.end': ['endSession', 'endSession'],
  'chat.send': ['chat', 'chat'],
  'chat.delete': ['moderateChat', 'deleteMessages'],
  'hand.raise': ['raiseHand', 'raiseHand'],
  'participant.remove': ['removeParticipants', 'removeParticipants'],
  'participant.allow': ['admitParticipants', 'letBackIn'],
  'room.admission': ['admitParticipants', 'admitPeople'],
  'participant.admit': ['admitParticipants', 'admitPeople'],
  'participant.deny': ['admitParticipants', 'admitPeople'],
  'participant.admitAll': ['admitParticipants', 'admitPeople'],
  'camera.start': ['camera', 'cameraOn'],
  'camera.stop': ['camera', 'useCamera'],
  'recording.start': ['record', 'record'],
  'recording.pause': ['record', 'record'],
  'recording.resume': ['record', 'record'],
  'recording.stop': ['record', 'record'],
};

/**
 * Which rate limit each message counts against. Every message type must be named here, so a new one
 * (media signalling, say, which comes in bursts by nature) is a decision, not an oversight.
 */
export const RATE_LIMIT_OF: Record<ClientMessage['type'], 'chat' | 'action' | null> = {
  'session.start': 'action',
  'session.end': 'action',
  'chat.send': 'chat',
  'chat.delete': 'action',
  'hand.raise': 'action',
  'hand.lower': 'action',
  'participant.remove': 'action',
  'participant.allow': 'action',
  'room.admission': 'action',
  'participant.admit': 'action',
  'participant.deny': 'action',
  'participant.admitAll': 'action',
  'camera.start': 'action',
  'camera.stop': 'action',
  'recording.start': 'action',
  'recording.pause': 'action',
  'recording.resume': 'action',
  'recording.stop': 'action',
  leave: null,
};
