/**
 * The stream's background similarity, kept up to date as stories grow, merge and leave the window: the mean
 * cosine of two items of different live stories, (|S|^2 - sum |S_c|^2) / (N^2 - sum n_c^2), with S the sum of
 * every live item vector and S_c a story's centroid (the sum of its members'). Pairs inside a story are left
 * out, so a stream of few, large stories does not look more alike than it is. O(1) to read.
 */
import { addToSum, doubled, type CompactCentroid, type CompactVector } from './compact-vectors.js';
import { THRESHOLDS } from './thresholds.js';

/** The sum of every live item vector, dense by token id (ids are small integers, see TokenTable). */
class DenseSum {
  private weights = new Float64Array(1024);

  get(token: number): number {
    return token < this.weights.length ? this.weights[token]! : 0;
  }

  /** Adds `weight` to the token's sum; returns the sum before. */
  add(token: number, weight: number): number {
    while (token >= this.weights.length) this.weights = doubled(this.weights);
    const before = this.weights[token]!;
    this.weights[token] = before + weight;
    return before;
  }

  set(token: number, weight: number): void {
    this.weights[token] = weight;
  }
}

export class StoryBackground {
  private readonly total = new DenseSum();
  private totalNormSq = 0;
  private withinNormSq = 0;
  private items = 0;
  private withinPairs = 0;

  /** A new item joined a story: its vector enters the sum, the story's own norm and size moved. */
  itemAdded(vector: CompactVector, storyNormSqBefore: number, storyNormSqAfter: number, storySizeBefore: number): void {
    this.totalNormSq += addToSum(this.total, vector);
    this.items += 1;
    this.withinNormSq += storyNormSqAfter - storyNormSqBefore;
    this.withinPairs += 2 * storySizeBefore + 1;
  }

  /** Two stories became one (the items stay): only the within-story part moves. */
  storiesMerged(normSqInto: number, normSqFrom: number, normSqAfter: number, sizeInto: number, sizeFrom: number): void {
    this.withinNormSq += normSqAfter - normSqInto - normSqFrom;
    this.withinPairs += 2 * sizeInto * sizeFrom;
  }

  /** A story left the window: its items leave the sum. */
  storyRemoved(centroid: CompactCentroid, normSq: number, size: number): void {
    let cross = 0;
    for (let k = 0; k < centroid.ids.length; k += 1) {
      const token = centroid.ids[k]!;
      const weight = centroid.weights[k]!;
      const before = this.total.get(token);
      cross += before * weight;
      const after = before - weight;
      // A token no live item carries any more sums to exactly 0, not to a rounding residue.
      this.total.set(token, Math.abs(after) < 1e-12 ? 0 : after);
    }
    this.totalNormSq += normSq - 2 * cross;
    this.items -= size;
    this.withinNormSq -= normSq;
    this.withinPairs -= size * size;
  }

  /** The mean cosine between stories, shrunk towards the prior while few pairs are known; null with no pair. */
  betweenStoriesCosine(): number | null {
    const pairs = this.items * this.items - this.withinPairs;
    if (pairs <= 0) return null;
    const prior = THRESHOLDS.priorBackgroundPairs;
    return (Math.max(0, this.totalNormSq - this.withinNormSq) + THRESHOLDS.priorBackgroundCosine * prior) / (pairs + prior);
  }
}
