/*
 * The live room in the browser. One WebSocket to the room (message protocol
 * v1, src/live-room/room-protocol.ts) drives the screens a person sees, the
 * people and waiting lists, the raised-hand queue and the chat; each concern
 * has its module beside this one, and this one wires the page's controls.
 *
 * Promises: what people typed reaches the page only as text nodes (links are
 * anchors built from parsed http(s) URLs), never as HTML; a lost connection is
 * retried with backoff (connection.js); a chat message the server refused goes
 * back into the draft (chat.js). No inline scripts, no eval: it runs under the
 * service's CSP. Its words come with the page as JSON (#room-texts), in the
 * person's language.
 */
import { ui } from './page.js';
import { act, connect, leave, rejoin, retryIfWaiting } from './connection.js';
import { messages } from './words.js';
import { bindNotices, confirmAction } from './notices.js';
import { bindChat } from './chat.js';
import { bindHands } from './hands.js';
import { bindPeople } from './people.js';
import { bindFullScreen } from './full-screen.js';
import { bindAdmission } from './admission.js';
import { render } from './view.js';

if (ui.start) ui.start.addEventListener('click', function () { act('start', { type: 'session.start' }); });

if (ui.end) {
  ui.end.addEventListener('click', function () {
    confirmAction(messages.confirmEnd, ui.end).then(function (confirmed) {
      if (confirmed) act('end', { type: 'session.end' });
    });
  });
}

ui.leave.addEventListener('click', leave);
ui.rejoin.forEach(function (button) { button.addEventListener('click', rejoin); });
if (ui.retry) ui.retry.addEventListener('click', connect);
window.addEventListener('online', retryIfWaiting);

bindNotices();
bindChat();
bindHands();
bindPeople();
bindFullScreen();
bindAdmission();

render();
connect();
