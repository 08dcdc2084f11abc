/**
 * The live session's chat: messages kept in send order (times strictly
 * increasing), a per-person rate limit, and deletion by moderators.
 */
import type { Scheduler } from '../lib/clock/scheduler.ts';
import { phrase } from '../lib/i18n/phrase.ts';
import type { LiveSession } from '../rooms/live-session-store.ts';
import type { RoomPublish } from './admission-flow.ts';
import type { ChatStore } from './chat-store.ts';
import type { RoomActor } from './live-room-service.ts';
import { RateBuckets } from './rate-buckets.ts';
import { RoomActionError } from './room-action-error.ts';
import type { RoomViews } from './room-views.ts';

const messages = {
  tooFast: phrase('live-room:errors.tooFast'),
  noSuchMessage: phrase('live-room:errors.noSuchMessage'),
};

export interface RoomChatDeps {
  chat: ChatStore;
  scheduler: Scheduler;
  views: RoomViews;
  publish: RoomPublish;
  ratePerSecond: number;
  burst: number;
}

export class RoomChat {
  readonly #deps: RoomChatDeps;
  readonly #buckets: RateBuckets;
  /** Last chat time per session: times are kept strictly increasing so history order is send order. */
  readonly #lastChatAt = new Map<string, number>();

  constructor(deps: RoomChatDeps) {
    this.#deps = deps;
    this.#buckets = new RateBuckets({ ratePerSecond: deps.ratePerSecond, burst: deps.burst, now: deps.scheduler.now });
  }

  async send(session: LiveSession, actor: RoomActor, text: string): Promise<void> {
    // Rates are per person in a room: several tabs share one allowance.
    if (!this.#buckets.take(`${actor.roomId}|${actor.userId}`)) throw new RoomActionError('RATE_LIMITED', messages.tooFast);
    const sentAt = Math.max(this.#deps.scheduler.now(), (this.#lastChatAt.get(session.id) ?? 0) + 1);
    this.#lastChatAt.set(session.id, sentAt);
    const message = await this.#deps.chat.add({ liveSessionId: session.id, roomId: actor.roomId, userId: actor.userId, name: actor.name, role: actor.role, text, sentAt });
    this.#deps.publish(actor.roomId, 'everyone', { type: 'chat.message', message: this.#deps.views.chatMessage(actor.roomId, message) });
  }

  async delete(session: LiveSession, actor: RoomActor, messageId: string): Promise<void> {
    if (!(await this.#deps.chat.delete(session.id, messageId, actor.userId, this.#deps.scheduler.now()))) {
      throw new RoomActionError('NOT_FOUND', messages.noSuchMessage);
    }
    this.#deps.publish(actor.roomId, 'everyone', { type: 'chat.deleted', messageId });
  }

  /** The session ended: its allowances and ordering are forgotten. */
  forget(roomId: string, sessionId: string): void {
    this.#buckets.forgetPrefix(`${roomId}|`);
    this.#lastChatAt.delete(sessionId);
  }
}
