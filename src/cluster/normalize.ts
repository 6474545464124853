/**
 * Text folding and per-item fingerprints for clustering. Pure: the same input always gives the same output.
 */
import type { ClusterInput } from '../model.js';

/** Language guessed from function words; `unknown` when the text is too short to tell. */
export type Language = 'en' | 'es' | 'unknown';

/** Everything the scorer needs about one item, computed once. */
export interface ItemFeatures {
  readonly input: ClusterInput;
  /** Folded title with any " | Outlet" suffix removed. */
  readonly titleKey: string;
  /** Folded summary (first words only, see THRESHOLDS.containmentWords). */
  readonly bodyKey: string;
  /** Content tokens of the title (stop words removed, lightly stemmed). */
  readonly titleTokens: readonly string[];
  /** Content tokens of the summary's first words. */
  readonly bodyTokens: readonly string[];
  /** Numbers written in the title ("100,000" -> "100000"). */
  readonly titleNumbers: readonly string[];
  /** Sequence markers ("part 2", "episode 3", trailing roman numerals). */
  readonly parts: readonly string[];
  readonly language: Language;
  /** Language-neutral anchors: numbers and 5-letter stems of capitalised non-function words. */
  readonly anchors: readonly string[];
  /** Name tokens of the author byline (for "same author" and "author named in the text"). */
  readonly authorTokens: readonly string[];
  /**
   * Folded publisher as read through one source: the source name, with the outlet it credits. Items sharing it
   * are judged more strictly (an outlet rarely runs one story twice). An outlet's own listing and another
   * source crediting that outlet differ: there, the same article is a re-publication, not a second story.
   */
  readonly sourceKey: string;
}

// Function words of the two languages seen in the seeds; words common to both ("a", "no") are in
// both lists but do not count for language detection (see LANGUAGE_ONLY_*).
const ENGLISH_STOP = [
  'a',
  'about',
  'after',
  'against',
  'all',
  'also',
  'an',
  'and',
  'are',
  'as',
  'at',
  'be',
  'been',
  'before',
  'being',
  'between',
  'both',
  'but',
  'by',
  'can',
  'could',
  'did',
  'do',
  'does',
  'down',
  'during',
  'each',
  'for',
  'from',
  'had',
  'has',
  'have',
  'he',
  'her',
  'here',
  'his',
  'how',
  'i',
  'if',
  'in',
  'into',
  'is',
  'it',
  'its',
  'just',
  'may',
  'me',
  'more',
  'most',
  'my',
  'new',
  'no',
  'not',
  'now',
  'of',
  'off',
  'on',
  'one',
  'only',
  'or',
  'other',
  'our',
  'out',
  'over',
  'own',
  'said',
  'say',
  'says',
  'she',
  'should',
  'since',
  'so',
  'some',
  'such',
  'than',
  'that',
  'the',
  'their',
  'them',
  'then',
  'there',
  'these',
  'they',
  'this',
  'those',
  'through',
  'to',
  'too',
  'under',
  'up',
  'us',
  'very',
  'was',
  'we',
  'were',
  'what',
  'when',
  'where',
  'which',
  'while',
  'who',
  'why',
  'will',
  'with',
  'would',
  'you',
  'your',
  'amid',
  'via',
  'vs',
  's',
  't',
  'get',
  'gets',
  'make',
  'makes',
];
const SPANISH_STOP = [
  'a',
  'al',
  'como',
  'con',
  'contra',
  'de',
  'del',
  'desde',
  'el',
  'ella',
  'en',
  'entre',
  'es',
  'esta',
  'este',
  'hasta',
  'la',
  'las',
  'lo',
  'los',
  'mas',
  'no',
  'o',
  'para',
  'pero',
  'por',
  'que',
  'se',
  'si',
  'sin',
  'sobre',
  'su',
  'sus',
  'un',
  'una',
  'uno',
  'y',
  'ya',
  'fue',
  'son',
  'han',
  'ha',
  'muy',
  'sigue',
  'les',
  'le',
];
const STOP = new Set([...ENGLISH_STOP, ...SPANISH_STOP]);
const ENGLISH_ONLY = new Set(ENGLISH_STOP.filter((w) => !SPANISH_STOP.includes(w) && w.length > 1));
const SPANISH_ONLY = new Set(SPANISH_STOP.filter((w) => !ENGLISH_STOP.includes(w) && w.length > 1));

/** Number words of both languages, so "three months" and "tres meses" share the anchor 3. */
const NUMBER_WORDS: ReadonlyMap<string, string> = new Map([
  ['one', '1'],
  ['two', '2'],
  ['three', '3'],
  ['four', '4'],
  ['five', '5'],
  ['six', '6'],
  ['seven', '7'],
  ['eight', '8'],
  ['nine', '9'],
  ['ten', '10'],
  ['first', '1'],
  ['second', '2'],
  ['third', '3'],
  ['fourth', '4'],
  ['fifth', '5'],
  ['uno', '1'],
  ['dos', '2'],
  ['tres', '3'],
  ['cuatro', '4'],
  ['cinco', '5'],
  ['seis', '6'],
  ['siete', '7'],
  ['ocho', '8'],
  ['nueve', '9'],
  ['diez', '10'],
  ['primero', '1'],
  ['primera', '1'],
  ['segundo', '2'],
  ['segunda', '2'],
  ['tercero', '3'],
  ['tercera', '3'],
]);

const ROMAN = /^(?=[ivxlc]+$)c{0,3}(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$/;
// Words that number a sequence ("Part II", "Episode 3", "second round"); "no" is left out, "no one" is common.
const SEQUENCE_WORDS = /^(?:part|parte|chapter|capitulo|episode|episodio|vol|volume|book|season|temporada|round|phase|fase)$/;

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const ASCII_WORD = /^[A-Za-z0-9]+$/;

/** "[...]", "[…]" and "…": a truncation, dropped. */
const ELLIPSIS = /\[\s*(?:\.\s*){3}\]|\u2026|\[\s*\u2026\s*\]/g;

/** NFKC, accents removed, quotes/dashes unified, "[...]" and ellipses dropped, lower case, spaces collapsed. */
function foldText(text: string): string {
  // Printable ASCII is its own NFKC and NFD, has no marks, curly quotes or dashes, and no space but ' ': most
  // headlines only need the ASCII rules, each skipped when its character is absent.
  if (PRINTABLE_ASCII.test(text)) {
    const cut = text.includes('[') ? text.replace(ELLIPSIS, ' ') : text;
    const lower = (cut.includes('`') ? cut.replaceAll('`', "'") : cut).toLowerCase();
    return (lower.includes('  ') ? lower.replace(/ {2,}/g, ' ') : lower).trim();
  }
  return text
    .normalize('NFKC')
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(ELLIPSIS, ' ')
    .replace(/[\u2018\u2019\u201a\u201b\u2032`]/g, "'")
    .replace(/[\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033]/g, '"')
    .replace(/[\u2010-\u2015\u2212]/g, '-')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** Removes a trailing " | Outlet" (always an outlet) or " - Outlet" / " – Outlet" naming the source or outlet. */
function stripOutletSuffix(foldedTitle: string, outletNames: readonly string[]): string {
  let title = foldedTitle.replace(/\s+\|\s+[^|]{1,60}$/, '');
  for (const name of outletNames) {
    if (name.length === 0) continue;
    for (const sep of [' - ', ': ']) {
      if (title.endsWith(`${sep}${name}`) && title.length > name.length + sep.length) {
        title = title.slice(0, -(name.length + sep.length));
      }
    }
  }
  return title.trim();
}

/** Light English/Spanish stemming: plurals only, enough for "elections"/"election". */
function stemToken(token: string): string {
  if (token.length > 4 && token.endsWith('ies')) return `${token.slice(0, -3)}y`;
  if (token.length > 3 && token.endsWith('s') && !/(?:ss|us|is)$/.test(token)) return token.slice(0, -1);
  return token;
}

/** Folded words of a folded text, digits kept together ("100,000" -> "100000"). */
function splitWords(folded: string): string[] {
  return folded.replace(/(\d)[,.](?=\d{3}\b)/g, '$1').match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Content tokens: no stop words, no single letters, plural-stemmed; number words become digits. */
function contentTokens(words: readonly string[]): string[] {
  const out: string[] = [];
  for (const word of words) {
    if (STOP.has(word)) continue;
    const number = NUMBER_WORDS.get(word);
    if (number !== undefined) {
      out.push(number);
      continue;
    }
    if (word.length < 2) continue;
    out.push(/^\d+$/.test(word) ? word : stemToken(word));
  }
  return out;
}

/** Sequence markers of a folded title: "part ii" -> "part:2", a trailing roman numeral -> "part:N". */
function sequenceMarkers(folded: string): string[] {
  const words = splitWords(folded);
  const out = new Set<string>();
  for (let i = 0; i < words.length - 1; i += 1) {
    if (SEQUENCE_WORDS.test(words[i]!)) {
      const value = ordinalValue(words[i + 1]!);
      if (value !== null) out.add(`part:${value}`);
    }
    if (SEQUENCE_WORDS.test(words[i + 1]!) && !/^\d+$/.test(words[i]!)) {
      const spelled = NUMBER_WORDS.get(words[i]!);
      if (spelled !== undefined) out.add(`part:${spelled}`);
    }
  }
  const last = words.at(-1);
  // A title ending in "II" or "IV" is a sequel marker; a lone "i" or "v" at the end is too ambiguous.
  if (last !== undefined && last.length >= 2 && ROMAN.test(last)) out.add(`part:${romanValue(last)}`);
  return [...out].sort();
}

function ordinalValue(word: string): number | null {
  if (/^\d{1,3}$/.test(word)) return Number(word);
  const spelled = NUMBER_WORDS.get(word);
  if (spelled !== undefined) return Number(spelled);
  if (ROMAN.test(word)) return romanValue(word);
  return null;
}

function romanValue(roman: string): number {
  const values: Record<string, number> = { i: 1, v: 5, x: 10, l: 50, c: 100 };
  let total = 0;
  for (let i = 0; i < roman.length; i += 1) {
    const current = values[roman[i]!]!;
    const next = values[roman[i + 1] ?? ''] ?? 0;
    total += current < next ? -current : current;
  }
  return total;
}

/** Guesses English or Spanish from function words only found in one of them. */
function guessLanguage(words: readonly string[]): Language {
  let en = 0;
  let es = 0;
  for (const word of words) {
    if (ENGLISH_ONLY.has(word)) en += 1;
    else if (SPANISH_ONLY.has(word)) es += 1;
  }
  // Three function words is the least that separates the seeds' one-line Spanish dek from English.
  if (en >= 3 && en > 3 * es) return 'en';
  if (es >= 3 && es > 3 * en) return 'es';
  return 'unknown';
}

/** Anchors that survive translation: numbers (digits or number words) and 5-letter stems of
 * capitalised words that are not function words (names, institutions, cognates). */
function languageAnchors(original: string): string[] {
  const out = new Set<string>();
  const raw = original.normalize('NFKC').match(/[\p{L}\p{N}]+/gu) ?? [];
  for (const token of raw) {
    // A token is letters and digits only: an ASCII one folds to its lower case.
    const folded = ASCII_WORD.test(token) ? token.toLowerCase() : foldText(token);
    const number = NUMBER_WORDS.get(folded);
    if (number !== undefined) out.add(`#${number}`);
    else if (/^\d+$/.test(folded)) out.add(`#${folded}`);
    else if (/^\p{Lu}/u.test(token) && folded.length >= 3 && !STOP.has(folded)) out.add(folded.slice(0, 5));
  }
  return [...out].sort();
}

/** Another item's features for `input`, an item with the same text (the same object shape as extractFeatures'). */
export function withInput(features: ItemFeatures, input: ClusterInput): ItemFeatures {
  return {
    input,
    titleKey: features.titleKey,
    bodyKey: features.bodyKey,
    titleTokens: features.titleTokens,
    bodyTokens: features.bodyTokens,
    titleNumbers: features.titleNumbers,
    parts: features.parts,
    language: features.language,
    anchors: features.anchors,
    authorTokens: features.authorTokens,
    sourceKey: features.sourceKey,
  };
}

// Bylines that name no person.
const GENERIC_AUTHORS = new Set(['staff', 'editor', 'editors', 'admin', 'reporter', 'correspondent', 'desk', 'and', 'by']);

/** Computes the features of one item. */
export function extractFeatures(input: ClusterInput, maxBodyWords: number): ItemFeatures {
  const feedKey = foldText(input.sourceName);
  const outletKey = input.outlet === null ? '' : foldText(input.outlet);
  const titleKey = stripOutletSuffix(foldText(input.title), [feedKey, outletKey]);
  // The publisher: the source itself, with the outlet a listing or an aggregator feed credits.
  const sourceKey = outletKey === '' ? feedKey : `${feedKey}\u0000${outletKey}`;
  const bodyWordsAll = splitWords(foldText(input.summary));
  const bodyWords = bodyWordsAll.slice(0, maxBodyWords);
  const titleWords = splitWords(titleKey);
  const authorTokens =
    input.author === null
      ? []
      : [...new Set(splitWords(foldText(input.author)).filter((w) => w.length >= 3 && !STOP.has(w) && !GENERIC_AUTHORS.has(w)))];
  return {
    input,
    titleKey,
    bodyKey: bodyWords.join(' '),
    titleTokens: contentTokens(titleWords),
    bodyTokens: contentTokens(bodyWords),
    titleNumbers: [...new Set(titleWords.filter((w) => /^\d+$/.test(w)))].sort(),
    parts: sequenceMarkers(titleKey),
    language: guessLanguage([...titleWords, ...bodyWords.slice(0, 80)]),
    anchors: languageAnchors(`${input.title} ${bodyWordsAll.length > 80 ? input.summary.slice(0, 600) : input.summary}`),
    authorTokens,
    sourceKey,
  };
}
