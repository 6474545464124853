import { decodeHTML } from 'entities';

/** Elements whose text is never shown to a reader. */
const HIDDEN_ELEMENTS = /<(script|style|noscript|template|iframe|object)\b[^>]*>[\s\S]*?<\/\1\s*>/gi;
/** Block-level tags become a space so that "<p>a</p><p>b</p>" reads "a b", not "ab". */
const BLOCK_TAGS = /<\/?(?:p|div|br|li|ul|ol|h[1-6]|blockquote|section|article|table|tr|td|th|pre|hr|figure|figcaption)\b[^>]*>/gi;
const ANY_TAG = /<\/?[a-z!?][^>]*>/gi;
const COMMENTS = /<!--[\s\S]*?-->/g;
const CDATA = /<!\[CDATA\[([\s\S]*?)\]\]>/g;
/** C0/C1 control characters except tab/newline (collapsed below) and U+FFFD, which marks invalid input. */
// eslint-disable-next-line no-control-regex -- removing control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;
/** Truncation marks feeds append to teasers ("[...]", "[…]", "Read more…"). */
const TRUNCATION_MARK = /\s*(?:\[\s*(?:\.\.\.|…)\s*\]|\(\s*(?:\.\.\.|…)\s*\)|(?:\.\.\.|…)\s*$)\s*$/u;

/** Turns an HTML (or plain) fragment into one line of plain text: tags stripped, entities decoded, whitespace collapsed. */
export function toPlainText(html: string | null | undefined): string {
  if (!html) return '';
  let text = html.replace(CDATA, '$1');
  if (text.includes('<')) {
    text = text.replace(COMMENTS, ' ').replace(HIDDEN_ELEMENTS, ' ').replace(BLOCK_TAGS, ' ').replace(ANY_TAG, '');
  }
  // Decoding after stripping means an escaped "&lt;b&gt;" stays visible text, as its author meant.
  if (text.includes('&')) text = decodeHTML(text);
  return text.replace(CONTROL, '').replace(/\s+/g, ' ').trim();
}

/** Removes a trailing truncation mark; reports whether there was one. */
export function stripTruncationMark(text: string): { readonly text: string; readonly truncated: boolean } {
  const stripped = text.replace(TRUNCATION_MARK, '');
  return stripped.length === text.length ? { text, truncated: false } : { text: stripped.trim(), truncated: true };
}
