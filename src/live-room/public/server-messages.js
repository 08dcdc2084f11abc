/** What each message from the server changes in the room's model (the page then follows, view.js). */
import { room, idOf, withId, isInstructor, isBusy, sortHands, byId } from './room-model.js';
import { messages } from './words.js';
import { announce, showNotice } from './notices.js';
import { markWelcomed } from './connection.js';
import { chatHandlers, chatRefused, recoverUnsentChat } from './chat.js';
import { handHandlers } from './hands.js';
import { admissionHandlers } from './admission.js';

var roomHandlers = {
  welcome: function (m) {
    markWelcomed();
    room.you = withId(idOf(m.you), { name: m.you.name, role: m.you.role });
    room.permissions = new Set(m.you.permissions);
    room.session = m.session;
    room.participants = byId(m.participants);
    room.waiting = m.waiting;
    room.waitingCount = m.waitingCount;
    room.hands = sortHands(m.hands);
    room.chat = m.chat.slice();
    room.removed = m.removed || [];
    room.admission = m.admission || { instructorsAdmit: false, waitingForAdmission: false };
    recoverUnsentChat(m.chat);
    room.busy.clear();
    // A welcome knows only waiting or live: someone whose session just ended still sees that it ended.
    room.status = m.phase === 'live' ? 'live' : room.status === 'ended' || room.phase === 'ended' ? 'ended' : 'waiting';
  },
  'session.started': function (m) {
    room.session = m.session;
    room.participants = byId(m.participants);
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
    ['admit', 'admitAll', 'deny'].forEach(function (control) { room.busy.delete(control); });
  },
  removed: function () {
    room.status = 'removed';
  },
  'removals.changed': function (m) {
    var before = room.removed.length;
    room.removed = m.removed;
    if (isBusy('allow') && m.removed.length < before) announce(messages.letBackIn);
    room.busy.delete('allow');
    room.busy.delete('remove');
  },
  error: function (m) {
    var kind = typeof m.ref === 'string' ? m.ref.split(':')[0] : '';
    room.busy.delete(kind);
    if (kind === 'chat') chatRefused(m.ref);
    // The full screen says it better than a notice would; media errors are the media modules' to show.
    if (m.code !== 'ROOM_FULL' && kind !== 'media') showNotice(m.message);
  },
};

/** The handler for a message type, looked up when a message arrives (the modules import one another). */
export function handlerFor(type) {
  var maps = [roomHandlers, chatHandlers, handHandlers, admissionHandlers];
  for (var i = 0; i < maps.length; i++) {
    if (Object.prototype.hasOwnProperty.call(maps[i], type)) return maps[i][type];
  }
  return null;
}
