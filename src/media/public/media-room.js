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
import { devicePreview, deviceProblem, fillDeviceLists, meterLevel, openStream, rememberChoice, rememberedChoice, selectedDevices, swapTrack } from './devices.js';
import { chooseLayers, publisher, subscriber } from './peers.js';
import { mediaView } from './media-view.js';
import { screenShare } from './screen-share.js';
import { speakerWatch } from './speakers.js';
import { cameraPlaces } from './camera-places.js';
import { listenForShortcuts } from './shortcuts.js';
import { fill } from './words.js';

var root = document.querySelector('main.room[data-room-socket]');
/** Requests whose refusal the person need not see (about something that has just gone). */
var QUIET = ['media.trickle', 'media.layer', 'media.unsubscribe'];
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
  };
  var view = mediaView(part('[data-media-grid]'), texts, fill, part('[data-media-layout]'));
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
  };
  var screen = screenShare(state, link, render);
  var speakers = speakerWatch(state, texts, render);
  var places = cameraPlaces(state, link, texts, fill, ui, turnCamera);
  var preview = devicePreview(part('[data-media-preview-video]'), ui.level);
  /** Subscriptions asked for, by the ref of their request. */
  var subscribing = new Map();
  var choice = rememberedChoice();
  if (ui.cameraOff) ui.cameraOff.checked = Boolean(choice.cameraOff);
  if (ui.muted) ui.muted.checked = Boolean(choice.muted);

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
      stopLocal();
      screen.stop(false);
      state.feeds.clear();
    },
    'presence.joined': function (m) { state.people.set(participantIdOf(m.participant), { name: m.participant.name }); },
    'presence.left': function (m) { state.people.delete(participantIdOf(m)); },
    'camera.changed': function (m) { showCameras(m.cameras, m.webcamLimit); },
    'media.ready': function (m) {
      state.available = m.available;
      state.status = m.available ? '' : texts.unavailable;
      setFeeds(m.feeds);
      if (m.available && state.live && state.local && !state.local.publisher) publish();
      if (m.available && state.live && state.screen && !state.screen.publisher) screen.publish();
    },
    'media.feeds': function (m) { setFeeds(m.feeds); },
    'media.answer': function (m) {
      var own = m.source === 'screen' ? state.screen : state.local;
      if (own && own.publisher) void own.publisher.answer(m.sdp);
    },
    'media.offer': function (m) {
      var key = m.participantId + '/' + m.source;
      var entry = state.subscriptions.get(key);
      subscribing.forEach(function (asked, ref) { if (asked === key) subscribing.delete(ref); });
      if (!entry || entry.peer) return;
      entry.peer = subscriber(link, { participantId: m.participantId, source: m.source }, m.sdp, function (stream) {
        entry.stream = stream;
        render();
      }, function () {
        // Lost: subscribed again from scratch.
        if (state.subscriptions.get(key) !== entry) return;
        entry.peer.close();
        state.subscriptions.delete(key);
        setFeeds(Array.from(state.feeds.values()));
        render();
      });
    },
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
      if (state.local) setTrack('audio', false, false);
      state.status = fill(texts.mutedBy, { name: m.by });
    },
    error: function (m) {
      var type = typeof m.ref === 'string' && m.ref.indexOf('media:') === 0 ? m.ref.split(':')[1] : null;
      if (!type) return;
      // A subscription that failed (the feed went meanwhile) is asked for again with the next list of feeds.
      var key = subscribing.get(m.ref);
      if (key && state.subscriptions.get(key) && !state.subscriptions.get(key).peer) state.subscriptions.delete(key);
      // Late candidates and layer choices for what has just gone are nobody's concern.
      if (QUIET.indexOf(type) === -1) state.status = m.message;
      // A refused publish (no webcam place, no permission...) leaves the person where they were.
      if (type !== 'media.publish' || !state.local || !state.local.publisher || state.local.answered) return;
      if (m.code === 'WEBCAM_LIMIT') places.refused();
      else if (m.code !== 'MEDIA_REFUSED') stopLocal();
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
    state.people = new Map(participants.map(function (person) { return [participantIdOf(person), { name: person.name }]; }));
  }

  function setFeeds(feeds) {
    state.feeds = new Map(feeds.map(function (feed) { return [feed.participantId + '/' + feed.source, feed]; }));
    state.feeds.forEach(function (feed, key) {
      if (feed.participantId === state.you.participantId) return;
      var current = state.subscriptions.get(key);
      if (current && current.version === feed.version) return;
      // Published again (another tab, a reconnect): the old subscription is gone with the old feed.
      if (current && current.peer) current.peer.close();
      state.subscriptions.set(key, { peer: null, stream: null, version: feed.version });
      subscribing.set(link.send({ type: 'media.subscribe', participantId: feed.participantId, source: feed.source }), key);
    });
    state.subscriptions.forEach(function (entry, key) {
      if (state.feeds.has(key)) return;
      if (entry.peer) entry.peer.close();
      state.subscriptions.delete(key);
    });
  }

  function dropPeers() {
    state.subscriptions.forEach(function (entry) { if (entry.peer) entry.peer.close(); });
    state.subscriptions.clear();
    [state.local, state.screen].forEach(function (own) {
      if (!own || !own.publisher) return;
      own.publisher.close();
      own.publisher = null;
    });
  }

  function showCameras(cameras, limit) {
    ui.cameras.textContent = limit === null || limit === undefined ? '' : fill(texts.cameras, { taken: cameras.length, limit: limit });
  }

  /** Opens the chosen devices and sends them; what is sent follows the person's permissions and choices. */
  /** What the person's permissions and choices say to send, remembered for next time. */
  function wanted() {
    var cameraOff = Boolean(ui.cameraOff && ui.cameraOff.checked);
    choice = Object.assign(choice, selectedDevices(ui.selects), { cameraOff: cameraOff, muted: Boolean(ui.muted && ui.muted.checked) });
    rememberChoice(choice);
    return { audio: state.permissions.has('microphone'), video: state.permissions.has('camera') && !cameraOff };
  }

  function showPreview() {
    preview.open(wanted(), choice).then(function () { void fillDeviceLists(ui.selects, choice); }, function (error) {
      state.status = deviceProblem(error, texts);
      render();
    });
  }

  function joinMedia() {
    var want = wanted();
    openLocal(want, choice.muted, preview.take());
  }

  /** Sends the devices wanted: the previewed stream when it has what is wanted, else a new one. */
  function openLocal(want, muted, previewed) {
    if (!want.audio && !want.video) return;
    var fits = previewed && previewed.getVideoTracks().length > 0 === want.video && previewed.getAudioTracks().length > 0 === want.audio;
    if (previewed && !fits) previewed.getTracks().forEach(function (track) { track.stop(); });
    (fits ? Promise.resolve(previewed) : openStream(want, choice)).then(
      function (stream) {
        stopLocal();
        state.local = { stream: stream, publisher: null, answered: false, audio: want.audio && !muted, video: want.video, stopMeter: meterLevel(stream, ui.level, speakers.ownLevel) };
        stream.getAudioTracks().forEach(function (track) { track.enabled = !muted; });
        if (state.status === texts.denied || state.status === texts.noDevice) state.status = '';
        void fillDeviceLists(ui.selects, choice);
        publish();
        render();
      },
      function (error) {
        state.status = deviceProblem(error, texts);
        render();
      },
    );
  }

  function publish() {
    if (!state.local || !state.available || !state.live) return;
    var local = state.local;
    local.answered = false;
    local.publisher = publisher(link, 'camera', local.stream, function () {
      if (state.local !== local || !local.publisher) return;
      local.publisher.close();
      local.publisher = null;
      publish();
    });
    var answer = local.publisher.answer;
    local.publisher.answer = function (sdp) {
      return answer(sdp).then(function () {
        local.answered = true;
        if (!local.audio && local.stream.getAudioTracks().length > 0) link.send({ type: 'media.configure', source: 'camera', audio: false });
      });
    };
  }

  function stopLocal() {
    if (!state.local) return;
    if (state.local.publisher) state.local.publisher.close();
    state.local.stopMeter();
    state.local.stream.getTracks().forEach(function (track) { track.stop(); });
    state.local = null;
  }

  /** Mute and unmute: the track stops at once, and the server stops forwarding it too. */
  function setTrack(kind, on, tell) {
    var local = state.local;
    if (!local) return;
    local[kind] = on;
    local.stream.getTracks().forEach(function (track) { if (track.kind === kind) track.enabled = on; });
    if (tell && local.answered) link.send(kind === 'audio' ? { type: 'media.configure', source: 'camera', audio: on } : { type: 'media.configure', source: 'camera', video: on });
  }

  /**
   * Camera on or off: published again with or without video, so turning it off frees the webcam place for
   * someone else, and turning it on takes one (or is refused, and the person may ask for one).
   */
  function turnCamera(on) {
    var local = state.local;
    var microphone = state.permissions.has('microphone');
    if (!on && !microphone) return stopLocal();
    choice.cameraOff = !on;
    rememberChoice(choice);
    openLocal({ audio: microphone, video: on && state.permissions.has('camera') }, local ? !local.audio : Boolean(choice.muted));
  }

  function toggleVideo() {
    if (state.local) turnCamera(state.local.stream.getVideoTracks().length === 0);
  }

  function toggleAudio() {
    if (!state.local) return;
    setTrack('audio', !state.local.audio, true);
    if (state.local.audio) state.status = '';
    render();
  }

  /** Another device chosen while sending: its track replaces the old one without a new negotiation. */
  function changeDevice(select) {
    choice = Object.assign(choice, selectedDevices(ui.selects));
    rememberChoice(choice);
    var local = state.local;
    if (!local) return preview.active() ? showPreview() : undefined;
    var kind = select.getAttribute('data-media-device') === 'audioinput' ? 'audio' : 'video';
    if (kind === 'video' && local.stream.getVideoTracks().length === 0) return;
    swapTrack(local.stream, kind, choice).then(function (track) {
      track.enabled = local[kind];
      if (local.publisher) void local.publisher.replaceTrack(track);
      if (kind === 'audio') {
        local.stopMeter();
        local.stopMeter = meterLevel(local.stream, ui.level, speakers.ownLevel);
      }
      render();
    }, function (error) {
      state.status = deviceProblem(error, texts);
      render();
    });
  }

  if (ui.join) ui.join.addEventListener('click', joinMedia);
  if (ui.preview) ui.preview.addEventListener('click', showPreview);
  if (ui.cameraOff) ui.cameraOff.addEventListener('change', function () { if (preview.active()) showPreview(); });
  if (ui.toggleAudio) ui.toggleAudio.addEventListener('click', toggleAudio);
  if (ui.toggleVideo) ui.toggleVideo.addEventListener('click', toggleVideo);
  if (ui.screen) ui.screen.addEventListener('click', screen.toggle);
  ui.selects.forEach(function (select) { select.addEventListener('change', function () { changeDevice(select); }); });
  if (navigator.mediaDevices) navigator.mediaDevices.addEventListener('devicechange', function () { void fillDeviceLists(ui.selects, choice); });
  listenForShortcuts(function () { return Boolean(state.local); }, { d: ui.toggleAudio && toggleAudio, e: ui.toggleVideo && toggleVideo });
  void fillDeviceLists(ui.selects, choice);

  function render() {
    section.hidden = !state.live;
    ui.status.hidden = state.status === '';
    ui.status.textContent = state.status;
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
    var people = [];
    state.people.forEach(function (person, participantId) {
      var you = participantId === state.you.participantId;
      var feed = state.feeds.get(participantId + '/camera') || null;
      var entry = state.subscriptions.get(participantId + '/camera');
      var stream = you ? (state.local ? state.local.stream : null) : entry ? entry.stream : null;
      if (you && state.local) feed = { audio: state.local.audio, video: state.local.video && state.local.stream.getVideoTracks().length > 0 };
      people.push({ participantId: participantId, name: person.name, you: you, feed: feed, stream: stream, speaking: participantId === state.speaking });
    });
    // Screen shares have tiles of their own, first.
    var screens = [];
    state.feeds.forEach(function (feed, key) {
      if (feed.source !== 'screen') return;
      var you = feed.participantId === state.you.participantId;
      var entry = state.subscriptions.get(key);
      var stream = you ? (state.screen ? state.screen.stream : null) : entry ? entry.stream : null;
      screens.push({ participantId: key, name: fill(texts.screenOf, { name: feed.name }), you: false, mine: you, screen: true, feed: { audio: true, video: true }, stream: stream });
    });
    people = screens.concat(people);
    chooseLayers(state, link, people);
    view.render(people, state.permissions.has('muteOthers'), {
      mute: function (participantId) { link.send({ type: 'media.mute', participantId: participantId }); },
      stopCamera: function (participantId) { link.send({ type: 'media.stopCamera', participantId: participantId }); },
    });
  }
}
