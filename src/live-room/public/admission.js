/**
 * Admission when instructors admit each person: the room's setting, Admit and
 * Deny beside each waiting person and Admit all for those who may, and for the
 * waiting person the word that an instructor will let them in.
 */
import { ui } from './page.js';
import { room, can, idOf, isInstructor, withId } from './room-model.js';
import { messages } from './words.js';
import { el, personLine } from './elements.js';
import { act } from './connection.js';

export var admissionHandlers = {
  'admission.changed': function (m) {
    room.admission.instructorsAdmit = m.instructorsAdmit;
    room.busy.delete('admission');
  },
  // The socket closes next (4009 admitted, 4008 denied): connection.js acts on the close.
  'admission.admitted': function () {},
  'admission.denied': function () {},
};

/** Whether instructors decide who comes in, as this page knows it. */
function instructorsAdmit() {
  return room.admission.instructorsAdmit;
}

/** A waiting person's line, with Admit and Deny for those who may decide. */
export function waitingItem(person) {
  var item = personLine(person);
  if (!instructorsAdmit() || !can('admitParticipants')) return item;
  var admit = messages.admit(person.name);
  var deny = messages.deny(person.name);
  item.append(
    el('button', { type: 'button', class: 'button button--secondary button--small', 'data-admit': idOf(person), 'aria-label': admit.aria }, admit.label),
    el('button', { type: 'button', class: 'button button--quiet button--small', 'data-deny': idOf(person), 'aria-label': deny.aria }, deny.label),
  );
  return item;
}

export function renderAdmission(waitingCount) {
  var on = instructorsAdmit();
  if (ui.admissionSetting) ui.admissionSetting.checked = on;
  if (ui.admitAll) ui.admitAll.hidden = !(on && waitingCount > 0);
  if (ui.admissionNote) {
    var waitsForInstructor = on && !isInstructor();
    ui.admissionNote.hidden = !waitsForInstructor;
    ui.autoEntry.hidden = waitsForInstructor;
  }
}

export function bindAdmission() {
  if (ui.admissionSetting) {
    ui.admissionSetting.addEventListener('change', function () {
      act('admission', { type: 'room.admission', instructorsAdmit: ui.admissionSetting.checked });
    });
  }
  if (ui.admitAll) ui.admitAll.addEventListener('click', function () { act('admitAll', { type: 'participant.admitAll' }); });
  if (ui.waitingList) {
    ui.waitingList.addEventListener('click', function (event) {
      var admit = event.target.closest('[data-admit]');
      var deny = event.target.closest('[data-deny]');
      if (admit) act('admit', withId(admit.getAttribute('data-admit'), { type: 'participant.admit' }));
      else if (deny) act('deny', withId(deny.getAttribute('data-deny'), { type: 'participant.deny' }));
    });
  }
}
