/*
 * Session Stats shows times in the browser's time zone: a page shown in another zone (or in none
 * yet) is asked for again with the browser's, which the service remembers on the profile. Range
 * forms carry the zone too. Without this script the page shows the remembered zone, else UTC.
 */
(function () {
  'use strict';
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (error) { return; }
  if (!zone) return;
  document.querySelectorAll('input[data-time-zone]').forEach(function (input) {
    if (input.value !== zone) {
      var url = new URL(window.location.href);
      if (url.searchParams.get('tz') !== zone) {
        url.searchParams.set('tz', zone);
        window.location.replace(url.toString());
      }
    }
  });
})();
