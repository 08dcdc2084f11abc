/**
 * The feeds published in each room, by participant and source: the media
 * signalling's own record (media-server ids stay inside it), and what every
 * client sees of them (only feeds whose media flows).
 */
import type { MediaConnection } from './media-signalling.ts';
import type { MediaSource } from './media-server.ts';
import type { FeedView } from './media-protocol.ts';

export interface Feed {
  participantId: string;
  name: string;
  source: MediaSource;
  connection: MediaConnection;
  feedId: string;
  audio: boolean;
  video: boolean;
  /** What its offer sends: an ICE restart may not send more. */
  sent: { audio: boolean; video: boolean };
  /** Whether this feed took one of the session's webcam places. */
  holdsWebcam: boolean;
  /** Its media reaches the media server: others see it and may subscribe. */
  flowing?: boolean;
  version: number;
}

export function feedKey(participantId: string, source: MediaSource): string {
  return `${participantId}/${source}`;
}

export class FeedRegistry {
  readonly #rooms = new Map<string, Map<string, Feed>>();

  get(roomId: string, key: string): Feed | undefined {
    return this.#rooms.get(roomId)?.get(key);
  }

  set(roomId: string, key: string, feed: Feed): void {
    let feeds = this.#rooms.get(roomId);
    if (!feeds) this.#rooms.set(roomId, (feeds = new Map()));
    feeds.set(key, feed);
  }

  delete(roomId: string, key: string): void {
    this.#rooms.get(roomId)?.delete(key);
  }

  /** Takes out and answers the feeds one connection published. */
  takeConnection(roomId: string, connectionId: string): Feed[] {
    const mine = [...(this.#rooms.get(roomId)?.values() ?? [])].filter((feed) => feed.connection.id === connectionId);
    for (const feed of mine) this.delete(roomId, feedKey(feed.participantId, feed.source));
    return mine;
  }

  views(roomId: string): FeedView[] {
    return [...(this.#rooms.get(roomId)?.values() ?? [])].filter((feed) => feed.flowing).map(({ participantId, name, source, audio, video, version }) => ({ participantId, name, source, audio, video, version }));
  }

  roomIds(): string[] {
    return [...this.#rooms.keys()];
  }

  clearRoom(roomId: string): void {
    this.#rooms.delete(roomId);
  }

  clear(): void {
    this.#rooms.clear();
  }
}
