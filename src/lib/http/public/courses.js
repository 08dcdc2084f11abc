/*
 * The course form's small enhancements; the form works without them and the
 * server checks everything again.
 * - <input type="file" data-max-bytes="N" data-too-large="message">: a picture over the limit is
 *   reported at once, before a long upload that the server would refuse.
 * - The custom plan's limits are shown only while a plan with custom limits is chosen.
 */
(function () {
  'use strict';

  document.querySelectorAll('input[type="file"][data-max-bytes]').forEach(function (input) {
    input.addEventListener('change', function () {
      var max = Number(input.getAttribute('data-max-bytes'));
      var file = input.files && input.files[0];
      input.setCustomValidity(file && max && file.size > max ? input.getAttribute('data-too-large') || 'Too large' : '');
      input.reportValidity();
    });
    // The form has novalidate (the server's messages are the ones that count), so the check is ours to enforce.
    if (input.form) input.form.addEventListener('submit', function (event) {
      if (!input.validity.customError) return;
      event.preventDefault();
      input.reportValidity();
      input.focus();
    });
  });

  var plan = document.getElementById('course-plan');
  var limits = document.querySelector('.course-form__limits');
  if (plan instanceof HTMLSelectElement && limits) {
    var custom = limits.getAttribute('data-custom-plans');
    var ids = custom ? custom.split(' ') : [];
    var update = function () { limits.hidden = ids.indexOf(plan.value) < 0; };
    update();
    plan.addEventListener('change', update);
  }
})();
