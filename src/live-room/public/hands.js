/** Raised hands: a person's own hand button, the queue instructors see, and lowering hands for those who may. */
import { ui } from './page.js';
import { room, can, idOf, withId, isBusy, isYou, myHandRaised, sortHands } from './room-model.js';
import { messages, formatTime } from './words.js';
import { el, handIcon, syncList } from './elements.js';
import { announce, showNotice } from './notices.js';
import { act } from './connection.js';

export var handHandlers = {
  'hand.raised': function (m) {
    room.hands = sortHands(room.hands.filter(function (hand) { return idOf(hand) !== idOf(m.hand); }).concat([m.hand]));
    var person = room.participants.get(idOf(m.hand));
    if (person) person.handRaisedAt = m.hand.raisedAt;
    if (isYou(m.hand)) room.busy.delete('hand');
    else if (can('lowerHands')) announce(messages.handRaised(m.hand.name));
  },
  'hand.lowered': function (m) {
    room.hands = room.hands.filter(function (hand) { return idOf(hand) !== idOf(m); });
    var person = room.participants.get(idOf(m));
    if (person) person.handRaisedAt = null;
    room.busy.delete('lower');
    if (isYou(m)) {
      // Lowered by someone else: said where the person sees it, not only to screen readers.
      if (!isBusy('hand')) showNotice(messages.yourHandLowered);
      room.busy.delete('hand');
    }
  },
};

/** The person's own hand button says what pressing it does. */
export function renderHandControl() {
  if (!ui.hand) return;
  var raised = myHandRaised();
  ui.hand.setAttribute('aria-pressed', raised ? 'true' : 'false');
  var label = raised ? messages.hand.lower : messages.hand.raise;
  if (ui.hand.textContent !== label) ui.hand.replaceChildren(handIcon(), label);
}

export function renderHands(phase) {
  if (!ui.handQueue) return;
  var hands = phase === 'live' ? room.hands : [];
  var mayLower = can('lowerHands');
  syncList(ui.handQueue, hands, function (hand) { return idOf(hand); }, function (hand) {
    var item = el('li', { class: 'hand-queue__item', 'data-participant-id': idOf(hand) });
    item.append(
      el('span', { class: 'hand-queue__name' }, hand.name),
      el('time', { class: 'hand-queue__time', datetime: new Date(hand.raisedAt).toISOString() }, formatTime(hand.raisedAt)),
    );
    if (mayLower) {
      var lower = messages.lower(hand.name);
      item.append(el('button', { type: 'button', class: 'button button--secondary button--small', 'data-lower': idOf(hand), 'aria-label': lower.aria }, lower.label));
    }
    return item;
  });
  ui.handsPanel.hidden = hands.length === 0;
  ui.handsCount.textContent = hands.length > 0 ? '(' + hands.length + ')' : '';
}

export function bindHands() {
  if (ui.hand) {
    ui.hand.addEventListener('click', function () {
      act('hand', { type: myHandRaised() ? 'hand.lower' : 'hand.raise' });
    });
  }
  if (ui.handQueue) {
    ui.handQueue.addEventListener('click', function (event) {
      var button = event.target.closest('[data-lower]');
      if (button) act('lower', withId(button.getAttribute('data-lower'), { type: 'hand.lower' }));
    });
  }
}
