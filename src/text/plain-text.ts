import { decodeHTML } from 'entities';
import { cleanXmlText } from './xml-text.js';

/** Elements whose text is never shown to a reader. */
const HIDDEN_OPENING = /<(script|style|noscript|template|iframe|object)\b[^<>]*>/gi;
/** Block-level tags become a space so that "<p>a</p><p>b</p>" reads "a b", not "ab". */
const BLOCK_TAGS = /<\/?(?:p|div|br|li|ul|ol|h[1-6]|blockquote|section|article|table|tr|td|th|pre|hr|figure|figcaption)\b[^<>]*>/gi;
// "[^<>]" rather than "[^>]": on "<a<a<a..." without any ">" the latter rescans to the end from every "<",
// quadratic time that let one hostile feed stall a run for hours (tests/reliability/hostile-feeds.test.ts).
const ANY_TAG = /<\/?[a-z!?][^<>]*>/gi;

/** Turns an HTML (or plain) fragment into one line of plain text: tags stripped, entities decoded, whitespace collapsed. */
export function toPlainText(html: string | null | undefined): string {
  if (!html) return '';
  let text = replaceDelimited(html, '<![CDATA[', ']]>', (inner) => inner);
  if (text.includes('<')) {
    text = removeHiddenElements(replaceDelimited(text, '<!--', '-->', () => ' '))
      .replace(BLOCK_TAGS, ' ')
      .replace(ANY_TAG, '');
  }
  // Decoding after stripping means an escaped "&lt;b&gt;" stays visible text, as its author meant.
  if (text.includes('&')) text = decodeHTML(text);
  // Controls, noncharacters and lone surrogates go (U+FFFD stays: it marks invalid input); whitespace collapses.
  return cleanXmlText(text).replace(/\s+/g, ' ').trim();
}

/**
 * Replaces every `open`...`close` section (first close after each open) in linear time; an unterminated one is
 * left as it is. A lazy regex like /<!--[\s\S]*?-->/ rescans to the end from every unterminated opening, which
 * is quadratic on hostile input.
 */
function replaceDelimited(text: string, open: string, close: string, replace: (inner: string) => string): string {
  let out = '';
  let pos = 0;
  for (let start = text.indexOf(open); start !== -1; start = text.indexOf(open, pos)) {
    const end = text.indexOf(close, start + open.length);
    if (end === -1) break; // no close after this opening means none after any later one either
    out += text.slice(pos, start) + replace(text.slice(start + open.length, end));
    pos = end + close.length;
  }
  return out + text.slice(pos);
}

/** Drops script, style and the like with their content, in linear time (each element's closing tag is searched once). */
function removeHiddenElements(html: string): string {
  const lower = html.toLowerCase();
  const unclosed = new Set<string>();
  let out = '';
  let pos = 0;
  HIDDEN_OPENING.lastIndex = 0;
  for (let match = HIDDEN_OPENING.exec(html); match !== null; match = HIDDEN_OPENING.exec(html)) {
    const name = match[1]!.toLowerCase();
    if (match.index < pos || unclosed.has(name)) continue;
    const close = lower.indexOf(`</${name}`, HIDDEN_OPENING.lastIndex);
    const end = close === -1 ? -1 : html.indexOf('>', close);
    if (end === -1) {
      unclosed.add(name); // left for the tag stripper, as an unterminated element always was
      continue;
    }
    out += `${html.slice(pos, match.index)} `;
    pos = end + 1;
    HIDDEN_OPENING.lastIndex = pos;
  }
  return out + html.slice(pos);
}
