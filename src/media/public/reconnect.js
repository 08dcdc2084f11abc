/**
 * A lost connection comes back by itself, without a reload: when a peer
 * connection's ICE fails, or stays disconnected for DISCONNECTED_GRACE_MS (a
 * network change, Wi-Fi dropping for a moment), ICE is restarted on the same
 * peer connection (new credentials, same feed, nothing else renegotiated). If
 * that has not brought it back within RESTART_LIMIT_MS it is tried once more,
 * then given up: the caller makes the connection anew.
 */
var DISCONNECTED_GRACE_MS = 3000;
var RESTART_LIMIT_MS = 10000;
var RESTARTS = 2;

/**
 * handlers.restart(): start an ICE restart (the peer calls `negotiated()` once its side is done);
 * handlers.giveUp(): make the connection anew; handlers.reconnecting(on): a restart began or ended.
 */
export function iceWatch(pc, handlers) {
  var graceTimer = null;
  var limitTimer = null;
  var restarting = false;
  var negotiating = false;
  var attempts = 0;

  function connected() {
    return pc.iceConnectionState === 'connected' || pc.iceConnectionState === 'completed';
  }

  function clearTimers() {
    window.clearTimeout(graceTimer);
    window.clearTimeout(limitTimer);
    graceTimer = null;
    limitTimer = null;
  }

  function settle(on) {
    if (restarting === on) return;
    restarting = on;
    handlers.reconnecting(on);
  }

  function restart() {
    clearTimers();
    if (attempts >= RESTARTS) {
      settle(false);
      return handlers.giveUp();
    }
    attempts += 1;
    negotiating = true;
    settle(true);
    handlers.restart();
    limitTimer = window.setTimeout(function () {
      limitTimer = null;
      if (restarting) restart();
    }, RESTART_LIMIT_MS);
  }

  function recoveredIfConnected() {
    if (!restarting || negotiating || !connected()) return;
    clearTimers();
    attempts = 0;
    settle(false);
  }

  pc.addEventListener('iceconnectionstatechange', function () {
    var now = pc.iceConnectionState;
    if (now === 'closed') {
      clearTimers();
      return settle(false);
    }
    if (now === 'failed' && !limitTimer) return restart();
    if (now === 'disconnected' && !graceTimer && !limitTimer) {
      graceTimer = window.setTimeout(function () {
        graceTimer = null;
        if (pc.iceConnectionState === 'disconnected' || pc.iceConnectionState === 'failed') restart();
      }, DISCONNECTED_GRACE_MS);
      return;
    }
    if (connected()) {
      window.clearTimeout(graceTimer);
      graceTimer = null;
      recoveredIfConnected();
    }
  });

  return {
    /** The restart's offer and answer are applied on this side. */
    negotiated: function () {
      negotiating = false;
      recoveredIfConnected();
    },
    /** Closing a peer connection fires no event: a restart under way ends here. */
    stop: function () {
      clearTimers();
      settle(false);
    },
  };
}

/** A connection whose ICE is up but whose transport broke (DTLS) cannot be restarted: `onFailed` makes it anew. */
export function watchBrokenTransport(pc, onFailed) {
  pc.addEventListener('connectionstatechange', function () {
    if (pc.connectionState === 'failed' && pc.iceConnectionState !== 'failed' && pc.iceConnectionState !== 'disconnected') onFailed();
  });
}
