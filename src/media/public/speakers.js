/**
 * Who is speaking: the loudest voice above a threshold among what the browser
 * receives (and the person's own microphone), highlighted in the grid; and a
 * hint to a person who speaks while muted.
 */
/** feedLevels(): a promise of each received feed's sound level now (0 to 1), by feed key. */
export function speakerWatch(state, texts, render, feedLevels) {
  var SPEAKING_LEVEL = 0.08;
  var ownLoudness = 0;
  var mutedHintUntil = 0;

  /** The person's own microphone level: they are told when they speak while muted. */
  function ownLevel(level) {
    ownLoudness = state.local && state.local.audio ? level : 0;
    if (!state.local || state.local.audio || level < SPEAKING_LEVEL * 2) return;
    if (Date.now() < mutedHintUntil || (state.status && state.status !== texts.mutedSpeaking)) return;
    mutedHintUntil = Date.now() + 3000;
    state.status = texts.mutedSpeaking;
    render();
    window.setTimeout(function () {
      if (state.status !== texts.mutedSpeaking) return;
      state.status = '';
      render();
    }, 3000);
  }

  /** The active speaker: the loudest voice above a threshold, from what the browser receives (and one's own microphone). */
  window.setInterval(function () {
    if (!state.live) return;
    feedLevels().then(function (levels) {
      var loudest = null;
      var loudness = SPEAKING_LEVEL;
      if (ownLoudness > loudness && state.you) {
        loudest = state.you.participantId;
        loudness = ownLoudness;
      }
      levels.forEach(function (level, key) {
        if (key.slice(-7) !== '/camera' || level <= loudness) return;
        loudness = level;
        loudest = key.slice(0, -7);
      });
      if (loudest === state.speaking) return;
      state.speaking = loudest;
      render();
    }, function () {});
  }, 400);

  return { ownLevel: ownLevel };
}
