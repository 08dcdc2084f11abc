/**
 * The room's words, in the person's language: they come with the page as JSON
 * (#room-texts, views/rooms/room.ejs), data and never script.
 */
export var texts = JSON.parse(document.getElementById('room-texts').textContent);
var pluralRules = new Intl.PluralRules(texts.language);

/** A template with {{name}} placeholders, filled in as text. */
export function fill(template, values) {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, function (whole, name) {
    return values && Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
  });
}

/** The plural form for `count` in the page's language, filled in. */
export function plural(forms, count, values) {
  var template = forms[pluralRules.select(count)] || forms.other;
  return fill(template, Object.assign({ count: count }, values));
}

function titled(words) {
  return [words.title, words.detail];
}

/** A button's visible label and its spoken name, which says whom it is about. */
function labelled(words, values) {
  return { label: words.label, aria: fill(words.aria, values) };
}

export var messages = {
  state: texts.state,
  ended: texts.ended,
  closed: {
    pass: titled(texts.closed.pass),
    tooBig: titled(texts.closed.tooBig),
    unreachable: titled(texts.closed.unreachable),
    replaced: titled(texts.closed.replaced),
    ended: titled(texts.closed.ended),
    notMember: titled(texts.closed.notMember),
    expired: titled(texts.closed.expired),
  },
  retryIn: function (seconds) { return fill(texts.retryIn, { seconds: seconds }); },
  retrying: texts.retrying,
  offline: texts.offline,
  notSent: texts.notSent,
  tooLong: texts.tooLong,
  charsLeft: function (left) { return plural(texts.charsLeft, left); },
  waitingSummary: function (count, instructor) {
    if (instructor) return count === 0 ? texts.waitingSummary.instructor.none : plural(texts.waitingSummary.instructor, count);
    return count <= 1 ? texts.waitingSummary.participant.alone : fill(texts.waitingSummary.participant.others, { count: count });
  },
  handRaised: function (name) { return fill(texts.handRaised, { name: name }); },
  letBackIn: texts.letBackIn,
  yourHandLowered: texts.yourHandLowered,
  messageDeleted: texts.messageDeleted,
  /** The deleted message's beginning, so its author knows which one. */
  yourMessageDeleted: function (text) { return fill(texts.yourMessageDeleted, { text: text.length > 60 ? text.slice(0, 59) + '…' : text }); },
  chatPlaceholder: texts.chatPlaceholder,
  confirmEnd: texts.confirmEnd,
  confirmRemove: function (name) {
    return { title: fill(texts.confirmRemove.title, { name: name }), text: fill(texts.confirmRemove.text, { name: name }), ok: texts.confirmRemove.ok };
  },
  you: texts.you,
  roles: texts.roles,
  hand: texts.hand,
  remove: function (name) { return labelled(texts.remove, { name: name }); },
  lower: function (name) { return labelled(texts.lower, { name: name }); },
  allow: function (name) { return labelled(texts.allow, { name: name }); },
  deleteMessage: function (name, time) { return labelled(texts.deleteMessage, { name: name, time: time }); },
  thisPerson: texts.thisPerson,
  admit: function (name) { return labelled(texts.admit, { name: name }); },
  deny: function (name) { return labelled(texts.deny, { name: name }); },
};

var timeFormat = new Intl.DateTimeFormat(texts.language, { hour: 'numeric', minute: '2-digit' });
export function formatTime(ms) {
  return timeFormat.format(new Date(ms));
}
