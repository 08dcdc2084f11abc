/**
 * What the live room is built from: its options from config, the stores and
 * services the composition root hands it, the plan's rules and recording.
 */
import type { Scheduler } from '../lib/clock/scheduler.ts';
import type { Logger } from '../lib/logger/logger.ts';
import type { RecordingMessageType, RecordingView } from '../recordings/room/recording-protocol.ts';
import type { LiveSessionStore } from '../rooms/live-session-store.ts';
import type { Room } from '../rooms/room-store.ts';
import type { Admission } from './admission.ts';
import type { AttendanceStore } from './attendance-store.ts';
import type { ChatStore } from './chat-store.ts';
import type { RoomActor } from './live-room-service.ts';
import type { ParticipantIds } from './participant-ids.ts';
import type { RemovalStore } from './removal-store.ts';
import type { RoomState } from './room-state.ts';
import type { WaitingRoomStore } from './waiting-room-store.ts';

export interface LiveRoomOptions {
  reconnectGraceMs: number;
  instructorGraceMs: number;
  defaultCapacity: number;
  chatRatePerSecond: number;
  chatBurst: number;
  /** Every other message that changes the room (hands, cameras, moderation, start and end), per person. */
  actionRatePerSecond: number;
  actionBurst: number;
  chatHistoryLimit: number;
}

/** What a room's plan allows (src/courses/plan-catalogue.ts). */
export interface RoomPlanRules {
  canGoLive(room: Room): boolean;
  /** Webcam places per live session; null: no limit. */
  webcamLimit(room: Room): number | null;
}

export interface LiveRoomDeps {
  rooms: { findById(id: string): Promise<Room | null> };
  liveSessions: LiveSessionStore;
  attendance: AttendanceStore;
  chat: ChatStore;
  removals: RemovalStore;
  /** Arrivals in and admissions from the waiting room (Session Stats shows that time apart). */
  waitingRoom: WaitingRoomStore;
  state: RoomState;
  scheduler: Scheduler;
  logger: Logger;
  options: LiveRoomOptions;
  plans: RoomPlanRules;
  /** The ids the room shows for people, and the way back to their user keys. */
  participantIds: ParticipantIds;
  /** A person's profile picture (its address), shown on their tile when their camera is off. */
  pictures?: { pictureOf(userId: string): Promise<string | null> };
  /** Whether instructors admit each person, and whom they admitted. */
  admission: Admission;
  /** Recording the session (src/recordings/room); without it, recording messages are refused. */
  recording?: RoomRecordingHooks;
  /** Told once a session has ended and its attendance is closed (Session Stats keeps its figures then). */
  sessionEnded?: (sessionId: string, endedAt: number) => Promise<void>;
}

/** What the room asks of recording: its messages, its state for a person entering, and the end of a session. */
export interface RoomRecordingHooks {
  handle(actor: RoomActor, type: RecordingMessageType): Promise<void>;
  snapshot(roomId: string): Promise<RecordingView>;
  sessionEnded(roomId: string): Promise<void>;
}
