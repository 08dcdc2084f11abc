/*
 * The invite form's "Invite more": adds one more person's row in place, as a copy of the first
 * row with empty fields. Without this script the same button submits the form and the server
 * answers with one more row, creating nothing.
 */
(function () {
  'use strict';

  var form = document.querySelector('[data-invite-form]');
  if (!form) return;
  var rows = form.querySelector('[data-invite-rows]');
  var more = form.querySelector('[data-invite-more]');
  var status = form.querySelector('[data-invite-more-status]');
  var max = Number(form.getAttribute('data-max-rows')) || 20;

  function renumber(element, index) {
    ['id', 'for', 'name', 'aria-describedby'].forEach(function (attribute) {
      var value = element.getAttribute(attribute);
      if (!value) return;
      element.setAttribute(attribute, value.replace(/invite-\d+-/g, 'invite-' + index + '-').replace(/rows\[\d+\]/g, 'rows[' + index + ']'));
    });
  }

  function blankCopy(row, index) {
    var copy = row.cloneNode(true);
    copy.querySelectorAll('.field-error').forEach(function (error) { error.remove(); });
    copy.querySelectorAll('[aria-invalid]').forEach(function (field) { field.removeAttribute('aria-invalid'); });
    copy.querySelectorAll('[aria-describedby]').forEach(function (field) {
      var kept = field.getAttribute('aria-describedby').split(' ').filter(function (id) { return !/-error$/.test(id); });
      if (kept.length) field.setAttribute('aria-describedby', kept.join(' '));
      else field.removeAttribute('aria-describedby');
    });
    copy.querySelectorAll('input[type="text"], input[type="email"]').forEach(function (input) { input.value = ''; input.setAttribute('value', ''); });
    copy.querySelectorAll('input[type="checkbox"]').forEach(function (box) { box.checked = false; box.removeAttribute('checked'); });
    copy.querySelectorAll('select').forEach(function (select) {
      Array.prototype.forEach.call(select.options, function (option) { option.selected = option.value === 'student'; option.toggleAttribute('selected', option.value === 'student'); });
    });
    [copy].concat(Array.prototype.slice.call(copy.querySelectorAll('*'))).forEach(function (element) { renumber(element, index); });
    var number = copy.querySelector('[data-row-number]');
    if (number) number.textContent = String(index + 1);
    return copy;
  }

  more.addEventListener('click', function (event) {
    event.preventDefault();
    var existing = rows.querySelectorAll('[data-invite-row]');
    if (existing.length >= max) return;
    var index = existing.length;
    var row = blankCopy(existing[0], index);
    rows.appendChild(row);
    if (existing.length + 1 >= max) more.disabled = true;
    if (status) status.textContent = (status.getAttribute('data-template') || '').replace('{number}', String(index + 1));
    var first = row.querySelector('input[type="text"]');
    if (first) first.focus();
  });
})();
