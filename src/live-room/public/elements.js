/** Small builders for the room's lists: everything people typed becomes text nodes, never markup. */
import { idOf } from './room-model.js';

/** An element with attributes and children; strings become text nodes, never markup. */
export function el(tag, attributes) {
  var node = document.createElement(tag);
  Object.keys(attributes || {}).forEach(function (name) {
    var value = attributes[name];
    if (value === null || value === undefined || value === false) return;
    if (name === 'class') node.className = value;
    else node.setAttribute(name, String(value));
  });
  for (var i = 2; i < arguments.length; i++) {
    var child = arguments[i];
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

export function setText(elements, text) {
  elements.forEach(function (element) { element.textContent = text; });
}

/**
 * Makes `list` hold one element per item, in order, reusing the elements of items it already shows
 * (so focus and scroll survive) and only moving those out of place.
 */
export function syncList(list, items, keyOf, make, context) {
  if (!list) return;
  var existing = new Map();
  Array.prototype.forEach.call(list.children, function (child) { existing.set(child.getAttribute('data-key'), child); });
  var wanted = new Set();
  var at = list.firstElementChild;
  items.forEach(function (item) {
    var key = keyOf(item);
    var fingerprint = (context || '') + JSON.stringify(item);
    wanted.add(key);
    var node = existing.get(key);
    if (node && node.getAttribute('data-fingerprint') !== fingerprint) {
      var fresh = make(item);
      fresh.setAttribute('data-key', key);
      fresh.setAttribute('data-fingerprint', fingerprint);
      list.replaceChild(fresh, node);
      if (at === node) at = fresh;
      node = fresh;
    } else if (!node) {
      node = make(item);
      node.setAttribute('data-key', key);
      node.setAttribute('data-fingerprint', fingerprint);
    }
    if (node !== at) list.insertBefore(node, at);
    else at = at.nextElementSibling;
  });
  existing.forEach(function (node, key) {
    if (!wanted.has(key)) list.removeChild(node);
  });
}

var AVATAR_COLOURS = 6;
export function avatar(person, extra) {
  var hash = 0;
  var id = idOf(person) || '';
  for (var i = 0; i < id.length; i++) hash = (hash * 31 + id.charCodeAt(i)) >>> 0;
  var initials = person.name
    .trim()
    .split(/\s+/)
    .slice(0, 2)
    .map(function (word) { return Array.from(word)[0] || ''; })
    .join('')
    .toUpperCase();
  return el('span', { class: 'avatar avatar--c' + (hash % AVATAR_COLOURS) + (extra ? ' ' + extra : ''), 'aria-hidden': 'true' }, initials || '?');
}

/** A person's line in a list: avatar and name. */
export function personLine(person) {
  return el('li', { class: 'people__person', 'data-participant-id': idOf(person) }, avatar(person), el('span', { class: 'people__name' }, person.name));
}

var SVG = 'http://www.w3.org/2000/svg';
/** A raised hand, drawn here rather than an emoji, which not every system has a font for. */
export function handIcon() {
  var svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', 'icon');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  [
    [6, 6, 2.6, 9],
    [9.2, 3, 2.6, 10],
    [12.4, 3.5, 2.6, 10],
    [15.6, 6, 2.6, 8],
    [6, 10, 12.2, 11, 4],
  ].forEach(function (box) {
    var rect = document.createElementNS(SVG, 'rect');
    rect.setAttribute('x', box[0]);
    rect.setAttribute('y', box[1]);
    rect.setAttribute('width', box[2]);
    rect.setAttribute('height', box[3]);
    rect.setAttribute('rx', box[4] || 1.3);
    svg.appendChild(rect);
  });
  var thumb = document.createElementNS(SVG, 'rect');
  [['x', 3], ['y', 10.5], ['width', 2.6], ['height', 7.5], ['rx', 1.3], ['transform', 'rotate(-35 4.3 14.2)']].forEach(function (pair) {
    thumb.setAttribute(pair[0], pair[1]);
  });
  svg.appendChild(thumb);
  return svg;
}

/** Whether a control can take the focus: enabled and laid out. */
export function isShown(element) {
  return !element.disabled && element.getClientRects().length > 0;
}
