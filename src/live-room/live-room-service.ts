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
import type { Scheduler, ScheduledTask } from '../lib/clock/scheduler.ts';
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
import { phrase, say, type Text } from '../lib/i18n/phrase.ts';
import { inEnglish } from '../lib/i18n/i18n.ts';
import type { Audience, PresentPerson, RoomState } from './room-state.ts';
import { RateBuckets } from './rate-buckets.ts';
import { RoomViews } from './room-views.ts';
import { PERMISSION_NEEDED, RATE_LIMIT_OF, type RoomAction } from './room-message-rules.ts';
import type { Admission } from './admission.ts';

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

/** A refusal the sender of a message sees as an `error` message, said in their language. */
export class RoomActionError extends Error {
  readonly code: string;
  /** The words as given, before they are put into the person's language (`message` reads in English). */
  readonly text: Text;
  constructor(code: string, message: Text) {
    super(say(inEnglish(), message));
    this.code = code;
    this.text = message;
  }
}

const messages = {
  full: phrase('live-room:errors.full'),
  removed: phrase('live-room:errors.removed'),
  notAllowed: (action: RoomAction) => phrase('live-room:errors.notAllowed', { action: phrase(`live-room:actions.${action}`) }),
  notLive: phrase('live-room:errors.notLive'),
  tooFast: phrase('live-room:errors.tooFast'),
  tooFastActions: phrase('live-room:errors.tooFastActions'),
  noSuchMessage: phrase('live-room:errors.noSuchMessage'),
  notHere: phrase('live-room:errors.notHere'),
  notRemoved: phrase('live-room:errors.notRemoved'),
  instructorsStay: phrase('live-room:errors.instructorsStay'),
  handNotRaised: phrase('live-room:errors.handNotRaised'),
  roomGone: phrase('live-room:errors.roomGone'),
  inactive: phrase('live-room:errors.inactive'),
  webcamsTaken: (limit: number) => phrase('live-room:errors.webcamsTaken', { count: limit }),
  waitingForAdmission: phrase('live-room:errors.waitingForAdmission'),
  notWaiting: phrase('live-room:errors.notWaiting'),
  denied: phrase('live-room:errors.denied'),
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
  /** Told once a session has ended and its attendance is closed (Session Stats keeps its figures then). */
  sessionEnded?: (sessionId: string, endedAt: number) => Promise<void>;
}

interface OpenStretch {
  intervalId: string;
  /** Pending close while the person is away, cancelled if they come back within the grace period. */
  departure: ScheduledTask | null;
}

export class LiveRoomService {
  readonly #deps: LiveRoomDeps;
  readonly #queues = new Map<string, Promise<unknown>>();
  /** Open attendance per `${sessionId}|${userId}`. */
  readonly #stretches = new Map<string, OpenStretch>();
  readonly #noInstructorTimers = new Map<string, ScheduledTask>();
  /** When each room's session ends for want of an instructor, while its timer runs. */
  readonly #noInstructorEnds = new Map<string, number>();
  readonly #chatBuckets: RateBuckets;
  readonly #actionBuckets: RateBuckets;
  readonly #views: RoomViews;
  /** Last chat time per session: times are kept strictly increasing so history order is send order. */
  readonly #lastChatAt = new Map<string, number>();

  constructor(deps: LiveRoomDeps) {
    this.#deps = deps;
    const { options, scheduler } = deps;
    this.#chatBuckets = new RateBuckets({ ratePerSecond: options.chatRatePerSecond, burst: options.chatBurst, now: scheduler.now });
    this.#actionBuckets = new RateBuckets({ ratePerSecond: options.actionRatePerSecond, burst: options.actionBurst, now: scheduler.now });
    this.#views = new RoomViews({ ...deps, chatHistoryLimit: options.chatHistoryLimit });
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
      if (session) await this.#keepAttending(session, person);
      this.#watchInstructors(actor.roomId, await this.#deps.liveSessions.findLive(actor.roomId), await state.people(actor.roomId));
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
      if (session) this.#awaitReturn(session, actor.userId, this.#deps.scheduler.now());
      this.#watchInstructors(actor.roomId, live, await this.#deps.state.people(actor.roomId));
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
          return this.#setAdmission(actor, message.instructorsAdmit);
        case 'participant.admit':
          return this.#admit(actor.roomId, [await this.#waitingPerson(actor.roomId, message.participantId)]);
        case 'participant.admitAll':
          return this.#admit(actor.roomId, await this.#waitingPeople(actor.roomId));
        case 'participant.deny':
          return this.#deny(actor.roomId, await this.#waitingPerson(actor.roomId, message.participantId));
        case 'session.start':
          return void (await this.#start(actor.roomId, actor.userId));
        case 'session.end':
          return this.#end(actor.roomId, actor.userId, 'ended-by-instructor');
        case 'chat.send':
          return this.#sendChat(actor, message.text);
        case 'chat.delete':
          return this.#deleteChat(actor, message.messageId);
        case 'hand.raise':
          return this.#raiseHand(actor);
        case 'hand.lower':
          return this.#lowerHand(actor, message.participantId);
        case 'participant.remove':
          return this.#remove(actor, message.participantId);
        case 'participant.allow':
          return this.#allow(actor, message.participantId);
        case 'camera.start':
          return this.#startWebcam(actor);
        case 'camera.stop':
          return this.#stopWebcam(actor);
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
    const { attendance, liveSessions, logger } = this.#deps;
    const live = new Map((await liveSessions.listLive()).map((session) => [session.id, session]));
    const open = await attendance.listOpen();
    for (const interval of open) {
      const session = live.get(interval.liveSessionId);
      if (!session) {
        await attendance.close(interval.id, interval.lastSeenAt);
        continue;
      }
      const stretch: OpenStretch = { intervalId: interval.id, departure: null };
      this.#stretches.set(stretchKey(session.id, interval.userId), stretch);
      this.#awaitReturn(session, interval.userId, interval.lastSeenAt);
    }
    for (const session of live.values()) this.#watchInstructors(session.roomId, session, []);
    if (open.length > 0 || live.size > 0) logger.info({ liveSessions: live.size, openAttendance: open.length }, 'live rooms recovered after restart');
  }

  /** Notes that everyone connected is still here, so a crash loses at most one heartbeat of attendance. */
  async markPresentSeen(roomIds: Iterable<string>): Promise<void> {
    const { state, liveSessions, attendance, scheduler } = this.#deps;
    const seen: string[] = [];
    for (const roomId of roomIds) {
      const session = await liveSessions.findLive(roomId);
      if (!session) continue;
      for (const person of await state.people(roomId)) {
        const stretch = this.#stretches.get(stretchKey(session.id, person.userId));
        if (stretch && !stretch.departure) seen.push(stretch.intervalId);
      }
    }
    await attendance.markSeen(seen, scheduler.now());
  }

  /** Stops every timer (server shutdown); attendance stays open for recovery. */
  stop(): void {
    for (const stretch of this.#stretches.values()) stretch.departure?.cancel();
    for (const timer of this.#noInstructorTimers.values()) timer.cancel();
    this.#noInstructorTimers.clear();
    this.#noInstructorEnds.clear();
  }

  /**
   * Whole minutes (at least 1) until the room's live session ends by itself because no instructor is
   * in it; null while one is (or nothing is live). Cards say this instead of a plain "live".
   */
  minutesLeftWithoutInstructor(roomId: string): number | null {
    const endsAt = this.#noInstructorEnds.get(roomId);
    return endsAt === undefined ? null : Math.max(1, Math.ceil((endsAt - this.#deps.scheduler.now()) / 60_000));
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
    for (const person of people) await this.#keepAttending(session, person);
    const view: ServerMessage = {
      type: 'session.started',
      session: sessionView(session),
      participants: await this.#views.participants(roomId),
      hands: await this.#views.hands(roomId),
      chat: await this.#views.chatHistory(session),
    };
    this.#publish(roomId, 'everyone', view);
    // Everyone waiting came in, except those an instructor is to admit.
    await this.#publishWaiting(roomId);
    this.#watchInstructors(roomId, session, people);
    return session;
  }

  async #end(roomId: string, endedBy: string, reason: SessionEndReason): Promise<void> {
    const { liveSessions, attendance, state, removals, scheduler } = this.#deps;
    const session = await liveSessions.findLive(roomId);
    if (!session) throw new RoomActionError('NOT_LIVE', messages.notLive);
    const endedAt = scheduler.now();
    if (!(await liveSessions.end(session.id, endedBy, reason, endedAt))) return;
    for (const [key, stretch] of this.#stretches) {
      if (key.startsWith(`${session.id}|`)) {
        stretch.departure?.cancel();
        this.#stretches.delete(key);
      }
    }
    await attendance.closeAllOpen(session.id, endedAt);
    // Figures not kept now are counted when a page first needs them: ending the session goes on.
    await this.#deps.sessionEnded?.(session.id, endedAt).catch((error: unknown) => this.#deps.logger.warn({ err: error, liveSessionId: session.id }, 'keeping an ended session\'s figures failed'));
    await state.clearHands(roomId);
    await state.clearWebcams(roomId);
    await removals.clearRoom(roomId);
    this.#deps.admission.forget(roomId);
    this.#noInstructorTimers.get(roomId)?.cancel();
    this.#noInstructorTimers.delete(roomId);
    this.#noInstructorEnds.delete(roomId);
    this.#chatBuckets.forgetPrefix(`${roomId}|`);
    this.#lastChatAt.delete(session.id);
    this.#publish(roomId, 'everyone', { type: 'session.ended', endedAt, reason });
  }

  async #sendChat(actor: RoomActor, text: string): Promise<void> {
    const session = await this.#requireLive(actor.roomId);
    if (!this.#chatBuckets.take(bucketKey(actor))) throw new RoomActionError('RATE_LIMITED', messages.tooFast);
    const sentAt = Math.max(this.#deps.scheduler.now(), (this.#lastChatAt.get(session.id) ?? 0) + 1);
    this.#lastChatAt.set(session.id, sentAt);
    const message = await this.#deps.chat.add({
      liveSessionId: session.id,
      roomId: actor.roomId,
      userId: actor.userId,
      name: actor.name,
      role: actor.role,
      text,
      sentAt,
    });
    this.#publish(actor.roomId, 'everyone', { type: 'chat.message', message: this.#views.chatMessage(actor.roomId, message) });
  }

  async #deleteChat(actor: RoomActor, messageId: string): Promise<void> {
    const session = await this.#requireLive(actor.roomId);
    if (!(await this.#deps.chat.delete(session.id, messageId, actor.userId, this.#deps.scheduler.now()))) {
      throw new RoomActionError('NOT_FOUND', messages.noSuchMessage);
    }
    this.#publish(actor.roomId, 'everyone', { type: 'chat.deleted', messageId });
  }

  async #raiseHand(actor: RoomActor): Promise<void> {
    await this.#requireLive(actor.roomId);
    const raisedAt = this.#deps.scheduler.now();
    if (await this.#deps.state.raiseHand(actor.roomId, actor.userId, raisedAt)) {
      this.#publish(actor.roomId, 'everyone', { type: 'hand.raised', hand: { participantId: this.#views.idOf(actor.roomId, actor.userId), name: actor.name, raisedAt } });
    }
  }

  /** The person's own hand, or (with lowerHands) the hand of the participant named. */
  async #lowerHand(actor: RoomActor, participantId: string | undefined): Promise<void> {
    const own = participantId === undefined || participantId === this.#views.idOf(actor.roomId, actor.userId);
    if (!own && !actor.permissions.includes('lowerHands')) throw new RoomActionError('NOT_ALLOWED', messages.notAllowed('lowerHands'));
    const raised = own ? actor.userId : this.#deps.participantIds.find(actor.roomId, participantId, (await this.#deps.state.hands(actor.roomId)).map((hand) => hand.userId));
    if (raised === null || !(await this.#deps.state.lowerHand(actor.roomId, raised))) {
      if (!own) throw new RoomActionError('NOT_FOUND', messages.handNotRaised);
      return;
    }
    this.#publish(actor.roomId, 'everyone', { type: 'hand.lowered', participantId: this.#views.idOf(actor.roomId, raised) });
  }

  async #remove(actor: RoomActor, participantId: string): Promise<void> {
    const people = await this.#deps.state.people(actor.roomId);
    const userId = this.#deps.participantIds.find(actor.roomId, participantId, people.map((person) => person.userId));
    const target = people.find((person) => person.userId === userId);
    if (!target) throw new RoomActionError('NOT_FOUND', messages.notHere);
    if (target.role === 'instructor') throw new RoomActionError('NOT_ALLOWED', messages.instructorsStay);
    const session = await this.#deps.liveSessions.findLive(actor.roomId);
    await this.#deps.removals.remove({
      roomId: actor.roomId,
      userId: target.userId,
      userName: target.name,
      liveSessionId: session?.id ?? null,
      removedBy: actor.userId,
      removedAt: this.#deps.scheduler.now(),
    });
    if (await this.#deps.state.lowerHand(actor.roomId, target.userId)) this.#publish(actor.roomId, 'everyone', { type: 'hand.lowered', participantId });
    this.#publish(actor.roomId, { userId: target.userId }, { type: 'removed', message: messages.removed }, { code: CLOSE.removed, reason: 'removed by the instructor' });
    await this.#publishRemovals(actor.roomId);
  }

  async #allow(actor: RoomActor, participantId: string): Promise<void> {
    const userId = this.#deps.participantIds.find(actor.roomId, participantId, (await this.#deps.removals.list(actor.roomId)).map((removal) => removal.userId));
    if (userId === null || !(await this.#deps.removals.allow(actor.roomId, userId))) throw new RoomActionError('NOT_FOUND', messages.notRemoved);
    await this.#publishRemovals(actor.roomId);
  }

  async #publishRemovals(roomId: string): Promise<void> {
    this.#publish(roomId, 'instructors', { type: 'removals.changed', removed: await this.#views.removed(roomId) });
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
      await this.#publishWaiting(roomId);
    }
  }

  async #announceDeparture(roomId: string, person: RoomActor, session: LiveSession | null): Promise<void> {
    if (session || person.role === 'instructor') {
      const audience = session ? 'everyone' : 'instructors';
      const participantId = this.#views.idOf(roomId, person.userId);
      if (await this.#deps.state.lowerHand(roomId, person.userId)) this.#publish(roomId, audience, { type: 'hand.lowered', participantId });
      this.#publish(roomId, audience, { type: 'presence.left', participantId });
    } else {
      await this.#publishWaiting(roomId);
    }
  }

  /** Instructors see who waits; those waiting see only how many. */
  async #publishWaiting(roomId: string): Promise<void> {
    const waiting = await this.#views.waiting(roomId);
    this.#publish(roomId, 'instructors', { type: 'waiting.changed', waiting, waitingCount: waiting.length });
    for (const audience of ['participants', 'waiting'] as const) this.#publish(roomId, audience, { type: 'waiting.changed', waiting: [], waitingCount: waiting.length });
  }

  /**
   * The room's admission setting. Turned on, people already in the session stay in, and participants
   * waiting for its start come back as people an instructor admits; turned off, everyone waiting for an
   * instructor comes in.
   */
  async #setAdmission(actor: RoomActor, on: boolean): Promise<void> {
    const { admission, state, liveSessions, scheduler } = this.#deps;
    const live = await liveSessions.findLive(actor.roomId);
    const waiting = on ? [] : await this.#waitingPeople(actor.roomId);
    if (on && live) for (const person of await state.people(actor.roomId)) admission.admit(actor.roomId, person.userId);
    await admission.setInstructorsAdmit(actor.roomId, on, actor.userId, scheduler.now());
    this.#publish(actor.roomId, 'everyone', { type: 'admission.changed', instructorsAdmit: on });
    if (on && !live) this.#publish(actor.roomId, 'participants', { type: 'admission.changed', instructorsAdmit: on }, { code: CLOSE.admitted, reason: 'instructors admit each person' });
    else this.#publish(actor.roomId, 'waiting', { type: 'admission.changed', instructorsAdmit: on });
    await this.#admit(actor.roomId, waiting);
  }

  /** Let in: each closes their waiting connection and comes back in at once (4009). */
  async #admit(roomId: string, people: readonly PresentPerson[]): Promise<void> {
    for (const person of people) {
      this.#deps.admission.admit(roomId, person.userId);
      this.#publish(roomId, { userId: person.userId }, { type: 'admission.admitted' }, { code: CLOSE.admitted, reason: 'admitted' });
    }
    if (people.length > 0) await this.#publishWaiting(roomId);
  }

  async #deny(roomId: string, person: PresentPerson): Promise<void> {
    this.#publish(roomId, { userId: person.userId }, { type: 'admission.denied', message: messages.denied }, { code: CLOSE.denied, reason: 'not admitted' });
  }

  async #waitingPeople(roomId: string): Promise<PresentPerson[]> {
    const waiting: PresentPerson[] = [];
    for (const person of await this.#deps.state.people(roomId)) if (await this.#deps.admission.mustWait(roomId, person)) waiting.push(person);
    return waiting;
  }

  async #waitingPerson(roomId: string, participantId: string): Promise<PresentPerson> {
    const waiting = await this.#waitingPeople(roomId);
    const userId = this.#deps.participantIds.find(roomId, participantId, waiting.map((person) => person.userId));
    const person = waiting.find((candidate) => candidate.userId === userId);
    if (!person) throw new RoomActionError('NOT_FOUND', messages.notWaiting);
    return person;
  }

  /** Opens the person's attendance in this session, or continues it if they are back within the grace period. */
  async #keepAttending(session: LiveSession, person: PresentPerson): Promise<void> {
    const key = stretchKey(session.id, person.userId);
    const stretch = this.#stretches.get(key);
    if (stretch) {
      stretch.departure?.cancel();
      stretch.departure = null;
      return;
    }
    const interval = await this.#deps.attendance.open({
      liveSessionId: session.id,
      roomId: session.roomId,
      userId: person.userId,
      userName: person.name,
      userEmail: person.email,
      role: person.role,
      joinedAt: this.#deps.scheduler.now(),
    });
    this.#stretches.set(key, { intervalId: interval.id, departure: null });
  }

  /** The person is away: if they are not back within the grace period, their stretch ends when they left. */
  #awaitReturn(session: LiveSession, userId: string, leftAt: number): void {
    const key = stretchKey(session.id, userId);
    const stretch = this.#stretches.get(key);
    if (!stretch) return;
    stretch.departure?.cancel();
    stretch.departure = this.#deps.scheduler.schedule(this.#deps.options.reconnectGraceMs, () => {
      if (this.#stretches.get(key) !== stretch) return;
      this.#stretches.delete(key);
      this.#deps.attendance.close(stretch.intervalId, leftAt).catch((error) => this.#deps.logger.error({ err: error }, 'closing attendance failed'));
    });
  }

  /** A live session with no instructor left ends by itself after the instructor grace period. */
  #watchInstructors(roomId: string, session: LiveSession | null, people: readonly PresentPerson[]): void {
    const timer = this.#noInstructorTimers.get(roomId);
    const instructorHere = people.some((person) => person.role === 'instructor');
    if (!session || instructorHere) {
      timer?.cancel();
      this.#noInstructorTimers.delete(roomId);
      this.#noInstructorEnds.delete(roomId);
      return;
    }
    if (timer) return;
    const { scheduler, options } = this.#deps;
    this.#noInstructorEnds.set(roomId, scheduler.now() + options.instructorGraceMs);
    this.#noInstructorTimers.set(
      roomId,
      scheduler.schedule(options.instructorGraceMs, () => {
        this.#noInstructorTimers.delete(roomId);
        this.#noInstructorEnds.delete(roomId);
        this.endSession(roomId, 'system', 'no-instructor').catch((error) => {
          if (!(error instanceof RoomActionError)) this.#deps.logger.error({ err: error }, 'ending a session without instructors failed');
        });
      }),
    );
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
    const previous = this.#queues.get(roomId) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.catch(() => undefined);
    this.#queues.set(roomId, settled);
    void settled.then(() => {
      if (this.#queues.get(roomId) === settled) this.#queues.delete(roomId);
    });
    return next;
  }
}

/** Rates are per person in a room: several tabs share one allowance. */
function bucketKey(actor: Pick<RoomActor, 'roomId' | 'userId'>): string {
  return `${actor.roomId}|${actor.userId}`;
}

function stretchKey(sessionId: string, userId: string): string {
  return `${sessionId}|${userId}`;
}

function sessionView(session: LiveSession): SessionView {
  return { id: session.id, startedAt: session.startedAt };
}
