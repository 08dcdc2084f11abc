/**
 * Cameras and microphones: the person's choice of each, remembered in this
 * browser for next time, the local stream made from it, and a level meter.
 * Device changes (a headset plugged in) refresh the lists (local-media.js
 * replaces a device that went away).
 */
var STORAGE_KEY = 'live-rooms:media-devices';

export function rememberedChoice() {
  try {
    return JSON.parse(window.localStorage.getItem(STORAGE_KEY) || '{}') || {};
  } catch (error) {
    return {};
  }
}

export function rememberChoice(choice) {
  try {
    window.localStorage.setItem(STORAGE_KEY, JSON.stringify(choice));
  } catch (error) {
    // Private browsing may refuse storage: the choice lasts for this page only.
  }
}

/** The local stream for the choice: audio and/or video from the chosen devices (or the defaults). */
export function openStream(want, choice) {
  var constraints = {
    audio: want.audio ? (choice.audioinput ? { deviceId: { ideal: choice.audioinput } } : true) : false,
    video: want.video ? Object.assign({ width: { ideal: 1280 }, height: { ideal: 720 } }, choice.videoinput ? { deviceId: { ideal: choice.videoinput } } : {}) : false,
  };
  return navigator.mediaDevices.getUserMedia(constraints);
}

/** Fills each <select data-media-device=kind> with the devices of that kind, keeping the choice. */
export function fillDeviceLists(selects, choice) {
  if (!navigator.mediaDevices || !navigator.mediaDevices.enumerateDevices) return Promise.resolve();
  return navigator.mediaDevices.enumerateDevices().then(function (devices) {
    selects.forEach(function (select) {
      var kind = select.getAttribute('data-media-device');
      var options = devices.filter(function (device) { return device.kind === kind; });
      select.replaceChildren.apply(select, options.map(function (device, index) {
        var option = document.createElement('option');
        option.value = device.deviceId;
        option.textContent = device.label || kind + ' ' + (index + 1);
        option.selected = device.deviceId === choice[kind];
        return option;
      }));
    });
  });
}

/**
 * Shows the stream's sound level on the meter, and hands it to `onLevel`, until stopped. It listens to a copy of
 * the microphone that stays on while the person is muted, so the room can tell them they are speaking muted.
 */
export function meterLevel(stream, meter, onLevel) {
  var tracks = stream.getAudioTracks().map(function (track) { return track.clone(); });
  if (tracks.length === 0 || !window.AudioContext) return function () {};
  tracks.forEach(function (track) { track.enabled = true; });
  var context = new AudioContext();
  var analyser = context.createAnalyser();
  analyser.fftSize = 512;
  context.createMediaStreamSource(new MediaStream(tracks)).connect(analyser);
  var samples = new Float32Array(analyser.fftSize);
  var timer = window.setInterval(function () {
    analyser.getFloatTimeDomainData(samples);
    var peak = 0;
    for (var i = 0; i < samples.length; i += 1) peak = Math.max(peak, Math.abs(samples[i]));
    var level = Math.min(1, peak * 2);
    if (meter) meter.value = level;
    if (onLevel) onLevel(level);
  }, 150);
  return function () {
    window.clearInterval(timer);
    if (meter) meter.value = 0;
    tracks.forEach(function (track) { track.stop(); });
    void context.close();
  };
}

/** A message for what went wrong opening the devices, saying what to do about it. */
export function deviceProblem(error, texts) {
  var name = error && error.name;
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return texts.noDevice;
  // Another application (a video call elsewhere) holds the device.
  if (name === 'NotReadableError' || name === 'AbortError') return texts.inUse;
  return texts.denied;
}

/** A look at the chosen camera, and the level meter, before joining: nothing is sent until the person joins. */
export function devicePreview(video, meter) {
  var current = null;
  var stopMeter = function () {};
  function release() {
    stopMeter();
    stopMeter = function () {};
    if (video) {
      video.srcObject = null;
      video.hidden = true;
    }
    var stream = current;
    current = null;
    return stream;
  }
  return {
    open: function (want, choice) {
      return openStream(want, choice).then(function (stream) {
        var old = release();
        if (old) old.getTracks().forEach(function (track) { track.stop(); });
        current = stream;
        if (video) {
          video.srcObject = stream;
          video.hidden = stream.getVideoTracks().length === 0;
        }
        stopMeter = meterLevel(stream, meter);
      });
    },
    active: function () { return current !== null; },
    /** Hands the previewed stream over to be sent (or null if there is none). */
    take: release,
  };
}

/** The device chosen in each <select data-media-device=kind>. */
export function selectedDevices(selects) {
  var picked = {};
  selects.forEach(function (select) { if (select.value) picked[select.getAttribute('data-media-device')] = select.value; });
  return picked;
}

/** Another device of `kind` in the stream, in place of the old one (stopped); resolves with the new track. */
export function swapTrack(stream, kind, choice) {
  return openStream({ audio: kind === 'audio', video: kind === 'video' }, choice).then(function (fresh) {
    var track = fresh.getTracks()[0];
    stream.getTracks().forEach(function (old) {
      if (old.kind !== kind) return;
      stream.removeTrack(old);
      old.stop();
    });
    stream.addTrack(track);
    return track;
  });
}
