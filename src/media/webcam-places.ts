/**
 * The media side of the session's webcam places: the queue of people asking
 * for one (instructors see it), and places an instructor gives, held for the
 * person until their camera is on — or given back to the room when it is not
 * on within grantHoldMs (they went away from the screen, their camera failed),
 * so a place is never held forever by someone who does not use it.
 */
import type { ScheduledTask, Scheduler } from '../lib/clock/scheduler.ts';
import { phrase } from '../lib/i18n/phrase.ts';
import { RoomActionError, type LiveRoomService, type RoomActor } from '../live-room/live-room-service.ts';
import type { RoomState } from '../live-room/room-state.ts';
import type { MediaConnection } from './media-signalling.ts';
import { WebcamQueue } from './webcam-queue.ts';

const messages = {
  notQueued: phrase('media:errors.notQueued'),
  placesTaken: phrase('media:errors.placesTaken'),
};

export interface WebcamPlacesDeps {
  liveRooms: LiveRoomService;
  state: RoomState;
  scheduler: Scheduler;
  grantHoldMs: number;
  /** An open room connection by its id. */
  connection(id: string): MediaConnection | undefined;
  /** Whether the connection's camera is on with a webcam place. */
  hasCameraOn(connection: MediaConnection): boolean;
  releaseWebcam(actor: RoomActor): Promise<void>;
  requireLive(roomId: string): Promise<void>;
  require(actor: RoomActor, permission: RoomActor['permissions'][number], action: string): void;
}

export class WebcamPlaces {
  readonly #deps: WebcamPlacesDeps;
  readonly #queue = new WebcamQueue();
  /** Places given and not used yet, by the connection they were given to. */
  readonly #held = new Map<string, ScheduledTask>();

  constructor(deps: WebcamPlacesDeps) {
    this.#deps = deps;
  }

  async request(connection: MediaConnection): Promise<void> {
    const { actor } = connection;
    this.#deps.require(actor, 'camera', 'camera');
    await this.#deps.requireLive(actor.roomId);
    const position = this.#queue.ask(actor.roomId, { participantId: connection.participantId, name: actor.name, connectionId: connection.id, since: this.#deps.scheduler.now() });
    connection.reply({ type: 'media.queued', position });
    this.#publishQueue(actor.roomId);
  }

  withdraw(connection: MediaConnection): void {
    if (this.#queue.withdraw(connection.actor.roomId, connection.participantId)) this.#publishQueue(connection.actor.roomId);
  }

  /** Takes a free place for the person (held for them for a while), so nobody takes it before their camera is on. */
  async grant(connection: MediaConnection, participantId: string): Promise<void> {
    this.#deps.require(connection.actor, 'muteOthers', 'muteOthers');
    const roomId = connection.actor.roomId;
    const request = this.#queue.list(roomId).find((queued) => queued.participantId === participantId);
    const asker = request && this.#deps.connection(request.connectionId);
    if (!request || !asker) throw new RoomActionError('NOT_FOUND', messages.notQueued);
    try {
      await this.#deps.liveRooms.startWebcam(asker.actor);
    } catch (error) {
      if (error instanceof RoomActionError && error.code === 'WEBCAM_LIMIT') throw new RoomActionError('WEBCAM_LIMIT', messages.placesTaken);
      throw error;
    }
    this.#queue.withdraw(roomId, participantId);
    this.#hold(asker);
    asker.reply({ type: 'media.cameraGranted', by: connection.actor.name });
    this.#publishQueue(roomId);
  }

  /** The person's camera is on: the place is theirs while it stays on. */
  used(connection: MediaConnection): void {
    this.#held.get(connection.id)?.cancel();
    this.#held.delete(connection.id);
  }

  /** The connection closed: its request leaves the queue; answers whether a place was still held for it. */
  forget(connection: MediaConnection): boolean {
    const held = this.#held.has(connection.id);
    this.used(connection);
    if (this.#queue.forgetConnection(connection.actor.roomId, connection.id)) this.#publishQueue(connection.actor.roomId);
    return held;
  }

  /** The session ended: its queue and held places go (the live room frees every place itself). */
  clearRoom(roomId: string, connections: Iterable<MediaConnection>): void {
    this.#queue.clear(roomId);
    for (const connection of connections) if (connection.actor.roomId === roomId) this.used(connection);
  }

  #hold(asker: MediaConnection): void {
    this.#held.get(asker.id)?.cancel();
    const task = this.#deps.scheduler.schedule(this.#deps.grantHoldMs, () => {
      if (this.#held.get(asker.id) !== task) return;
      this.#held.delete(asker.id);
      if (this.#deps.hasCameraOn(asker)) return;
      void this.#deps.releaseWebcam(asker.actor);
      asker.reply({ type: 'media.grantExpired' });
    });
    this.#held.set(asker.id, task);
  }

  #publishQueue(roomId: string): void {
    const queue = this.#queue.list(roomId).map(({ participantId, name, since }) => ({ participantId, name, since }));
    this.#deps.state.publish({ roomId, audience: 'instructors', message: { type: 'media.queue', queue } });
  }
}
