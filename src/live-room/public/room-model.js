/** What the room looks like right now, as this page knows it: every module reads it, server messages change it. */
import { root, ui } from './page.js';

/**
 * The one place that says how the room protocol names a person: `participantId`, opaque and one
 * per person and room (never a key that signing in uses), on people, hands, chat messages and
 * cameras, and on the target of a moderation message.
 */
var PERSON_ID = 'participantId';
export function idOf(item) { return item[PERSON_ID]; }
/** A copy of `fields` that names the person `id` (a moderation target, a person's entry). */
export function withId(id, fields) {
  var named = Object.assign({}, fields);
  named[PERSON_ID] = id;
  return named;
}

/** Statuses after which the page stops: the person left, was removed or not let in, the room was full or closed. */
export var TERMINAL = ['removed', 'denied', 'full', 'left', 'closed'];
/** A control waits this long at most for its answer: some requests (raising a raised hand) get none. */
export var BUSY_MS = 5000;

export var room = {
  status: 'connecting',
  /** The phase before a reconnect started, so the page keeps showing what people were doing. */
  phase: 'waiting',
  endedReason: null,
  you: withId(null, { name: '', role: root.getAttribute('data-role') || 'participant' }),
  permissions: new Set(ui.permissions.map(function (item) { return item.getAttribute('data-permission'); })),
  session: null,
  participants: new Map(),
  waiting: [],
  waitingCount: 0,
  hands: [],
  chat: [],
  /** People an instructor removed, kept out until let back in (instructors only). */
  removed: [],
  closedReason: 'pass',
  /** Whether instructors admit each person, and whether this person waits for one to. */
  admission: { instructorsAdmit: false, waitingForAdmission: false },
  /** Controls waiting for the server's answer (since when), so they are not pressed twice. */
  busy: new Map(),
};

export function can(permission) { return room.permissions.has(permission); }
export function isInstructor() { return room.you.role === 'instructor'; }
export function isYou(item) { return idOf(item) === idOf(room.you); }
export function myHandRaised() { return room.hands.some(isYou); }
export function isActive() { return TERMINAL.indexOf(room.status) === -1; }

export function isBusy(control) {
  var since = room.busy.get(control);
  return since !== undefined && Date.now() - since < BUSY_MS;
}

export function sortHands(hands) {
  return hands.slice().sort(function (a, b) { return a.raisedAt - b.raisedAt; });
}

export function byId(people) {
  return new Map(people.map(function (person) { return [idOf(person), person]; }));
}
