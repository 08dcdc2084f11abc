/**
 * Screen sharing: the screen, window or tab the person picks in the browser's
 * picker, sent as their feed of source `screen` (the server checks
 * `shareScreen`). The browser's own "Stop sharing" stops it here too.
 */
import { publisher } from './publisher.js';

export function screenShare(state, link, render, reconnecting) {
  /** The screen (or window, or tab) the person picks, sent as their feed of source `screen`. */
  function toggle() {
    if (state.screen) return stop(true);
    navigator.mediaDevices.getDisplayMedia({ video: true, audio: false }).then(function (stream) {
      state.screen = { stream: stream, publisher: null };
      // The browser's own "Stop sharing" ends the track.
      stream.getVideoTracks().forEach(function (track) { track.addEventListener('ended', function () { stop(true); }); });
      publish();
      render();
    }, function () {
      // Cancelled in the browser's picker: nothing to say.
    });
  }

  function publish() {
    var screen = state.screen;
    if (!screen || !state.available || !state.live) return;
    screen.publisher = publisher(link, 'screen', screen.stream, {
      failed: function () {
        if (state.screen !== screen || !screen.publisher) return;
        screen.publisher.close();
        screen.publisher = null;
        publish();
      },
      reconnecting: reconnecting,
    });
  }

  function stop(tell) {
    var screen = state.screen;
    if (!screen) return;
    state.screen = null;
    if (screen.publisher) screen.publisher.close();
    screen.stream.getTracks().forEach(function (track) { track.stop(); });
    if (tell && screen.publisher) link.send({ type: 'media.unpublish', source: 'screen' });
    render();
  }

  return { toggle: toggle, publish: publish, stop: stop };
}
