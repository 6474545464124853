/**
 * Layout of a listing: which paragraphs are titles, bodies, continuations or section headings.
 * Decided by structure (how paragraphs alternate and compare), not by the strings of any one site.
 */
import { parseByline, splitInlineByline, type Byline } from './byline.js';
import {
  bodyScore,
  continuationSignal,
  headlineScore,
  isHeadingShaped,
  isHeadlineShaped,
  measureParagraph,
  quotedShare,
  type ParagraphShape,
} from './shape.js';

/** A content paragraph with its shape and the byline printed just before it, if any. */
interface Unit {
  readonly text: string;
  readonly shape: ParagraphShape;
  readonly byline: Byline | null;
}

/** A story as laid out in the listing, before titles are derived and identities assigned. */
export interface StoryDraft {
  /** The listing's own headline, or null for a teaser-only story (the caller derives one). */
  readonly title: string | null;
  /** Body paragraphs in order (one, or several when a teaser continues over paragraphs). */
  readonly paragraphs: readonly string[];
  readonly byline: Byline | null;
}

/**
 * Share of (longer than heading) paragraphs that must have a headline's form for the listing to be read as
 * title + summary pairs. Title/summary listings sit near 0.5 (every other paragraph); teaser-only listings
 * near 0 (each teaser is punctuated prose). 0.3 leaves room for unpunctuated summaries on one side and for
 * a few unpunctuated teasers on the other.
 */
const TITLE_LAYOUT_SHARE = 0.3;

/** Groups content paragraphs (furniture already removed) into stories. */
export function layoutStories(paragraphs: readonly string[]): StoryDraft[] {
  const units = toUnits(paragraphs);
  if (units.length === 0) return [];
  return isTitleLayout(units) ? alignTitles(units) : groupTeasers(units);
}

/** Turns paragraphs into units, lifting bylines (standalone or glued to a teaser) onto the next text. */
function toUnits(paragraphs: readonly string[]): Unit[] {
  const units: Unit[] = [];
  let pending: Byline | null = null;
  for (const paragraph of paragraphs) {
    const byline = parseByline(paragraph);
    if (byline !== null) {
      pending = byline;
      continue;
    }
    const inline = splitInlineByline(paragraph);
    const text = inline?.rest ?? paragraph;
    units.push({ text, shape: measureParagraph(text), byline: pending ?? inline?.byline ?? null });
    pending = null;
  }
  return units;
}

/**
 * Title + summary layout when bylines are present or enough paragraphs are headline-shaped. The section
 * headings at the top of the page are left out of the vote: teaser-only pages have them too.
 */
function isTitleLayout(units: readonly Unit[]): boolean {
  if (units.some((unit) => unit.byline !== null)) return true;
  const firstText = units.findIndex((unit) => !isHeadingShaped(unit.shape, unit.text));
  const candidates = firstText < 0 ? [] : units.slice(firstText);
  if (candidates.length === 0) return false;
  const headlines = candidates.filter((unit) => isHeadlineShaped(unit.shape)).length;
  return headlines / candidates.length >= TITLE_LAYOUT_SHARE;
}

/**
 * Scores for the title-layout alignment; each is a log-odds-like weight in "shape points" (see
 * headlineScore/bodyScore, which range over about -6..+4).
 */
const SCORE = {
  /** Forming a title + body story is the expected case in this layout. */
  pair: 2,
  /** The body is longer than its title: true of nearly every real pair. */
  longerBody: 1,
  /** A byline between the two is the strongest sign of a title/body pair. */
  bylineBetween: 2,
  /** A byline before a would-be title contradicts the layout. */
  bylineBeforeTitle: -2,
  /** A heading before the first story (the page's section name). */
  headingAtTop: 1,
  /** A heading between stories (a sub-section): possible but rarer. */
  headingInside: -0.5,
  /** A story with a title and no body, or a body and no title, is a defect of the capture. */
  incomplete: -2,
  /** An untitled paragraph after a story's body most likely continues it. */
  continuation: -1.5,
  /** A quote, a connective or a lower-case start makes continuation much more likely. */
  continuationSignal: 2,
} as const;

type Step = 'pair' | 'heading' | 'title-only' | 'body-only' | 'continue';

/**
 * Reads title + summary listings by choosing, over the whole page, the parse that best explains the
 * paragraph sequence (dynamic programming over "pair / heading / lone title / lone body / continuation").
 * A glued section heading ("New Peru left" above the first title) or a missing summary then shifts only
 * its own story instead of mis-pairing every title after it.
 */
function alignTitles(units: readonly Unit[]): StoryDraft[] {
  const n = units.length;
  const headline = units.map((unit) => headlineScore(unit.shape));
  const body = units.map((unit) => bodyScore(unit.shape));
  // best[i * 2 + h]: best score having parsed units [0, i), h = 1 once a story exists.
  const best = new Float64Array((n + 1) * 2).fill(Number.NEGATIVE_INFINITY);
  const step: (Step | undefined)[] = new Array((n + 1) * 2);
  const from: number[] = new Array((n + 1) * 2).fill(-1);
  best[0] = 0;
  const relax = (state: number, next: number, score: number, kind: Step): void => {
    const total = best[state]! + score;
    if (total > best[next]!) {
      best[next] = total;
      step[next] = kind;
      from[next] = state;
    }
  };
  for (let i = 0; i < n; i++) {
    for (let h = 0; h < 2; h++) {
      const state = i * 2 + h;
      if (best[state] === Number.NEGATIVE_INFINITY) continue;
      const unit = units[i]!;
      if (i + 1 < n) {
        const second = units[i + 1]!;
        let score = SCORE.pair + headline[i]! + body[i + 1]!;
        score += second.shape.chars > unit.shape.chars ? SCORE.longerBody : -SCORE.longerBody;
        if (second.byline !== null) score += SCORE.bylineBetween;
        if (unit.byline !== null) score += SCORE.bylineBeforeTitle;
        relax(state, (i + 2) * 2 + 1, score, 'pair');
      }
      if (isHeadingShaped(unit.shape, unit.text) && unit.byline === null) {
        relax(state, (i + 1) * 2 + h, h === 0 ? SCORE.headingAtTop : SCORE.headingInside, 'heading');
      }
      relax(state, (i + 1) * 2 + 1, headline[i]! + SCORE.incomplete, 'title-only');
      relax(state, (i + 1) * 2 + 1, body[i]! + SCORE.incomplete + (unit.byline ? SCORE.bylineBetween : 0), 'body-only');
      if (h === 1 && unit.byline === null) {
        const signal = continuationSignal(unit.text) === null ? 0 : SCORE.continuationSignal;
        relax(state, (i + 1) * 2 + 1, body[i]! + SCORE.continuation + signal, 'continue');
      }
    }
  }
  const end = best[n * 2 + 1]! >= best[n * 2]! ? n * 2 + 1 : n * 2;
  const steps: { kind: Step; at: number }[] = [];
  for (let state = end; state > 0; state = from[state]!) {
    const previous = from[state]!;
    steps.push({ kind: step[state]!, at: Math.floor(previous / 2) });
  }
  steps.reverse();
  const stories: { title: string | null; paragraphs: string[]; byline: Byline | null }[] = [];
  for (const { kind, at } of steps) {
    const unit = units[at]!;
    switch (kind) {
      case 'pair': {
        const second = units[at + 1]!;
        stories.push({ title: unit.text, paragraphs: [second.text], byline: second.byline });
        break;
      }
      case 'title-only':
        stories.push({ title: unit.text, paragraphs: [], byline: unit.byline });
        break;
      case 'body-only':
        stories.push({ title: null, paragraphs: [unit.text], byline: unit.byline });
        break;
      case 'continue':
        stories[stories.length - 1]!.paragraphs.push(unit.text);
        break;
      case 'heading':
        break;
    }
  }
  return stories;
}

/** Words this short are too common to tie two paragraphs together. */
const MIN_LINK_WORD = 5;
/** A paragraph at least this much inside quotation marks is a quote (see groupTeasers). */
const QUOTE_PARAGRAPH_SHARE = 0.3;

/**
 * Reads teaser-only listings: every paragraph is text, one story each, except that a paragraph which
 * leans on the one before (opens with a quote, a connective such as "Now", or lower case) continues the
 * story, and so does a quote paragraph ("X told the judges: “...”") sharing a word found nowhere else in
 * the listing with the story so far. Short unpunctuated lines are section headings.
 */
function groupTeasers(units: readonly Unit[]): StoryDraft[] {
  const words = units.map((unit) => linkWords(unit.text));
  const frequency = new Map<string, number>();
  for (const set of words) for (const word of set) frequency.set(word, (frequency.get(word) ?? 0) + 1);
  const stories: { title: null; paragraphs: string[]; byline: Byline | null; members: number[] }[] = [];
  units.forEach((unit, index) => {
    if (unit.byline === null && isHeadingShaped(unit.shape, unit.text)) return;
    const current = stories[stories.length - 1];
    if (current !== undefined && unit.byline === null) {
      const leans = continuationSignal(unit.text) !== null;
      const quoteLink = quotedShare(unit.text) >= QUOTE_PARAGRAPH_SHARE && sharesRareWord(index, current.members, words, frequency);
      if (leans || quoteLink) {
        current.paragraphs.push(unit.text);
        current.members.push(index);
        return;
      }
    }
    stories.push({ title: null, paragraphs: [unit.text], byline: unit.byline, members: [index] });
  });
  return stories.map(({ title, paragraphs, byline }) => ({ title, paragraphs, byline }));
}

/** Distinctive words of a paragraph (lower case, at least MIN_LINK_WORD letters). */
function linkWords(text: string): Set<string> {
  const set = new Set<string>();
  for (const match of text
    .slice(0, 4_000)
    .toLowerCase()
    .matchAll(/\p{L}+/gu)) {
    if (match[0].length >= MIN_LINK_WORD) set.add(match[0]);
  }
  return set;
}

/** True when the paragraph shares with the story a word that occurs in no other paragraph of the listing. */
function sharesRareWord(
  index: number,
  members: readonly number[],
  words: readonly Set<string>[],
  frequency: ReadonlyMap<string, number>,
): boolean {
  for (const word of words[index]!) {
    const inStory = members.filter((member) => words[member]!.has(word)).length;
    if (inStory > 0 && frequency.get(word) === inStory + 1) return true;
  }
  return false;
}
