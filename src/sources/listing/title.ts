/**
 * Headlines for teaser-only listings: the first sentence (or its first clause), cut at a word boundary,
 * with photo captions and "X reports" attributions left out.
 */
import { sentenceEnds } from './shape.js';

/** Derived titles aim at this length: a long headline, and what feed readers show on one line. */
export const TITLE_MAX_CHARS = 100;
/** A clause boundary may run this far past the aim: a whole clause reads better than a cut one. */
const CLAUSE_SLACK_CHARS = 10;
/** A clause shorter than this is too little to stand as a headline ("In 2021,"). */
const CLAUSE_MIN_CHARS = 30;
/** A first "sentence" of fewer words (a dateline, "Lima, April 10.") is joined with the next. */
const SENTENCE_MIN_WORDS = 4;
/** Only the start of a teaser can hold its headline. */
const TITLE_WINDOW = 2_000;

/**
 * A leading photo caption ending in a credit ("Supporters protest. Lima, April 10. Photo: EFE."):
 * not the story's lead, so the title starts after it.
 */
const PHOTO_CAPTION = /^.{0,400}?\b(?:Photo(?:graph)?|Image|Credit|Foto)s?(?: credit)?: [^.]{1,60}\.\s+(?=["“‘]?\p{Lu})/u;

/** A trailing attribution: ", reports Ben Radford", ", writes Kenny Stancil", ", says the UN". */
const ATTRIBUTION = /,\s*(?:reports?|writes?|says?|explains?|argues?|notes?)\s+(?:the\s+)?\p{Lu}[\p{L}'’.-]*(?:\s+\p{Lu}[\p{L}'’.-]*){0,3}$/u;

/** Words a headline must not end on: a cut there dangles ("... to defend the"). */
const DANGLING = new Set(
  (
    'a an the and or nor but of in on at to for by with from as into onto over under about than that which who whom ' +
    'whose its their his her our your my is are was were be been being has have had will would can could should ' +
    'de del la el los las y en'
  ).split(' '),
);

/** Derives a readable headline from teaser text (plain, collapsed). Never returns more than the text has. */
export function deriveTitle(text: string): string {
  let lead = text.slice(0, TITLE_WINDOW);
  const caption = PHOTO_CAPTION.exec(lead);
  if (caption !== null && lead.length - caption[0].length > CLAUSE_MIN_CHARS) lead = lead.slice(caption[0].length);
  let sentence = firstSentence(lead);
  sentence = sentence.replace(/[.…;:,]+$/u, '').replace(ATTRIBUTION, '');
  const title = sentence.length <= TITLE_MAX_CHARS ? sentence : shorten(sentence);
  return tidy(title);
}

/** The first sentence, extended by the next ones while it is too short to be a headline. */
function firstSentence(text: string): string {
  const ends = sentenceEnds(text, TITLE_WINDOW);
  for (const end of ends) {
    const candidate = text.slice(0, end).trim();
    if (candidate.split(/\s+/u).length >= SENTENCE_MIN_WORDS) return candidate;
  }
  return text.trim();
}

/**
 * Words that open a phrase (prepositions, infinitive "to", conjunctions, relatives): cutting just before
 * one leaves a complete phrase ("... took to the streets in Lima") instead of a torn one.
 */
const PHRASE_OPENERS =
  /\s(?:to|in|of|for|with|from|at|on|over|after|before|against|amid|as|by|during|following|since|while|which|who|that|and|but|because|where|when)\s/giu;

/**
 * Cuts a long sentence at its last clause boundary in reach, else before the last phrase opener in reach,
 * else at the last word boundary in reach.
 */
function shorten(sentence: string): string {
  // One character more than the slack, so the space after a boundary at the very limit is seen.
  const reach = sentence.slice(0, TITLE_MAX_CHARS + CLAUSE_SLACK_CHARS + 1);
  let clauseEnd = -1;
  for (const match of reach.matchAll(/\s*(?:[,;:]|\s[–—-])\s/gu)) {
    if (match.index >= CLAUSE_MIN_CHARS) clauseEnd = match.index;
  }
  if (clauseEnd > 0) return sentence.slice(0, clauseEnd);
  let phraseEnd = -1;
  for (const match of sentence.slice(0, TITLE_MAX_CHARS + 1).matchAll(PHRASE_OPENERS)) {
    if (match.index >= CLAUSE_MIN_CHARS) phraseEnd = match.index;
  }
  if (phraseEnd > 0) return sentence.slice(0, phraseEnd);
  const cut = sentence.slice(0, TITLE_MAX_CHARS + 1);
  const space = cut.lastIndexOf(' ');
  return space > 0 ? cut.slice(0, space) : cut.slice(0, TITLE_MAX_CHARS);
}

/** Drops dangling words and punctuation at the end, and an opening quote that the cut left unclosed. */
function tidy(title: string): string {
  let words = title.split(/\s+/u).filter((word) => word.length > 0);
  while (words.length > 1 && DANGLING.has(words[words.length - 1]!.toLowerCase().replace(/[^\p{L}]/gu, ''))) {
    words = words.slice(0, -1);
  }
  let result = words.join(' ').replace(/[\s,;:.…([{–—-]+$/u, '');
  const opens = (result.match(/[“«]/gu) ?? []).length;
  const closes = (result.match(/[”»]/gu) ?? []).length;
  if (opens > closes) result = result.replace(/[“«](?!.*[“«])/u, '');
  if ((result.match(/"/gu) ?? []).length % 2 === 1) result = result.replace(/"(?!.*")/u, '');
  return result.trim();
}
