/**
 * The browser's peer connections with the media server, one per published
 * source and one per received feed. Signalling goes through the room link:
 * publish/answer for sending, subscribe/offer/answer for receiving, and ICE
 * candidates as they come (kept until the server has the matching offer).
 */

var SIMULCAST = [
  { rid: 'l', scaleResolutionDownBy: 4, maxBitrate: 150000 },
  { rid: 'm', scaleResolutionDownBy: 2, maxBitrate: 500000 },
  { rid: 'h', maxBitrate: 1500000 },
];

/** Sends `stream` as the person's feed of `source`; resolves once the server's answer is applied. */
export function publisher(link, source, stream, onFailed) {
  var pc = new RTCPeerConnection();
  watchFailure(pc, onFailed);
  var held = [];
  var answered = false;
  pc.addEventListener('icecandidate', function (event) {
    var candidate = event.candidate ? event.candidate.toJSON() : null;
    if (answered) link.send({ type: 'media.trickle', source: source, candidate: candidate });
    else held.push(candidate);
  });
  stream.getTracks().forEach(function (track) {
    // A camera is sent in three sizes (simulcast): the media server forwards to each viewer the one its tile needs.
    if (source === 'camera' && track.kind === 'video') pc.addTransceiver(track, { direction: 'sendonly', streams: [stream], sendEncodings: SIMULCAST });
    else pc.addTrack(track, stream);
  });
  var offered = pc.createOffer().then(function (offer) {
    return pc.setLocalDescription(offer);
  }).then(function () {
    link.send({ type: 'media.publish', source: source, sdp: pc.localDescription.sdp });
  });
  return {
    pc: pc,
    offered: offered,
    /** The server's answer arrived. */
    answer: function (sdp) {
      return pc.setRemoteDescription({ type: 'answer', sdp: sdp }).then(function () {
        answered = true;
        held.splice(0).forEach(function (candidate) { link.send({ type: 'media.trickle', source: source, candidate: candidate }); });
      });
    },
    replaceTrack: function (track) {
      var sender = pc.getSenders().filter(function (candidate) { return candidate.track && candidate.track.kind === track.kind; })[0];
      return sender ? sender.replaceTrack(track) : Promise.resolve();
    },
    close: function () { pc.close(); },
  };
}

/** Receives one feed; `onStream` gets its media as it arrives. */
export function subscriber(link, feed, offerSdp, onStream, onFailed) {
  var pc = new RTCPeerConnection();
  watchFailure(pc, onFailed);
  var stream = new MediaStream();
  pc.addEventListener('track', function (event) {
    stream.addTrack(event.track);
    onStream(stream);
  });
  pc.addEventListener('icecandidate', function (event) {
    link.send({ type: 'media.trickle', source: feed.source, participantId: feed.participantId, candidate: event.candidate ? event.candidate.toJSON() : null });
  });
  pc.setRemoteDescription({ type: 'offer', sdp: offerSdp })
    .then(function () { return pc.createAnswer(); })
    .then(function (answer) { return pc.setLocalDescription(answer); })
    .then(function () {
      link.send({ type: 'media.answer', participantId: feed.participantId, source: feed.source, sdp: pc.localDescription.sdp });
    });
  return { pc: pc, close: function () { pc.close(); } };
}

/** A connection that fails (network change, lost path) is made again by the caller, without a reload. */
function watchFailure(pc, onFailed) {
  pc.addEventListener('connectionstatechange', function () {
    if (pc.connectionState === 'failed' && onFailed) onFailed();
  });
}

/** Each received camera at the size its tile needs: large when few are on screen, small when many. */
export function chooseLayers(state, link, people) {
  var cameras = people.filter(function (person) { return !person.screen && person.feed && person.feed.video; }).length;
  var layer = cameras <= 2 ? 'high' : cameras <= 6 ? 'medium' : 'low';
  state.subscriptions.forEach(function (entry, key) {
    if (!entry.stream || key.slice(-7) !== '/camera' || entry.layer === layer) return;
    entry.layer = layer;
    link.send({ type: 'media.layer', participantId: key.slice(0, -7), source: 'camera', layer: layer });
  });
}
