/**
 * The video grid: a tile per person in the session, with their video when
 * they send it and their profile picture or initials when they do not, a muted mark, and the
 * instructor's mute button, the speaker highlighted; screen shares get a tile
 * of their own with a full-screen button. A tile can be pinned (it leads, large);
 * the speaker view makes one tile large: the pinned one, else a screen share,
 * else who speaks. Tiles are kept (not rebuilt, not moved: CSS order places
 * them) so videos keep playing. Tiles whose video is on another page come
 * after the page's, without video.
 */
/** onChange: the pinned tile or the layout changed (what is received follows it); the grid is drawn again by the caller. */
export function mediaView(grid, texts, fill, layoutButton, onChange) {
  var tiles = new Map();
  var pinned = null;
  var speakerView = false;

  if (layoutButton) {
    layoutButton.addEventListener('click', function () {
      speakerView = !speakerView;
      onChange();
    });
  }

  /** The tile that leads: pinned, else (in the speaker view) a screen share, else who speaks. */
  function mainOf(people) {
    var isPinned = function (person) { return person.participantId === pinned; };
    var byRule = people.filter(isPinned)[0];
    if (byRule || !speakerView) return byRule || null;
    return people.filter(function (person) { return person.screen; })[0] || people.filter(function (person) { return person.speaking; })[0] || people[0] || null;
  }

  function tileFor(person) {
    var tile = tiles.get(person.participantId);
    if (tile) return tile;
    var item = document.createElement('li');
    item.className = 'media-tile';
    item.setAttribute('data-participant', person.participantId);
    var initials = document.createElement('span');
    initials.className = 'media-tile__initials';
    initials.setAttribute('aria-hidden', 'true');
    var picture = document.createElement('img');
    picture.className = 'media-tile__picture';
    picture.alt = '';
    picture.hidden = true;
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
    item.append(initials, picture, video, name, muted);
    tile = { item: item, initials: initials, picture: picture, video: video, name: name, muted: muted, mute: null, stop: null, full: null, pin: null };
    tiles.set(person.participantId, tile);
    grid.append(item);
    return tile;
  }

  return {
    /** The pinned tile's id, or null. */
    pinned: function () { return pinned; },
    /** The id of the tile that leads now (pinned, or in the speaker view a screen share or who speaks), or null. */
    main: function (people) {
      var main = mainOf(people);
      return main ? main.participantId : null;
    },
    /** people: [{participantId, name, you, feed (or null), stream (or null), offPage}]; actions.mute and actions.stopCamera(participantId) for instructors. */
    render: function render(people, canMuteOthers, actions) {
      if (pinned && !people.some(function (person) { return person.participantId === pinned; })) pinned = null;
      var main = mainOf(people);
      grid.classList.toggle('media-grid--speaker', speakerView);
      if (layoutButton) {
        layoutButton.textContent = speakerView ? texts.gridView : texts.speakerView;
        layoutButton.setAttribute('aria-pressed', String(speakerView));
      }
      var wanted = new Set(people.map(function (person) { return person.participantId; }));
      tiles.forEach(function (tile, id) {
        if (!wanted.has(id)) {
          tile.item.remove();
          tiles.delete(id);
        }
      });
      people.forEach(function (person, index) {
        var tile = tileFor(person);
        tile.item.classList.toggle('media-tile--main', person === main);
        tile.item.style.order = person === main ? '-1' : String(person.offPage ? 1000 + index : index);
        tile.item.classList.toggle('media-tile--off-page', Boolean(person.offPage));
        if (person.offPage) tile.item.title = texts.offPage;
        else tile.item.removeAttribute('title');
        tile.pin = toggleButton(tile, tile.pin, true, 'media-tile__pin', texts.pin, fill(texts.pinOf, { name: person.name }), function () {
          pinned = pinned === person.participantId ? null : person.participantId;
          onChange();
        });
        tile.pin.setAttribute('aria-pressed', String(pinned === person.participantId));
        tile.initials.textContent = initialsOf(person.name);
        tile.name.textContent = person.you ? fill(texts.you, { name: person.name }) : person.name;
        var showsVideo = Boolean(person.stream && person.feed && person.feed.video && !person.offPage);
        if (person.stream && tile.video.srcObject !== person.stream) tile.video.srcObject = person.stream;
        if (!person.stream && tile.video.srcObject) tile.video.srcObject = null;
        // One's own preview is silent: hearing oneself would echo.
        tile.video.muted = Boolean(person.you);
        tile.video.hidden = !showsVideo;
        var picture = !showsVideo && person.picture ? person.picture : null;
        if (picture && tile.picture.getAttribute('src') !== picture) tile.picture.src = picture;
        tile.picture.hidden = !picture;
        tile.initials.hidden = showsVideo || Boolean(picture);
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
