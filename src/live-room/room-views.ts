/**
 * How the room's state looks to the people in it. Every person is named by
 * their participant id in this room, never by a user key
 * (src/live-room/participant-ids.ts), with the name the room knows them by.
 * The live room builds its messages from these views.
 */
import type { LiveSession, LiveSessionStore } from '../rooms/live-session-store.ts';
import type { ChatStore, StoredChatMessage } from './chat-store.ts';
import type { ParticipantIds } from './participant-ids.ts';
import type { RemovalStore } from './removal-store.ts';
import type { CameraView, ChatMessageView, HandView, ParticipantView, PersonView, RemovedView } from './room-protocol.ts';
import type { PresentPerson, RoomState } from './room-state.ts';
import type { Admission } from './admission.ts';

export interface RoomViewDeps {
  state: RoomState;
  removals: RemovalStore;
  chat: ChatStore;
  liveSessions: LiveSessionStore;
  participantIds: ParticipantIds;
  chatHistoryLimit: number;
  admission: Pick<Admission, 'mustWait'>;
}

export class RoomViews {
  readonly #deps: RoomViewDeps;

  constructor(deps: RoomViewDeps) {
    this.#deps = deps;
  }

  /** The id the room shows for a person. */
  idOf(roomId: string, userId: string): string {
    return this.#deps.participantIds.of(roomId, userId);
  }

  person(roomId: string, person: PresentPerson): PersonView {
    return { participantId: this.idOf(roomId, person.userId), name: person.name, role: person.role, ...(person.picture && { picture: person.picture }) };
  }

  chatMessage(roomId: string, { userId, ...message }: StoredChatMessage): ChatMessageView {
    return { ...message, participantId: this.idOf(roomId, userId) };
  }

  async chatHistory(session: LiveSession): Promise<ChatMessageView[]> {
    return (await this.#deps.chat.history(session.id, this.#deps.chatHistoryLimit)).map((message) => this.chatMessage(session.roomId, message));
  }

  /** Inside a live session everyone an instructor need not admit; before it, the instructors only (participants wait). */
  async participants(roomId: string): Promise<ParticipantView[]> {
    const session = await this.#deps.liveSessions.findLive(roomId);
    const hands = new Map((await this.#deps.state.hands(roomId)).map((hand) => [hand.userId, hand.raisedAt]));
    const inside: PresentPerson[] = [];
    for (const person of await this.#deps.state.people(roomId)) {
      if (person.role === 'instructor' || (session && !(await this.#deps.admission.mustWait(roomId, person)))) inside.push(person);
    }
    return inside.sort((a, b) => a.since - b.since).map((person) => ({ ...this.person(roomId, person), handRaisedAt: hands.get(person.userId) ?? null }));
  }

  /** Before a session, every participant; during it, those waiting for an instructor to admit them. */
  async waiting(roomId: string): Promise<PersonView[]> {
    const live = (await this.#deps.liveSessions.findLive(roomId)) !== null;
    const waiting: PersonView[] = [];
    for (const person of await this.#deps.state.people(roomId)) {
      if (person.role !== 'instructor' && (!live || (await this.#deps.admission.mustWait(roomId, person)))) waiting.push(this.person(roomId, person));
    }
    return waiting;
  }

  async hands(roomId: string): Promise<HandView[]> {
    const names = await this.#namesOf(roomId);
    return (await this.#deps.state.hands(roomId)).map((hand) => ({ participantId: this.idOf(roomId, hand.userId), name: names.get(hand.userId) ?? '', raisedAt: hand.raisedAt }));
  }

  async webcams(roomId: string): Promise<CameraView[]> {
    const names = await this.#namesOf(roomId);
    return (await this.#deps.state.webcams(roomId)).map((place) => ({ participantId: this.idOf(roomId, place.userId), name: names.get(place.userId) ?? '', since: place.since }));
  }

  async removed(roomId: string): Promise<RemovedView[]> {
    return (await this.#deps.removals.list(roomId)).map((removal) => ({ participantId: this.idOf(roomId, removal.userId), name: removal.userName, removedAt: removal.removedAt }));
  }

  async #namesOf(roomId: string): Promise<Map<string, string>> {
    return new Map((await this.#deps.state.people(roomId)).map((person) => [person.userId, person.name]));
  }
}
