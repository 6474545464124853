/**
 * Text hygiene for everything read (feeds, listings) and everything that ends up inside an XML or HTML document
 * we publish: one rule for the characters XML forbids, one for escaping.
 * XML 1.0 (section 2.2, production Char) forbids most C0 controls, U+FFFE, U+FFFF and lone surrogates;
 * one such character anywhere makes the whole feed unreadable to a conforming parser.
 */

// C0 controls except TAB, LF and CR (XML 1.0 Char), DEL and the C1 block (allowed but "discouraged"
// by XML 1.0 section 2.2 and in practice always mojibake), and the two noncharacters U+FFFE/U+FFFF.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const FORBIDDEN_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]/g;

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Removes every character XML 1.0 forbids (or discourages as control noise) from a string. */
export function cleanXmlText(text: string): string {
  return text.replace(FORBIDDEN_CHARS, '').replace(LONE_SURROGATE, '');
}

/** Cleans a one-line display string: forbidden characters removed, whitespace runs collapsed, trimmed. */
export function cleanLine(text: string): string {
  return cleanXmlText(text).replace(/\s+/g, ' ').trim();
}

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML or XML element content and attribute values (both quote styles). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** Escapes text for element content only (quotes stay readable): the three characters markup needs. */
export function escapeText(text: string): string {
  return text.replace(/[&<>]/g, (c) => HTML_ESCAPES[c]!);
}

/**
 * Makes a string safe to place inside a CDATA section the `feed` package writes: its XML writer splits only
 * the first "]]>", so every occurrence is broken here ("]]&gt;" in HTML reads exactly like "]]>").
 */
export function guardCdataHtml(html: string): string {
  return html.replaceAll(']]>', ']]&gt;');
}
