/**
 * Pages of videos: the browser receives the video of at most a page of
 * cameras (PAGE_SIZE), plus the active speaker and a pinned tile whatever the
 * page; people on other pages keep their tile (picture or initials) and their
 * sound, without video. The server holds each connection to the same cap
 * (MEDIA_VIDEO_SUBSCRIPTIONS_MAX in media-protocol.ts). No DOM in pagePlan:
 * it is tested on its own.
 */
export var PAGE_SIZE = 25;

/**
 * tiles: the grid's tiles in order ({participantId, you, screen, feed}); page: the one asked for (from 0);
 * keep: tile ids whose video is received whatever the page (the pinned tile, who speaks).
 * Answers the page (kept in range), the number of pages, the first and last camera shown (from 1), how many
 * cameras there are, and the set of tile ids whose video is received.
 */
export function pagePlan(tiles, page, keep) {
  var cameras = tiles.filter(function (tile) { return !tile.screen && !tile.you && tile.feed && tile.feed.video; });
  var pages = Math.max(1, Math.ceil(cameras.length / PAGE_SIZE));
  var current = Math.min(Math.max(0, page || 0), pages - 1);
  var shown = cameras.slice(current * PAGE_SIZE, (current + 1) * PAGE_SIZE);
  var video = new Set(shown.map(function (tile) { return tile.participantId; }));
  (keep || []).forEach(function (id) {
    if (cameras.some(function (tile) { return tile.participantId === id; })) video.add(id);
  });
  // Screen shares are few and what a class looks at: always received.
  tiles.forEach(function (tile) { if (tile.screen) video.add(tile.participantId); });
  return { page: current, pages: pages, total: cameras.length, from: shown.length ? current * PAGE_SIZE + 1 : 0, to: current * PAGE_SIZE + shown.length, video: video };
}

/** The page controls (previous, "Videos 1–25 of 40", next), shown only when there is more than one page. */
export function pageControls(nav, texts, fill, onPage) {
  if (!nav) return { render: function () {} };
  var previous = nav.querySelector('[data-media-page=previous]');
  var next = nav.querySelector('[data-media-page=next]');
  var label = nav.querySelector('[data-media-page-label]');
  var plan = null;
  previous.addEventListener('click', function () { if (plan) onPage(plan.page - 1); });
  next.addEventListener('click', function () { if (plan) onPage(plan.page + 1); });
  return {
    render: function (current) {
      plan = current;
      nav.hidden = current.pages <= 1;
      previous.disabled = current.page === 0;
      next.disabled = current.page >= current.pages - 1;
      label.textContent = fill(texts.page, { from: current.from, to: current.to, total: current.total });
    },
  };
}
