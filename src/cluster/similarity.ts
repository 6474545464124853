/**
 * Scoring a pair of items: string-similarity's Dice on titles, containment of a teaser in a full
 * text, tf-idf cosine (shared rare words weigh most), numbers and sequence markers, authors,
 * languages. Pure.
 */
import stringSimilarity from 'string-similarity';
import { HOUR_MS } from '../model.js';
import type { ItemFeatures, Language } from './normalize.js';
import { THRESHOLDS } from './thresholds.js';

/** Inverse document frequencies of the batch being clustered (rare words weigh more). */
export interface IdfModel {
  readonly documents: number;
  idf(token: string): number;
  /** Number of items carrying the token. */
  df(token: string): number;
}

/** A sparse, L2-normalised tf-idf vector. */
export type SparseVector = ReadonlyMap<string, number>;

/** Counts document frequencies over items' title and body tokens. */
export function buildIdf(items: Iterable<ItemFeatures>): IdfModel {
  const counts = new DocumentFrequencies();
  for (const item of items) counts.add(item);
  return counts.model();
}

/** buildIdf one item at a time (a caller that pauses between items). */
export class DocumentFrequencies {
  private readonly df = new Map<string, number>();
  private documents = 0;

  add(item: ItemFeatures): void {
    this.documents += 1;
    for (const token of new Set([...item.titleTokens, ...item.bodyTokens])) this.df.set(token, (this.df.get(token) ?? 0) + 1);
  }

  model(): IdfModel {
    const df = this.df;
    return {
      documents: this.documents,
      // ln(1 + scale/df), see THRESHOLDS.idfScale: positive for every token; unseen tokens weigh most.
      idf: (token) => Math.log(1 + THRESHOLDS.idfScale / (df.get(token) ?? 1)),
      df: (token) => df.get(token) ?? 0,
    };
  }
}

/** tf-idf vector of an item: title words weigh double, the summary's first words once. */
export function itemVector(item: ItemFeatures, idf: IdfModel, withBody = true, exclude?: ReadonlySet<string>): SparseVector {
  const weights = new Map<string, number>();
  const add = (token: string, weight: number): void => {
    if (exclude?.has(token)) return;
    weights.set(token, (weights.get(token) ?? 0) + weight * idf.idf(token));
  };
  for (const token of item.titleTokens) add(token, THRESHOLDS.titleWeight);
  if (withBody) for (const token of item.bodyTokens.slice(0, THRESHOLDS.vectorSummaryWords)) add(token, 1);
  return normalise(weights);
}

/** Mean cosine of two items of a stream, from the sum S of their n unit vectors: (|S|^2 - n) / (n(n - 1)),
 * shrunk towards THRESHOLDS.priorBackgroundCosine while the stream is short. */
export function backgroundCosine(items: Iterable<ItemFeatures>, idf: IdfModel): number {
  const sum = new Map<string, number>();
  let n = 0;
  for (const item of items) {
    n += 1;
    for (const [token, weight] of itemVector(item, idf)) sum.set(token, (sum.get(token) ?? 0) + weight);
  }
  let normSq = 0;
  for (const weight of sum.values()) normSq += weight * weight;
  const prior = THRESHOLDS.priorBackgroundPairs;
  return (Math.max(0, normSq - n) + THRESHOLDS.priorBackgroundCosine * prior) / (n * (n - 1) + prior);
}

/** Body-only tf-idf vector (for "same headline, compatible text"). */
function bodyVector(item: ItemFeatures, idf: IdfModel): SparseVector {
  const weights = new Map<string, number>();
  for (const token of item.bodyTokens.slice(0, THRESHOLDS.vectorSummaryWords)) {
    weights.set(token, (weights.get(token) ?? 0) + idf.idf(token));
  }
  return normalise(weights);
}

function normalise(weights: Map<string, number>): Map<string, number> {
  let norm = 0;
  for (const w of weights.values()) norm += w * w;
  norm = Math.sqrt(norm);
  if (norm > 0) for (const [k, w] of weights) weights.set(k, w / norm);
  return weights;
}

/** Dot product of two sparse vectors (iterates the smaller). */
export function dot(a: SparseVector, b: SparseVector): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let sum = 0;
  for (const [k, w] of small) {
    const other = large.get(k);
    if (other !== undefined) sum += w * other;
  }
  return sum;
}

/** Share of the shorter text's word 3-grams found in the longer one; null when the shorter is too short. */
function containment(a: string, b: string): number | null {
  const wa = a.length === 0 ? [] : a.split(' ');
  const wb = b.length === 0 ? [] : b.split(' ');
  const [short, long] = wa.length <= wb.length ? [wa, wb] : [wb, wa];
  if (short.length < THRESHOLDS.minContainmentWords) return null;
  const longShingles = new Set<string>();
  for (let i = 0; i + 2 < long.length; i += 1) longShingles.add(`${long[i]} ${long[i + 1]} ${long[i + 2]}`);
  let found = 0;
  let total = 0;
  for (let i = 0; i + 2 < short.length; i += 1) {
    total += 1;
    if (longShingles.has(`${short[i]} ${short[i + 1]} ${short[i + 2]}`)) found += 1;
  }
  return total === 0 ? null : found / total;
}

/** How the authors of two items relate. */
type AuthorLink = 'same' | 'named' | null;

/** Every measurement taken on a pair, before any decision. */
export interface PairScores {
  readonly titleDice: number;
  readonly titleWords: readonly [number, number];
  readonly containment: number | null;
  readonly cosine: number;
  readonly bodyCosine: number;
  readonly authorLink: AuthorLink;
  /** Cosine without the author-name tokens (topic shared besides the names). */
  readonly topicCosine: number;
  readonly partsA: readonly string[];
  readonly partsB: readonly string[];
  readonly partConflict: boolean;
  readonly numbersA: readonly string[];
  readonly numbersB: readonly string[];
  readonly numberConflict: boolean;
  readonly sameSource: boolean;
  readonly languages: readonly [Language, Language];
  readonly anchorJaccard: number;
  readonly sharedAnchors: number;
  /** Hours between the two items' times. */
  readonly gapHours: number;
}

/** Sequence markers that differ ("part:1" vs "part:2"): two instalments, never one article. */
export function partsConflict(a: ItemFeatures, b: ItemFeatures): boolean {
  if (a.parts.length === 0 && b.parts.length === 0) return false;
  // One side numbered and the other not ("X" vs "X, Part II") is a conflict too: the sequel shares the headline.
  return a.parts.join(',') !== b.parts.join(',');
}

/** Both titles carry numbers and they are not the same numbers ("100,000" vs "200,000"). */
function numbersConflict(a: ItemFeatures, b: ItemFeatures): boolean {
  if (a.titleNumbers.length === 0 || b.titleNumbers.length === 0) return false;
  return a.titleNumbers.join(',') !== b.titleNumbers.join(',');
}

/** Whether the cheaper rules that work below the cosine prefilter could apply. */
export function needsFullComparison(a: ItemFeatures, b: ItemFeatures): boolean {
  const crossLanguage = a.language !== 'unknown' && b.language !== 'unknown' && a.language !== b.language;
  return crossLanguage || a.authorTokens.length >= THRESHOLDS.minAuthorTokens || b.authorTokens.length >= THRESHOLDS.minAuthorTokens;
}

/** Measures a pair. `known.cosine` is the tf-idf cosine when the caller already computed it (the assignment
 * loop does, on compact vectors, bit-identical to `dot` on these). */
export function scorePair(a: ItemFeatures, b: ItemFeatures, idf: IdfModel, known?: { readonly cosine: number }): PairScores {
  const cosine = known?.cosine ?? dot(itemVector(a, idf), itemVector(b, idf));
  const authorLink = linkAuthors(a, b, idf);
  let topicCosine = cosine;
  if (authorLink !== null) {
    const names = new Set([...a.authorTokens, ...b.authorTokens]);
    topicCosine = dot(itemVector(a, idf, true, names), itemVector(b, idf, true, names));
  }
  const anchorsB = new Set(b.anchors);
  const sharedAnchors = a.anchors.filter((x) => anchorsB.has(x)).length;
  const unionAnchors = a.anchors.length + b.anchors.length - sharedAnchors;
  return {
    titleDice: a.titleKey.length === 0 || b.titleKey.length === 0 ? 0 : stringSimilarity.compareTwoStrings(a.titleKey, b.titleKey),
    titleWords: [a.titleTokens.length, b.titleTokens.length],
    containment: containment(a.bodyKey, b.bodyKey),
    cosine,
    bodyCosine: dot(bodyVector(a, idf), bodyVector(b, idf)),
    authorLink,
    topicCosine,
    partsA: a.parts,
    partsB: b.parts,
    partConflict: partsConflict(a, b),
    numbersA: a.titleNumbers,
    numbersB: b.titleNumbers,
    numberConflict: numbersConflict(a, b),
    sameSource: a.sourceKey === b.sourceKey,
    languages: [a.language, b.language],
    anchorJaccard: unionAnchors === 0 ? 0 : sharedAnchors / unionAnchors,
    sharedAnchors,
    gapHours: Math.abs(a.input.time - b.input.time) / HOUR_MS,
  };
}

function linkAuthors(a: ItemFeatures, b: ItemFeatures, idf: IdfModel): AuthorLink {
  const min = THRESHOLDS.minAuthorTokens;
  // A name every other item mentions ("Pedro Castillo" writing about Peru) identifies nothing.
  const rareLimit = Math.max(THRESHOLDS.authorNameMinDf, THRESHOLDS.authorNameMaxShare * idf.documents);
  if (a.authorTokens.length >= min && b.authorTokens.length >= min) {
    const setB = new Set(b.authorTokens);
    const shared = a.authorTokens.filter((t) => setB.has(t)).length;
    if (shared >= min && shared === Math.min(a.authorTokens.length, b.authorTokens.length)) return 'same';
  }
  const named = (author: ItemFeatures, other: ItemFeatures): boolean => {
    if (author.authorTokens.length < min) return false;
    const words = new Set(`${other.titleKey} ${other.bodyKey}`.split(/[^\p{L}\p{N}]+/u));
    return author.authorTokens.every((t) => words.has(t) && idf.df(t) <= rareLimit);
  };
  return named(a, b) || named(b, a) ? 'named' : null;
}

/** The duplicate-level verdict on a pair: the rule that fired (or blocked) and why. */
export interface PairVerdict {
  readonly duplicate: boolean;
  readonly rule: string;
  readonly reason: string;
}

/** Decides whether two items are the same article (re-published, truncated, re-titled or translated). */
export function judgeDuplicate(s: PairScores): PairVerdict {
  const t = THRESHOLDS;
  const f = (x: number): string => x.toFixed(2);
  if (s.partConflict) {
    return {
      duplicate: false,
      rule: 'sequence-veto',
      reason: `sequence markers differ (${s.partsA.join(' ') || 'none'} vs ${s.partsB.join(' ') || 'none'}): different instalments`,
    };
  }
  if (s.numberConflict) {
    return { duplicate: false, rule: 'number-veto', reason: `title numbers differ (${s.numbersA.join(' ')} vs ${s.numbersB.join(' ')})` };
  }
  const [la, lb] = s.languages;
  if (la !== 'unknown' && lb !== 'unknown' && la !== lb) {
    const ok = s.anchorJaccard >= t.crossLanguageAnchorJaccard && s.sharedAnchors >= t.minCrossLanguageAnchors;
    return {
      duplicate: ok,
      rule: 'translation',
      reason:
        `${la} vs ${lb}: ${s.sharedAnchors} shared anchors, Jaccard ${f(s.anchorJaccard)} ${ok ? '>=' : '<'} ` +
        `${t.crossLanguageAnchorJaccard} (need >= ${t.minCrossLanguageAnchors} anchors)`,
    };
  }
  const shortTitle = Math.min(...s.titleWords) < t.minTitleWords;
  const headlinesOnly = s.containment === null && s.bodyCosine === 0;
  const containmentText = s.containment === null ? 'n/a' : f(s.containment);
  if (s.sameSource) {
    const titleOk = s.titleDice >= t.sameSourceTitleDice;
    // A source re-listing its own headline later, with nothing else to compare, is a recurring title
    // ("Sector Update: Consumer", a weekly column) or a follow-up: the late-title rule holds here too.
    if (titleOk && headlinesOnly && s.gapHours > t.titleOnlyMaxGapHours) {
      return {
        duplicate: false,
        rule: 'title-too-late',
        reason: `same source, same headline but ${headlinesApart(s)}`,
      };
    }
    const bodyOk =
      s.containment === null ? s.bodyCosine >= t.sameSourceContainment || s.bodyCosine === 0 : s.containment >= t.sameSourceContainment;
    return titleOk && bodyOk
      ? {
          duplicate: true,
          rule: 'same-source-repeat',
          reason: `same source, title Dice ${f(s.titleDice)} >= ${t.sameSourceTitleDice} and the same text`,
        }
      : {
          duplicate: false,
          rule: 'same-source',
          reason: `same source lists different stories unless near-verbatim (title Dice ${f(s.titleDice)}, containment ${containmentText})`,
        };
  }
  if (s.containment !== null && s.containment >= t.containment) {
    return {
      duplicate: true,
      rule: 'containment',
      reason: `${f(s.containment)} of the shorter text's 3-grams are in the longer (>= ${t.containment})`,
    };
  }
  if (s.titleDice >= t.sameTitleDice && !shortTitle) {
    if (headlinesOnly && s.gapHours > t.titleOnlyMaxGapHours) {
      return {
        duplicate: false,
        rule: 'title-too-late',
        reason: `title Dice ${f(s.titleDice)} but ${headlinesApart(s)}`,
      };
    }
    const bodyOk = s.containment === null ? true : s.containment >= t.bodyCompatibleContainment || s.bodyCosine >= t.bodyCompatibleCosine;
    return bodyOk
      ? { duplicate: true, rule: 'title', reason: `title Dice ${f(s.titleDice)} >= ${t.sameTitleDice} and compatible texts` }
      : {
          duplicate: false,
          rule: 'title-body-mismatch',
          reason: `title Dice ${f(s.titleDice)} but texts differ (containment ${f(s.containment ?? 0)}, body cosine ${f(s.bodyCosine)})`,
        };
  }
  if (s.authorLink === 'named' && s.topicCosine >= t.authorLinkCosine) {
    return {
      duplicate: true,
      rule: 'author-named',
      reason: `one item names the other's authors and they share topic (cosine ${f(s.topicCosine)} >= ${t.authorLinkCosine})`,
    };
  }
  if (s.authorLink === 'same' && s.topicCosine >= t.bodyCompatibleCosine) {
    return {
      duplicate: true,
      rule: 'same-author',
      reason: `same author and shared topic (cosine ${f(s.topicCosine)} >= ${t.bodyCompatibleCosine})`,
    };
  }
  return {
    duplicate: false,
    rule: 'no-rule',
    reason:
      `title Dice ${f(s.titleDice)} < ${t.sameTitleDice}${shortTitle ? ' (or title too short)' : ''}, ` +
      `containment ${containmentText} < ${t.containment}, no author link`,
  };
}

/** Why two bare headlines are too far apart in time to be one article, for a verdict's reason. */
function headlinesApart(s: PairScores): string {
  return `only headlines to compare and ${s.gapHours.toFixed(1)} h apart (> ${THRESHOLDS.titleOnlyMaxGapHours} h)`;
}
