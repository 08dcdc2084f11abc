/**
 * The grid's tiles from the room's state: screen shares first (a tile of
 * their own each), then a tile per person in the session with their camera
 * feed (or none), their received stream (or, for oneself, the local one), and
 * whether they speak. What the grid shows is decided from this list.
 */
export function tilesOf(state, texts, fill) {
  var people = [];
  state.people.forEach(function (person, participantId) {
    var you = participantId === state.you.participantId;
    var feed = state.feeds.get(participantId + '/camera') || null;
    var entry = state.subscriptions.get(participantId + '/camera');
    var stream = you ? (state.local ? state.local.stream : null) : entry ? entry.stream : null;
    if (you && state.local) feed = { audio: state.local.audio, video: state.local.video && state.local.stream.getVideoTracks().length > 0 };
    people.push({ participantId: participantId, name: person.name, picture: person.picture || null, you: you, feed: feed, stream: stream, speaking: participantId === state.speaking });
  });
  var screens = [];
  state.feeds.forEach(function (feed, key) {
    if (feed.source !== 'screen') return;
    var mine = feed.participantId === state.you.participantId;
    var entry = state.subscriptions.get(key);
    var stream = mine ? (state.screen ? state.screen.stream : null) : entry ? entry.stream : null;
    screens.push({ participantId: key, name: fill(texts.screenOf, { name: feed.name }), you: false, mine: mine, screen: true, feed: { audio: true, video: true }, stream: stream });
  });
  return screens.concat(people);
}
