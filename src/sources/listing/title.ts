/**
 * Headlines for teaser-only listings: the first sentence, with photo captions, "X reports" attributions,
 * asides ("— with the aid of X —", "Castillo, leader of Y, won") and a leading subordinate clause ("When X,
 * ...") left out, cut where what remains still reads as a short sentence (it keeps a verb).
 */
import { sentenceEnds } from './shape.js';

/** Derived titles aim at this length: a long headline, and what feed readers show on one line. */
const TITLE_MAX_CHARS = 100;
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
const ATTRIBUTION = new RegExp(
  String.raw`,\s*(?:reports?|writes?|says?|explains?|argues?|notes?)\s+(?:the\s+)?` +
    String.raw`\p{Lu}[\p{L}'’.-]*(?:\s+\p{Lu}[\p{L}'’.-]*){0,3}$`,
  'u',
);

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
  if (sentence.length <= TITLE_MAX_CHARS) return tidy(sentence);
  let simpler = mainClause(withoutAsides(sentence));
  if (simpler.length > TITLE_MAX_CHARS && !cutKeepsVerb(simpler)) simpler = withoutSubjectModifier(simpler);
  return tidy(simpler.length <= TITLE_MAX_CHARS ? simpler : shorten(simpler));
}

/** A modifier closing a long subject ("movements from across Latin America and the Caribbean met"). */
const SUBJECT_MODIFIER = /\s(?:from|across|in|at|with|around)\s/gu;

/**
 * When the verb comes too late for any cut to keep it, the subject's last modifier goes
 * ("Hundreds of organisations from across Latin America and the Caribbean met at ..." -> "Hundreds of
 * organisations met at ...").
 */
function withoutSubjectModifier(sentence: string): string {
  const verb = firstVerbAt(sentence);
  if (verb === undefined) return sentence;
  const opener = [...sentence.slice(0, verb).matchAll(SUBJECT_MODIFIER)].map((m) => m.index).findLast((at) => at >= CLAUSE_MIN_CHARS);
  return opener === undefined ? sentence : `${sentence.slice(0, opener)} ${sentence.slice(verb)}`;
}

/** Whether some cut within the title's reach keeps a verb. */
function cutKeepsVerb(sentence: string): boolean {
  const verb = firstVerbAt(sentence);
  return verb !== undefined && sentence.indexOf(' ', verb) <= TITLE_MAX_CHARS;
}

/** Dash asides ("far-right — with the aid of the US — to overturn") and a subject's appositive ("Castillo, leader of X, won"). */
const DASH_ASIDE = /\s[—–]\s[^—–]{1,120}?\s[—–]\s/u;
const APPOSITIVE = /^([^,]{3,80}?\p{Lu}[\p{L}'’.-]*), ((?:the |a |an )?\p{Ll}[^,]{2,80}?), (?=\p{Ll})/u;

/** The sentence without asides, when it still has a verb after they go. */
function withoutAsides(sentence: string): string {
  let out = sentence.replace(DASH_ASIDE, ' ');
  const appositive = APPOSITIVE.exec(out);
  if (appositive !== null && !hasVerb(appositive[1]!) && !hasVerb(appositive[2]!))
    out = `${appositive[1]!} ${out.slice(appositive[0].length)}`;
  return hasVerb(out) ? out : sentence;
}

/** Conjunctions that open a subordinate clause: "When the time came for X, the hopefuls elected ...". */
const SUBORDINATE_OPENER = /^(?:when|while|as|after|before|although|though|if|because|since|once|until|despite)\s/iu;

/** A sentence opening with a subordinate clause reads as its main clause (the part after the first comma). */
function mainClause(sentence: string): string {
  if (!SUBORDINATE_OPENER.test(sentence)) return sentence;
  const comma = sentence.indexOf(', ');
  if (comma < 0) return sentence;
  const main = sentence.slice(comma + 2);
  if (main.split(/\s+/u).length < SENTENCE_MIN_WORDS || !hasVerb(main)) return sentence;
  return main.charAt(0).toUpperCase() + main.slice(1);
}

/**
 * Finite verbs a headline needs to read as a sentence: auxiliaries, frequent news verbs in any form, and
 * past forms in "-ed". A heuristic, deliberately small: it only chooses between cut points, and when no cut
 * keeps a verb the plain cut stands.
 */
const VERBS = new Set(
  (
    'is are was were be been has have had will would can could should may might must do does did ' +
    'say says said take takes took make makes made win wins won meet meets met look looks see sees saw go goes went ' +
    'come comes came call calls give gives gave get gets got leave leaves left find finds found tell tells told ' +
    'become becomes became hold holds held keep keeps kept lead leads run runs ran stand stands stood face faces ' +
    'explain explains want wants demand demands warn warns vow vows plan plans seek seeks sought set sets ' +
    'begin begins began show shows hit hits cut cuts fall falls fell rise rises rose bring brings brought'
  ).split(' '),
);

function isVerb(word: string): boolean {
  const w = word.toLowerCase();
  return VERBS.has(w) || (w.length >= 5 && w.endsWith('ed') && !w.endsWith('eed'));
}

function hasVerb(text: string): boolean {
  return firstVerbAt(text) !== undefined;
}

/** Where the first verb after the first word starts, if any. */
function firstVerbAt(text: string): number | undefined {
  for (const match of text.matchAll(/[\p{L}'’]+/gu)) if (match.index > 0 && isVerb(match[0])) return match.index;
  return undefined;
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
const PHRASE_OPENERS = new RegExp(
  String.raw`\s(?:${[
    ...['to', 'in', 'of', 'for', 'with', 'from', 'at', 'on', 'over', 'after', 'before', 'against', 'amid', 'as', 'by', 'during'],
    ...['following', 'since', 'while', 'which', 'who', 'that', 'and', 'but', 'because', 'where', 'when'],
  ].join('|')})\s`,
  'giu',
);

/**
 * Cuts a long sentence at its last clause boundary in reach, else before the last phrase opener in reach,
 * else at the last word boundary in reach.
 */
function shorten(sentence: string): string {
  // One character more than the slack, so the space after a boundary at the very limit is seen.
  const reach = sentence.slice(0, TITLE_MAX_CHARS + CLAUSE_SLACK_CHARS + 1);
  const clauses = [...reach.matchAll(/\s*(?:[,;:]|\s[–—-])\s/gu)].map((m) => m.index).filter((at) => at >= CLAUSE_MIN_CHARS);
  const phrases = [...sentence.slice(0, TITLE_MAX_CHARS + 1).matchAll(PHRASE_OPENERS)]
    .map((m) => m.index)
    .filter((at) => at >= CLAUSE_MIN_CHARS);
  // A cut that keeps a verb reads as a short sentence; one that does not ("Leaders of X and Y") as a fragment.
  const withVerb = (at: number): boolean => hasVerb(sentence.slice(0, at));
  const clauseEnd = clauses.findLast(withVerb) ?? (phrases.some(withVerb) ? undefined : clauses.at(-1));
  if (clauseEnd !== undefined) return sentence.slice(0, clauseEnd);
  const phraseEnd = phrases.findLast(withVerb) ?? phrases.at(-1);
  if (phraseEnd !== undefined) return sentence.slice(0, phraseEnd);
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
