/*
 * Recording in the live room. Everyone sees a red "Recording" indicator while the session is recorded,
 * hears a chime when it starts or resumes, and has it announced (a live region) when it starts, pauses,
 * resumes and stops; a person entering while it records hears the chime and is told so. The course's recording time left shows before and during recording, with the warning
 * at ten minutes left. People with the `record` permission get Record, Pause, Resume and Stop. The room
 * socket is room.js's: messages arrive as `room:message`, and leave as `room:send`.
 */
import { fill, plural } from '../live-room/words.js';
import { recordingChime } from './chime.js';

var root = document.querySelector('main.room[data-room-socket]');
var box = root && root.querySelector('[data-recording]');
if (box) start();

function start() {
  var texts = JSON.parse(document.getElementById('room-texts').textContent).recording;
  var part = function (selector) { return root.querySelector(selector); };
  var ui = {
    indicator: part('[data-recording-indicator]'),
    label: part('[data-recording-label]'),
    elapsed: part('[data-recording-elapsed]'),
    left: part('[data-recording-left]'),
    unavailable: part('[data-recording-unavailable]'),
    notice: part('[data-recording-notice]'),
    announce: part('[data-recording-announce]'),
    controls: Array.prototype.slice.call(root.querySelectorAll('[data-recording-control]')),
  };
  /** The last view the server sent, when it arrived here (the client counts on from it), and whether the session is live. */
  var state = { view: null, receivedAt: 0, live: false, ticking: null };

  root.addEventListener('room:message', function (event) { receive(event.detail); });
  ui.controls.forEach(function (button) {
    button.addEventListener('click', function () {
      root.dispatchEvent(new CustomEvent('room:send', { detail: { type: 'recording.' + button.dataset.recordingControl, ref: 'recording:' + button.dataset.recordingControl } }));
    });
  });

  function receive(message) {
    if (message.type === 'welcome') {
      state.live = message.phase === 'live';
      show(message.recording);
      if (message.recording && message.recording.state === 'recording') recordingChime();
      if (message.recording && message.recording.state !== 'off') tell(texts.enteredWhileRecording, true);
    } else if (message.type === 'session.started') {
      state.live = true;
      render();
    } else if (message.type === 'session.ended') {
      state.live = false;
      render();
    } else if (message.type === 'recording.changed') {
      var before = state.view ? state.view.state : 'off';
      show(message.recording);
      announceChange(before, message.recording, message.finished);
    } else if (message.type === 'recording.warning') {
      tell(plural(texts.warning, message.minutesLeft), true);
    }
  }

  function announceChange(before, view, finished) {
    if (finished) return tell(texts.finished[finished] || texts.finished.stopped, finished !== 'stopped');
    if (view.state === 'recording' && before !== 'recording') recordingChime();
    if (view.state === 'recording' && before === 'off') return say(fill(texts.announce.started, { name: view.by || '' }));
    if (view.state === 'paused') return say(texts.announce.paused);
    if (view.state === 'recording' && before === 'paused') return say(texts.announce.resumed);
  }

  function show(view) {
    state.view = view || null;
    state.receivedAt = Date.now();
    render();
  }

  function render() {
    var view = state.view;
    box.hidden = !view;
    if (!view) return;
    var recording = view.state !== 'off';
    ui.indicator.hidden = !recording;
    ui.indicator.classList.toggle('recording__indicator--paused', view.state === 'paused');
    ui.label.textContent = view.state === 'paused' ? texts.paused : texts.recording;
    var visible = { start: state.live && view.available && view.state === 'off' && view.leftSeconds > 0, pause: view.state === 'recording', resume: view.state === 'paused', stop: recording };
    ui.controls.forEach(function (button) { button.hidden = !visible[button.dataset.recordingControl]; });
    if (ui.unavailable) ui.unavailable.hidden = view.available || !state.live;
    clearInterval(state.ticking);
    tick();
    if (view.state === 'recording') state.ticking = setInterval(tick, 1000);
  }

  /** The clock while recording: recorded time up, time left down, from the server's figures. */
  function tick() {
    var view = state.view;
    var running = view.state === 'recording' ? Math.floor((Date.now() - state.receivedAt) / 1000) : 0;
    ui.elapsed.textContent = view.state === 'off' ? '' : duration(view.recordedSeconds + running);
    ui.left.textContent = fill(texts.timeLeft, { time: duration(Math.max(0, view.leftSeconds - running)) });
  }

  /** Said by screen readers; `visible` also shows it until the next. */
  function tell(text, visible) {
    say(text);
    ui.notice.textContent = text;
    ui.notice.hidden = !visible;
  }

  function say(text) {
    ui.announce.textContent = '';
    // A fresh text node, so the same words said twice are announced twice.
    setTimeout(function () { ui.announce.textContent = text; }, 50);
  }
}

/** 1:05:09 or 5:09. */
function duration(seconds) {
  var h = Math.floor(seconds / 3600);
  var m = Math.floor((seconds % 3600) / 60);
  var s = seconds % 60;
  var two = function (n) { return (n < 10 ? '0' : '') + n; };
  return h > 0 ? h + ':' + two(m) + ':' + two(s) : m + ':' + two(s);
}
