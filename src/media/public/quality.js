/**
 * How much the connection can take: from the received streams' statistics
 * (packets lost, frames dropped) every few seconds, a ceiling on what is
 * received — high, medium or low simulcast layers, or audio only (cameras'
 * video paused, sound and screen shares kept). Down a step after two poor
 * samples in a row, up a step after four good ones: a short burst of loss
 * does not make pictures flicker. qualityStep, sampleOf and sharedTotals touch
 * no DOM and are tested on their own.
 */
export var LEVELS = ['high', 'medium', 'low', 'audio'];
var POOR = { loss: 0.08, dropped: 0.25 };
var GOOD = { loss: 0.02, dropped: 0.05 };
var POOR_TO_STEP_DOWN = 2;
var GOOD_TO_STEP_UP = 4;

/** The starting point: everything allowed. */
export function initialQuality() {
  return { level: 'high', poor: 0, good: 0 };
}

/** The next quality after a sample ({loss, dropped} as fractions, or null when nothing was received). */
export function qualityStep(quality, sample) {
  if (!sample) return quality;
  var index = LEVELS.indexOf(quality.level);
  if (sample.loss >= POOR.loss || sample.dropped >= POOR.dropped) {
    var poor = quality.poor + 1;
    if (poor >= POOR_TO_STEP_DOWN && index < LEVELS.length - 1) return { level: LEVELS[index + 1], poor: 0, good: 0 };
    return { level: quality.level, poor: poor, good: 0 };
  }
  if (sample.loss <= GOOD.loss && sample.dropped <= GOOD.dropped) {
    var good = quality.good + 1;
    if (good >= GOOD_TO_STEP_UP && index > 0) return { level: LEVELS[index - 1], poor: 0, good: 0 };
    return { level: quality.level, poor: 0, good: good };
  }
  return { level: quality.level, poor: 0, good: 0 };
}

/**
 * What happened between two readings of the totals ({lost, received, dropped, frames}, summed over the received
 * streams): the share of packets lost and of frames dropped; null when too little arrived to tell.
 */
export function sampleOf(before, now) {
  var received = now.received - before.received;
  var lost = Math.max(0, now.lost - before.lost);
  if (received + lost < 50) return null;
  var frames = now.frames - before.frames;
  var dropped = Math.max(0, now.dropped - before.dropped);
  return { loss: lost / (received + lost), dropped: frames + dropped > 0 ? dropped / (frames + dropped) : 0 };
}

/** The lower of a tile's layer and the ceiling; null: no video at all. */
export function cappedLayer(layer, level) {
  if (level === 'audio') return null;
  return LEVELS.indexOf(layer) >= LEVELS.indexOf(level) ? layer : level;
}

/** Reads the received streams' totals every `everyMs` and hands each new quality level to `onLevel`. */
export function qualityWatch(peers, onLevel, everyMs) {
  var quality = initialQuality();
  var before = null;
  window.setInterval(function () {
    countsOf(peers()).then(function (now) {
      var shared = before ? sharedTotals(before, now) : null;
      before = now;
      var next = qualityStep(quality, shared ? sampleOf(shared.before, shared.now) : null);
      var changed = next.level !== quality.level;
      quality = next;
      if (changed) onLevel(quality.level);
    }, function () {});
  }, everyMs || 2000);
}

/**
 * The totals of two readings ({stream id: {lost, received, dropped, frames}}) over the streams in both: one that
 * began or ended in between (a feed added to the receiving connection, or gone) would read as a jump or a fall.
 * Answers { before, now } for sampleOf.
 */
export function sharedTotals(before, now) {
  var totals = { before: { lost: 0, received: 0, dropped: 0, frames: 0 }, now: { lost: 0, received: 0, dropped: 0, frames: 0 } };
  Object.keys(now).forEach(function (id) {
    // Counts that went back: another connection's stream under the same id (the receiving connection made anew).
    if (!before[id] || now[id].received < before[id].received) return;
    ['lost', 'received', 'dropped', 'frames'].forEach(function (count) {
      totals.before[count] += before[id][count];
      totals.now[count] += now[id][count];
    });
  });
  return totals;
}

/** Each received stream's counts, by the id of its statistics (the peer connection's index and the report's). */
function countsOf(pcs) {
  var counts = {};
  return Promise.all(pcs.map(function (pc, index) {
    if (pc.connectionState === 'closed') return null;
    return pc.getStats().then(function (stats) {
      stats.forEach(function (report) {
        if (report.type !== 'inbound-rtp') return;
        var video = report.kind === 'video';
        counts[index + ':' + report.id] = {
          lost: report.packetsLost || 0,
          received: report.packetsReceived || 0,
          dropped: video ? report.framesDropped || 0 : 0,
          frames: video ? report.framesDecoded || 0 : 0,
        };
      });
    });
  })).then(function () { return counts; });
}
