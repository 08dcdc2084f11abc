/*
 * The rooms backend's small enhancements; every page works without them.
 * - <textarea data-counter="ID"> / <input data-counter="ID">: a live "N characters left" in #ID,
 *   using the element's maxlength and the texts in data-counter-one / data-counter-other ({count}).
 * - <form data-confirm="question">: asks before submitting (deletes, revokes).
 */
(function () {
  'use strict';

  function updateCounter(field) {
    var output = document.getElementById(field.getAttribute('data-counter'));
    var max = Number(field.getAttribute('maxlength') || field.getAttribute('data-max'));
    if (!output || !max) return;
    var left = max - field.value.length;
    var template = Math.abs(left) === 1 ? output.getAttribute('data-counter-one') : output.getAttribute('data-counter-other');
    output.textContent = (template || '{count}').replace('{count}', String(left));
    output.classList.toggle('counter--over', left < 0);
  }

  document.querySelectorAll('[data-counter]').forEach(function (field) {
    updateCounter(field);
    field.addEventListener('input', function () { updateCounter(field); });
  });

  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    var question = form.getAttribute('data-confirm');
    if (question && !window.confirm(question)) event.preventDefault();
  }, true);
})();
