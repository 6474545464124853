/**
 * Blocking: which clusters are worth scoring for a new item. An inverted index from rare tokens to
 * the clusters whose members carry them, pruned by the time window, so no run compares all pairs. Pure.
 */
import type { ItemFeatures } from './normalize.js';
import type { IdfModel } from './similarity.js';
import { THRESHOLDS } from './thresholds.js';

interface Posting {
  clusters: string[];
  times: number[];
  /** Entries before this index are older than the window of every later (time-sorted) lookup. */
  start: number;
}

/** Tokens an item is indexed and looked up under: every title token plus its rarest body tokens. */
export function blockingTokens(item: ItemFeatures, idf: IdfModel): string[] {
  const title = new Set(item.titleTokens);
  // Rarest first, ties by token so the choice is deterministic.
  const body = [...new Set(item.bodyTokens.slice(0, THRESHOLDS.vectorSummaryWords))]
    .filter((t) => !title.has(t))
    .map((t) => [t, idf.idf(t)] as const)
    .sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))
    .slice(0, THRESHOLDS.blockingTokens)
    .map(([t]) => t);
  return [...title, ...body];
}

/** Token -> clusters index with time pruning; lookups must come in non-decreasing time order. */
export class BlockingIndex {
  private readonly postings = new Map<string, Posting>();

  constructor(private readonly windowMs: number) {}

  /** Records that `clusterId` has a member at `time` carrying these tokens. */
  add(clusterId: string, tokens: readonly string[], time: number): void {
    for (const token of tokens) {
      let posting = this.postings.get(token);
      if (posting === undefined) {
        posting = { clusters: [], times: [], start: 0 };
        this.postings.set(token, posting);
      }
      posting.clusters.push(clusterId);
      posting.times.push(time);
    }
  }

  /** Cluster ids (possibly stale: resolve merges) sharing tokens with the item inside the window, with the
   * summed weight of the shared tokens (a cheap upper estimate of the similarity, used to rank them). */
  lookup(tokens: readonly string[], weights: ReadonlyMap<string, number>, time: number): Map<string, number> {
    const found = new Map<string, number>();
    const oldest = time - this.windowMs;
    for (const token of tokens) {
      const posting = this.postings.get(token);
      if (posting === undefined) continue;
      while (posting.start < posting.times.length && posting.times[posting.start]! < oldest) posting.start += 1;
      if (posting.start > 1024 && posting.start * 2 > posting.times.length) compact(posting);
      const live = posting.times.length - posting.start;
      // Too common to tell stories apart; a real match shares rarer tokens too.
      if (live > THRESHOLDS.maxPostingLength) continue;
      const weight = weights.get(token) ?? 0;
      const seen = new Set<string>();
      for (let i = posting.start; i < posting.clusters.length; i += 1) {
        const t = posting.times[i]!;
        const id = posting.clusters[i]!;
        if (t >= oldest && t <= time + this.windowMs && !seen.has(id)) {
          seen.add(id);
          found.set(id, (found.get(id) ?? 0) + weight);
        }
      }
    }
    return found;
  }
}

/** Drops pruned entries so memory follows the window, not the whole history. */
function compact(posting: Posting): void {
  posting.clusters = posting.clusters.slice(posting.start);
  posting.times = posting.times.slice(posting.start);
  posting.start = 0;
}
