/**
 * People waiting for one of the session's webcam places, per room, first
 * asked first. BigBlueButton refuses with an error when its cap is hit; here a
 * participant can ask, and an instructor sees the queue and gives places.
 */
export interface QueuedRequest {
  participantId: string;
  name: string;
  /** Which of their connections asked: the request goes when it closes. */
  connectionId: string;
  since: number;
}

export class WebcamQueue {
  readonly #rooms = new Map<string, QueuedRequest[]>();

  /** Adds the request (once per person); answers their place in the queue, from 1. */
  ask(roomId: string, request: QueuedRequest): number {
    const queue = this.#rooms.get(roomId) ?? [];
    const index = queue.findIndex((queued) => queued.participantId === request.participantId);
    if (index >= 0) return index + 1;
    queue.push(request);
    this.#rooms.set(roomId, queue);
    return queue.length;
  }

  /** False if the person was not waiting. */
  withdraw(roomId: string, participantId: string): boolean {
    const queue = this.#rooms.get(roomId) ?? [];
    const left = queue.filter((queued) => queued.participantId !== participantId);
    if (left.length === queue.length) return false;
    if (left.length === 0) this.#rooms.delete(roomId);
    else this.#rooms.set(roomId, left);
    return true;
  }

  /** Withdraws what a closed connection asked for; answers whether anything changed. */
  forgetConnection(roomId: string, connectionId: string): boolean {
    const request = this.list(roomId).find((queued) => queued.connectionId === connectionId);
    return request ? this.withdraw(roomId, request.participantId) : false;
  }

  list(roomId: string): QueuedRequest[] {
    return [...(this.#rooms.get(roomId) ?? [])];
  }

  clear(roomId: string): void {
    this.#rooms.delete(roomId);
  }
}
