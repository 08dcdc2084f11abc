/**
 * Keyboard shortcuts, as in other meeting tools: Ctrl+D mutes and unmutes,
 * Ctrl+E turns the camera off and on (while the person is sending).
 */
export function listenForShortcuts(active, actions) {
  document.addEventListener('keydown', function (event) {
    if (!event.ctrlKey || event.altKey || event.metaKey || !active()) return;
    var action = actions[event.key.toLowerCase()];
    if (!action) return;
    event.preventDefault();
    action();
  });
}
