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
import type { LiveSession } from '../rooms/live-session-store.ts';
import type { RoomPermission, RoomRole } from '../rooms/room-permissions.ts';
import type { ClientMessage, ServerMessage, SessionEndReason } from './room-protocol.ts';
import { CLOSE } from './room-protocol.ts';
import { phrase } from '../lib/i18n/phrase.ts';
import type { Audience, PresentPerson } from './room-state.ts';
import { RateBuckets } from './rate-buckets.ts';
import { RoomViews } from './room-views.ts';
import { PERMISSION_NEEDED, RATE_LIMIT_OF } from './room-message-rules.ts';
import { AdmissionFlow } from './admission-flow.ts';
import { AttendanceTracker } from './attendance-tracker.ts';
import { InstructorWatch } from './instructor-watch.ts';
import { RoomActionError } from './room-action-error.ts';
import { moderationMessages, RoomModeration } from './room-moderation.ts';
import type { LiveRoomDeps } from './live-room-deps.ts';
import { RoomChat } from './room-chat.ts';
import { RoomWebcams } from './room-webcams.ts';
import { sessionView, welcomeMessage } from './room-welcome.ts';

export { RoomActionError } from './room-action-error.ts';
export type { LiveRoomDeps, LiveRoomOptions, RoomPlanRules, RoomRecordingHooks } from './live-room-deps.ts';

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
  waitingForAdmission: phrase('live-room:errors.waitingForAdmission'),
};

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
  readonly #webcams: RoomWebcams;

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
    this.#webcams = new RoomWebcams({ ...deps, views: this.#views, publish });
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
      admit(await welcomeMessage({ ...this.#deps, views: this.#views }, actor, session, waits));
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
      await this.#webcams.release(actor.roomId, actor.userId);
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
          await this.#requireLive(actor.roomId);
          return this.#webcams.take(actor);
        case 'camera.stop':
          return this.#webcams.release(actor.roomId, actor.userId);
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

  /**
   * A webcam place taken or freed for a media feed: permitted as camera.start and camera.stop are, in
   * the room's order, but not counted as a change of its own (the media message that caused it was).
   */
  async startWebcam(actor: RoomActor): Promise<void> {
    this.#requirePermission(actor, 'camera.start');
    return this.#inRoom(actor.roomId, async () => {
      await this.#requireLive(actor.roomId);
      await this.#webcams.take(actor);
    });
  }

  async stopWebcam(actor: RoomActor): Promise<void> {
    this.#requirePermission(actor, 'camera.stop');
    return this.#inRoom(actor.roomId, () => this.#webcams.release(actor.roomId, actor.userId));
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
