/** The people in the room: the list, the stage's tiles, and for instructors the waiting and removed lists. */
import { ui } from './page.js';
import { room, can, idOf, withId, isInstructor, isYou } from './room-model.js';
import { messages } from './words.js';
import { el, avatar, handIcon, personLine, syncList } from './elements.js';
import { renderAdmission, waitingItem } from './admission.js';
import { confirmAction } from './notices.js';
import { act } from './connection.js';

function handIsUp(person) {
  return person.handRaisedAt !== null && person.handRaisedAt !== undefined;
}

export function renderPeople(phase) {
  var people = [];
  room.participants.forEach(function (person) { people.push(person); });
  // Instructors first, then in the order people arrived (the server's order).
  people.sort(function (a, b) { return (a.role === 'instructor' ? 0 : 1) - (b.role === 'instructor' ? 0 : 1); });
  var mayRemove = can('removeParticipants') && phase === 'live';
  syncList(ui.peopleList, people, idOf, function (person) {
    return personItem(person, mayRemove);
  }, mayRemove ? 'remove' : '');
  ui.peopleCount.textContent = people.length > 0 ? '(' + people.length + ')' : '';
  ui.peopleEmpty.hidden = people.length > (isInstructor() ? 1 : 0);

  syncList(ui.tiles, phase === 'live' ? people : [], idOf, tileItem);
}

function personItem(person, mayRemove) {
  var you = isYou(person);
  var item = el('li', { class: 'people__person' + (you ? ' people__person--you' : ''), 'data-participant-id': idOf(person) });
  item.append(
    avatar(person),
    el('span', { class: 'people__name' }, person.name, you ? el('span', { class: 'people__you' }, ' (' + messages.you + ')') : null),
  );
  if (person.role === 'instructor') item.append(el('span', { class: 'badge badge--role' }, messages.roles.instructor));
  if (handIsUp(person)) item.append(el('span', { class: 'people__hand', title: messages.hand.raisedTitle }, handIcon(), el('span', { class: 'visually-hidden' }, messages.hand.raisedHidden)));
  if (mayRemove && !you && person.role !== 'instructor') {
    var remove = messages.remove(person.name);
    item.append(el('button', { type: 'button', class: 'button button--quiet button--small people__remove', 'data-remove': idOf(person), 'aria-label': remove.aria }, remove.label));
  }
  return item;
}

function tileItem(person) {
  var raised = handIsUp(person);
  return el(
    'li',
    { class: 'stage-tile' + (raised ? ' stage-tile--hand' : '') + (isYou(person) ? ' stage-tile--you' : '') },
    avatar(person, 'avatar--large'),
    el('span', { class: 'stage-tile__name' }, person.name),
    raised ? el('span', { class: 'stage-tile__hand' }, handIcon()) : null,
  );
}

/** Who waits: before the session everyone not yet in; during it, those an instructor is to admit. */
export function renderWaiting() {
  renderAdmission(room.waiting.length);
  if (!ui.waitingList) return;
  var decide = room.admission.instructorsAdmit && can('admitParticipants');
  syncList(ui.waitingList, room.waiting, idOf, waitingItem, decide ? 'admit' : '');
  ui.waitingPanel.hidden = room.waiting.length === 0;
  ui.waitingCount.textContent = '(' + room.waitingCount + ')';
}

export function renderRemoved() {
  if (!ui.removedList) return;
  var mayAllow = can('admitParticipants');
  syncList(ui.removedList, room.removed, idOf, function (person) {
    var item = personLine(person);
    if (mayAllow) {
      var allow = messages.allow(person.name);
      item.append(el('button', { type: 'button', class: 'button button--secondary button--small', 'data-allow': idOf(person), 'aria-label': allow.aria }, allow.label));
    }
    return item;
  }, mayAllow ? 'allow' : '');
  ui.removedPanel.hidden = room.removed.length === 0;
}

/** Buttons inside the lists are made and dropped as people come and go: one listener per list. */
export function bindPeople() {
  ui.peopleList.addEventListener('click', function (event) {
    var button = event.target.closest('[data-remove]');
    if (!button) return;
    var id = button.getAttribute('data-remove');
    var person = room.participants.get(id);
    confirmAction(messages.confirmRemove(person ? person.name : messages.thisPerson), button).then(function (confirmed) {
      if (confirmed) act('remove', withId(id, { type: 'participant.remove' }));
    });
  });
  if (ui.removedList) {
    ui.removedList.addEventListener('click', function (event) {
      var button = event.target.closest('[data-allow]');
      if (button) act('allow', withId(button.getAttribute('data-allow'), { type: 'participant.allow' }));
    });
  }
}
