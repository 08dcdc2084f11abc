/**
 * Recording in the live room, as the room protocol carries it. Clients send
 * `recording.start`, `recording.pause`, `recording.resume` and `recording.stop`
 * (schemas in src/live-room/room-protocol.ts, with the room's others; the
 * `record` permission); everyone in the room hears `recording.changed`, and a
 * person entering finds the same view in their welcome.
 */
import type { RecordingFinishReason } from '../../lib/db/schema.ts';

export type RecordingRoomState = 'off' | 'recording' | 'paused';

export interface RecordingView {
  state: RecordingRoomState;
  /** Who started the recording in progress. */
  by: string | null;
  /** When the recording in progress started (the server's clock). */
  since: number | null;
  /** Seconds recorded so far, pauses excluded, as of `at`. */
  recordedSeconds: number;
  /** The course's recording time left, as of `at`: while recording, the client counts both on from there. */
  leftSeconds: number;
  at: number;
  /** Whether this service's media server records (Janus does; the embedded SFU does not). */
  available: boolean;
}

export type RecordingServerMessage =
  /** `finished`: why the recording that just ended ended (quota: the time ran out; an administrator can add hours). */
  | { type: 'recording.changed'; recording: RecordingView; finished?: RecordingFinishReason }
  /** Once per recording, when the course has this little recording time left. */
  | { type: 'recording.warning'; minutesLeft: number; leftSeconds: number };

export const RECORDING_MESSAGE_TYPES = ['recording.start', 'recording.pause', 'recording.resume', 'recording.stop'] as const;
export type RecordingMessageType = (typeof RECORDING_MESSAGE_TYPES)[number];
