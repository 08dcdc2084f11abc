/**
 * Who is speaking: the loudest voice above a threshold among what the browser
 * receives (and the person's own microphone), highlighted in the grid; and a
 * hint to a person who speaks while muted.
 */
/** carried(): the receiving connection's m-lines ({ key, kind, receiver }). */
export function speakerWatch(state, texts, render, carried) {
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
    var loudest = null;
    var loudness = SPEAKING_LEVEL;
    if (ownLoudness > loudness && state.you) {
      loudest = state.you.participantId;
      loudness = ownLoudness;
    }
    carried().forEach(function (stream) {
      if (stream.kind !== 'audio' || stream.key.slice(-7) !== '/camera' || !stream.receiver.getSynchronizationSources) return;
      var level = currentLevel(stream.receiver.getSynchronizationSources());
      if (level <= loudness) return;
      loudness = level;
      loudest = stream.key.slice(0, -7);
    });
    if (loudest === state.speaking) return;
    state.speaking = loudest;
    render();
  }, 400);

  return { ownLevel: ownLevel };
}

/**
 * The level of the source heard last: a receiver given to another feed still lists the one it carried before
 * (for some seconds), with the level it had then.
 */
function currentLevel(sources) {
  var latest = null;
  sources.forEach(function (source) { if (!latest || source.timestamp > latest.timestamp) latest = source; });
  return latest && typeof latest.audioLevel === 'number' ? latest.audioLevel : 0;
}
