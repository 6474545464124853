/**
 * Text plumbing for seed listings: line endings, invisible characters, paragraphs, folding.
 * Everything here is linear in the input size so a pathological capture cannot stall a run.
 */

import { cleanXmlText } from '../../text/xml-text.js';

/** Invisible characters that carry no text: zero-width space/joiners, word joiner, BOM, soft hyphen. */
const INVISIBLE = /[\u200B-\u200D\u2060\uFEFF\u00AD]/g;

/** Every line-break convention a capture may use (CRLF, CR, VT, FF, NEL, LS, PS). */
// eslint-disable-next-line no-control-regex -- VT and FF are line breaks in old captures
const LINE_BREAKS = /\r\n?|[\u000B\u000C\u0085\u2028\u2029]/g;

/**
 * Turns any capture into NFC text with `\n` line breaks, no BOM, no invisible characters and none of the
 * control characters XML forbids (noise from bad captures, never text).
 */
export function normaliseListingText(text: string): string {
  return cleanXmlText(text.replace(LINE_BREAKS, '\n').replace(INVISIBLE, '')).normalize('NFC');
}

/** Collapses every run of whitespace (NBSP and the Unicode spaces included) into one space, trimmed. */
export function collapseSpaces(text: string): string {
  // Only runs that change are matched (any non-space whitespace, or a space followed by more): replacing
  // every single space with itself made a 10 MB capture take a second instead of 40 ms.
  return text.replace(/[^\S ]\s*| \s+/g, ' ').trim();
}

/** A line is blank when it holds only whitespace, NBSP included (captures often keep `&nbsp;` lines). */
function isBlank(line: string): boolean {
  return !/\S/.test(line);
}

/** Sentence-ending punctuation, possibly followed by closing quotes or brackets. */
const ENDS_SENTENCE = /[.!?…:;]["'”’»)\]]*$/u;

/** Lines of a hard-wrapped paragraph are about this long (classic 72–80 column wrapping, some slack). */
const WRAP_MIN = 50;
const WRAP_MAX = 100;

/**
 * Decides whether a block of consecutive non-blank lines is one hard-wrapped paragraph: at least three
 * lines, all but the last of wrap length, and most of them cut mid-sentence. Listings that put several
 * items on consecutive lines fail this (their lines end sentences or differ wildly in length).
 */
function isWrappedBlock(lines: readonly string[]): boolean {
  if (lines.length < 3) return false;
  const body = lines.slice(0, -1);
  const wrapLength = body.every((line) => line.length >= WRAP_MIN && line.length <= WRAP_MAX);
  const cutMidSentence = body.filter((line) => !ENDS_SENTENCE.test(line)).length;
  return wrapLength && cutMidSentence * 2 > body.length;
}

/**
 * Splits normalised text into paragraphs: blank lines separate paragraphs, and within a block each line
 * is its own paragraph (listings glue headings, titles and even two teasers with a single newline), except
 * that a line continuing the previous one (it starts lower-case after a line that did not end a sentence,
 * or the block is hard-wrapped prose) is joined to it. Paragraphs come back whitespace-collapsed.
 */
export function splitParagraphs(text: string): string[] {
  const paragraphs: string[] = [];
  let block: string[] = [];
  const flush = (): void => {
    if (block.length === 0) return;
    if (isWrappedBlock(block)) {
      paragraphs.push(collapseSpaces(block.join(' ')));
    } else {
      let current = collapseSpaces(block[0]!);
      for (const raw of block.slice(1)) {
        const line = collapseSpaces(raw);
        if (continuesLine(current, line)) current = `${current} ${line}`;
        else {
          paragraphs.push(current);
          current = line;
        }
      }
      paragraphs.push(current);
    }
    block = [];
  };
  for (const line of text.split('\n')) {
    if (isBlank(line)) flush();
    else block.push(line);
  }
  flush();
  return paragraphs.filter((paragraph) => paragraph.length > 0);
}

/** A line continues the previous one when that one stopped mid-sentence and this one starts lower-case. */
function continuesLine(previous: string, line: string): boolean {
  if (ENDS_SENTENCE.test(previous)) return false;
  return /^\p{Ll}/u.test(line) || /[-‐,]$/u.test(previous);
}

/** Single and double quotation marks of every style, folded to one character for identities. */
const QUOTES = /[‘’‚‛′`´"“”„‟″«»‹›＂＇']/gu;

/** Hyphens and dashes of every style (and the minus sign), folded to `-` for identities. */
const DASHES = /[‐‑‒–—―−﹘﹣－]/gu;

/**
 * Folds a title for identity: NFKC, lower case, every quote style removed, every dash as `-`, spaces
 * collapsed, surrounding punctuation dropped. Typographic edits to a capture leave the fold unchanged.
 */
export function foldTitle(title: string): string {
  return collapseSpaces(
    title
      .normalize('NFKC')
      .replace(INVISIBLE, '')
      .toLowerCase()
      .replace(QUOTES, '')
      .replace(DASHES, '-')
      .replace(/\s*-\s*/gu, '-'),
  ).replace(/^[\p{P}\s]+|[.,;:!\s]+$/gu, '');
}
