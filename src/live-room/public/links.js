/** Chat text with its http(s) URLs made into links that open apart from the room; nothing else becomes markup. */
import { el } from './elements.js';

var URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/gi;
var TRAILING = /[.,;:!?'")\]}>]+$/;

/** Text with http(s) URLs as links that open apart from the room; everything else stays text. */
export function linkified(text) {
  var fragment = document.createDocumentFragment();
  var last = 0;
  URL_PATTERN.lastIndex = 0;
  var match;
  while ((match = URL_PATTERN.exec(text)) !== null) {
    var candidate = trimUrl(match[0]);
    var href = safeHref(candidate);
    if (!href) continue;
    if (match.index > last) fragment.append(text.slice(last, match.index));
    fragment.append(el('a', { href: href, target: '_blank', rel: 'noopener noreferrer' }, candidate));
    last = match.index + candidate.length;
    URL_PATTERN.lastIndex = last;
  }
  if (last < text.length) fragment.append(text.slice(last));
  return fragment;
}

/** Punctuation that ends a sentence is not part of the link; a closing bracket is, when the URL opened it. */
function trimUrl(url) {
  var trailing = TRAILING.exec(url);
  if (!trailing) return url;
  var kept = url.slice(0, trailing.index);
  var rest = trailing[0];
  while (rest.charAt(0) === ')' && count(kept, '(') > count(kept, ')')) {
    kept += ')';
    rest = rest.slice(1);
  }
  return kept;
}

function count(text, char) {
  return text.split(char).length - 1;
}

function safeHref(candidate) {
  try {
    var url = new URL(candidate);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch (error) {
    return null;
  }
}
