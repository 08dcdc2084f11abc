/**
 * The room's chat: the history as a log, the draft with its counter, and deleting messages for
 * those who moderate it. A message the server refused goes back into the draft.
 */
import { ui } from './page.js';
import { room, can, isActive, isBusy, isYou } from './room-model.js';
import { messages, formatTime } from './words.js';
import { el, syncList } from './elements.js';
import { linkified } from './links.js';
import { showNotice, hideNotice } from './notices.js';
import { act, isOpen, nextRef, send } from './connection.js';

var CHAT_MAX = 2000;
var COUNTER_FROM = CHAT_MAX - 200;

/** Chat messages sent and not yet seen back, by ref: the text goes back into the draft if refused. */
var pendingChat = new Map();

export var chatHandlers = {
  'chat.message': function (m) {
    room.chat.push(m.message);
    if (!isYou(m.message)) return;
    var seen = null;
    pendingChat.forEach(function (text, ref) {
      if (seen === null && text === m.message.text) seen = ref;
    });
    if (seen !== null) pendingChat.delete(seen);
  },
  'chat.deleted': function (m) {
    var deleted = room.chat.filter(function (message) { return message.id === m.messageId; })[0];
    room.chat = room.chat.filter(function (message) { return message.id !== m.messageId; });
    // The one who deleted it sees it done; its author learns that it was taken down, and which one.
    if (isBusy('delete')) {
      room.busy.delete('delete');
      showNotice(messages.messageDeleted);
    } else if (deleted && isYou(deleted)) showNotice(messages.yourMessageDeleted(deleted.text));
  },
};

/** The server refused the chat message sent as `ref`: its text goes back into the draft. */
export function chatRefused(ref) {
  if (!pendingChat.has(ref)) return;
  restoreDraft(pendingChat.get(ref));
  pendingChat.delete(ref);
}

/** After a reconnect: anything sent but not in the history goes back into the draft. */
export function recoverUnsentChat(history) {
  if (pendingChat.size === 0) return;
  var mine = history.filter(isYou).map(function (message) { return message.text; });
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

export function renderChat(phase, connected) {
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
  var open = phase === 'live' && can('chat') && isActive();
  // While reconnecting people may keep typing; only sending waits for the room.
  ui.chatText.disabled = !open;
  ui.chatSend.disabled = !(open && connected);
  ui.chatText.placeholder = open ? messages.chatPlaceholder.live : messages.chatPlaceholder.other;
}

function chatItem(message, mayDelete) {
  var own = isYou(message);
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

export function bindChat() {
  ui.chatList.addEventListener('click', function (event) {
    var button = event.target.closest('[data-delete]');
    if (button) act('delete', { type: 'chat.delete', messageId: button.getAttribute('data-delete') });
  });
  if (!ui.chatForm) return;
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
