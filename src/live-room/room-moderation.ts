/**
 * Hands and removals: raising and lowering hands (an instructor lowers
 * anyone's), removing a participant from the room, and letting them back in.
 */
import type { Scheduler } from '../lib/clock/scheduler.ts';
import { phrase } from '../lib/i18n/phrase.ts';
import type { LiveSessionStore } from '../rooms/live-session-store.ts';
import type { RoomPublish } from './admission-flow.ts';
import type { RoomActor } from './live-room-service.ts';
import type { ParticipantIds } from './participant-ids.ts';
import type { RemovalStore } from './removal-store.ts';
import { RoomActionError } from './room-action-error.ts';
import type { RoomAction } from './room-message-rules.ts';
import { CLOSE } from './room-protocol.ts';
import type { RoomState } from './room-state.ts';
import type { RoomViews } from './room-views.ts';

export const moderationMessages = {
  removed: phrase('live-room:errors.removed'),
  notAllowed: (action: RoomAction) => phrase('live-room:errors.notAllowed', { action: phrase(`live-room:actions.${action}`) }),
  notHere: phrase('live-room:errors.notHere'),
  notRemoved: phrase('live-room:errors.notRemoved'),
  instructorsStay: phrase('live-room:errors.instructorsStay'),
  handNotRaised: phrase('live-room:errors.handNotRaised'),
};
const messages = moderationMessages;

export interface RoomModerationDeps {
  state: RoomState;
  removals: RemovalStore;
  liveSessions: LiveSessionStore;
  participantIds: ParticipantIds;
  scheduler: Scheduler;
  views: RoomViews;
  publish: RoomPublish;
}

export class RoomModeration {
  readonly #deps: RoomModerationDeps;

  constructor(deps: RoomModerationDeps) {
    this.#deps = deps;
  }

  /** The caller checked that a session is live. */
  async raiseHand(actor: RoomActor): Promise<void> {
    const raisedAt = this.#deps.scheduler.now();
    if (await this.#deps.state.raiseHand(actor.roomId, actor.userId, raisedAt)) {
      this.#deps.publish(actor.roomId, 'everyone', { type: 'hand.raised', hand: { participantId: this.#deps.views.idOf(actor.roomId, actor.userId), name: actor.name, raisedAt } });
    }
  }

  /** The person's own hand, or (with lowerHands) the hand of the participant named. */
  async lowerHand(actor: RoomActor, participantId: string | undefined): Promise<void> {
    const { views, state, participantIds, publish } = this.#deps;
    const own = participantId === undefined || participantId === views.idOf(actor.roomId, actor.userId);
    if (!own && !actor.permissions.includes('lowerHands')) throw new RoomActionError('NOT_ALLOWED', messages.notAllowed('lowerHands'));
    const raised = own ? actor.userId : participantIds.find(actor.roomId, participantId, (await state.hands(actor.roomId)).map((hand) => hand.userId));
    if (raised === null || !(await state.lowerHand(actor.roomId, raised))) {
      if (!own) throw new RoomActionError('NOT_FOUND', messages.handNotRaised);
      return;
    }
    publish(actor.roomId, 'everyone', { type: 'hand.lowered', participantId: views.idOf(actor.roomId, raised) });
  }

  async remove(actor: RoomActor, participantId: string): Promise<void> {
    const { state, participantIds, removals, liveSessions, scheduler, publish } = this.#deps;
    const people = await state.people(actor.roomId);
    const userId = participantIds.find(actor.roomId, participantId, people.map((person) => person.userId));
    const target = people.find((person) => person.userId === userId);
    if (!target) throw new RoomActionError('NOT_FOUND', messages.notHere);
    if (target.role === 'instructor') throw new RoomActionError('NOT_ALLOWED', messages.instructorsStay);
    const session = await liveSessions.findLive(actor.roomId);
    await removals.remove({
      roomId: actor.roomId,
      userId: target.userId,
      userName: target.name,
      liveSessionId: session?.id ?? null,
      removedBy: actor.userId,
      removedAt: scheduler.now(),
    });
    if (await state.lowerHand(actor.roomId, target.userId)) publish(actor.roomId, 'everyone', { type: 'hand.lowered', participantId });
    publish(actor.roomId, { userId: target.userId }, { type: 'removed', message: messages.removed }, { code: CLOSE.removed, reason: 'removed by the instructor' });
    await this.#publishRemovals(actor.roomId);
  }

  async allow(actor: RoomActor, participantId: string): Promise<void> {
    const userId = this.#deps.participantIds.find(actor.roomId, participantId, (await this.#deps.removals.list(actor.roomId)).map((removal) => removal.userId));
    if (userId === null || !(await this.#deps.removals.allow(actor.roomId, userId))) throw new RoomActionError('NOT_FOUND', messages.notRemoved);
    await this.#publishRemovals(actor.roomId);
  }

  async #publishRemovals(roomId: string): Promise<void> {
    this.#deps.publish(roomId, 'instructors', { type: 'removals.changed', removed: await this.#deps.views.removed(roomId) });
  }
}
