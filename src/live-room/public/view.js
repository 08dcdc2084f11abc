/**
 * The page follows the model: every change goes through update(), which renders the room again and
 * keeps the focus somewhere sensible when the focused control disappears.
 */
import { root, ui } from './page.js';
import { room, can, isActive, isBusy, isInstructor, TERMINAL } from './room-model.js';
import { messages, formatTime } from './words.js';
import { isShown, setText } from './elements.js';
import { isOpen } from './connection.js';
import { renderChat } from './chat.js';
import { renderHandControl, renderHands } from './hands.js';
import { renderPeople, renderRemoved, renderWaiting } from './people.js';

/**
 * Every change goes through here: the model changes, the page follows, and if the focused control
 * disappeared (hidden, disabled, removed) focus moves somewhere sensible instead of to the page body.
 */
export function update(change) {
  var focused = document.activeElement;
  var hadFocus = focused && focused !== document.body && root.contains(focused);
  var before = room.status;
  change();
  if (room.status === 'live' || room.status === 'waiting' || room.status === 'ended') room.phase = room.status;
  render();
  if (hadFocus && !(focused.isConnected && isShown(focused))) focusFallback(focused);
  else if (before !== room.status && TERMINAL.indexOf(room.status) !== -1 && hadFocus) focusFallback(focused);
}

function focusFallback(lost) {
  var screen = currentScreen();
  var candidates = [];
  var within = function (selector) { return Boolean(lost && lost.closest && lost.closest(selector)); };
  if (within('[data-chat-list]')) candidates.push(ui.chatList);
  if (within('[data-hand-queue]')) candidates.push(ui.handQueue.querySelector('button'));
  if (within('[data-hand-queue], [data-people-list]')) candidates.push(ui.peopleTitle);
  if (room.status === 'live') candidates.push(ui.chatText, ui.hand, ui.end);
  if (room.status === 'waiting' || room.status === 'ended') candidates.push(ui.start);
  if (screen) candidates.push(screen.querySelector('button'), screen.querySelector('.stage-screen__title'));
  for (var i = 0; i < candidates.length; i++) {
    var candidate = candidates[i];
    if (candidate && isShown(candidate)) {
      candidate.focus();
      return;
    }
  }
}

function currentScreen() {
  return ui.screens.filter(function (screen) { return !screen.hidden; })[0] || null;
}

export function render() {
  var status = room.status;
  var connected = isOpen();
  var phase = status === 'reconnecting' ? room.phase : status;

  root.setAttribute('data-status', status);
  ui.state.setAttribute('data-room-state', status);
  ui.state.classList.toggle('live-state--live', status === 'live');
  ui.stateLabel.textContent = messages.state[status];
  ui.screens.forEach(function (screen) {
    screen.hidden = screen.getAttribute('data-screen') !== status;
  });

  showControl(ui.start, can('startSession') && (phase === 'waiting' || phase === 'ended'), connected, isBusy('start'));
  showControl(ui.end, can('endSession') && phase === 'live', connected, isBusy('end'));
  // Instructors lead the room; the hand is for everyone else who may raise it.
  showControl(ui.hand, can('raiseHand') && !isInstructor() && phase === 'live', connected, isBusy('hand'));
  renderHandControl();
  ui.leave.hidden = !isActive();
  renderClosed();

  setText(ui.waitingSummaries, messages.waitingSummary(room.waitingCount, isInstructor()));
  if (room.session) {
    ui.startedAt.textContent = formatTime(room.session.startedAt);
    ui.startedAt.setAttribute('datetime', new Date(room.session.startedAt).toISOString());
  }
  ui.endedReason.textContent = room.endedReason ? messages.ended[room.endedReason] || '' : '';

  renderPeople(phase);
  renderHands(phase);
  renderWaiting();
  renderRemoved();
  renderChat(phase, connected);
}

function renderClosed() {
  if (!ui.closedTitle) return;
  var words = messages.closed[room.closedReason] || messages.closed.pass;
  ui.closedTitle.textContent = words[0];
  ui.closedDetail.textContent = words[1];
  // Trying again helps when the room was unreachable, or to take the room back into this tab.
  ui.closedRetry.hidden = room.closedReason !== 'unreachable' && room.closedReason !== 'replaced';
}

/** Disabled while there is no connection; while its request is under way only aria-disabled, so it keeps the focus. */
function showControl(button, visible, connected, busy) {
  if (!button) return;
  button.hidden = !visible;
  button.disabled = !connected;
  if (busy) button.setAttribute('aria-disabled', 'true');
  else button.removeAttribute('aria-disabled');
}
