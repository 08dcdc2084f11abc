/**
 * The page's one receiving connection: every feed received is an m-line (or
 * two) of it. The media server offers (`media.offer`) and the page answers
 * (`media.answer`): the first time, after each change of what it carries, and
 * after an ICE restart. Each offer's `streams` say which feed each m-line
 * carries, read anew every time: a transceiver whose feed went may carry
 * another later. Each feed gets a MediaStream of its tracks, a new one only
 * when they change, so its tile keeps playing. A lost connection is restarted
 * in place (reconnect.js, `media.restartReceiving`); one that cannot be
 * brought back is closed, and the server offers every feed again on a new
 * one (`media.resetReceiving`).
 */
import { iceWatch, watchBrokenTransport } from './reconnect.js';

/** hooks.streams(Map feed key → MediaStream): what the latest offer carries; hooks.reconnecting(on): an ICE restart began or ended. */
export function receivingConnection(link, hooks) {
  var pc = null;
  var ice = null;
  var streams = new Map();
  /** The m-lines in use: { key, kind, receiver }. */
  var carried = [];
  /** The SDP session of a connection given up: an offer for it still on its way is not answered on the new one. */
  var abandoned = null;
  var applying = Promise.resolve();

  function open() {
    var made = new RTCPeerConnection();
    ice = iceWatch(made, {
      restart: function () { link.send({ type: 'media.restartReceiving' }); },
      giveUp: reset,
      reconnecting: hooks.reconnecting,
    });
    watchBrokenTransport(made, reset);
    made.addEventListener('icecandidate', function (event) {
      if (pc === made) link.send({ type: 'media.trickle', candidate: event.candidate ? event.candidate.toJSON() : null });
    });
    abandoned = null;
    return made;
  }

  /** Answers the server's offer on the connection (made by the first offer after none or a reset). */
  function answer(message) {
    // A restart or change meant for a connection given up: the server offers everything afresh after the reset.
    if (!pc && (message.restart || (abandoned !== null && sessionOf(message.sdp) === abandoned))) return null;
    if (!pc) pc = open();
    var current = pc;
    return current.setRemoteDescription({ type: 'offer', sdp: message.sdp })
      .then(function () { return current.createAnswer(); })
      .then(function (made) { return current.setLocalDescription(made); })
      .then(function () {
        if (pc !== current) return;
        link.send({ type: 'media.answer', sdp: current.localDescription.sdp });
        carry(message.streams);
        if (message.restart) ice.negotiated();
      }, function () {
        // An offer this connection cannot take would leave the server waiting for an answer: start afresh.
        if (pc === current) reset();
      });
  }

  /** Which track carries what now, by mid; a feed's stream is kept while its tracks stay the same. */
  function carry(offered) {
    var receivers = new Map();
    pc.getTransceivers().forEach(function (transceiver) {
      // A rejected m-line's transceiver is stopped: its mid may come back on a new one.
      if (transceiver.mid !== null && transceiver.currentDirection !== 'stopped') receivers.set(transceiver.mid, transceiver.receiver);
    });
    carried = offered.filter(function (stream) { return receivers.has(stream.mid); }).map(function (stream) {
      return { key: stream.participantId + '/' + stream.source, kind: stream.kind, receiver: receivers.get(stream.mid) };
    });
    streams = feedStreams(carried, streams, function (tracks) { return new MediaStream(tracks); });
    hooks.streams(streams);
  }

  /** Not brought back by ICE restarts, or its transport broke: closed, and the server offers everything again. */
  function reset() {
    if (!pc) return;
    var session = sessionOf(pc.remoteDescription ? pc.remoteDescription.sdp : '');
    close();
    abandoned = session;
    link.send({ type: 'media.resetReceiving' });
    hooks.streams(streams);
  }

  function close() {
    if (!pc) return;
    ice.stop();
    pc.close();
    pc = null;
    ice = null;
    streams = new Map();
    carried = [];
    abandoned = null;
  }

  return {
    /** A `media.offer`: applied in turn, never two at once. */
    offer: function (message) {
      applying = applying.then(function () { return answer(message); }).catch(function () {});
      return applying;
    },
    /** The connection, or null before the first offer. */
    pc: function () { return pc; },
    /**
     * Each feed's sound level now (0 to 1), by key: from the connection's statistics of the decoded audio, which
     * need no audio-level header extension from the media server (the embedded SFU forwards none).
     */
    audioLevels: function () {
      var levels = new Map();
      if (!pc) return Promise.resolve(levels);
      var keys = new Map();
      carried.forEach(function (stream) { if (stream.kind === 'audio') keys.set(stream.receiver.track.id, stream.key); });
      return pc.getStats().then(function (stats) {
        stats.forEach(function (report) {
          var key = report.type === 'inbound-rtp' && keys.get(report.trackIdentifier);
          if (key && typeof report.audioLevel === 'number') levels.set(key, Math.max(levels.get(key) || 0, report.audioLevel));
        });
        return levels;
      });
    },
    /** The server refused the answer: the connection is made anew, with everything offered again. */
    reset: reset,
    /** Closed with everything on the media server (the room connection or the media server went). */
    close: close,
  };
}

/**
 * Each feed's stream, from the m-lines in use ({ key, receiver }): the one it had (`kept`, by key) while its tracks
 * are the same, else a new one from `makeStream(tracks)`. No DOM: tested on its own.
 */
export function feedStreams(carried, kept, makeStream) {
  var tracks = new Map();
  carried.forEach(function (stream) { tracks.set(stream.key, (tracks.get(stream.key) || []).concat(stream.receiver.track)); });
  var streams = new Map();
  tracks.forEach(function (feedTracks, key) {
    var had = kept.get(key);
    streams.set(key, had && sameTracks(had, feedTracks) ? had : makeStream(feedTracks));
  });
  return streams;
}

function sameTracks(stream, tracks) {
  var had = stream.getTracks();
  return had.length === tracks.length && tracks.every(function (track) { return had.indexOf(track) !== -1; });
}

/** An SDP's session id (its `o=` line). */
function sessionOf(sdp) {
  var origin = /^o=\S+ (\S+)/m.exec(sdp || '');
  return origin ? origin[1] : null;
}
