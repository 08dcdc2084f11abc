/*
 * The course form's small enhancements; the form works without them and the
 * server checks everything again.
 * - <input type="file" data-max-bytes="N" data-too-large="message">: a picture over the limit is
 *   reported at once, before a long upload that the server would refuse.
 * - The custom plan's limits are shown only while a plan with custom limits is chosen.
 * - The member picker: search as you type (a few people at a time from the server, never everyone),
 *   choosing one adds a row to the members; a long member list is shown a page at a time. Without
 *   this script the "Add people by email address" box does the same.
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

  // The picture chosen, shown before it is sent (a data: address: the page's policy allows no blob: pictures).
  document.querySelectorAll('input[type="file"][data-preview]').forEach(function (input) {
    var preview = document.getElementById(input.getAttribute('data-preview'));
    if (!preview) return;
    input.addEventListener('change', function () {
      var file = input.files && input.files[0];
      var figure = preview.closest('figure') || preview;
      if (!file || !/^image\//.test(file.type) || input.validity.customError) { figure.hidden = true; preview.removeAttribute('src'); return; }
      var reader = new FileReader();
      reader.onload = function () { preview.src = String(reader.result); figure.hidden = false; };
      reader.readAsDataURL(file);
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

  var picker = document.querySelector('[data-member-picker]');
  var list = document.querySelector('[data-member-list]');
  var template = document.querySelector('[data-member-template]');
  if (picker && list && template) memberPicker(picker, list, template);

  function memberPicker(picker, list, template) {
    var search = picker.querySelector('input[type="search"]');
    var results = picker.querySelector('[role="listbox"]');
    var status = picker.querySelector('[data-picker-status]');
    var empty = document.querySelector('[data-members-empty]');
    var more = document.querySelector('[data-members-more]');
    var pageSize = Number(picker.getAttribute('data-page-size')) || 50;
    var shown = pageSize;
    var timer = null;
    var asked = 0;
    var active = -1;
    picker.hidden = false;

    function say(template, name) { status.textContent = (picker.getAttribute(template) || '').replace('{name}', name); }

    function close() {
      results.hidden = true;
      results.textContent = '';
      search.setAttribute('aria-expanded', 'false');
      search.removeAttribute('aria-activedescendant');
      active = -1;
    }

    function page() {
      var rows = list.querySelectorAll('[data-person]');
      rows.forEach(function (row, index) { row.hidden = index >= shown; });
      var left = rows.length - shown;
      more.hidden = left <= 0;
      if (left > 0) more.textContent = (picker.getAttribute('data-show-more') || '').replace('{count}', String(Math.min(left, pageSize)));
      if (empty) empty.hidden = rows.length > 0;
    }

    function add(person) {
      close();
      search.value = '';
      if (list.querySelector('[data-person="' + CSS.escape(person.id) + '"]')) return say('data-already', person.name);
      var row = template.content.firstElementChild.cloneNode(true);
      row.setAttribute('data-person', person.id);
      row.querySelector('.member-list__name').textContent = person.name;
      row.querySelector('.member-list__email').textContent = person.email || '';
      var select = row.querySelector('select');
      select.setAttribute('aria-label', select.getAttribute('data-role-for').replace('{name}', person.name));
      select.removeAttribute('data-role-for');
      select.name = 'member';
      Array.prototype.forEach.call(select.options, function (option) { if (option.value) option.value += person.id; });
      // Newest first, so the person just added is in sight.
      list.insertBefore(row, list.firstChild);
      page();
      say('data-added', person.name);
      search.focus();
    }

    function show(people) {
      results.textContent = '';
      active = -1;
      if (people.length === 0) {
        var none = document.createElement('li');
        none.className = 'member-picker__none';
        none.textContent = picker.getAttribute('data-no-match');
        results.appendChild(none);
      }
      people.forEach(function (person, index) {
        var option = document.createElement('li');
        option.id = 'course-member-result-' + index;
        option.setAttribute('role', 'option');
        option.className = 'member-picker__option';
        var name = document.createElement('span');
        name.textContent = person.name;
        var email = document.createElement('span');
        email.className = 'small muted';
        email.textContent = person.email ? ' ' + person.email : '';
        option.append(name, email);
        option.addEventListener('mousedown', function (event) { event.preventDefault(); });
        option.addEventListener('click', function () { add(person); });
        option.person = person;
        results.appendChild(option);
      });
      results.hidden = false;
      search.setAttribute('aria-expanded', 'true');
    }

    function lookUp() {
      var query = search.value.trim();
      if (query === '') return close();
      var mine = ++asked;
      fetch(picker.getAttribute('data-search-url') + '?q=' + encodeURIComponent(query), { headers: { accept: 'application/json' }, credentials: 'same-origin' })
        .then(function (response) { return response.ok ? response.json() : { people: [] }; })
        .then(function (body) { if (mine === asked) show(body.people || []); })
        .catch(function () { if (mine === asked) close(); });
    }

    function move(step) {
      var options = results.querySelectorAll('[role="option"]');
      if (options.length === 0) return;
      if (active >= 0) options[active].removeAttribute('aria-selected');
      active = (active + step + options.length) % options.length;
      options[active].setAttribute('aria-selected', 'true');
      search.setAttribute('aria-activedescendant', options[active].id);
      options[active].scrollIntoView({ block: 'nearest' });
    }

    search.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(lookUp, 150);
    });
    search.addEventListener('keydown', function (event) {
      if (event.key === 'ArrowDown') { event.preventDefault(); move(1); }
      else if (event.key === 'ArrowUp') { event.preventDefault(); move(-1); }
      else if (event.key === 'Escape') close();
      else if (event.key === 'Enter') {
        // Enter chooses the highlighted person; it never submits the course form from the search box.
        event.preventDefault();
        var options = results.querySelectorAll('[role="option"]');
        var chosen = options[active >= 0 ? active : 0];
        if (chosen) add(chosen.person);
      }
    });
    search.addEventListener('blur', function () { setTimeout(close, 100); });
    more.addEventListener('click', function () { shown += pageSize; page(); });
    page();
  }
})();
