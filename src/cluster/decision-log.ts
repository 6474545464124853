import type { PlacementDecision } from '../model.js';
import { doubled } from './compact-vectors.js';

type Rule = PlacementDecision['rule'];

/**
 * The decisions of one clustering pass, held column by column until the result is built: a run of a million
 * items records a million decisions, and as objects (with their boxed scores) they were ~100 MB of the live heap
 * that V8 lets grow to about four times its live size before collecting (issue 13: 1M items under 2 GiB).
 */
export class DecisionLog {
  private readonly itemIds: (string | null)[] = [];
  private readonly storyIds: string[] = [];
  private readonly comparedWith: (string | null)[] = [];
  private readonly rules: Rule[] = [];
  /** Scores and thresholds; NaN stands for null (no decision records a NaN score). */
  private scores = new Float64Array(1024);
  private thresholds = new Float64Array(1024);
  /** The few decisions that carry their own sentence, by position. */
  private readonly details = new Map<number, string>();

  get length(): number {
    return this.storyIds.length;
  }

  push(decision: PlacementDecision): void {
    const at = this.storyIds.length;
    if (at === this.scores.length) [this.scores, this.thresholds] = [doubled(this.scores), doubled(this.thresholds)];
    this.itemIds.push(decision.itemId);
    this.storyIds.push(decision.storyId);
    this.comparedWith.push(decision.comparedWith);
    this.rules.push(decision.rule);
    this.scores[at] = decision.score ?? Number.NaN;
    this.thresholds[at] = decision.threshold ?? Number.NaN;
    if (decision.detail !== undefined) this.details.set(at, decision.detail);
  }

  /** The decisions as records, each story id mapped through `storyOf` (where a merged or renamed story ended). */
  toArray(storyOf: (id: string) => string): PlacementDecision[] {
    const out: PlacementDecision[] = new Array<PlacementDecision>(this.length);
    for (let i = 0; i < out.length; i += 1) {
      const score = this.scores[i]!;
      const threshold = this.thresholds[i]!;
      const decision: PlacementDecision = {
        itemId: this.itemIds[i]!,
        storyId: storyOf(this.storyIds[i]!),
        comparedWith: this.comparedWith[i]!,
        rule: this.rules[i]!,
        score: Number.isNaN(score) ? null : score,
        threshold: Number.isNaN(threshold) ? null : threshold,
      };
      const detail = this.details.get(i);
      out[i] = detail === undefined ? decision : { ...decision, detail };
    }
    return out;
  }
}
