/*
 * Course files: uploads with a progress bar. Without this script the upload
 * form posts as it is (its CSRF token in the action's query) and the page
 * comes back with the result.
 * - <form data-upload data-csrf="TOKEN" data-progress-text="… {percent}%" data-done-text data-failed-text>
 *   with [data-upload-progress] (holding a <progress>) and [data-upload-status].
 */
(function () {
  'use strict';

  var form = document.querySelector('form[data-upload]');
  if (!form || !window.XMLHttpRequest || !window.FormData) return;
  var panel = form.querySelector('[data-upload-progress]');
  var bar = panel && panel.querySelector('progress');
  var status = form.querySelector('[data-upload-status]');
  var button = form.querySelector('button[type="submit"]');
  var input = form.querySelector('input[type="file"]');
  var lastAnnounced = -1;

  function say(text) {
    if (status) status.textContent = text;
  }

  function showProgress(percent) {
    if (bar) bar.value = percent;
    // Screen readers hear every tenth, not every event.
    var step = Math.floor(percent / 10) * 10;
    if (step !== lastAnnounced) {
      lastAnnounced = step;
      say((form.getAttribute('data-progress-text') || '{percent}%').replace('{percent}', String(step)));
    }
  }

  function finish(failedText) {
    if (button) button.disabled = false;
    form.removeAttribute('aria-busy');
    say(failedText);
    if (input) input.focus();
  }

  form.addEventListener('submit', function (event) {
    if (!input || !input.files || input.files.length === 0) return;
    event.preventDefault();
    var request = new XMLHttpRequest();
    request.open('POST', form.action);
    request.setRequestHeader('Accept', 'application/json');
    request.setRequestHeader('X-CSRF-Token', form.getAttribute('data-csrf') || '');
    request.upload.addEventListener('progress', function (progress) {
      if (progress.lengthComputable) showProgress(Math.round((progress.loaded / progress.total) * 100));
    });
    request.addEventListener('load', function () {
      var body = null;
      try {
        body = JSON.parse(request.responseText);
      } catch (ignored) {
        body = null;
      }
      if (request.status >= 200 && request.status < 300 && body && body.location) {
        showProgress(100);
        say(form.getAttribute('data-done-text') || '');
        window.location.assign(body.location);
        return;
      }
      var message = body && body.error && body.error.message;
      finish(message || form.getAttribute('data-failed-text') || '');
    });
    request.addEventListener('error', function () {
      finish(form.getAttribute('data-failed-text') || '');
    });
    request.addEventListener('abort', function () {
      finish(form.getAttribute('data-failed-text') || '');
    });
    lastAnnounced = -1;
    if (panel) panel.hidden = false;
    if (button) button.disabled = true;
    form.setAttribute('aria-busy', 'true');
    showProgress(0);
    request.send(new FormData(form));
  });
})();
