/**
 * The session's webcam places, as a person meets them: refused a place, they
 * keep speaking without a camera and may ask for one (and withdraw); given
 * one, their camera comes on; stopped by an instructor, it goes off. For
 * instructors (muteOthers): the queue, with a button to give each a place.
 */
export function cameraPlaces(state, link, texts, fill, parts, camera) {
  var queue = [];
  var handlers = {
    'media.queued': function (m) {
      state.queuedAt = m.position;
      state.status = fill(texts.queued, { position: m.position });
    },
    'media.queue': function (m) { queue = m.queue; },
    'media.cameraGranted': function (m) {
      state.cameraRefused = false;
      state.queuedAt = null;
      state.status = fill(texts.granted, { name: m.by });
      camera(true);
    },
    // The place given was not used in time: the person may ask again.
    'media.grantExpired': function () {
      state.cameraRefused = true;
      state.status = texts.grantExpired;
    },
    'media.cameraStopped': function (m) {
      state.status = fill(texts.stopped, { name: m.by });
      camera(false);
    },
    'session.ended': function () {
      queue = [];
      state.cameraRefused = false;
      state.queuedAt = null;
    },
  };

  if (parts.ask) {
    parts.ask.addEventListener('click', function () {
      if (state.queuedAt) {
        state.queuedAt = null;
        state.status = '';
        link.send({ type: 'media.withdrawRequest' });
      } else {
        link.send({ type: 'media.requestCamera' });
      }
    });
  }
  if (parts.queue) {
    parts.queue.addEventListener('click', function (event) {
      var button = event.target.closest('button[data-give]');
      if (button) link.send({ type: 'media.grantCamera', participantId: button.getAttribute('data-give') });
    });
  }

  return {
    handlers: handlers,
    /** The publish was refused for want of a place: the person goes on without a camera and may ask. */
    refused: function () {
      state.cameraRefused = true;
      camera(false);
    },
    render: function () {
      if (parts.ask) {
        parts.ask.hidden = !state.cameraRefused;
        parts.ask.textContent = state.queuedAt ? texts.withdraw : texts.askPlace;
      }
      if (!parts.queue) return;
      parts.queuePanel.hidden = queue.length === 0;
      parts.queue.replaceChildren.apply(parts.queue, queue.map(function (queued) {
        var item = document.createElement('li');
        var name = document.createElement('span');
        name.textContent = queued.name + ' ';
        var give = document.createElement('button');
        give.type = 'button';
        give.className = 'button button--secondary button--small';
        give.setAttribute('data-give', queued.participantId);
        give.setAttribute('aria-label', fill(texts.giveTo, { name: queued.name }));
        give.textContent = texts.give;
        item.append(name, give);
        return item;
      }));
    },
  };
}
