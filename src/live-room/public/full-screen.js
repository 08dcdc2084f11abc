/**
 * The room's full-screen button: the whole room, out of MediaSpace's page (the
 * frame allows it). Shown only where the browser can do it.
 */
import { ui } from './page.js';
import { texts } from './words.js';

export function bindFullScreen() {
  var button = ui.fullScreen;
  if (!button || !document.fullscreenEnabled) return;
  button.hidden = false;
  button.addEventListener('click', function () {
    if (document.fullscreenElement) document.exitFullscreen().catch(function () {});
    else document.documentElement.requestFullscreen().catch(function () {});
  });
  document.addEventListener('fullscreenchange', function () {
    var on = Boolean(document.fullscreenElement);
    button.setAttribute('aria-pressed', on ? 'true' : 'false');
    button.textContent = on ? texts.fullScreen.exit : texts.fullScreen.enter;
  });
}
