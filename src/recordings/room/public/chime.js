/*
 * The sound everyone hears when recording starts or resumes, and on entering a room that records: meeting
 * products play one so that nobody misses it (the indicator shows it, the live region says it in words).
 * Two short rising tones made with Web Audio: nothing to fetch, and silence where the browser has no audio
 * or refuses to play before the person has clicked anything in the page.
 */
var context = null;
var TONES = [{ at: 0, hz: 660 }, { at: 0.18, hz: 880 }];

export function recordingChime() {
  var AudioContextClass = window.AudioContext || window.webkitAudioContext;
  if (!AudioContextClass) return;
  try {
    context = context || new AudioContextClass();
    if (context.state === 'suspended') context.resume().catch(function () {});
    var now = context.currentTime;
    TONES.forEach(function (tone) {
      var oscillator = context.createOscillator();
      var gain = context.createGain();
      oscillator.frequency.value = tone.hz;
      gain.gain.setValueAtTime(0.0001, now + tone.at);
      gain.gain.exponentialRampToValueAtTime(0.2, now + tone.at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + tone.at + 0.15);
      oscillator.connect(gain).connect(context.destination);
      oscillator.start(now + tone.at);
      oscillator.stop(now + tone.at + 0.16);
    });
  } catch (error) {
    // No sound then: the indicator and the announcement still tell.
  }
}
