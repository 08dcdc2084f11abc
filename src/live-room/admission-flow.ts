/**
 * The waiting room's moves when instructors admit each person: the setting
 * turned on or off, people admitted or denied, and who waits, shown to
 * instructors by name and to the others as a count.
 */
import type { Scheduler } from '../lib/clock/scheduler.ts';
import { phrase } from '../lib/i18n/phrase.ts';
import type { LiveSessionStore } from '../rooms/live-session-store.ts';
import type { Admission } from './admission.ts';
import type { ParticipantIds } from './participant-ids.ts';
import { RoomActionError } from './room-action-error.ts';
import { CLOSE, type ServerMessage } from './room-protocol.ts';
import type { Audience, PresentPerson, RoomState } from './room-state.ts';
import type { RoomViews } from './room-views.ts';

const messages = {
  notWaiting: phrase('live-room:errors.notWaiting'),
  denied: phrase('live-room:errors.denied'),
};

export type RoomPublish = (roomId: string, audience: Audience, message: ServerMessage, close?: { code: number; reason: string }) => void;

export interface AdmissionFlowDeps {
  admission: Admission;
  state: RoomState;
  liveSessions: LiveSessionStore;
  scheduler: Scheduler;
  participantIds: ParticipantIds;
  views: RoomViews;
  publish: RoomPublish;
}

export class AdmissionFlow {
  readonly #deps: AdmissionFlowDeps;

  constructor(deps: AdmissionFlowDeps) {
    this.#deps = deps;
  }

  /**
   * The room's admission setting. Turned on, people already in the session stay in, and participants
   * waiting for its start come back as people an instructor admits; turned off, everyone waiting for an
   * instructor comes in.
   */
  async setAdmission(roomId: string, on: boolean, by: string): Promise<void> {
    const { admission, state, liveSessions, scheduler, publish } = this.#deps;
    const live = await liveSessions.findLive(roomId);
    const waiting = on ? [] : await this.waitingPeople(roomId);
    if (on && live) for (const person of await state.people(roomId)) admission.admit(roomId, person.userId);
    await admission.setInstructorsAdmit(roomId, on, by, scheduler.now());
    publish(roomId, 'everyone', { type: 'admission.changed', instructorsAdmit: on });
    if (on && !live) publish(roomId, 'participants', { type: 'admission.changed', instructorsAdmit: on }, { code: CLOSE.admitted, reason: 'instructors admit each person' });
    else publish(roomId, 'waiting', { type: 'admission.changed', instructorsAdmit: on });
    await this.admit(roomId, waiting);
  }

  /** Let in: each closes their waiting connection and comes back in at once (4009). */
  async admit(roomId: string, people: readonly PresentPerson[]): Promise<void> {
    for (const person of people) {
      this.#deps.admission.admit(roomId, person.userId);
      this.#deps.publish(roomId, { userId: person.userId }, { type: 'admission.admitted' }, { code: CLOSE.admitted, reason: 'admitted' });
    }
    if (people.length > 0) await this.publishWaiting(roomId);
  }

  deny(roomId: string, person: PresentPerson): void {
    this.#deps.publish(roomId, { userId: person.userId }, { type: 'admission.denied', message: messages.denied }, { code: CLOSE.denied, reason: 'not admitted' });
  }

  /** Instructors see who waits; those waiting see only how many. */
  async publishWaiting(roomId: string): Promise<void> {
    const waiting = await this.#deps.views.waiting(roomId);
    this.#deps.publish(roomId, 'instructors', { type: 'waiting.changed', waiting, waitingCount: waiting.length });
    for (const audience of ['participants', 'waiting'] as const) this.#deps.publish(roomId, audience, { type: 'waiting.changed', waiting: [], waitingCount: waiting.length });
  }

  async waitingPeople(roomId: string): Promise<PresentPerson[]> {
    const waiting: PresentPerson[] = [];
    for (const person of await this.#deps.state.people(roomId)) if (await this.#deps.admission.mustWait(roomId, person)) waiting.push(person);
    return waiting;
  }

  /** The waiting person the participant id names; NOT_FOUND if nobody by that id waits. */
  async waitingPerson(roomId: string, participantId: string): Promise<PresentPerson> {
    const waiting = await this.waitingPeople(roomId);
    const userId = this.#deps.participantIds.find(roomId, participantId, waiting.map((person) => person.userId));
    const person = waiting.find((candidate) => candidate.userId === userId);
    if (!person) throw new RoomActionError('NOT_FOUND', messages.notWaiting);
    return person;
  }
}
