/**
 * The media modules' way into the room socket: room.js (one socket per page)
 * hands every message it receives to `room:message` listeners, and sends what
 * arrives as `room:send`. Media never opens a connection of its own.
 */
export function roomLink(root) {
  var refs = 0;
  return {
    /** Every message from the room, with its type. */
    listen: function (listener) {
      root.addEventListener('room:message', function (event) { listener(event.detail); });
    },
    /** Sends a message; answers its ref (`media:<type>:<n>`), which an error about it carries back. */
    send: function (message) {
      refs += 1;
      var ref = 'media:' + message.type + ':' + refs;
      root.dispatchEvent(new CustomEvent('room:send', { detail: Object.assign({ ref: ref }, message) }));
      return ref;
    },
  };
}
