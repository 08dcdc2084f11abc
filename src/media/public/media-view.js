/**
 * The video grid: a tile per person in the session, with their video when
 * they send it and their initials when they do not, a muted mark, and the
 * instructor's mute button, the speaker highlighted; screen shares get a tile
 * of their own with a full-screen button. Tiles are kept (not rebuilt) so videos keep playing.
 */
export function mediaView(grid, texts, fill) {
  var tiles = new Map();

  function tileFor(person) {
    var tile = tiles.get(person.participantId);
    if (tile) return tile;
    var item = document.createElement('li');
    item.className = 'media-tile';
    item.setAttribute('data-participant', person.participantId);
    var initials = document.createElement('span');
    initials.className = 'media-tile__initials';
    initials.setAttribute('aria-hidden', 'true');
    var video = document.createElement('video');
    video.autoplay = true;
    video.playsInline = true;
    video.hidden = true;
    var name = document.createElement('span');
    name.className = 'media-tile__name';
    var muted = document.createElement('span');
    muted.className = 'media-tile__muted';
    muted.textContent = texts.muted;
    muted.hidden = true;
    item.append(initials, video, name, muted);
    tile = { item: item, initials: initials, video: video, name: name, muted: muted, mute: null, stop: null, full: null };
    tiles.set(person.participantId, tile);
    grid.append(item);
    return tile;
  }

  return {
    /** people: [{participantId, name, you, feed (or null), stream (or null)}]; actions.mute and actions.stopCamera(participantId) for instructors. */
    render: function (people, canMuteOthers, actions) {
      var wanted = new Set(people.map(function (person) { return person.participantId; }));
      tiles.forEach(function (tile, id) {
        if (!wanted.has(id)) {
          tile.item.remove();
          tiles.delete(id);
        }
      });
      people.forEach(function (person) {
        var tile = tileFor(person);
        tile.initials.textContent = initialsOf(person.name);
        tile.name.textContent = person.you ? fill(texts.you, { name: person.name }) : person.name;
        var showsVideo = Boolean(person.stream && person.feed && person.feed.video);
        if (person.stream && tile.video.srcObject !== person.stream) tile.video.srcObject = person.stream;
        if (!person.stream && tile.video.srcObject) tile.video.srcObject = null;
        // One's own preview is silent: hearing oneself would echo.
        tile.video.muted = Boolean(person.you);
        tile.video.hidden = !showsVideo;
        tile.initials.hidden = showsVideo;
        tile.muted.hidden = !(person.feed && !person.feed.audio);
        tile.item.classList.toggle('media-tile--speaking', Boolean(person.speaking));
        tile.item.classList.toggle('media-tile--screen', Boolean(person.screen));
        tile.full = toggleButton(tile, tile.full, person.screen, 'media-tile__full', texts.fullScreen, fill(texts.fullScreenOf, { name: person.name }), function () {
          if (tile.video.requestFullscreen) void tile.video.requestFullscreen();
        });
        var moderated = canMuteOthers && !person.you && !person.screen && person.feed;
        tile.mute = toggleButton(tile, tile.mute, moderated && person.feed.audio, 'media-tile__mute', texts.mute, fill(texts.muteSomeone, { name: person.name }), function () { actions.mute(person.participantId); });
        tile.stop = toggleButton(tile, tile.stop, moderated && person.feed.video, 'media-tile__stop', texts.stopCamera, fill(texts.stopCameraOf, { name: person.name }), function () { actions.stopCamera(person.participantId); });
      });
    },
    clear: function () {
      tiles.forEach(function (tile) { tile.item.remove(); });
      tiles.clear();
    },
  };
}

/** An instructor's button on a tile, there while `wanted`; answers the button (or null). */
function toggleButton(tile, existing, wanted, className, label, aria, onClick) {
  if (wanted && !existing) {
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'button button--quiet button--small ' + className;
    button.textContent = label;
    button.setAttribute('aria-label', aria);
    button.addEventListener('click', onClick);
    tile.item.append(button);
    return button;
  }
  if (!wanted && existing) existing.remove();
  return wanted ? existing : null;
}

function initialsOf(name) {
  return String(name || '?').split(/\s+/).filter(Boolean).slice(0, 2).map(function (word) { return Array.from(word)[0] || ''; }).join('').toUpperCase();
}
