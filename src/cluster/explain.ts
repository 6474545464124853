/**
 * Why two items are or are not merged: every score, the threshold it meets or misses, and the
 * decision, computed with the same rules assignToClusters applies. Pure.
 */
import { DAY_MS, type ClusterInput } from '../model.js';
import type { ClusterOptions } from './assign.js';
import { extractFeatures } from './normalize.js';
import { backgroundCosine, buildIdf, dot, itemVector, judgeDuplicate, scorePair, type PairScores, type PairVerdict } from './similarity.js';
import { THRESHOLDS } from './thresholds.js';

/** One measured signal of a pair. */
interface ScoreLine {
  readonly name: string;
  readonly value: string;
  /** The threshold it is compared with, or "" for signals that only inform. */
  readonly threshold: string;
  /** Whether it meets its threshold; null when it has none. */
  readonly passed: boolean | null;
}

/** The full explanation of a pair decision. */
export interface PairExplanation {
  readonly a: { readonly id: string; readonly title: string; readonly sourceName: string };
  readonly b: { readonly id: string; readonly title: string; readonly sourceName: string };
  readonly level: ClusterOptions['level'];
  readonly withinWindow: boolean;
  readonly scores: readonly ScoreLine[];
  /** The duplicate-level verdict (also the strong link at the stories level). */
  readonly duplicate: PairVerdict;
  /** Cosine threshold a `stories` merge needed after penalties (null at the duplicates level). */
  readonly storyThreshold: number | null;
  readonly merged: boolean;
  readonly reason: string;
}

/** Why two items are / are not merged: every score, the threshold it was compared with, the decision and reason.
 * `context` (optional) are other items of the batch, so rare-word weights match what a run would use. */
export function explainPair(
  a: ClusterInput,
  b: ClusterInput,
  options: ClusterOptions,
  context: readonly ClusterInput[] = [],
): PairExplanation {
  const maxWords = THRESHOLDS.containmentWords;
  const fa = extractFeatures(a, maxWords);
  const fb = extractFeatures(b, maxWords);
  const others = context.filter((c) => c.id !== a.id && c.id !== b.id).map((c) => extractFeatures(c, maxWords));
  const idf = buildIdf([fa, fb, ...others]);
  const vectorA = itemVector(fa, idf);
  const vectorB = itemVector(fb, idf);
  const s = scorePair(fa, fb, idf, { cosine: dot(vectorA, vectorB) });
  const sharedWords = [...vectorA.keys()].filter((token) => vectorB.has(token)).length;
  const duplicate = judgeDuplicate(s);
  const withinWindow = Math.abs(a.time - b.time) <= options.windowDays * DAY_MS;
  const penalties =
    (THRESHOLDS.storyGapPenaltyPerSpan * s.gapHours) / THRESHOLDS.minStorySpanHours +
    (s.sameSource && !duplicate.duplicate ? THRESHOLDS.sameSourcePenalty : 0);
  // The batch's background, as assignment measures it before any story exists.
  const background = backgroundCosine([fa, fb, ...others], idf);
  const storyThreshold = options.level === 'stories' ? THRESHOLDS.storyThresholdPerBackground * Math.sqrt(background) + penalties : null;
  let merged: boolean;
  let reason: string;
  if (!withinWindow) {
    merged = false;
    reason = `published more than ${options.windowDays} days apart: never compared`;
  } else if (s.partConflict || s.numberConflict) {
    merged = false;
    reason = duplicate.reason;
  } else if (duplicate.duplicate) {
    merged = true;
    reason = `same article (${duplicate.rule}): ${duplicate.reason}`;
  } else if (storyThreshold !== null && s.cosine >= storyThreshold && sharedWords >= THRESHOLDS.minStoryWords) {
    merged = true;
    reason = `same story: tf-idf cosine ${s.cosine.toFixed(2)} >= ${storyThreshold.toFixed(2)}, ${sharedWords} words shared`;
  } else if (storyThreshold !== null && s.cosine >= storyThreshold) {
    merged = false;
    const cosine = `cosine ${s.cosine.toFixed(2)} >= ${storyThreshold.toFixed(2)}`;
    reason = `not the same article (${duplicate.reason}), and ${cosine} rests on one shared word`;
  } else {
    merged = false;
    const raised = penalties > 0 ? ' (raised by the time-gap / same-source penalties)' : '';
    reason =
      storyThreshold === null
        ? `not the same article: ${duplicate.reason}`
        : `not the same article (${duplicate.reason}) and cosine ${s.cosine.toFixed(2)} < ${storyThreshold.toFixed(2)}${raised}`;
  }
  return {
    a: { id: a.id, title: a.title, sourceName: a.sourceName },
    b: { id: b.id, title: b.title, sourceName: b.sourceName },
    level: options.level,
    withinWindow,
    scores: scoreLines(s, storyThreshold, sharedWords),
    duplicate,
    storyThreshold,
    merged,
    reason,
  };
}

function scoreLines(s: PairScores, storyThreshold: number | null, sharedWords: number): ScoreLine[] {
  const t = THRESHOLDS;
  const f = (x: number): string => x.toFixed(3);
  const lines: ScoreLine[] = [
    {
      name: 'title Dice',
      value: f(s.titleDice),
      threshold: `>= ${s.sameSource ? t.sameSourceTitleDice : t.sameTitleDice}`,
      passed: s.titleDice >= (s.sameSource ? t.sameSourceTitleDice : t.sameTitleDice),
    },
    {
      name: 'text containment',
      value: s.containment === null ? 'n/a (a text is too short)' : f(s.containment),
      threshold: `>= ${s.sameSource ? t.sameSourceContainment : t.containment}`,
      passed: s.containment === null ? null : s.containment >= (s.sameSource ? t.sameSourceContainment : t.containment),
    },
    {
      name: 'tf-idf cosine',
      value: f(s.cosine),
      threshold: storyThreshold === null ? '' : `>= ${storyThreshold.toFixed(2)} (stories)`,
      passed: storyThreshold === null ? null : s.cosine >= storyThreshold,
    },
    {
      name: 'shared words',
      value: String(sharedWords),
      threshold: storyThreshold === null ? '' : `>= ${t.minStoryWords} (stories)`,
      passed: storyThreshold === null ? null : sharedWords >= t.minStoryWords,
    },
    { name: 'body cosine', value: f(s.bodyCosine), threshold: '', passed: null },
    { name: 'author link', value: s.authorLink ?? 'none', threshold: '', passed: null },
    {
      name: 'sequence markers',
      value: `${s.partsA.join(' ') || '-'} / ${s.partsB.join(' ') || '-'}`,
      threshold: 'equal',
      passed: !s.partConflict,
    },
    {
      name: 'title numbers',
      value: `${s.numbersA.join(' ') || '-'} / ${s.numbersB.join(' ') || '-'}`,
      threshold: 'equal or absent',
      passed: !s.numberConflict,
    },
    { name: 'time gap', value: `${s.gapHours.toFixed(1)} h`, threshold: '', passed: null },
    { name: 'same source', value: s.sameSource ? 'yes (stricter rules)' : 'no', threshold: '', passed: null },
    { name: 'languages', value: `${s.languages[0]} / ${s.languages[1]}`, threshold: '', passed: null },
    {
      name: 'anchor Jaccard',
      value: `${f(s.anchorJaccard)} (${s.sharedAnchors} shared)`,
      threshold: `>= ${t.crossLanguageAnchorJaccard} (translations)`,
      passed: s.anchorJaccard >= t.crossLanguageAnchorJaccard && s.sharedAnchors >= t.minCrossLanguageAnchors,
    },
  ];
  return lines;
}

/** Human-readable, multi-line rendering of an explanation, for `feedmerge explain`. */
export function formatExplanation(explanation: PairExplanation): string {
  const e = explanation;
  const mark = (passed: boolean | null): string => (passed === null ? ' ' : passed ? '+' : '-');
  const width = Math.max(...e.scores.map((l) => l.name.length));
  const lines = [
    `A: ${e.a.title} [${e.a.sourceName}] (${e.a.id})`,
    `B: ${e.b.title} [${e.b.sourceName}] (${e.b.id})`,
    `level: ${e.level}`,
    '',
    ...e.scores.map((l) => `${mark(l.passed)} ${l.name.padEnd(width)}  ${l.value}${l.threshold ? `   (${l.threshold})` : ''}`),
    '',
    `duplicate rule: ${e.duplicate.rule}: ${e.duplicate.reason}`,
    `decision: ${e.merged ? 'MERGED' : 'NOT MERGED'}: ${e.reason}`,
  ];
  return lines.join('\n');
}
