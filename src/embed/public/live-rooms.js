/*
 * Live Rooms for MediaSpace: the embeddable snippet.
 *
 * Load it on MediaSpace pages with the signed-in user's KS:
 *   <script src="https://rooms.example.edu/embed/live-rooms.js" data-ks="KS" async></script>
 * (or set window.LiveRoomsConfig = { ks: 'KS' } before it), and mark where the
 * module's additions go:
 *   <div data-live-rooms="channel-buttons" data-channel-id="12345"></div>   (channelButtons)
 *   <div data-live-rooms="header-menu"></div>                              (headerMenu)
 *
 * Channel buttons render inside an iframe of the Live Rooms service, which
 * grows into the room when Start or Join opens it within the page: as tall as
 * the window and scrolled into view (the room has its own full-screen button).
 */
(function () {
  'use strict';
  var script = document.currentScript;
  if (!script || window.__liveRoomsLoaded) return;
  window.__liveRoomsLoaded = true;
  var serviceOrigin = new URL(script.src, document.baseURI).origin;

  function currentKs() {
    var config = window.LiveRoomsConfig || {};
    return script.getAttribute('data-ks') || config.ks || '';
  }

  function launchUrl(returnTo) {
    return serviceOrigin + '/launch?ks=' + encodeURIComponent(currentKs()) + '&returnTo=' + encodeURIComponent(returnTo);
  }

  function mountChannelButtons(container) {
    var channelId = container.getAttribute('data-channel-id') || '';
    if (!/^[1-9][0-9]{0,9}$/.test(channelId) || container.querySelector('iframe')) return;
    var frame = document.createElement('iframe');
    frame.src = launchUrl('/channels/' + channelId + '/meeting');
    frame.title = 'Live Rooms meeting';
    frame.className = 'live-rooms-frame';
    frame.setAttribute('allow', 'camera; microphone; display-capture; fullscreen; autoplay; clipboard-write');
    frame.style.cssText = 'border:0;width:100%;height:0;display:block;transition:height .2s ease';
    container.appendChild(frame);
  }

  function mountHeaderMenu(container) {
    if (container.getAttribute('data-live-rooms-ready')) return;
    container.setAttribute('data-live-rooms-ready', 'loading');
    fetch(serviceOrigin + '/embed/menu?ks=' + encodeURIComponent(currentKs()), { credentials: 'omit' })
      .then(function (response) { return response.ok ? response.json() : { items: [] }; })
      .then(function (menu) {
        (menu.items || []).forEach(function (item) {
          var link = document.createElement('a');
          link.href = launchUrl(item.returnTo);
          link.textContent = item.label;
          link.className = 'live-rooms-menu-item';
          link.setAttribute('data-live-rooms-item', item.id);
          container.appendChild(link);
        });
        container.setAttribute('data-live-rooms-ready', 'yes');
      })
      .catch(function () { container.setAttribute('data-live-rooms-ready', 'failed'); });
  }

  function frameOf(source) {
    var frames = document.querySelectorAll('iframe.live-rooms-frame');
    for (var i = 0; i < frames.length; i++) if (frames[i].contentWindow === source) return frames[i];
    return null;
  }

  /** A room fills the window's height (its dialogs then show inside what is visible), and comes into view. */
  function fitRoom(frame, scroll) {
    // At once, not animated: the page must already be tall enough for the room to scroll to its top.
    frame.style.transition = 'none';
    frame.style.height = Math.max(320, window.innerHeight) + 'px';
    if (scroll) frame.scrollIntoView({ block: 'start' });
  }

  window.addEventListener('resize', function () {
    document.querySelectorAll('iframe.live-rooms-in-room').forEach(function (frame) { fitRoom(frame, false); });
  });

  // Only our own frames may resize and name themselves, and only to sane sizes.
  window.addEventListener('message', function (event) {
    var data = event.data;
    if (event.origin !== serviceOrigin || !data || data.source !== 'live-rooms') return;
    var frame = frameOf(event.source);
    if (!frame) return;
    if (data.type === 'resize') {
      // A page other than the room (the channel's actions again, after Leave): the frame takes its size.
      frame.classList.remove('live-rooms-in-room');
      frame.style.transition = 'height .2s ease';
      frame.style.height = Math.max(0, Math.min(Number(data.height) || 0, 2000)) + 'px';
      // The framed page names itself in the person's language; until it does, the title is English.
      if (typeof data.title === 'string' && data.title) frame.title = data.title.slice(0, 200);
    } else if (data.type === 'room') {
      frame.classList.add('live-rooms-in-room');
      fitRoom(frame, true);
    }
  });

  function mountAll() {
    document.querySelectorAll('[data-live-rooms="channel-buttons"]').forEach(mountChannelButtons);
    document.querySelectorAll('[data-live-rooms="header-menu"]').forEach(mountHeaderMenu);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mountAll);
  else mountAll();
  window.LiveRooms = { mount: mountAll };
})();
