/**
 * The room's one WebSocket (message protocol v1, src/live-room/room-protocol.ts). A lost
 * connection is retried with exponential backoff and jitter, except after the server said why it
 * closed (left, removed, full, too big, open in too many tabs, signed out, no longer a channel
 * member, time up) or the room pass is no longer accepted.
 */
import { root, ui } from './page.js';
import { room, isBusy, BUSY_MS, TERMINAL } from './room-model.js';
import { messages } from './words.js';
import { setText } from './elements.js';
import { showNotice } from './notices.js';
import { handlerFor } from './server-messages.js';
import { update } from './view.js';

var RECONNECT_BASE_MS = 500;
var RECONNECT_MAX_MS = 15000;
/** Failed attempts in a row, none of them welcomed, before the room says it cannot be reached. */
var ATTEMPTS_BEFORE_GIVING_UP = 12;
var CLOSE = { left: 4000, removed: 4001, full: 4003, denied: 4008, admitted: 4009 };
/** Closes after which retrying cannot help: the page says why and stops (src/live-room/room-protocol.ts). */
var CLOSED_BY_CODE = { 1009: 'tooBig', 4004: 'replaced', 4005: 'ended', 4006: 'notMember', 4007: 'expired' };
/** What the room page answers when the pass is refused, for a socket refused before any welcome. */
var CLOSED_BY_ERROR = { ROOM_PASS_ENDED: 'ended', NOT_A_CHANNEL_MEMBER: 'notMember', ROOM_PASS_EXPIRED: 'expired' };

var socket = null;
var welcomed = false;
var everWelcomed = false;
var attempts = 0;
var retryTimer = null;
var retryCountdown = null;
var leaving = false;
var refCounter = 0;

function socketUrl() {
  var url = new URL(root.getAttribute('data-room-socket'), window.location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}

export function connect() {
  stopRetryTimers();
  leaving = false;
  welcomed = false;
  var ws;
  try {
    ws = new WebSocket(socketUrl());
  } catch (error) {
    afterFailure(false);
    return;
  }
  socket = ws;
  ws.addEventListener('message', function (event) {
    if (ws === socket) receive(event.data);
  });
  ws.addEventListener('close', function (event) {
    if (ws === socket) onClose(event.code);
  });
}

export function isOpen() {
  return socket !== null && welcomed && socket.readyState === WebSocket.OPEN;
}

export function nextRef(kind) {
  refCounter += 1;
  return kind + ':' + refCounter;
}

export function send(message) {
  if (!isOpen()) return false;
  message.v = 1;
  socket.send(JSON.stringify(message));
  return true;
}

/** The room welcomed this connection: retrying starts from scratch next time it is lost. */
export function markWelcomed() {
  welcomed = true;
  everWelcomed = true;
  attempts = 0;
  stopRetryTimers();
}

/**
 * Sends a control's request, once: the control (or the kind of list button) stays busy until its
 * answer or an error about it (or BUSY_MS), so the answer can say that it was done.
 */
export function act(control, message) {
  if (isBusy(control)) return;
  if (!isOpen()) return showNotice(messages.offline);
  message.ref = nextRef(control);
  if (!send(message)) return;
  update(function () { room.busy.set(control, Date.now()); });
  window.setTimeout(function () { update(function () {}); }, BUSY_MS + 50);
}

export function leave() {
  leaving = true;
  stopRetryTimers();
  if (socket && socket.readyState === WebSocket.OPEN && welcomed) send({ type: 'leave' });
  else if (socket) socket.close(CLOSE.left, 'left the room');
  else update(function () { room.status = 'left'; });
}

export function rejoin() {
  attempts = 0;
  update(function () { room.status = 'connecting'; });
  connect();
}

/** Back online while a retry waits: no reason to wait any longer. */
export function retryIfWaiting() {
  if (retryTimer !== null) connect();
}

function onClose(code) {
  var wasWelcomed = welcomed;
  socket = null;
  welcomed = false;
  room.busy.clear();
  if (leaving || code === CLOSE.left) return update(function () { room.status = 'left'; });
  if (code === CLOSE.removed) return update(function () { room.status = 'removed'; });
  if (code === CLOSE.full) return update(function () { room.status = 'full'; });
  if (code === CLOSE.denied) return update(function () { room.status = 'denied'; });
  // Let in by an instructor (or the room's admission changed): back at once, welcomed inside.
  if (code === CLOSE.admitted) return rejoin();
  if (CLOSED_BY_CODE[code]) return closeFor(CLOSED_BY_CODE[code]);
  if (TERMINAL.indexOf(room.status) !== -1) return;
  if (wasWelcomed) {
    attempts = 0;
    return afterFailure(true);
  }
  // Closed before any welcome: a browser cannot see the upgrade's status, so ask the room page
  // (same cookie, same check) whether the room pass is still accepted.
  probePass().then(function (outcome) {
    if (outcome.refused) closeFor(CLOSED_BY_ERROR[outcome.code] || 'pass');
    else afterFailure(false);
  });
}

/** `{refused, code}`: whether the room page still accepts the pass, and the error code if not. */
function probePass() {
  var path = '/rooms/' + encodeURIComponent(root.getAttribute('data-room-id'));
  return fetch(path, { headers: { Accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' }).then(
    function (response) {
      if ([401, 403, 404, 410].indexOf(response.status) === -1) return { refused: false };
      return response.json().then(
        function (body) { return { refused: true, code: body && body.error ? body.error.code : null }; },
        function () { return { refused: true, code: null }; },
      );
    },
    function () { return { refused: false }; },
  );
}

function afterFailure(justLost) {
  if (!justLost && attempts >= ATTEMPTS_BEFORE_GIVING_UP) return closeFor('unreachable');
  // Exponential backoff with "equal jitter": half the ceiling, plus up to the other half at random,
  // so a room full of browsers that lost the server at once does not come back at once.
  var ceiling = Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * Math.pow(2, attempts));
  var delay = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
  attempts += 1;
  update(function () {
    room.status = everWelcomed ? 'reconnecting' : 'connecting';
  });
  var due = Date.now() + delay;
  var showCountdown = function () {
    var seconds = Math.ceil((due - Date.now()) / 1000);
    setText(ui.retrySummaries, seconds > 0 ? messages.retryIn(seconds) : messages.retrying);
  };
  showCountdown();
  retryCountdown = window.setInterval(showCountdown, 1000);
  retryTimer = window.setTimeout(connect, delay);
}

function stopRetryTimers() {
  window.clearTimeout(retryTimer);
  window.clearInterval(retryCountdown);
  retryTimer = null;
  retryCountdown = null;
  setText(ui.retrySummaries, '');
}

function closeFor(reason) {
  stopRetryTimers();
  update(function () {
    room.closedReason = reason;
    room.status = 'closed';
  });
}

function receive(data) {
  var message;
  try {
    message = JSON.parse(data);
  } catch (error) {
    return;
  }
  var handler = message && handlerFor(message.type);
  if (handler) update(function () { handler(message); });
  // The media modules (src/media/public) see every message, and send theirs through this socket.
  if (message && typeof message.type === 'string') root.dispatchEvent(new CustomEvent('room:message', { detail: message }));
}

root.addEventListener('room:send', function (event) { send(event.detail); });
