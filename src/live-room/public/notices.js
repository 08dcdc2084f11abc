/** How the room tells a person something: a notice they can dismiss, words for screen readers, a confirm dialog. */
import { ui } from './page.js';
import { isShown } from './elements.js';

var NOTICE_MS = 10000;
var noticeTimer = null;

export function showNotice(text) {
  window.clearTimeout(noticeTimer);
  ui.noticeText.textContent = text;
  ui.notice.hidden = false;
  noticeTimer = window.setTimeout(hideNotice, NOTICE_MS);
}

export function hideNotice() {
  window.clearTimeout(noticeTimer);
  ui.notice.hidden = true;
  ui.noticeText.textContent = '';
}

export function announce(text) {
  // Emptied first, so that the same words said twice are announced twice.
  ui.announce.textContent = '';
  window.setTimeout(function () { ui.announce.textContent = text; }, 50);
}

/** The room's own confirm dialog (a modal <dialog>: focus stays inside, Escape cancels). */
export function confirmAction(words, opener) {
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

export function bindNotices() {
  ui.noticeDismiss.addEventListener('click', hideNotice);
}
