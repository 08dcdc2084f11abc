/**
 * The person's own camera and microphone: opened from the chosen devices
 * (remembered), previewed before joining, sent as their camera feed (what is
 * sent follows their permissions and choices), muted and unmuted, the camera
 * turned off and on. Devices that come and go (a headset plugged in or
 * unplugged): when the device in use disappears the default one takes its
 * place, and the chosen one comes back when it is plugged in again, each by
 * replacing the track, never by a new negotiation.
 */
import { devicePreview, deviceProblem, fillDeviceLists, meterLevel, openStream, rememberChoice, rememberedChoice, selectedDevices, swapTrack } from './devices.js';
import { publisher } from './publisher.js';

export function localMedia(state, link, ui, texts, hooks) {
  var preview = devicePreview(ui.previewVideo, ui.level);
  var choice = rememberedChoice();
  if (ui.cameraOff) ui.cameraOff.checked = Boolean(choice.cameraOff);
  if (ui.muted) ui.muted.checked = Boolean(choice.muted);

  function problem(error) {
    state.status = deviceProblem(error, texts);
    hooks.render();
  }

  /** What the person's permissions and choices say to send, remembered for next time. */
  function wanted() {
    var cameraOff = Boolean(ui.cameraOff && ui.cameraOff.checked);
    choice = Object.assign(choice, selectedDevices(ui.selects), { cameraOff: cameraOff, muted: Boolean(ui.muted && ui.muted.checked) });
    rememberChoice(choice);
    return { audio: state.permissions.has('microphone'), video: state.permissions.has('camera') && !cameraOff };
  }

  function showPreview() {
    preview.open(wanted(), choice).then(function () { void fillDeviceLists(ui.selects, choice); }, problem);
  }

  function join() {
    var want = wanted();
    open(want, choice.muted, preview.take());
  }

  /** Sends the devices wanted: the previewed stream when it has what is wanted, else a new one. */
  function open(want, muted, previewed) {
    if (!want.audio && !want.video) return;
    var fits = previewed && previewed.getVideoTracks().length > 0 === want.video && previewed.getAudioTracks().length > 0 === want.audio;
    if (previewed && !fits) previewed.getTracks().forEach(function (track) { track.stop(); });
    (fits ? Promise.resolve(previewed) : openStream(want, choice)).then(function (stream) {
      stop();
      state.local = { stream: stream, publisher: null, answered: false, audio: want.audio && !muted, video: want.video, stopMeter: meterLevel(stream, ui.level, hooks.ownLevel) };
      stream.getAudioTracks().forEach(function (track) { track.enabled = !muted; });
      watchTracks(stream);
      if ([texts.denied, texts.noDevice, texts.inUse].indexOf(state.status) >= 0) state.status = '';
      void fillDeviceLists(ui.selects, choice);
      publish();
      hooks.render();
    }, problem);
  }

  function publish() {
    if (!state.local || !state.available || !state.live) return;
    var local = state.local;
    local.answered = false;
    local.publisher = publisher(link, 'camera', local.stream, {
      failed: function () {
        if (state.local !== local || !local.publisher) return;
        local.publisher.close();
        local.publisher = null;
        publish();
      },
      reconnecting: hooks.reconnecting,
    });
    var answer = local.publisher.answer;
    local.publisher.answer = function (sdp) {
      return answer(sdp).then(function () {
        var first = !local.answered;
        local.answered = true;
        if (first && !local.audio && local.stream.getAudioTracks().length > 0) link.send({ type: 'media.configure', source: 'camera', audio: false });
      });
    };
  }

  function stop() {
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
    if (!on && !microphone) return stop();
    choice.cameraOff = !on;
    rememberChoice(choice);
    open({ audio: microphone, video: on && state.permissions.has('camera') }, local ? !local.audio : Boolean(choice.muted));
  }

  function toggleVideo() {
    if (state.local) turnCamera(state.local.stream.getVideoTracks().length === 0);
  }

  function toggleAudio() {
    if (!state.local) return;
    setTrack('audio', !state.local.audio, true);
    if (state.local.audio) state.status = '';
    hooks.render();
  }

  /** Another device chosen while sending. */
  function changeDevice(select) {
    choice = Object.assign(choice, selectedDevices(ui.selects));
    rememberChoice(choice);
    if (!state.local) return preview.active() ? showPreview() : undefined;
    replaceDevice(select.getAttribute('data-media-device') === 'audioinput' ? 'audio' : 'video');
  }

  /** The track of `kind` from the chosen device (or the default one when it is not there), in place of the old one. */
  function replaceDevice(kind) {
    var local = state.local;
    if (!local || (kind === 'video' && local.stream.getVideoTracks().length === 0)) return;
    swapTrack(local.stream, kind, choice).then(function (track) {
      track.enabled = local[kind];
      watchTracks(local.stream);
      if (local.publisher) void local.publisher.replaceTrack(track);
      if (kind === 'audio') {
        local.stopMeter();
        local.stopMeter = meterLevel(local.stream, ui.level, hooks.ownLevel);
      }
      hooks.render();
    }, problem);
  }

  /** A device unplugged ends its track at once (before the device list changes). */
  function watchTracks(stream) {
    stream.getTracks().forEach(function (track) {
      if (track.watched) return;
      track.watched = true;
      track.addEventListener('ended', checkDevices);
    });
  }

  /** A device of the stream went away (or the chosen one came back): the track is replaced. */
  function checkDevices() {
    var local = state.local;
    if (!local || !navigator.mediaDevices) return;
    void navigator.mediaDevices.enumerateDevices().then(function (devices) {
      void fillDeviceLists(ui.selects, choice);
      if (state.local !== local) return;
      local.stream.getTracks().forEach(function (track) {
        var kind = track.kind + 'input';
        var present = function (id) { return devices.some(function (device) { return device.kind === kind && device.deviceId === id; }); };
        var using = track.getSettings ? track.getSettings().deviceId : undefined;
        var gone = track.readyState === 'ended' || Boolean(using && !present(using));
        var chosenBack = Boolean(choice[kind] && choice[kind] !== using && present(choice[kind]));
        if (gone || chosenBack) replaceDevice(track.kind);
      });
    });
  }

  if (ui.join) ui.join.addEventListener('click', join);
  if (ui.preview) ui.preview.addEventListener('click', showPreview);
  if (ui.cameraOff) ui.cameraOff.addEventListener('change', function () { if (preview.active()) showPreview(); });
  ui.selects.forEach(function (select) { select.addEventListener('change', function () { changeDevice(select); }); });
  if (navigator.mediaDevices) navigator.mediaDevices.addEventListener('devicechange', function () {
    void fillDeviceLists(ui.selects, choice);
    checkDevices();
  });
  void fillDeviceLists(ui.selects, choice);

  return { publish: publish, stop: stop, setTrack: setTrack, turnCamera: turnCamera, toggleAudio: toggleAudio, toggleVideo: toggleVideo };
}
