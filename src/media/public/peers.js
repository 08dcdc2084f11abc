/**
 * The browser's peer connections with the media server, one per published
 * source and one per received feed. Signalling goes through the room link:
 * publish/answer for sending, subscribe/offer/answer for receiving, and ICE
 * candidates as they come (kept until the server has the matching offer).
 * A lost connection is restarted in place (reconnect.js): a publisher makes a
 * new offer with new ICE credentials, a subscription asks the server for one.
 */
import { iceWatch } from './reconnect.js';

var SIMULCAST = [
  { rid: 'l', scaleResolutionDownBy: 4, maxBitrate: 150000 },
  { rid: 'm', scaleResolutionDownBy: 2, maxBitrate: 500000 },
  { rid: 'h', maxBitrate: 1500000 },
];

/**
 * Sends `stream` as the person's feed of `source`; `answer` applies the server's answer (to the publish or to
 * an ICE restart). watch: { failed() (made anew by the caller), reconnecting(on) }.
 */
export function publisher(link, source, stream, watch) {
  var pc = new RTCPeerConnection();
  var held = [];
  var answered = false;
  var ice = iceWatch(pc, {
    restart: function () {
      // Candidates of the new credentials wait for the server's answer, as the first ones did.
      answered = false;
      pc.createOffer({ iceRestart: true }).then(function (offer) {
        return pc.setLocalDescription(offer);
      }).then(function () {
        link.send({ type: 'media.restartPublisher', source: source, sdp: pc.localDescription.sdp });
      }, function () {});
    },
    giveUp: watch.failed,
    reconnecting: watch.reconnecting,
  });
  watchBrokenTransport(pc, watch.failed);
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
        ice.negotiated();
      });
    },
    replaceTrack: function (track) {
      var sender = pc.getSenders().filter(function (candidate) { return candidate.track && candidate.track.kind === track.kind; })[0];
      return sender ? sender.replaceTrack(track) : Promise.resolve();
    },
    close: function () {
      ice.stop();
      pc.close();
    },
  };
}

/** Receives one feed; `onStream` gets its media as it arrives. watch: as for publisher(). */
export function subscriber(link, feed, offerSdp, onStream, watch) {
  var pc = new RTCPeerConnection();
  var ice = iceWatch(pc, {
    restart: function () { link.send({ type: 'media.restartSubscription', participantId: feed.participantId, source: feed.source }); },
    giveUp: watch.failed,
    reconnecting: watch.reconnecting,
  });
  watchBrokenTransport(pc, watch.failed);
  var stream = new MediaStream();
  pc.addEventListener('track', function (event) {
    stream.addTrack(event.track);
    onStream(stream);
  });
  pc.addEventListener('icecandidate', function (event) {
    link.send({ type: 'media.trickle', source: feed.source, participantId: feed.participantId, candidate: event.candidate ? event.candidate.toJSON() : null });
  });
  /** Answers an offer of the server's: the first one, or one after an ICE restart. */
  function answer(sdp) {
    return pc.setRemoteDescription({ type: 'offer', sdp: sdp })
      .then(function () { return pc.createAnswer(); })
      .then(function (made) { return pc.setLocalDescription(made); })
      .then(function () {
        link.send({ type: 'media.answer', participantId: feed.participantId, source: feed.source, sdp: pc.localDescription.sdp });
      });
  }
  void answer(offerSdp);
  return {
    pc: pc,
    /** The server's new offer after an ICE restart. */
    restarted: function (sdp) { return answer(sdp).then(function () { ice.negotiated(); }); },
    close: function () {
      ice.stop();
      pc.close();
    },
  };
}

/** A connection whose ICE is up but whose transport broke (DTLS) cannot be restarted: it is made anew. */
function watchBrokenTransport(pc, onFailed) {
  pc.addEventListener('connectionstatechange', function () {
    if (pc.connectionState === 'failed' && pc.iceConnectionState !== 'failed' && pc.iceConnectionState !== 'disconnected') onFailed();
  });
}
