/*
 * The branding page's live preview; the page works without it (the server checks every colour).
 * - keeps each colour's picker and hexadecimal field together;
 * - recolours the sample and recomputes the WCAG contrast ratios as the colour changes
 *   (the same formula as src/branding/contrast.ts), choosing white or dark text the way the product does;
 * - hides the server's warnings while the colour differs from the one they were written for.
 */
(function () {
  'use strict';

  var HEX = /^#[0-9a-f]{6}$/;
  var WHITE = '#ffffff';
  var DARK = '#111111';

  function normalise(value) {
    var text = String(value || '').trim().toLowerCase();
    return text && text.charAt(0) !== '#' ? '#' + text : text;
  }

  function luminance(hex) {
    var channels = [1, 3, 5].map(function (start) {
      var c = parseInt(hex.slice(start, start + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2];
  }

  function ratio(a, b) {
    var la = luminance(a);
    var lb = luminance(b);
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
  }

  var format = new Intl.NumberFormat(document.documentElement.lang || 'en', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  function shown(value) {
    return format.format(Math.floor(value * 100) / 100);
  }

  document.querySelectorAll('[data-colour-field]').forEach(function (field) {
    var picker = field.querySelector('[data-colour-picker]');
    var text = field.querySelector('[data-colour-text]');
    var sample = field.querySelector('[data-contrast-sample]');
    var check = field.querySelector('[data-contrast-check]');
    var ratios = field.querySelector('[data-contrast-ratios]');
    var choice = field.querySelector('[data-contrast-choice]');
    var warnings = field.querySelector('[data-contrast-warnings]');
    var rendered = normalise(text.value);

    function update() {
      var colour = normalise(text.value);
      if (warnings) warnings.hidden = colour !== rendered;
      if (!HEX.test(colour)) return;
      var white = ratio(colour, WHITE);
      var dark = ratio(colour, DARK);
      // CSSOM, not a style attribute: the page's content security policy allows no inline styles.
      sample.style.backgroundColor = colour;
      sample.style.color = white >= dark ? WHITE : DARK;
      ratios.textContent = check.getAttribute('data-template').replace('{white}', shown(white)).replace('{dark}', shown(dark));
      choice.textContent = check.getAttribute(white >= dark ? 'data-uses-white' : 'data-uses-dark');
    }

    picker.addEventListener('input', function () {
      text.value = picker.value;
      update();
    });
    text.addEventListener('input', function () {
      var colour = normalise(text.value);
      if (HEX.test(colour)) picker.value = colour;
      update();
    });
    update();
  });
})();
