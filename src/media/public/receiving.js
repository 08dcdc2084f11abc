/**
 * What each subscription receives, kept in step with the screen: video only
 * for the tiles whose video is received (the page, the speaker, a pinned
 * tile; none of the cameras on an audio-only connection), each camera at the
 * simulcast layer its tile needs (the large tile or full screen: high; small
 * tiles by how many share the grid), under the connection's quality ceiling.
 * Video is turned off before any is turned on: the server counts them in order.
 */
import { cappedLayer } from './quality.js';

/** The layer a camera's tile needs: the tile that leads or is full screen takes the high layer; others by how many are shown. */
export function tileLayer(tile, shownCameras, mainId) {
  if (tile.participantId === mainId || tile.fullScreen) return 'high';
  return shownCameras <= 2 ? 'high' : shownCameras <= 6 ? 'medium' : 'low';
}

/** Sends what changed; `entry.video` and `entry.layer` remember what the server was told. */
export function syncReceiving(state, link, tiles, plan, mainId, level) {
  var shown = tiles.filter(function (tile) { return !tile.screen && plan.video.has(tile.participantId); }).length;
  var wanted = new Map();
  tiles.forEach(function (tile) {
    // Screen shares are always received whole (they have one layer).
    if (tile.you || tile.screen) return;
    var key = tile.participantId + '/camera';
    var entry = state.subscriptions.get(key);
    if (!entry || !entry.peer) return;
    var layer = plan.video.has(tile.participantId) ? cappedLayer(tileLayer(tile, shown, mainId), level) : null;
    wanted.set(key, { entry: entry, layer: layer });
  });
  var send = function (key, on) {
    var parts = key.split('/');
    wanted.get(key).entry.video = on;
    link.send({ type: 'media.video', participantId: parts[0], source: parts[1], video: on });
  };
  wanted.forEach(function (want, key) { if (want.layer === null && want.entry.video) send(key, false); });
  wanted.forEach(function (want, key) { if (want.layer !== null && !want.entry.video) send(key, true); });
  wanted.forEach(function (want, key) {
    if (want.layer === null || want.entry.layer === want.layer) return;
    want.entry.layer = want.layer;
    link.send({ type: 'media.layer', participantId: key.slice(0, -7), source: 'camera', layer: want.layer });
  });
}

/** Whether a new subscription to this feed should start with video. */
export function startsWithVideo(feed, plan, level) {
  if (feed.source === 'screen') return true;
  return level !== 'audio' && plan.video.has(feed.participantId);
}
