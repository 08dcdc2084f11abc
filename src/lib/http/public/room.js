/*
 * The live room in the browser. One WebSocket to the room (message protocol
 * v1, src/live-room/room-protocol.ts) drives the screens a person sees, the
 * people and waiting lists, the raised-hand queue and the chat.
 *
 * Promises: what people typed reaches the page only as text nodes (links are
 * anchors built from parsed http(s) URLs), never as HTML; a lost connection is
 * retried with exponential backoff and jitter, except after the server said
 * why it closed (left, removed, full, too big, open in too many tabs, signed
 * out, no longer a channel member, time up) or the room pass is no longer
 * accepted; a chat message the server refused goes back into the draft.
 * No inline scripts, no eval: it runs under the service's CSP. Its words come
 * with the page as JSON (#room-texts), in the person's language.
 */
(function () {
  'use strict';

  var root = document.querySelector('main.room[data-room-socket]');
  if (!root) return;

  var CHAT_MAX = 2000;
  var COUNTER_FROM = CHAT_MAX - 200;
  var RECONNECT_BASE_MS = 500;
  var RECONNECT_MAX_MS = 15000;
  /** Failed attempts in a row, none of them welcomed, before the room says it cannot be reached. */
  var ATTEMPTS_BEFORE_GIVING_UP = 12;
  var NOTICE_MS = 10000;
  /** A control waits this long at most for its answer: some requests (raising a raised hand) get none. */
  var BUSY_MS = 5000;
  var CLOSE = { tooBig: 1009, left: 4000, removed: 4001, full: 4003 };
  /** Closes after which retrying cannot help: the page says why and stops (src/live-room/room-protocol.ts). */
  var CLOSED_BY_CODE = { 1009: 'tooBig', 4004: 'replaced', 4005: 'ended', 4006: 'notMember', 4007: 'expired' };
  /** What the room page answers when the pass is refused, for a socket refused before any welcome. */
  var CLOSED_BY_ERROR = { ROOM_PASS_ENDED: 'ended', NOT_A_CHANNEL_MEMBER: 'notMember', ROOM_PASS_EXPIRED: 'expired' };
  var TERMINAL = ['removed', 'full', 'left', 'closed'];

  // The words, in the person's language, come with the page (views/rooms/room.ejs): data, not script.
  var texts = JSON.parse(document.getElementById('room-texts').textContent);
  var pluralRules = new Intl.PluralRules(texts.language);

  /** A template with {{name}} placeholders, filled in as text. */
  function fill(template, values) {
    return template.replace(/\{\{\s*(\w+)\s*\}\}/g, function (whole, name) {
      return values && Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }

  /** The plural form for `count` in the page's language, filled in. */
  function plural(forms, count, values) {
    var template = forms[pluralRules.select(count)] || forms.other;
    return fill(template, Object.assign({ count: count }, values));
  }

  var messages = {
    state: texts.state,
    ended: texts.ended,
    closed: {
      pass: [texts.closed.pass.title, texts.closed.pass.detail],
      tooBig: [texts.closed.tooBig.title, texts.closed.tooBig.detail],
      unreachable: [texts.closed.unreachable.title, texts.closed.unreachable.detail],
      replaced: [texts.closed.replaced.title, texts.closed.replaced.detail],
      ended: [texts.closed.ended.title, texts.closed.ended.detail],
      notMember: [texts.closed.notMember.title, texts.closed.notMember.detail],
      expired: [texts.closed.expired.title, texts.closed.expired.detail],
    },
    retryIn: function (seconds) { return fill(texts.retryIn, { seconds: seconds }); },
    retrying: texts.retrying,
    offline: texts.offline,
    notSent: texts.notSent,
    tooLong: texts.tooLong,
    charsLeft: function (left) { return plural(texts.charsLeft, left); },
    waitingSummary: function (count, instructor) {
      if (instructor) return count === 0 ? texts.waitingSummary.instructor.none : plural(texts.waitingSummary.instructor, count);
      return count <= 1 ? texts.waitingSummary.participant.alone : fill(texts.waitingSummary.participant.others, { count: count });
    },
    handRaised: function (name) { return fill(texts.handRaised, { name: name }); },
    letBackIn: texts.letBackIn,
    yourHandLowered: texts.yourHandLowered,
    chatPlaceholder: texts.chatPlaceholder,
    confirmEnd: texts.confirmEnd,
    confirmRemove: function (name) {
      return { title: fill(texts.confirmRemove.title, { name: name }), text: fill(texts.confirmRemove.text, { name: name }), ok: texts.confirmRemove.ok };
    },
    you: texts.you,
    roles: texts.roles,
    hand: texts.hand,
    remove: function (name) { return { label: texts.remove.label, aria: fill(texts.remove.aria, { name: name }) }; },
    lower: function (name) { return { label: texts.lower.label, aria: fill(texts.lower.aria, { name: name }) }; },
    allow: function (name) { return { label: texts.allow.label, aria: fill(texts.allow.aria, { name: name }) }; },
    deleteMessage: function (name, time) { return { label: texts.deleteMessage.label, aria: fill(texts.deleteMessage.aria, { name: name, time: time }) }; },
    thisPerson: texts.thisPerson,
  };

  // ----- the page's parts -----------------------------------------------------------------------

  function part(selector) { return root.querySelector(selector); }
  function parts(selector) { return Array.prototype.slice.call(root.querySelectorAll(selector)); }

  var ui = {
    state: part('[data-room-state]'),
    stateLabel: part('[data-state-label]'),
    screens: parts('[data-screen]'),
    start: part('[data-control=start]'),
    end: part('[data-control=end]'),
    hand: part('[data-control=hand]'),
    leave: part('[data-control=leave]'),
    rejoin: parts('[data-control=rejoin]'),
    retry: part('[data-control=retry]'),
    retrySummaries: parts('[data-retry-summary]'),
    notice: part('[data-notice]'),
    noticeText: part('[data-notice-text]'),
    noticeDismiss: part('[data-notice-dismiss]'),
    announce: part('[data-announce]'),
    waitingSummaries: parts('[data-waiting-summary]'),
    startedAt: part('[data-started-at]'),
    endedReason: part('[data-ended-reason]'),
    closedTitle: part('[data-closed-title]'),
    closedDetail: part('[data-closed-detail]'),
    closedRetry: part('[data-closed-retry]'),
    tiles: part('[data-stage-tiles]'),
    peopleTitle: part('#people-title'),
    peopleCount: part('[data-people-count]'),
    peopleList: part('[data-people-list]'),
    peopleEmpty: part('[data-people-empty]'),
    handsPanel: part('[data-hands-panel]'),
    handsCount: part('[data-hands-count]'),
    handQueue: part('[data-hand-queue]'),
    waitingPanel: part('[data-waiting-panel]'),
    waitingCount: part('[data-waiting-count]'),
    waitingList: part('[data-waiting-list]'),
    removedPanel: part('[data-removed-panel]'),
    removedList: part('[data-removed-list]'),
    chatList: part('[data-chat-list]'),
    chatEmpty: part('[data-chat-empty]'),
    chatForm: part('[data-chat-form]'),
    chatText: part('[data-chat-form] textarea'),
    chatSend: part('[data-chat-form] [type=submit]'),
    chatCounter: part('[data-chat-counter]'),
    confirm: part('[data-confirm]'),
  };

  // ----- people -----------------------------------------------------------------------------------

  /**
   * The one place that says how the room protocol names a person: `participantId`, opaque and one
   * per person and room (never a key that signing in uses), on people, hands, chat messages and
   * cameras, and on the target of a moderation message.
   */
  var PERSON_ID = 'participantId';
  function idOf(item) { return item[PERSON_ID]; }
  /** A copy of `fields` that names the person `id` (a moderation target, a person's entry). */
  function withId(id, fields) {
    var named = Object.assign({}, fields);
    named[PERSON_ID] = id;
    return named;
  }

  // ----- what the room looks like right now -------------------------------------------------------

  var pagePermissions = parts('[data-permission]').map(function (item) { return item.getAttribute('data-permission'); });
  var room = {
    status: 'connecting',
    /** The phase before a reconnect started, so the page keeps showing what people were doing. */
    phase: 'waiting',
    endedReason: null,
    you: withId(null, { name: '', role: root.getAttribute('data-role') || 'participant' }),
    permissions: new Set(pagePermissions),
    session: null,
    participants: new Map(),
    waiting: [],
    waitingCount: 0,
    hands: [],
    chat: [],
    /** People an instructor removed, kept out until let back in (instructors only). */
    removed: [],
    closedReason: 'pass',
    /** Controls waiting for the server's answer (since when), so they are not pressed twice. */
    busy: new Map(),
  };

  function can(permission) { return room.permissions.has(permission); }
  function isInstructor() { return room.you.role === 'instructor'; }
  function myHandRaised() { return room.hands.some(function (hand) { return idOf(hand) === idOf(room.you); }); }

  // ----- the connection --------------------------------------------------------------------------

  var socket = null;
  var welcomed = false;
  var everWelcomed = false;
  var attempts = 0;
  var retryTimer = null;
  var retryCountdown = null;
  var leaving = false;
  var refCounter = 0;
  /** Chat messages sent and not yet seen back, by ref: the text goes back into the draft if refused. */
  var pendingChat = new Map();

  function socketUrl() {
    var url = new URL(root.getAttribute('data-room-socket'), window.location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    return url.href;
  }

  function connect() {
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

  function isOpen() {
    return socket !== null && welcomed && socket.readyState === WebSocket.OPEN;
  }

  function nextRef(kind) {
    refCounter += 1;
    return kind + ':' + refCounter;
  }

  function send(message) {
    if (!isOpen()) return false;
    message.v = 1;
    socket.send(JSON.stringify(message));
    return true;
  }

  function onClose(code) {
    var wasWelcomed = welcomed;
    socket = null;
    welcomed = false;
    room.busy.clear();
    if (leaving || code === CLOSE.left) return update(function () { room.status = 'left'; });
    if (code === CLOSE.removed) return update(function () { room.status = 'removed'; });
    if (code === CLOSE.full) return update(function () { room.status = 'full'; });
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

  // ----- what the server says ---------------------------------------------------------------------

  function receive(data) {
    var message;
    try {
      message = JSON.parse(data);
    } catch (error) {
      return;
    }
    var handler = message && handlers[message.type];
    if (handler) update(function () { handler(message); });
    // The media modules (src/media/public) see every message, and send theirs through this socket.
    if (message && typeof message.type === 'string') root.dispatchEvent(new CustomEvent('room:message', { detail: message }));
  }

  root.addEventListener('room:send', function (event) { send(event.detail); });

  var handlers = {
    welcome: function (m) {
      welcomed = true;
      everWelcomed = true;
      attempts = 0;
      stopRetryTimers();
      room.you = withId(idOf(m.you), { name: m.you.name, role: m.you.role });
      room.permissions = new Set(m.you.permissions);
      room.session = m.session;
      room.participants = new Map(m.participants.map(function (person) { return [idOf(person), person]; }));
      room.waiting = m.waiting;
      room.waitingCount = m.waitingCount;
      room.hands = sortHands(m.hands);
      room.chat = m.chat.slice();
      room.removed = m.removed || [];
      recoverUnsentChat(m.chat);
      room.busy.clear();
      // A welcome knows only waiting or live: someone whose session just ended still sees that it ended.
      room.status = m.phase === 'live' ? 'live' : room.status === 'ended' || room.phase === 'ended' ? 'ended' : 'waiting';
    },
    'session.started': function (m) {
      room.session = m.session;
      room.participants = new Map(m.participants.map(function (person) { return [idOf(person), person]; }));
      room.hands = sortHands(m.hands);
      room.chat = m.chat.slice();
      room.waiting = [];
      room.waitingCount = 0;
      room.endedReason = null;
      room.status = 'live';
      room.busy.delete('start');
      room.busy.delete('end');
    },
    'session.ended': function (m) {
      room.session = null;
      room.hands = [];
      // Removals last for one session.
      room.removed = [];
      room.endedReason = m.reason;
      room.status = 'ended';
      room.busy.delete('start');
      room.busy.delete('end');
      var stillHere = [];
      room.participants.forEach(function (person) {
        if (person.role !== 'instructor') stillHere.push(withId(idOf(person), { name: person.name, role: person.role }));
      });
      // Outside a session participants wait again: instructors see them in the waiting list, participants see nobody until the next one.
      room.participants.forEach(function (person, id) {
        if (person.role !== 'instructor' || !isInstructor()) room.participants.delete(id);
        else person.handRaisedAt = null;
      });
      room.waiting = isInstructor() ? stillHere : [];
      room.waitingCount = stillHere.length;
    },
    'presence.joined': function (m) {
      room.participants.set(idOf(m.participant), m.participant);
    },
    'presence.left': function (m) {
      room.participants.delete(idOf(m));
      room.hands = room.hands.filter(function (hand) { return idOf(hand) !== idOf(m); });
    },
    'waiting.changed': function (m) {
      room.waiting = m.waiting;
      room.waitingCount = m.waitingCount;
    },
    'chat.message': function (m) {
      room.chat.push(m.message);
      if (idOf(m.message) !== idOf(room.you)) return;
      var seen = null;
      pendingChat.forEach(function (text, ref) {
        if (seen === null && text === m.message.text) seen = ref;
      });
      if (seen !== null) pendingChat.delete(seen);
    },
    'chat.deleted': function (m) {
      room.chat = room.chat.filter(function (message) { return message.id !== m.messageId; });
    },
    'hand.raised': function (m) {
      room.hands = sortHands(room.hands.filter(function (hand) { return idOf(hand) !== idOf(m.hand); }).concat([m.hand]));
      var person = room.participants.get(idOf(m.hand));
      if (person) person.handRaisedAt = m.hand.raisedAt;
      if (idOf(m.hand) === idOf(room.you)) room.busy.delete('hand');
      else if (can('lowerHands')) announce(messages.handRaised(m.hand.name));
    },
    'hand.lowered': function (m) {
      room.hands = room.hands.filter(function (hand) { return idOf(hand) !== idOf(m); });
      var person = room.participants.get(idOf(m));
      if (person) person.handRaisedAt = null;
      if (idOf(m) === idOf(room.you)) {
        if (!isBusy('hand')) announce(messages.yourHandLowered);
        room.busy.delete('hand');
      }
    },
    removed: function () {
      room.status = 'removed';
    },
    'removals.changed': function (m) {
      var before = room.removed.length;
      room.removed = m.removed;
      if (isBusy('allow') && m.removed.length < before) announce(messages.letBackIn);
      room.busy.delete('allow');
    },
    error: function (m) {
      var kind = typeof m.ref === 'string' ? m.ref.split(':')[0] : '';
      room.busy.delete(kind);
      if (kind === 'chat' && pendingChat.has(m.ref)) {
        restoreDraft(pendingChat.get(m.ref));
        pendingChat.delete(m.ref);
      }
      // The full screen says it better than a notice would; media errors are the media modules' to show.
      if (m.code !== 'ROOM_FULL' && kind !== 'media') showNotice(m.message);
    },
  };

  function sortHands(hands) {
    return hands.slice().sort(function (a, b) { return a.raisedAt - b.raisedAt; });
  }

  /** After a reconnect: anything sent but not in the history goes back into the draft. */
  function recoverUnsentChat(history) {
    if (pendingChat.size === 0) return;
    var mine = history.filter(function (message) { return idOf(message) === idOf(room.you); }).map(function (message) { return message.text; });
    var lost = false;
    pendingChat.forEach(function (text) {
      var index = mine.indexOf(text);
      if (index === -1) {
        restoreDraft(text);
        lost = true;
      } else mine.splice(index, 1);
    });
    pendingChat.clear();
    if (lost) showNotice(messages.notSent);
  }

  /** Refused messages go back in front of whatever is being typed, in the order they were sent. */
  var restored = '';
  function restoreDraft(text) {
    if (!ui.chatText) return;
    var current = ui.chatText.value;
    var typed = restored && current.indexOf(restored) === 0 ? current.slice(restored.length).replace(/^\n/, '') : current;
    restored = (restored && current.indexOf(restored) === 0 ? restored + '\n' : '') + text;
    ui.chatText.value = typed.trim() ? restored + '\n' + typed : restored;
    updateCounter();
  }

  // ----- actions -----------------------------------------------------------------------------------

  function act(control, message) {
    if (isBusy(control)) return;
    if (!isOpen()) return showNotice(messages.offline);
    message.ref = nextRef(control);
    if (!send(message) || !ui[control]) return;
    update(function () { room.busy.set(control, Date.now()); });
    window.setTimeout(function () { update(function () {}); }, BUSY_MS + 50);
  }

  function isBusy(control) {
    var since = room.busy.get(control);
    return since !== undefined && Date.now() - since < BUSY_MS;
  }

  if (ui.start) ui.start.addEventListener('click', function () { act('start', { type: 'session.start' }); });

  if (ui.end) {
    ui.end.addEventListener('click', function () {
      confirmAction(messages.confirmEnd, ui.end).then(function (confirmed) {
        if (confirmed) act('end', { type: 'session.end' });
      });
    });
  }

  if (ui.hand) {
    ui.hand.addEventListener('click', function () {
      act('hand', { type: myHandRaised() ? 'hand.lower' : 'hand.raise' });
    });
  }

  ui.leave.addEventListener('click', function () {
    leaving = true;
    stopRetryTimers();
    if (socket && socket.readyState === WebSocket.OPEN && welcomed) send({ type: 'leave' });
    else if (socket) socket.close(CLOSE.left, 'left the room');
    else update(function () { room.status = 'left'; });
  });

  ui.rejoin.forEach(function (button) {
    button.addEventListener('click', function () {
      attempts = 0;
      update(function () { room.status = 'connecting'; });
      connect();
    });
  });

  if (ui.retry) ui.retry.addEventListener('click', connect);

  window.addEventListener('online', function () {
    if (retryTimer !== null) connect();
  });

  ui.noticeDismiss.addEventListener('click', hideNotice);

  // Buttons inside the lists are made and dropped as people come and go: one listener per list.
  ui.peopleList.addEventListener('click', function (event) {
    var button = event.target.closest('[data-remove]');
    if (!button) return;
    var id = button.getAttribute('data-remove');
    var person = room.participants.get(id);
    confirmAction(messages.confirmRemove(person ? person.name : messages.thisPerson), button).then(function (confirmed) {
      if (confirmed) act('remove', withId(id, { type: 'participant.remove' }));
    });
  });

  if (ui.handQueue) {
    ui.handQueue.addEventListener('click', function (event) {
      var button = event.target.closest('[data-lower]');
      if (button) act('lower', withId(button.getAttribute('data-lower'), { type: 'hand.lower' }));
    });
  }

  if (ui.removedList) {
    ui.removedList.addEventListener('click', function (event) {
      var button = event.target.closest('[data-allow]');
      if (button) act('allow', withId(button.getAttribute('data-allow'), { type: 'participant.allow' }));
    });
  }

  ui.chatList.addEventListener('click', function (event) {
    var button = event.target.closest('[data-delete]');
    if (button) act('delete', { type: 'chat.delete', messageId: button.getAttribute('data-delete') });
  });

  // ----- chat input -------------------------------------------------------------------------------

  function sendChat() {
    var text = ui.chatText.value.trim();
    if (!text) return;
    if (text.length > CHAT_MAX) return showNotice(messages.tooLong);
    if (!isOpen()) return showNotice(messages.offline);
    var ref = nextRef('chat');
    pendingChat.set(ref, text);
    send({ type: 'chat.send', text: text, ref: ref });
    ui.chatText.value = '';
    restored = '';
    updateCounter();
    hideNotice();
  }

  function updateCounter() {
    if (!ui.chatCounter) return;
    var length = ui.chatText.value.length;
    ui.chatCounter.textContent = length >= COUNTER_FROM ? messages.charsLeft(Math.max(0, CHAT_MAX - length)) : '';
    ui.chatCounter.classList.toggle('chat__counter--limit', length >= CHAT_MAX);
  }

  if (ui.chatForm) {
    ui.chatForm.addEventListener('submit', function (event) {
      event.preventDefault();
      sendChat();
    });
    ui.chatText.addEventListener('keydown', function (event) {
      // Enter sends, Shift+Enter is a new line; Enter that confirms an IME composition is the IME's.
      if (event.key !== 'Enter' || event.shiftKey || event.isComposing || event.keyCode === 229) return;
      event.preventDefault();
      sendChat();
    });
    ui.chatText.addEventListener('input', updateCounter);
  }

  // ----- notices and announcements ------------------------------------------------------------------

  var noticeTimer = null;
  function showNotice(text) {
    window.clearTimeout(noticeTimer);
    ui.noticeText.textContent = text;
    ui.notice.hidden = false;
    noticeTimer = window.setTimeout(hideNotice, NOTICE_MS);
  }
  function hideNotice() {
    window.clearTimeout(noticeTimer);
    ui.notice.hidden = true;
    ui.noticeText.textContent = '';
  }

  function announce(text) {
    // Emptied first, so that the same words said twice are announced twice.
    ui.announce.textContent = '';
    window.setTimeout(function () { ui.announce.textContent = text; }, 50);
  }

  /** The room's own confirm dialog (a modal <dialog>: focus stays inside, Escape cancels). */
  function confirmAction(words, opener) {
    var dialog = ui.confirm;
    if (!dialog || typeof dialog.showModal !== 'function') return Promise.resolve(window.confirm(words.title + '\n\n' + words.text));
    if (dialog.open) return Promise.resolve(false);
    return new Promise(function (resolve) {
      dialog.querySelector('[data-confirm-title]').textContent = words.title;
      dialog.querySelector('[data-confirm-text]').textContent = words.text;
      var ok = dialog.querySelector('[data-confirm-ok]');
      var cancel = dialog.querySelector('[data-confirm-cancel]');
      ok.textContent = words.ok;
      var answer = false;
      var onOk = function () { answer = true; dialog.close(); };
      var onCancel = function () { dialog.close(); };
      ok.addEventListener('click', onOk);
      cancel.addEventListener('click', onCancel);
      dialog.addEventListener('close', function onClose() {
        dialog.removeEventListener('close', onClose);
        ok.removeEventListener('click', onOk);
        cancel.removeEventListener('click', onCancel);
        if (opener && opener.isConnected && isShown(opener)) opener.focus();
        resolve(answer);
      });
      dialog.showModal();
      // Destructive actions: the safe answer has the focus.
      cancel.focus();
    });
  }

  // ----- rendering ------------------------------------------------------------------------------------

  /**
   * Every change goes through here: the model changes, the page follows, and if the focused control
   * disappeared (hidden, disabled, removed) focus moves somewhere sensible instead of to the page body.
   */
  function update(change) {
    var focused = document.activeElement;
    var hadFocus = focused && focused !== document.body && root.contains(focused);
    var before = room.status;
    change();
    if (room.status === 'live' || room.status === 'waiting' || room.status === 'ended') room.phase = room.status;
    render();
    if (hadFocus && !(focused.isConnected && isShown(focused))) focusFallback(focused);
    else if (before !== room.status && TERMINAL.indexOf(room.status) !== -1 && hadFocus) focusFallback(focused);
  }

  function isShown(element) {
    return !element.disabled && element.getClientRects().length > 0;
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

  function render() {
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

    var active = TERMINAL.indexOf(status) === -1;
    showControl(ui.start, can('startSession') && (phase === 'waiting' || phase === 'ended'), connected, isBusy('start'));
    showControl(ui.end, can('endSession') && phase === 'live', connected, isBusy('end'));
    // Instructors lead the room; the hand is for everyone else who may raise it.
    showControl(ui.hand, can('raiseHand') && !isInstructor() && phase === 'live', connected, isBusy('hand'));
    if (ui.hand) {
      var raised = myHandRaised();
      ui.hand.setAttribute('aria-pressed', raised ? 'true' : 'false');
      var label = raised ? messages.hand.lower : messages.hand.raise;
      if (ui.hand.textContent !== label) ui.hand.replaceChildren(handIcon(), label);
    }
    ui.leave.hidden = !active;
    if (ui.closedTitle) {
      var words = messages.closed[room.closedReason] || messages.closed.pass;
      ui.closedTitle.textContent = words[0];
      ui.closedDetail.textContent = words[1];
      // Trying again helps when the room was unreachable, or to take the room back into this tab.
      ui.closedRetry.hidden = room.closedReason !== 'unreachable' && room.closedReason !== 'replaced';
    }

    setText(ui.waitingSummaries, messages.waitingSummary(room.waitingCount, isInstructor()));
    if (room.session) {
      ui.startedAt.textContent = formatTime(room.session.startedAt);
      ui.startedAt.setAttribute('datetime', new Date(room.session.startedAt).toISOString());
    }
    ui.endedReason.textContent = room.endedReason ? messages.ended[room.endedReason] || '' : '';

    renderPeople(phase);
    renderHands(phase);
    renderWaiting(phase);
    renderRemoved();
    renderChat(phase, connected);
  }

  /** Disabled while there is no connection; while its request is under way only aria-disabled, so it keeps the focus. */
  function showControl(button, visible, connected, busy) {
    if (!button) return;
    button.hidden = !visible;
    button.disabled = !connected;
    if (busy) button.setAttribute('aria-disabled', 'true');
    else button.removeAttribute('aria-disabled');
  }

  function setText(elements, text) {
    elements.forEach(function (element) { element.textContent = text; });
  }

  function renderPeople(phase) {
    var people = [];
    room.participants.forEach(function (person) { people.push(person); });
    // Instructors first, then in the order people arrived (the server's order).
    people.sort(function (a, b) { return (a.role === 'instructor' ? 0 : 1) - (b.role === 'instructor' ? 0 : 1); });
    var mayRemove = can('removeParticipants') && phase === 'live';
    syncList(ui.peopleList, people, function (person) { return idOf(person); }, function (person) {
      return personItem(person, mayRemove);
    }, mayRemove ? 'remove' : '');
    ui.peopleCount.textContent = people.length > 0 ? '(' + people.length + ')' : '';
    ui.peopleEmpty.hidden = people.length > (isInstructor() ? 1 : 0);

    syncList(ui.tiles, phase === 'live' ? people : [], function (person) { return idOf(person); }, tileItem);
  }

  function personItem(person, mayRemove) {
    var you = idOf(person) === idOf(room.you);
    var raised = person.handRaisedAt !== null && person.handRaisedAt !== undefined;
    var item = el('li', { class: 'people__person' + (you ? ' people__person--you' : ''), 'data-participant-id': idOf(person) });
    item.append(
      avatar(person),
      el('span', { class: 'people__name' }, person.name, you ? el('span', { class: 'people__you' }, ' (' + messages.you + ')') : null),
    );
    if (person.role === 'instructor') item.append(el('span', { class: 'badge badge--role' }, messages.roles.instructor));
    if (raised) item.append(el('span', { class: 'people__hand', title: messages.hand.raisedTitle }, handIcon(), el('span', { class: 'visually-hidden' }, messages.hand.raisedHidden)));
    if (mayRemove && !you && person.role !== 'instructor') {
      var remove = messages.remove(person.name);
      item.append(el('button', { type: 'button', class: 'button button--quiet button--small people__remove', 'data-remove': idOf(person), 'aria-label': remove.aria }, remove.label));
    }
    return item;
  }

  function tileItem(person) {
    var raised = person.handRaisedAt !== null && person.handRaisedAt !== undefined;
    return el(
      'li',
      { class: 'stage-tile' + (raised ? ' stage-tile--hand' : '') + (idOf(person) === idOf(room.you) ? ' stage-tile--you' : '') },
      avatar(person, 'avatar--large'),
      el('span', { class: 'stage-tile__name' }, person.name),
      raised ? el('span', { class: 'stage-tile__hand' }, handIcon()) : null,
    );
  }

  function renderHands(phase) {
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

  function renderWaiting(phase) {
    if (!ui.waitingList) return;
    var waiting = phase === 'live' ? [] : room.waiting;
    syncList(ui.waitingList, waiting, function (person) { return idOf(person); }, function (person) {
      return el('li', { class: 'people__person', 'data-participant-id': idOf(person) }, avatar(person), el('span', { class: 'people__name' }, person.name));
    });
    ui.waitingPanel.hidden = waiting.length === 0;
    ui.waitingCount.textContent = '(' + room.waitingCount + ')';
  }

  function renderRemoved() {
    if (!ui.removedList) return;
    var mayAllow = can('admitParticipants');
    syncList(ui.removedList, room.removed, function (person) { return idOf(person); }, function (person) {
      var item = el('li', { class: 'people__person', 'data-participant-id': idOf(person) }, avatar(person), el('span', { class: 'people__name' }, person.name));
      if (mayAllow) {
        var allow = messages.allow(person.name);
        item.append(el('button', { type: 'button', class: 'button button--secondary button--small', 'data-allow': idOf(person), 'aria-label': allow.aria }, allow.label));
      }
      return item;
    }, mayAllow ? 'allow' : '');
    ui.removedPanel.hidden = room.removed.length === 0;
  }

  function renderChat(phase, connected) {
    var list = ui.chatList;
    var nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 48;
    var before = list.lastElementChild;
    var mayDelete = can('moderateChat') && phase === 'live';
    syncList(list, room.chat, function (message) { return message.id; }, function (message) {
      return chatItem(message, mayDelete);
    }, mayDelete ? 'delete' : '');
    ui.chatEmpty.hidden = room.chat.length > 0;
    var last = list.lastElementChild;
    if (last && last !== before && (nearBottom || last.classList.contains('chat__message--own'))) list.scrollTop = list.scrollHeight;

    if (!ui.chatForm) return;
    var open = phase === 'live' && can('chat') && TERMINAL.indexOf(room.status) === -1;
    // While reconnecting people may keep typing; only sending waits for the room.
    ui.chatText.disabled = !open;
    ui.chatSend.disabled = !(open && connected);
    ui.chatText.placeholder = open ? messages.chatPlaceholder.live : messages.chatPlaceholder.other;
  }

  function chatItem(message, mayDelete) {
    var own = idOf(message) === idOf(room.you);
    var item = el('li', {
      class: 'chat__message' + (own ? ' chat__message--own' : '') + (message.role === 'instructor' ? ' chat__message--instructor' : ''),
      'data-message-id': message.id,
      'data-own': own ? 'true' : null,
    });
    var meta = el('p', { class: 'chat__meta' }, el('span', { class: 'chat__author' }, message.name));
    if (own) meta.append(el('span', { class: 'chat__you' }, ' (' + messages.you + ')'));
    if (message.role === 'instructor') meta.append(' ', el('span', { class: 'badge badge--role' }, messages.roles.instructor));
    meta.append(' ', el('time', { class: 'chat__time', datetime: new Date(message.sentAt).toISOString() }, formatTime(message.sentAt)));
    item.append(meta, el('p', { class: 'chat__text' }, linkified(message.text)));
    if (mayDelete) {
      var remove = messages.deleteMessage(message.name, formatTime(message.sentAt));
      item.append(el('button', { type: 'button', class: 'chat__delete', 'data-delete': message.id, 'aria-label': remove.aria }, remove.label));
    }
    return item;
  }

  /**
   * Makes `list` hold one element per item, in order, reusing the elements of items it already shows
   * (so focus and scroll survive) and only moving those out of place.
   */
  function syncList(list, items, keyOf, make, context) {
    if (!list) return;
    var existing = new Map();
    Array.prototype.forEach.call(list.children, function (child) { existing.set(child.getAttribute('data-key'), child); });
    var wanted = new Set();
    var at = list.firstElementChild;
    items.forEach(function (item) {
      var key = keyOf(item);
      var fingerprint = (context || '') + JSON.stringify(item);
      wanted.add(key);
      var node = existing.get(key);
      if (node && node.getAttribute('data-fingerprint') !== fingerprint) {
        var fresh = make(item);
        fresh.setAttribute('data-key', key);
        fresh.setAttribute('data-fingerprint', fingerprint);
        list.replaceChild(fresh, node);
        if (at === node) at = fresh;
        node = fresh;
      } else if (!node) {
        node = make(item);
        node.setAttribute('data-key', key);
        node.setAttribute('data-fingerprint', fingerprint);
      }
      if (node !== at) list.insertBefore(node, at);
      else at = at.nextElementSibling;
    });
    existing.forEach(function (node, key) {
      if (!wanted.has(key)) list.removeChild(node);
    });
  }

  // ----- small builders ---------------------------------------------------------------------------------

  /** An element with attributes and children; strings become text nodes, never markup. */
  function el(tag, attributes) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      var value = attributes[name];
      if (value === null || value === undefined || value === false) return;
      if (name === 'class') node.className = value;
      else node.setAttribute(name, String(value));
    });
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child !== null && child !== undefined) node.append(child);
    }
    return node;
  }

  var AVATAR_COLOURS = 6;
  function avatar(person, extra) {
    var hash = 0;
    var id = idOf(person) || '';
    for (var i = 0; i < id.length; i++) hash = (hash * 31 + id.charCodeAt(i)) >>> 0;
    var initials = person.name
      .trim()
      .split(/\s+/)
      .slice(0, 2)
      .map(function (word) { return Array.from(word)[0] || ''; })
      .join('')
      .toUpperCase();
    return el('span', { class: 'avatar avatar--c' + (hash % AVATAR_COLOURS) + (extra ? ' ' + extra : ''), 'aria-hidden': 'true' }, initials || '?');
  }

  var SVG = 'http://www.w3.org/2000/svg';
  /** A raised hand, drawn here rather than an emoji, which not every system has a font for. */
  function handIcon() {
    var svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('class', 'icon');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    [
      [6, 6, 2.6, 9],
      [9.2, 3, 2.6, 10],
      [12.4, 3.5, 2.6, 10],
      [15.6, 6, 2.6, 8],
      [6, 10, 12.2, 11, 4],
    ].forEach(function (box) {
      var rect = document.createElementNS(SVG, 'rect');
      rect.setAttribute('x', box[0]);
      rect.setAttribute('y', box[1]);
      rect.setAttribute('width', box[2]);
      rect.setAttribute('height', box[3]);
      rect.setAttribute('rx', box[4] || 1.3);
      svg.appendChild(rect);
    });
    var thumb = document.createElementNS(SVG, 'rect');
    [['x', 3], ['y', 10.5], ['width', 2.6], ['height', 7.5], ['rx', 1.3], ['transform', 'rotate(-35 4.3 14.2)']].forEach(function (pair) {
      thumb.setAttribute(pair[0], pair[1]);
    });
    svg.appendChild(thumb);
    return svg;
  }

  var URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/gi;
  var TRAILING = /[.,;:!?'")\]}>]+$/;

  /** Text with http(s) URLs as links that open apart from the room; everything else stays text. */
  function linkified(text) {
    var fragment = document.createDocumentFragment();
    var last = 0;
    URL_PATTERN.lastIndex = 0;
    var match;
    while ((match = URL_PATTERN.exec(text)) !== null) {
      var candidate = trimUrl(match[0]);
      var href = safeHref(candidate);
      if (!href) continue;
      if (match.index > last) fragment.append(text.slice(last, match.index));
      fragment.append(el('a', { href: href, target: '_blank', rel: 'noopener noreferrer' }, candidate));
      last = match.index + candidate.length;
      URL_PATTERN.lastIndex = last;
    }
    if (last < text.length) fragment.append(text.slice(last));
    return fragment;
  }

  /** Punctuation that ends a sentence is not part of the link; a closing bracket is, when the URL opened it. */
  function trimUrl(url) {
    var trailing = TRAILING.exec(url);
    if (!trailing) return url;
    var kept = url.slice(0, trailing.index);
    var rest = trailing[0];
    while (rest.charAt(0) === ')' && count(kept, '(') > count(kept, ')')) {
      kept += ')';
      rest = rest.slice(1);
    }
    return kept;
  }

  function count(text, char) {
    return text.split(char).length - 1;
  }

  function safeHref(candidate) {
    try {
      var url = new URL(candidate);
      return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
    } catch (error) {
      return null;
    }
  }

  var timeFormat = new Intl.DateTimeFormat(texts.language, { hour: 'numeric', minute: '2-digit' });
  function formatTime(ms) {
    return timeFormat.format(new Date(ms));
  }

  // ----- go -------------------------------------------------------------------------------------------

  render();
  connect();
})();
