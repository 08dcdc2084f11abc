/*
 * Inside a Live Rooms page that MediaSpace frames: tell the embedding snippet
 * how tall the content is, or that a room has opened and needs space.
 * Progressive enhancement for the channel actions when rooms open in a new tab.
 */
(function () {
  'use strict';
  var framed = window.parent !== window;
  function post(message) {
    if (!framed) return;
    message.source = 'live-rooms';
    // Only sizes and the page title travel this way; nothing in them is worth keeping from any parent.
    window.parent.postMessage(message, '*');
  }
  function reportHeight() {
    // The title, in the person's language, names the frame for screen readers on the MediaSpace page.
    post({ type: 'resize', height: Math.ceil(document.documentElement.getBoundingClientRect().height), title: document.title });
  }
  if (document.body.getAttribute('data-frame') === 'room') post({ type: 'room' });
  else if (framed) {
    reportHeight();
    if (window.ResizeObserver) new ResizeObserver(reportHeight).observe(document.body);
  }

  // Rooms set to open in a new tab: POST for a launch link, then open it in a top-level tab
  // (a cookie made inside a framed page would not reach a new tab).
  // The status element carries the words, in the page's language.
  var status = document.getElementById('meeting-status');
  function words(name, fallback) {
    return (status && status.getAttribute('data-text-' + name)) || fallback;
  }
  document.querySelectorAll('form[data-open-in-new-tab]').forEach(function (form) {
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      fetch(form.action, {
        method: 'POST',
        headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(new FormData(form)).toString(),
        credentials: 'same-origin',
      })
        .then(function (response) {
          return response.json().then(function (body) {
            if (!response.ok) throw new Error((body.error && body.error.message) || words('failed', 'The room could not be opened.'));
            return body;
          });
        })
        .then(function (launch) {
          // 'noopener' as a feature would make window.open answer null even when it worked.
          var opened = window.open(launch.launchUrl, '_blank');
          if (opened) opened.opener = null;
          else if (status) {
            status.textContent = '';
            var link = document.createElement('a');
            link.href = launch.launchUrl;
            link.target = '_blank';
            link.rel = 'noopener';
            link.textContent = words('open-in-tab', 'Open the room in a new tab');
            status.appendChild(link);
          }
        })
        .catch(function (error) {
          if (status) status.textContent = error.message;
        });
    });
  });
})();
