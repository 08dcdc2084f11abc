/**
 * The live session's webcam places: a person takes one to send their camera,
 * within the plan's webcam limit, and frees it when they stop or leave.
 * Everyone is told who holds one ("12 / 15 cameras").
 */
import { phrase } from '../lib/i18n/phrase.ts';
import type { Scheduler } from '../lib/clock/scheduler.ts';
import type { Room } from '../rooms/room-store.ts';
import type { RoomPublish } from './admission-flow.ts';
import type { RoomPlanRules } from './live-room-deps.ts';
import type { RoomActor } from './live-room-service.ts';
import { RoomActionError } from './room-action-error.ts';
import type { RoomState } from './room-state.ts';
import type { RoomViews } from './room-views.ts';

const webcamsTaken = (limit: number) => phrase('live-room:errors.webcamsTaken', { count: limit });

export interface RoomWebcamsDeps {
  rooms: { findById(id: string): Promise<Room | null> };
  state: RoomState;
  scheduler: Scheduler;
  plans: RoomPlanRules;
  views: RoomViews;
  publish: RoomPublish;
}

export class RoomWebcams {
  readonly #deps: RoomWebcamsDeps;

  constructor(deps: RoomWebcamsDeps) {
    this.#deps = deps;
  }

  /** A place for the person (theirs already, or a free one); WEBCAM_LIMIT when every place is taken. Live sessions only: the caller checks. */
  async take(actor: RoomActor): Promise<void> {
    const limit = await this.limitOf(actor.roomId);
    const outcome = await this.#deps.state.takeWebcam(actor.roomId, actor.userId, this.#deps.scheduler.now(), limit);
    if (outcome === 'full') throw new RoomActionError('WEBCAM_LIMIT', webcamsTaken(limit ?? 0));
    if (outcome === 'taken') await this.#announce(actor.roomId, limit);
  }

  /** The person's place, if they held one, is free again (camera stopped, or they left). */
  async release(roomId: string, userId: string): Promise<void> {
    if (await this.#deps.state.releaseWebcam(roomId, userId)) await this.#announce(roomId);
  }

  /** Webcam places of the room's plan; null: no limit. */
  async limitOf(roomId: string): Promise<number | null> {
    const room = await this.#deps.rooms.findById(roomId);
    return room ? this.#deps.plans.webcamLimit(room) : null;
  }

  async #announce(roomId: string, limit?: number | null): Promise<void> {
    const webcamLimit = limit === undefined ? await this.limitOf(roomId) : limit;
    this.#deps.publish(roomId, 'everyone', { type: 'camera.changed', cameras: await this.#deps.views.webcams(roomId), webcamLimit });
  }
}
