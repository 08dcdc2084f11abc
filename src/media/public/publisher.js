/**
 * The browser's sending peer connections with the media server, one per
 * published source (what is received comes on one connection of its own:
 * receiving-connection.js). Signalling goes through the room link: publish,
 * then the server's answer, and ICE candidates as they come (kept until the
 * server has the matching offer). A lost connection is restarted in place
 * (reconnect.js): a new offer with new ICE credentials.
 */
import { iceWatch, watchBrokenTransport } from './reconnect.js';

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
