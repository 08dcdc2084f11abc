/**
 * What each subscription receives, kept in step with the screen: video only
 * for the tiles whose video is received (the page, the speaker, a pinned
 * tile; none of the cameras on an audio-only connection), each camera at the
 * simulcast layer its tile needs (the large tile or full screen: high; small
 * tiles by how many share the grid), under the connection's quality ceiling.
 * Video is turned off before any is turned on: the server counts them in order.
 * A video the server refused (over its per-connection cap, after a race) is
 * not asked for again on every render, which would loop refusal after refusal,
 * but as soon as what is shown changes (a page flip, a pin, a new speaker).
 */
import { cappedLayer } from './quality.js';

/** The layer a camera's tile needs: the tile that leads or is full screen takes the high layer; others by how many are shown. */
export function tileLayer(tile, shownCameras, mainId) {
  if (tile.participantId === mainId || tile.fullScreen) return 'high';
  return shownCameras <= 2 ? 'high' : shownCameras <= 6 ? 'medium' : 'low';
}

/** Sends what changed; `entry.video` and `entry.layer` remember what the server was told. */
export function syncReceiving(state, link, tiles, plan, mainId, level) {
  forgetRefusalsWhenShownChanges(state, plan);
  var shown = tiles.filter(function (tile) { return !tile.screen && plan.video.has(tile.participantId); }).length;
  var wanted = new Map();
  tiles.forEach(function (tile) {
    // Screen shares are always received whole (they have one layer).
    if (tile.you || tile.screen) return;
    var key = tile.participantId + '/camera';
    var entry = state.subscriptions.get(key);
    // Until the feed is on the receiving connection, the server has not taken the subscription yet.
    if (!entry || !entry.offered) return;
    var layer = plan.video.has(tile.participantId) ? cappedLayer(tileLayer(tile, shown, mainId), level) : null;
    wanted.set(key, { entry: entry, layer: layer });
  });
  var send = function (key, on) {
    var parts = key.split('/');
    wanted.get(key).entry.video = on;
    var ref = link.send({ type: 'media.video', participantId: parts[0], source: parts[1], video: on });
    if (on) rememberVideoRequest(state, ref, key);
  };
  wanted.forEach(function (want, key) { if (want.layer === null && want.entry.video) send(key, false); });
  wanted.forEach(function (want, key) { if (want.layer !== null && !want.entry.video && !want.entry.videoRefused) send(key, true); });
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

/** How many turn-on requests are remembered for their refusal: more than a page, fewer than a leak. */
var REMEMBERED_VIDEO_REQUESTS = 64;

function rememberVideoRequest(state, ref, key) {
  if (!state.videoRequests) state.videoRequests = new Map();
  state.videoRequests.set(ref, key);
  if (state.videoRequests.size > REMEMBERED_VIDEO_REQUESTS) state.videoRequests.delete(state.videoRequests.keys().next().value);
}

/** The server refused to turn on a video asked for with `ref`: the tile shows no video until what is shown changes. */
export function videoRefused(state, ref) {
  var key = state.videoRequests && state.videoRequests.get(ref);
  if (!key) return;
  state.videoRequests.delete(ref);
  var entry = state.subscriptions.get(key);
  if (!entry) return;
  entry.video = false;
  entry.videoRefused = true;
}

function forgetRefusalsWhenShownChanges(state, plan) {
  var shown = Array.from(plan.video).sort().join(' ');
  if (state.shownVideos === shown) return;
  state.shownVideos = shown;
  state.subscriptions.forEach(function (entry) { entry.videoRefused = false; });
}
