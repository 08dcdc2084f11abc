/*
 * Audio and video in the live room. Signalling rides the room's socket
 * (room-link.js); the media server is reached only with media. The person
 * picks devices (remembered), joins with camera and/or microphone (their
 * permissions decide which), sees a tile per person with video or initials,
 * and mutes or turns the camera off. After every (re)connection, and when the
 * server says the media server restarted, it publishes and subscribes again
 * by itself. No inline script, no eval: it runs under the service's CSP.
 */
import { roomLink } from './room-link.js';
import { localMedia } from './local-media.js';
import { mediaView } from './media-view.js';
import { pageControls, pagePlan } from './pages.js';
import { qualityWatch } from './quality.js';
import { receivingConnection } from './receiving-connection.js';
import { startsWithVideo, syncReceiving, videoRefused } from './receiving.js';
import { tilesOf } from './tiles.js';
import { screenShare } from './screen-share.js';
import { speakerWatch } from './speakers.js';
import { cameraPlaces } from './camera-places.js';
import { listenForShortcuts } from './shortcuts.js';
import { fill } from './words.js';

var root = document.querySelector('main.room[data-room-socket]');
/** Requests whose refusal the person need not see (about something that has just gone). */
var QUIET = ['media.trickle', 'media.layer', 'media.unsubscribe', 'media.video', 'media.restartPublisher', 'media.restartReceiving', 'media.answer', 'media.resetReceiving'];
/** How long a refused reset of the receiving connection waits before it is asked again. */
var RESET_AGAIN_MS = 2000;
var section = root && root.querySelector('[data-media]');
if (section) start();

/** The identifier the room protocol gives a person: read here and nowhere else in the media modules. */
function participantIdOf(person) {
  return person.participantId;
}

function start() {
  var texts = JSON.parse(document.getElementById('room-texts').textContent).media;
  var link = roomLink(root);
  var part = function (selector) { return section.querySelector(selector); };
  var ui = {
    status: part('[data-media-status]'),
    setup: part('[data-media-setup]'),
    controls: part('[data-media-controls]'),
    join: part('[data-media-join]'),
    selects: Array.prototype.slice.call(section.querySelectorAll('[data-media-device]')),
    level: part('[data-media-level]'),
    cameraOff: part('[data-media-start=cameraOff]'),
    muted: part('[data-media-start=muted]'),
    toggleAudio: part('[data-media-toggle=audio]'),
    toggleVideo: part('[data-media-toggle=video]'),
    cameras: part('[data-media-cameras]'),
    share: part('[data-media-share]'),
    screen: part('[data-media-screen]'),
    ask: part('[data-media-ask]'),
    preview: part('[data-media-preview]'),
    queue: part('[data-media-queue]'),
    queuePanel: part('[data-media-queue-panel]'),
    previewVideo: part('[data-media-preview-video]'),
  };
  var view = mediaView(part('[data-media-grid]'), texts, fill, part('[data-media-layout]'), function () { render(); });
  var state = {
    you: null,
    permissions: new Set(),
    live: false,
    available: false,
    people: new Map(),
    feeds: new Map(),
    subscriptions: new Map(),
    /** The person's own media: stream, publisher, and what they chose to send. */
    local: null,
    /** The person's screen share: stream and publisher. */
    screen: null,
    /** Who is speaking now (participant id), for the highlight. */
    speaking: null,
    /** Refused a webcam place (they may ask for one), and their place in the queue once they asked. */
    cameraRefused: false,
    queuedAt: null,
    status: '',
    /** Peer connections restarting their ICE now: the room says audio and video are reconnecting. */
    restarts: 0,
    /** The page of videos shown (from 0), and the connection's quality ceiling (quality.js). */
    page: 0,
    quality: 'high',
  };
  var reconnecting = function (on) {
    state.restarts = Math.max(0, state.restarts + (on ? 1 : -1));
    render();
  };
  var receiver = receivingConnection(link, { streams: showStreams, reconnecting: reconnecting });
  var speakers = speakerWatch(state, texts, render, receiver.audioLevels);
  var local = localMedia(state, link, ui, texts, { render: render, ownLevel: speakers.ownLevel, reconnecting: reconnecting });
  var screen = screenShare(state, link, render, reconnecting);
  var places = cameraPlaces(state, link, texts, fill, ui, local.turnCamera);
  var pages = pageControls(part('[data-media-pages]'), texts, fill, function (page) {
    state.page = page;
    render();
  });
  qualityWatch(function () {
    return receiver.pc() ? [receiver.pc()] : [];
  }, function (level) {
    state.quality = level;
    render();
  });
  /** Subscriptions asked for, by the ref of their request. */
  var subscribing = new Map();

  var handlers = {
    welcome: function (m) {
      state.you = { participantId: participantIdOf(m.you), name: m.you.name };
      state.permissions = new Set(m.you.permissions);
      setPeople(m.participants);
      state.live = m.phase === 'live';
      showCameras(m.cameras, m.webcamLimit);
      // A new connection has nothing on the media server: everything is made again.
      dropPeers();
      link.send({ type: 'media.join' });
    },
    'session.started': function (m) {
      state.live = true;
      setPeople(m.participants);
      link.send({ type: 'media.join' });
    },
    'session.ended': function () {
      state.live = false;
      dropPeers();
      local.stop();
      screen.stop(false);
      state.feeds.clear();
    },
    'presence.joined': function (m) { state.people.set(participantIdOf(m.participant), personOf(m.participant)); },
    'presence.left': function (m) { state.people.delete(participantIdOf(m)); },
    'camera.changed': function (m) { showCameras(m.cameras, m.webcamLimit); },
    'media.ready': function (m) {
      state.available = m.available;
      state.status = m.available ? '' : texts.unavailable;
      setFeeds(m.feeds);
      if (m.available && state.live && state.local && !state.local.publisher) local.publish();
      if (m.available && state.live && state.screen && !state.screen.publisher) screen.publish();
    },
    'media.feeds': function (m) { setFeeds(m.feeds); },
    'media.answer': function (m) {
      var own = m.source === 'screen' ? state.screen : state.local;
      if (own && own.publisher) void own.publisher.answer(m.sdp);
    },
    'media.offer': function (m) { void receiver.offer(m); },
    'media.lost': function () {
      state.status = texts.reconnecting;
      state.available = false;
      dropPeers();
      state.feeds.clear();
    },
    'media.reset': function () {
      state.status = texts.reconnecting;
      dropPeers();
      link.send({ type: 'media.join' });
    },
    'media.muted': function (m) {
      if (state.local) local.setTrack('audio', false, false);
      state.status = fill(texts.mutedBy, { name: m.by });
    },
    error: function (m) {
      var type = typeof m.ref === 'string' && m.ref.indexOf('media:') === 0 ? m.ref.split(':')[1] : null;
      if (!type) return;
      // A subscription that failed (the feed went meanwhile) is asked for again with the next list of feeds.
      var key = subscribing.get(m.ref);
      subscribing.delete(m.ref);
      if (key && state.subscriptions.get(key) && !state.subscriptions.get(key).offered) state.subscriptions.delete(key);
      if (type === 'media.video') videoRefused(state, m.ref);
      // The media server refused the answer: made anew (an answer that crossed a reset is only late: NO_OFFER).
      if (type === 'media.answer' && m.code !== 'NO_OFFER') receiver.reset();
      // A reset refused (the person's allowance of room changes is spent) is asked again: no offer would come otherwise.
      if (type === 'media.resetReceiving') window.setTimeout(function () { if (!receiver.pc()) link.send({ type: 'media.resetReceiving' }); }, RESET_AGAIN_MS);
      // Late candidates and layer choices for what has just gone are nobody's concern; a refused answer mends itself.
      if (QUIET.indexOf(type) === -1) state.status = m.message;
      // A refused publish (no webcam place, no permission...) leaves the person where they were.
      if (type !== 'media.publish' || !state.local || !state.local.publisher || state.local.answered) return;
      if (m.code === 'WEBCAM_LIMIT') places.refused();
      else if (m.code !== 'MEDIA_REFUSED') local.stop();
    },
  };

  link.listen(function (message) {
    var handler = handlers[message.type];
    var placesHandler = places.handlers[message.type];
    if (!handler && !placesHandler) return;
    if (handler) handler(message);
    if (placesHandler) placesHandler(message);
    render();
  });

  function setPeople(participants) {
    state.people = new Map(participants.map(function (person) { return [participantIdOf(person), personOf(person)]; }));
  }

  /** A tile's person: their name, and their profile picture's address (shown when their camera is off). */
  function personOf(person) {
    return { name: person.name, picture: typeof person.picture === 'string' ? person.picture : null };
  }

  function setFeeds(feeds) {
    state.feeds = new Map(feeds.map(function (feed) { return [feed.participantId + '/' + feed.source, feed]; }));
    var plan = planOf(tilesOf(state, texts, fill));
    state.feeds.forEach(function (feed, key) {
      if (feed.participantId === state.you.participantId) return;
      var current = state.subscriptions.get(key);
      if (current && current.version === feed.version) return;
      // Published again (another tab, a reconnect): the old subscription went with the old feed.
      if (current) unsubscribe(key);
      var video = startsWithVideo(feed, plan, state.quality);
      state.subscriptions.set(key, { offered: false, stream: null, version: feed.version, video: video });
      subscribing.set(link.send({ type: 'media.subscribe', participantId: feed.participantId, source: feed.source, video: video }), key);
    });
    state.subscriptions.forEach(function (entry, key) { if (!state.feeds.has(key)) unsubscribe(key); });
  }

  /** The server may have dropped it already (the feed went): telling it again is harmless. */
  function unsubscribe(key) {
    var parts = key.split('/');
    state.subscriptions.delete(key);
    link.send({ type: 'media.unsubscribe', participantId: parts[0], source: parts[1] });
  }

  /**
   * What the receiving connection carries now, by feed key: a subscription is offered once its feed is on it
   * (the server knows it then: its video and layer may be asked for), and has its stream.
   */
  function showStreams(streams) {
    state.subscriptions.forEach(function (entry, key) {
      var offered = streams.has(key);
      // On a new connection (a reset) the layers are asked for again.
      if (!offered) entry.layer = undefined;
      entry.offered = offered;
      entry.stream = streams.get(key) || null;
    });
    subscribing.forEach(function (key, ref) { if (streams.has(key)) subscribing.delete(ref); });
    render();
  }

  function dropPeers() {
    receiver.close();
    state.subscriptions.clear();
    subscribing.clear();
    [state.local, state.screen].forEach(function (own) {
      if (!own || !own.publisher) return;
      own.publisher.close();
      own.publisher = null;
    });
  }

  function showCameras(cameras, limit) {
    ui.cameras.textContent = limit === null || limit === undefined ? '' : fill(texts.cameras, { taken: cameras.length, limit: limit });
  }

  /** Which tiles' video is received: the page's, and the pinned tile's and the speaker's whatever the page. */
  function planOf(tiles) {
    return pagePlan(tiles, state.page, [view.pinned(), state.speaking]);
  }

  if (ui.toggleAudio) ui.toggleAudio.addEventListener('click', local.toggleAudio);
  if (ui.toggleVideo) ui.toggleVideo.addEventListener('click', local.toggleVideo);
  if (ui.screen) ui.screen.addEventListener('click', screen.toggle);
  listenForShortcuts(function () { return Boolean(state.local); }, { d: ui.toggleAudio && local.toggleAudio, e: ui.toggleVideo && local.toggleVideo });
  document.addEventListener('fullscreenchange', function () { render(); });

  function render() {
    section.hidden = !state.live;
    var status = state.status || (state.restarts > 0 ? texts.reconnecting : '');
    ui.status.hidden = status === '';
    ui.status.textContent = status;
    if (ui.setup) ui.setup.hidden = !state.available || Boolean(state.local);
    if (ui.controls) ui.controls.hidden = !state.local;
    places.render();
    if (ui.share) ui.share.hidden = !state.available;
    if (ui.screen) {
      ui.screen.textContent = state.screen ? texts.stopSharing : texts.shareScreen;
      ui.screen.setAttribute('aria-pressed', String(Boolean(state.screen)));
    }
    if (ui.toggleAudio && state.local) {
      ui.toggleAudio.textContent = state.local.audio ? texts.mute : texts.unmute;
      ui.toggleAudio.setAttribute('aria-pressed', String(!state.local.audio));
    }
    if (ui.toggleVideo && state.local) {
      var cameraOn = state.local.video && state.local.stream.getVideoTracks().length > 0;
      ui.toggleVideo.textContent = cameraOn ? texts.cameraOff : texts.cameraOn;
      ui.toggleVideo.setAttribute('aria-pressed', String(!cameraOn));
    }
    if (!state.live || !state.you) return view.clear();
    var tiles = tilesOf(state, texts, fill);
    var plan = planOf(tiles);
    state.page = plan.page;
    tiles.forEach(function (tile) {
      tile.offPage = !tile.you && !tile.screen && Boolean(tile.feed && tile.feed.video) && !plan.video.has(tile.participantId);
      tile.fullScreen = Boolean(document.fullscreenElement && document.fullscreenElement.closest('[data-participant="' + tile.participantId + '"]'));
    });
    syncReceiving(state, link, tiles, plan, view.main(tiles), state.quality);
    pages.render(plan);
    view.render(tiles, state.permissions.has('muteOthers'), {
      mute: function (participantId) { link.send({ type: 'media.mute', participantId: participantId }); },
      stopCamera: function (participantId) { link.send({ type: 'media.stopCamera', participantId: participantId }); },
    });
  }
}
