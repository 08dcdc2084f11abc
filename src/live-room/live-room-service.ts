/**
 * The rules of a live room. A room has at most one live session. People who
 * arrive before it starts wait, and are let in the moment it starts;
 * instructors are in the room all along. Every stretch of time a person spends
 * inside a live session is recorded; a reconnect within the grace period
 * continues the same stretch, and several tabs of one person count once. If
 * the last instructor leaves, the session stays live for a grace period, then
 * ends by itself. Everything a person asks for is checked against the role and
 * permissions their launch token granted, here, on the server.
 *
 * State changes of one room run one at a time (a per-room queue), so a start
 * and a join arriving together cannot see each other half-done.
 */
import { KeyedQueue } from '../lib/async/keyed-queue.ts';
import type { Scheduler } from '../lib/clock/scheduler.ts';
import type { Logger } from '../lib/logger/logger.ts';
import type { LiveSession, LiveSessionStore } from '../rooms/live-session-store.ts';
import type { RoomPermission, RoomRole } from '../rooms/room-permissions.ts';
import type { Room } from '../rooms/room-store.ts';
import type { AttendanceStore } from './attendance-store.ts';
import type { ChatStore } from './chat-store.ts';
import type { ParticipantIds } from './participant-ids.ts';
import type { RemovalStore } from './removal-store.ts';
import type { WaitingRoomStore } from './waiting-room-store.ts';
import type { ClientMessage, ServerMessage, SessionEndReason, SessionView } from './room-protocol.ts';
import { CLOSE } from './room-protocol.ts';
import { phrase } from '../lib/i18n/phrase.ts';
import type { Audience, PresentPerson, RoomState } from './room-state.ts';
import { RateBuckets } from './rate-buckets.ts';
import { RoomViews } from './room-views.ts';
import { PERMISSION_NEEDED, RATE_LIMIT_OF, type RoomAction } from './room-message-rules.ts';
import type { Admission } from './admission.ts';
import type { RecordingMessageType, RecordingView } from '../recordings/room/recording-protocol.ts';
import { AdmissionFlow } from './admission-flow.ts';
import { AttendanceTracker } from './attendance-tracker.ts';
import { InstructorWatch } from './instructor-watch.ts';
import { RoomActionError } from './room-action-error.ts';
import { moderationMessages, RoomModeration } from './room-moderation.ts';
import { RoomChat } from './room-chat.ts';

export { RoomActionError } from './room-action-error.ts';

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

/** The person behind a connection, exactly as their launch token admitted them. */
export interface RoomActor {
  roomId: string;
  userId: string;
  name: string;
  email: string | null;
  role: RoomRole;
  permissions: readonly RoomPermission[];
}

export type ConnectOutcome = { admitted: true } | { admitted: false; message: ServerMessage; close: { code: number; reason: string } };

const messages = {
  full: phrase('live-room:errors.full'),
  removed: moderationMessages.removed,
  notAllowed: moderationMessages.notAllowed,
  notLive: phrase('live-room:errors.notLive'),
  tooFastActions: phrase('live-room:errors.tooFastActions'),
  roomGone: phrase('live-room:errors.roomGone'),
  inactive: phrase('live-room:errors.inactive'),
  webcamsTaken: (limit: number) => phrase('live-room:errors.webcamsTaken', { count: limit }),
  waitingForAdmission: phrase('live-room:errors.waitingForAdmission'),
};

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

export class LiveRoomService {
  readonly #deps: LiveRoomDeps;
  readonly #queue = new KeyedQueue();
  readonly #attendance: AttendanceTracker;
  readonly #instructors: InstructorWatch;
  readonly #admissions: AdmissionFlow;
  readonly #moderation: RoomModeration;
  readonly #chat: RoomChat;
  readonly #actionBuckets: RateBuckets;
  readonly #views: RoomViews;

  constructor(deps: LiveRoomDeps) {
    this.#deps = deps;
    const { options, scheduler } = deps;
    this.#actionBuckets = new RateBuckets({ ratePerSecond: options.actionRatePerSecond, burst: options.actionBurst, now: scheduler.now });
    this.#views = new RoomViews({ ...deps, chatHistoryLimit: options.chatHistoryLimit });
    const publish = this.#publish.bind(this);
    this.#attendance = new AttendanceTracker({ ...deps, reconnectGraceMs: options.reconnectGraceMs });
    this.#instructors = new InstructorWatch({ scheduler, graceMs: options.instructorGraceMs, noInstructor: (roomId) => this.#endWithoutInstructor(roomId) });
    this.#admissions = new AdmissionFlow({ ...deps, views: this.#views, publish });
    this.#moderation = new RoomModeration({ ...deps, views: this.#views, publish });
    this.#chat = new RoomChat({ ...deps, views: this.#views, publish, ratePerSecond: options.chatRatePerSecond, burst: options.chatBurst });
  }

  /**
   * A person's connection arrives: admitted, or refused (room full, removed) with a message to show.
   * `admit` receives the welcome at the very moment it is made, inside the room's queue: every event
   * before it is already in the welcome, every event after it reaches the connection in order.
   */
  connect(actor: RoomActor, admit: (welcome: ServerMessage) => void): Promise<ConnectOutcome> {
    return this.#inRoom(actor.roomId, async () => {
      const { state, removals, scheduler } = this.#deps;
      if (await removals.isRemoved(actor.roomId, actor.userId)) {
        return { admitted: false, message: { type: 'removed', message: messages.removed }, close: { code: CLOSE.removed, reason: 'removed by the instructor' } };
      }
      const people = await state.people(actor.roomId);
      const alreadyHere = people.some((person) => person.userId === actor.userId);
      if (!alreadyHere && actor.role !== 'instructor' && people.length >= (await this.#capacityOf(actor.roomId))) {
        return { admitted: false, message: { type: 'error', code: 'ROOM_FULL', message: messages.full }, close: { code: CLOSE.full, reason: 'room is full' } };
      }
      const picture = (await this.#deps.pictures?.pictureOf(actor.userId)) ?? null;
      const person: PresentPerson = { userId: actor.userId, name: actor.name, email: actor.email, role: actor.role, permissions: [...actor.permissions], since: scheduler.now(), picture };
      const connections = await state.addConnection(actor.roomId, person);
      const waits = await this.#deps.admission.mustWait(actor.roomId, actor);
      // Someone waiting for an instructor is not in the session yet: no attendance, nobody sees them but instructors.
      const session = waits ? null : await this.#deps.liveSessions.findLive(actor.roomId);
      if (connections === 1) await this.#announceArrival(actor.roomId, person, session);
      if (connections === 1 && !session && actor.role !== 'instructor') {
        await this.#deps.waitingRoom.arrive({ roomId: actor.roomId, userId: actor.userId, userName: actor.name, userEmail: actor.email, arrivedAt: scheduler.now() });
      }
      if (session) await this.#attendance.keepAttending(session, person);
      this.#instructors.watch(actor.roomId, await this.#deps.liveSessions.findLive(actor.roomId), await state.people(actor.roomId));
      admit(await this.#welcome(actor, session, waits));
      return { admitted: true };
    });
  }

  /** A connection went away (closed tab, lost network, removed). */
  disconnect(actor: RoomActor): Promise<void> {
    return this.#inRoom(actor.roomId, async () => {
      const remaining = await this.#deps.state.removeConnection(actor.roomId, actor.userId);
      if (remaining > 0) return;
      const live = await this.#deps.liveSessions.findLive(actor.roomId);
      const session = live && !(await this.#deps.admission.mustWait(actor.roomId, actor)) ? live : null;
      await this.#announceDeparture(actor.roomId, actor, session);
      if (!session && actor.role !== 'instructor') await this.#deps.waitingRoom.leave(actor.roomId, actor.userId, this.#deps.scheduler.now());
      if (await this.#deps.state.releaseWebcam(actor.roomId, actor.userId)) await this.#publishWebcams(actor.roomId);
      if (session) this.#attendance.awaitReturn(session, actor.userId, this.#deps.scheduler.now());
      this.#instructors.watch(actor.roomId, live, await this.#deps.state.people(actor.roomId));
    });
  }

  /** What a person asked for over their connection; a refusal is thrown as a RoomActionError. */
  async handle(actor: RoomActor, message: ClientMessage): Promise<void> {
    this.#requirePermission(actor, message.type);
    // Refused before the room's queue: a flood costs the room nothing and reaches nobody else.
    if (RATE_LIMIT_OF[message.type] === 'action') this.takeRoomChange(actor);
    return this.#inRoom(actor.roomId, async () => {
      if (await this.#deps.admission.mustWait(actor.roomId, actor)) throw new RoomActionError('WAITING_FOR_ADMISSION', messages.waitingForAdmission);
      switch (message.type) {
        case 'room.admission':
          return this.#admissions.setAdmission(actor.roomId, message.instructorsAdmit, actor.userId);
        case 'participant.admit':
          return this.#admissions.admit(actor.roomId, [await this.#admissions.waitingPerson(actor.roomId, message.participantId)]);
        case 'participant.admitAll':
          return this.#admissions.admit(actor.roomId, await this.#admissions.waitingPeople(actor.roomId));
        case 'participant.deny':
          return this.#admissions.deny(actor.roomId, await this.#admissions.waitingPerson(actor.roomId, message.participantId));
        case 'session.start':
          return void (await this.#start(actor.roomId, actor.userId));
        case 'session.end':
          return this.#end(actor.roomId, actor.userId, 'ended-by-instructor');
        case 'chat.send':
          return this.#chat.send(await this.#requireLive(actor.roomId), actor, message.text);
        case 'chat.delete':
          return this.#chat.delete(await this.#requireLive(actor.roomId), actor, message.messageId);
        case 'hand.raise':
          await this.#requireLive(actor.roomId);
          return this.#moderation.raiseHand(actor);
        case 'hand.lower':
          return this.#moderation.lowerHand(actor, message.participantId);
        case 'participant.remove':
          return this.#moderation.remove(actor, message.participantId);
        case 'participant.allow':
          return this.#moderation.allow(actor, message.participantId);
        case 'camera.start':
          return this.#startWebcam(actor);
        case 'camera.stop':
          return this.#stopWebcam(actor);
        case 'recording.start':
        case 'recording.pause':
        case 'recording.resume':
        case 'recording.stop':
          if (!this.#deps.recording) throw new RoomActionError('NOT_ALLOWED', messages.notAllowed('record'));
          return this.#deps.recording.handle(actor, message.type);
        case 'leave':
          return;
      }
    });
  }

  /** Start from MediaSpace and the room's own Start are this one operation. */
  startSession(roomId: string, startedBy: string): Promise<LiveSession> {
    return this.#inRoom(roomId, () => this.#start(roomId, startedBy));
  }

  endSession(roomId: string, endedBy: string, reason: SessionEndReason): Promise<void> {
    return this.#inRoom(roomId, () => this.#end(roomId, endedBy, reason));
  }

  /**
   * After a restart: every live session's attendance stays open for the
   * reconnect grace period, so people whose clients reconnect continue where
   * they were; the others are closed at the last time they were seen.
   */
  async recover(): Promise<void> {
    const { live, open } = await this.#attendance.recover();
    for (const session of live) this.#instructors.watch(session.roomId, session, []);
    if (open > 0 || live.length > 0) this.#deps.logger.info({ liveSessions: live.length, openAttendance: open }, 'live rooms recovered after restart');
  }


  /** Notes that everyone connected is still here, so a crash loses at most one heartbeat of attendance. */
  markPresentSeen(roomIds: Iterable<string>): Promise<void> {
    return this.#attendance.markPresentSeen(roomIds);
  }


  /** Stops every timer (server shutdown); attendance stays open for recovery. */
  stop(): void {
    this.#attendance.stop();
    this.#instructors.stop();
  }

  /**
   * Whole minutes (at least 1) until the room's live session ends by itself because no instructor is
   * in it; null while one is (or nothing is live). Cards say this instead of a plain "live".
   */
  minutesLeftWithoutInstructor(roomId: string): number | null {
    return this.#instructors.minutesLeft(roomId);
  }

  async #start(roomId: string, startedBy: string): Promise<LiveSession> {
    const { liveSessions, state, scheduler, chat } = this.#deps;
    const existing = await liveSessions.findLive(roomId);
    if (existing) return existing;
    const room = await this.#deps.rooms.findById(roomId);
    if (!room) throw new RoomActionError('ROOM_NOT_FOUND', messages.roomGone);
    if (!this.#deps.plans.canGoLive(room)) throw new RoomActionError('COURSE_INACTIVE', messages.inactive);
    const session = await liveSessions.startLive(roomId, startedBy, scheduler.now());
    await this.#deps.waitingRoom.admitAll(roomId, session.id, session.startedAt);
    const people = await state.people(roomId);
    for (const person of people) await this.#attendance.keepAttending(session, person);
    const view: ServerMessage = {
      type: 'session.started',
      session: sessionView(session),
      participants: await this.#views.participants(roomId),
      hands: await this.#views.hands(roomId),
      chat: await this.#views.chatHistory(session),
    };
    this.#publish(roomId, 'everyone', view);
    // Everyone waiting came in, except those an instructor is to admit.
    await this.#admissions.publishWaiting(roomId);
    this.#instructors.watch(roomId, session, people);
    return session;
  }

  async #end(roomId: string, endedBy: string, reason: SessionEndReason): Promise<void> {
    const { liveSessions, state, removals, scheduler } = this.#deps;
    const session = await liveSessions.findLive(roomId);
    if (!session) throw new RoomActionError('NOT_LIVE', messages.notLive);
    const endedAt = scheduler.now();
    if (!(await liveSessions.end(session.id, endedBy, reason, endedAt))) return;
    await this.#deps.recording?.sessionEnded(roomId);
    await this.#attendance.endSession(session.id, endedAt);
    // Figures not kept now are counted when a page first needs them: ending the session goes on.
    await this.#deps.sessionEnded?.(session.id, endedAt).catch((error: unknown) => this.#deps.logger.warn({ err: error, liveSessionId: session.id }, 'keeping an ended session\'s figures failed'));
    await state.clearHands(roomId);
    await state.clearWebcams(roomId);
    await removals.clearRoom(roomId);
    this.#deps.admission.forget(roomId);
    this.#instructors.forget(roomId);
    this.#chat.forget(roomId, session.id);
    this.#publish(roomId, 'everyone', { type: 'session.ended', endedAt, reason });
  }

  /** A webcam place of the live session, within the course's webcam limit. */
  async #startWebcam(actor: RoomActor): Promise<void> {
    await this.#requireLive(actor.roomId);
    const limit = await this.#webcamLimitOf(actor.roomId);
    const outcome = await this.#deps.state.takeWebcam(actor.roomId, actor.userId, this.#deps.scheduler.now(), limit);
    if (outcome === 'full') throw new RoomActionError('WEBCAM_LIMIT', messages.webcamsTaken(limit ?? 0));
    if (outcome === 'taken') await this.#publishWebcams(actor.roomId, limit);
  }

  async #stopWebcam(actor: RoomActor): Promise<void> {
    if (await this.#deps.state.releaseWebcam(actor.roomId, actor.userId)) await this.#publishWebcams(actor.roomId);
  }

  async #publishWebcams(roomId: string, limit?: number | null): Promise<void> {
    this.#publish(roomId, 'everyone', { type: 'camera.changed', cameras: await this.#views.webcams(roomId), webcamLimit: limit === undefined ? await this.#webcamLimitOf(roomId) : limit });
  }

  async #webcamLimitOf(roomId: string): Promise<number | null> {
    const room = await this.#deps.rooms.findById(roomId);
    return room ? this.#deps.plans.webcamLimit(room) : null;
  }

  /** Inside a live session everyone sees everyone; before it, only instructors are inside and participants wait. */
  async #announceArrival(roomId: string, person: PresentPerson, session: LiveSession | null): Promise<void> {
    if (session || person.role === 'instructor') {
      this.#publish(roomId, session ? 'everyone' : 'instructors', { type: 'presence.joined', participant: { ...this.#views.person(roomId, person), handRaisedAt: null } });
    } else {
      await this.#admissions.publishWaiting(roomId);
    }
  }

  async #announceDeparture(roomId: string, person: RoomActor, session: LiveSession | null): Promise<void> {
    if (session || person.role === 'instructor') {
      const audience = session ? 'everyone' : 'instructors';
      const participantId = this.#views.idOf(roomId, person.userId);
      if (await this.#deps.state.lowerHand(roomId, person.userId)) this.#publish(roomId, audience, { type: 'hand.lowered', participantId });
      this.#publish(roomId, audience, { type: 'presence.left', participantId });
    } else {
      await this.#admissions.publishWaiting(roomId);
    }
  }

  /** The instructor grace period ran out: the session ends by itself. */
  #endWithoutInstructor(roomId: string): void {
    this.endSession(roomId, 'system', 'no-instructor').catch((error) => {
      if (!(error instanceof RoomActionError)) this.#deps.logger.error({ err: error }, 'ending a session without instructors failed');
    });
  }

  async #welcome(actor: RoomActor, session: LiveSession | null, waits: boolean): Promise<ServerMessage> {
    const room = await this.#deps.rooms.findById(actor.roomId);
    const instructorsAdmit = await this.#deps.admission.instructorsAdmit(actor.roomId);
    const inside = actor.role === 'instructor' || session !== null;
    const waiting = await this.#views.waiting(actor.roomId);
    return {
      type: 'welcome',
      you: { participantId: this.#views.idOf(actor.roomId, actor.userId), name: actor.name, role: actor.role, permissions: [...actor.permissions] },
      room: { id: actor.roomId, name: room?.name ?? '', kind: room?.kind ?? 'channel' },
      phase: session ? 'live' : 'waiting',
      session: session ? sessionView(session) : null,
      participants: inside ? await this.#views.participants(actor.roomId) : [],
      waiting: actor.role === 'instructor' ? waiting : [],
      waitingCount: waiting.length,
      hands: inside ? await this.#views.hands(actor.roomId) : [],
      chat: session ? await this.#views.chatHistory(session) : [],
      cameras: session ? await this.#views.webcams(actor.roomId) : [],
      removed: actor.role === 'instructor' ? await this.#views.removed(actor.roomId) : [],
      webcamLimit: room ? this.#deps.plans.webcamLimit(room) : null,
      admission: { instructorsAdmit, waitingForAdmission: waits },
      recording: (await this.#deps.recording?.snapshot(actor.roomId)) ?? null,
    };
  }

  /**
   * A webcam place taken or freed for a media feed: permitted as camera.start and camera.stop are, in
   * the room's order, but not counted as a change of its own (the media message that caused it was).
   */
  async startWebcam(actor: RoomActor): Promise<void> {
    this.#requirePermission(actor, 'camera.start');
    return this.#inRoom(actor.roomId, () => this.#startWebcam(actor));
  }

  async stopWebcam(actor: RoomActor): Promise<void> {
    this.#requirePermission(actor, 'camera.stop');
    return this.#inRoom(actor.roomId, () => this.#stopWebcam(actor));
  }

  /**
   * One change to the room by this person (a hand, a camera, a moderation step, a media feed), counted
   * against their allowance of such changes; refused with RATE_LIMITED past it. Media signalling counts
   * its own room-changing messages here too, so every kind of change shares one allowance per person.
   */
  takeRoomChange(actor: Pick<RoomActor, 'roomId' | 'userId'>): void {
    if (!this.#actionBuckets.take(bucketKey(actor))) throw new RoomActionError('RATE_LIMITED', messages.tooFastActions);
  }

  /** The id the room protocol shows for this person (media signalling names feeds by it too). */
  participantIdOf(actor: Pick<RoomActor, 'roomId' | 'userId'>): string {
    return this.#views.idOf(actor.roomId, actor.userId);
  }

  #requirePermission(actor: RoomActor, type: ClientMessage['type']): void {
    const needed = PERMISSION_NEEDED[type];
    if (needed && !actor.permissions.includes(needed[0])) throw new RoomActionError('NOT_ALLOWED', messages.notAllowed(needed[1]));
  }

  async #requireLive(roomId: string): Promise<LiveSession> {
    const session = await this.#deps.liveSessions.findLive(roomId);
    if (!session) throw new RoomActionError('NOT_LIVE', messages.notLive);
    return session;
  }

  async #capacityOf(roomId: string): Promise<number> {
    return (await this.#deps.rooms.findById(roomId))?.capacity ?? this.#deps.options.defaultCapacity;
  }

  #publish(roomId: string, audience: Audience, message: ServerMessage, close?: { code: number; reason: string }): void {
    this.#deps.state.publish({ roomId, audience, message, ...(close && { close }) });
  }

  #inRoom<T>(roomId: string, work: () => Promise<T>): Promise<T> {
    return this.#queue.run(roomId, work);
  }

}

/** Rates are per person in a room: several tabs share one allowance. */
function bucketKey(actor: Pick<RoomActor, 'roomId' | 'userId'>): string {
  return `${actor.roomId}|${actor.userId}`;
}

function sessionView(session: LiveSession): SessionView {
  return { id: session.id, startedAt: session.startedAt };
}
