/**
 * What a listing paragraph looks like: headline or prose. Pure measurements on one paragraph; the
 * layout module weighs them against the paragraphs around it.
 */
import { TAIL_CHARS, stripTruncation } from '../truncation.js';

/** Shape features look at most this much of a paragraph: a headline or a lead shows in its first lines. */
const SHAPE_WINDOW = 4_000;

/** Abbreviations whose period does not end a sentence (titles, initials handled separately, Latin). */
const ABBREVIATIONS = new Set(
  (
    'mr mrs ms dr prof sr jr st gen col lt sgt capt gov sen rep pres rev hon no nos vs etc al ' +
    'e.g i.e u.s u.k u.n inc ltd co corp dept est approx fig jan feb mar apr jun jul aug sep sept oct nov dec'
  ).split(' '),
);

/** A candidate sentence end: terminal punctuation, optional closing quotes, space, then an opener. */
const SENTENCE_END = /([.!?…])["'”’»)\]]*\s+(?=["'“‘«([]?[\p{Lu}\p{N}])/gu;

/**
 * Offsets just after each sentence end in `text` (the end of the text excluded), skipping
 * abbreviations ("Prof.", "U.S.") and initials ("Ricardo J. Smith").
 */
export function sentenceEnds(text: string, limit = Number.POSITIVE_INFINITY): number[] {
  const ends: number[] = [];
  for (const match of text.matchAll(SENTENCE_END)) {
    const at = match.index;
    if (at > limit) break;
    if (match[1] === '.') {
      const word = /([\p{L}.]+)$/u.exec(text.slice(Math.max(0, at - 12), at))?.[1] ?? '';
      if (/^\p{Lu}$/u.test(word) || ABBREVIATIONS.has(word.toLowerCase())) continue;
      if (/\p{L}\.\p{L}/u.test(word)) continue;
    }
    ends.push(at + match[0].length);
  }
  return ends;
}

/** Words too small to be capitalised in a Title Case headline (English, Spanish, Portuguese, French). */
const SMALL_WORDS = new Set(
  'a an the and or nor but of in on at to for by with from as vs via per de del la el los las y e o da do das dos du des le et'.split(' '),
);

/** Fraction of a paragraph's significant words that start with a capital: ~1 for Title Case headlines. */
function titleCaseRatio(text: string): number {
  const words = text.slice(0, 300).split(' ').slice(1, 30);
  let considered = 0;
  let capitalised = 0;
  for (const word of words) {
    const first = firstCasedLetter(word);
    if (first === null || SMALL_WORDS.has(word.toLowerCase())) continue;
    considered++;
    if (first !== first.toLowerCase()) capitalised++;
  }
  return considered === 0 ? 0 : capitalised / considered;
}

/**
 * The word's first letter after leading quotes and brackets, or null when it starts with a digit or has
 * no cased letter (per-word Unicode regexes made this the hottest function of the reader).
 */
function firstCasedLetter(word: string): string | null {
  for (const char of word) {
    if (char.toLowerCase() !== char.toUpperCase()) return char;
    if (/[0-9]/.test(char) || /\p{L}/u.test(char)) return null;
  }
  return null;
}

/** Measurements of one paragraph used to tell headlines from prose. */
export interface ParagraphShape {
  /** Words in the paragraph. */
  readonly words: number;
  /** Characters in the paragraph. */
  readonly chars: number;
  /** Sentences in the shape window (1 for a headline). */
  readonly sentences: number;
  /** Ends with a period, ellipsis or semicolon (after closing quotes): prose, not a headline. */
  readonly endsWithStop: boolean;
  /** Ends with a truncation mark such as `[...]`: a cut teaser. */
  readonly truncated: boolean;
  /** Title Case ratio (see titleCaseRatio). */
  readonly titleCase: number;
  /** Starts "Kicker: ..." or "Outlet: ..." (one to four words before a colon), a common headline form. */
  readonly kicker: boolean;
}

/** Measures a collapsed paragraph. */
export function measureParagraph(paragraph: string): ParagraphShape {
  const whole = paragraph.length <= SHAPE_WINDOW;
  // The cut mark is at the very end of the paragraph, not of the window.
  const truncated = stripTruncation(paragraph.slice(-TAIL_CHARS)).truncated;
  const text = whole ? stripTruncation(paragraph).text : paragraph.slice(0, SHAPE_WINDOW);
  // Word counts only matter up to a few dozen (the prose thresholds), so the window suffices.
  const words = countWords(text);
  return {
    words,
    chars: paragraph.length,
    sentences: sentenceEnds(text).length + 1,
    endsWithStop: /[.…;]["'”’»)\]]*$/u.test(text),
    truncated,
    titleCase: titleCaseRatio(text),
    kicker: /^[\p{L}\p{N}'’-]+(?: [\p{L}\p{N}'’-]+){0,3}: \S/u.test(text),
  };
}

function countWords(text: string): number {
  return text.match(/\S+/gu)?.length ?? 0;
}

/** Headlines are short: news style guides aim at 8–14 words, and listings rarely exceed 20. */
const HEADLINE_WORDS = 16;
/** Past this many words a paragraph is prose, never a headline. */
const PROSE_WORDS = 25;

/**
 * How much a paragraph looks like a headline: positive for short, unpunctuated, Title Case or
 * "Kicker: ..." lines, negative for long, multi-sentence or period-terminated prose.
 */
export function headlineScore(shape: ParagraphShape): number {
  let score = 0;
  if (shape.endsWithStop) score -= 2;
  if (shape.truncated) score -= 3;
  if (shape.words <= HEADLINE_WORDS) score += 1;
  if (shape.words > PROSE_WORDS) score -= 2;
  if (shape.words > 2 * PROSE_WORDS) score -= 2;
  if (shape.sentences > 1) score -= 2;
  if (shape.titleCase >= 0.8) score += 1;
  if (shape.kicker) score += 0.5;
  return score;
}

/** How much a paragraph looks like a summary or teaser: sentences, length, a final stop, a cut mark. */
export function bodyScore(shape: ParagraphShape): number {
  let score = 0;
  if (shape.endsWithStop) score += 1;
  if (shape.truncated) score += 2;
  if (shape.words > PROSE_WORDS) score += 1;
  if (shape.sentences > 1) score += 1;
  if (shape.words <= HEADLINE_WORDS && shape.titleCase >= 0.8) score -= 1;
  return score;
}

/** True when a paragraph has a headline's form: short, one sentence, not ending in a period. */
export function isHeadlineShaped(shape: ParagraphShape): boolean {
  return shape.words <= 20 && shape.sentences === 1 && !shape.endsWithStop && !shape.truncated;
}

/**
 * Words in a section heading ("Peru", "New Peru left", "Latest news"). Headlines are rarely this short
 * ("Dockers Return To Work" has four), and the layout still weighs what follows such a line.
 */
const HEADING_MAX_WORDS = 3;

/** Section headings are a few words with no sentence punctuation. */
export function isHeadingShaped(shape: ParagraphShape, paragraph: string): boolean {
  return shape.words <= HEADING_MAX_WORDS && !/[.!?…:;]/u.test(paragraph);
}

/**
 * Openers that lean on the paragraph before: connectives, "Now" and personal pronouns. Demonstratives
 * ("This Saturday, ...") are left out on purpose: teasers often open with them.
 */
const CONTINUATION_OPENERS = new Set(
  'now but and yet so still also however meanwhile moreover furthermore instead thus therefore he she they his her their'.split(' '),
);

/** An opening quotation mark: a quote paragraph continues the story that introduced the speaker. */
const OPENING_QUOTE = /^["“‘«„]/u;

/** Says why a paragraph reads as the continuation of the one before, or null when it stands alone. */
export function continuationSignal(paragraph: string): 'quote' | 'connective' | 'lower-case' | null {
  if (OPENING_QUOTE.test(paragraph)) return 'quote';
  if (/^\p{Ll}/u.test(paragraph)) return 'lower-case';
  const first = /^(\p{L}+)\b/u.exec(paragraph)?.[1]?.toLowerCase();
  if (first !== undefined && CONTINUATION_OPENERS.has(first) && !/^\p{L}+:/u.test(paragraph)) return 'connective';
  return null;
}

/** Fraction of a paragraph's characters inside double quotation marks. */
export function quotedShare(paragraph: string): number {
  let quoted = 0;
  for (const match of paragraph.slice(0, SHAPE_WINDOW).matchAll(/[“"„][^“”"„]{1,2000}[”"]/gu)) quoted += match[0].length;
  return quoted / Math.min(paragraph.length, SHAPE_WINDOW);
}
