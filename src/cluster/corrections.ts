import type { PlacementDecision } from '../model.js';

/**
 * Corrections made by hand (`feedmerge split`, `feedmerge merge`), applied to the stories the clustering core
 * made. Pure: memberships and corrections in, the operations that make the stories obey them out. Every run
 * calls it after clustering (and after re-clustering on a level change), so a correction outlives both.
 */

/** "This item is not part of that story": it is kept apart from the story-mates it had when split. */
interface SplitCorrection {
  readonly n: number;
  readonly kind: 'split';
  readonly at: string;
  readonly itemId: string;
  /** The story it was taken out of (as it was called then). */
  readonly fromStory: string;
  /** The other members of that story at the time: the item never shares a story with them again. */
  readonly apartFrom: readonly string[];
}

/** "These two stories are one": their members at the time stay together, under the older story's id. */
interface MergeCorrection {
  readonly n: number;
  readonly kind: 'merge';
  readonly at: string;
  /** The surviving (older) story and its members then. */
  readonly into: string;
  readonly intoItems: readonly string[];
  /** The story merged into it and its members then. */
  readonly from: string;
  readonly fromItems: readonly string[];
}

export type Correction = SplitCorrection | MergeCorrection;

/** One step that makes the stories obey the corrections, applied in order. */
export type CorrectionStep =
  | { readonly kind: 'move'; readonly itemId: string; readonly to: string; readonly correction: number }
  | { readonly kind: 'merge'; readonly from: string; readonly into: string; readonly correction: number };

/** The id of the story a split item gets: stable, so every run (and a re-clustering) gives it the same one. */
export function splitStoryId(itemId: string): string {
  return `${itemId}-split`;
}

/**
 * The steps that make `memberships` (item id -> story id, for the items the corrections name) obey the
 * corrections, taken in their order (a later one wins over an earlier one it contradicts). A merge joins every
 * story holding a member of either side into the story of the surviving side; a split moves the item to its own
 * story when it shares one with any of its former story-mates. None when the stories already obey.
 */
export function applyCorrections(memberships: ReadonlyMap<string, string>, corrections: readonly Correction[]): CorrectionStep[] {
  const where = new Map(memberships);
  const steps: CorrectionStep[] = [];
  for (const correction of [...corrections].sort((a, b) => a.n - b.n)) {
    if (correction.kind === 'merge') {
      const members = [...correction.intoItems, ...correction.fromItems].filter((id) => where.has(id));
      if (members.length === 0) continue;
      const target = where.get(correction.intoItems.find((id) => where.has(id)) ?? members[0]!)!;
      const others = [...new Set(members.map((id) => where.get(id)!))].filter((story) => story !== target).sort();
      for (const story of others) {
        steps.push({ kind: 'merge', from: story, into: target, correction: correction.n });
        for (const [item, at] of where) if (at === story) where.set(item, target);
      }
    } else {
      const story = where.get(correction.itemId);
      if (story === undefined) continue;
      if (!correction.apartFrom.some((id) => where.get(id) === story)) continue;
      const to = splitStoryId(correction.itemId);
      steps.push({ kind: 'move', itemId: correction.itemId, to, correction: correction.n });
      where.set(correction.itemId, to);
    }
  }
  return steps;
}

/** The items whose stories the corrections depend on. */
export function correctedItems(corrections: readonly Correction[]): string[] {
  return [...new Set(corrections.flatMap((c) => (c.kind === 'split' ? [c.itemId, ...c.apartFrom] : [...c.intoItems, ...c.fromItems])))];
}

/** A correction as `explain` shows it for one pair of items. */
export interface PairCorrection {
  readonly n: number;
  readonly kind: Correction['kind'];
  readonly reason: string;
}

/**
 * The corrections that decide whether items `a` and `b` share a story, as `explain` shows them: "split by hand
 * on <date>" when one was split out of a story holding the other, "merged by hand on <date>" when both belong to
 * stories merged by hand. Undone corrections are left out by the caller.
 */
export function correctionsOfPair(a: string, b: string, corrections: readonly Correction[]): PairCorrection[] {
  return corrections.flatMap((c): PairCorrection[] => {
    const day = c.at.slice(0, 10);
    if (c.kind === 'split') {
      const apart = (c.itemId === a && c.apartFrom.includes(b)) || (c.itemId === b && c.apartFrom.includes(a));
      return apart
        ? [{ n: c.n, kind: c.kind, reason: `split by hand on ${day} (correction ${c.n}): ${c.itemId} taken out of story ${c.fromStory}` }]
        : [];
    }
    const members = new Set([...c.intoItems, ...c.fromItems]);
    return members.has(a) && members.has(b)
      ? [{ n: c.n, kind: c.kind, reason: `merged by hand on ${day} (correction ${c.n}): story ${c.from} into ${c.into}` }]
      : [];
  });
}

/** The record of correction steps, as `explain` tells them ("split by hand", "merged by hand"). */
export function correctionDecisions(steps: readonly CorrectionStep[]): PlacementDecision[] {
  return steps.map((step) =>
    step.kind === 'move'
      ? {
          itemId: step.itemId,
          storyId: step.to,
          comparedWith: null,
          rule: 'split-by-hand',
          score: null,
          threshold: null,
          detail: `split by hand (correction ${step.correction}): the item is a story of its own and is never put back automatically`,
        }
      : {
          itemId: null,
          storyId: step.into,
          comparedWith: step.from,
          rule: 'merge-by-hand',
          score: null,
          threshold: null,
          detail: `merged by hand (correction ${step.correction})`,
        },
  );
}
