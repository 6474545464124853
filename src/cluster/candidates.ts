/**
 * Blocking: which clusters are worth scoring for a new item. An inverted index from rare tokens to
 * the clusters whose members carry them, pruned by the time window, so no run compares all pairs. Pure.
 */
import { doubled } from './compact-vectors.js';
import type { ItemFeatures, Language } from './normalize.js';
import type { IdfModel } from './similarity.js';
import { THRESHOLDS } from './thresholds.js';

interface Posting {
  /** Cluster handles (small integers, see BlockingIndex.handles), times and traits (see traitsOf), in
   * insertion (time) order. */
  clusters: number[];
  times: number[];
  traits: number[];
  /** Entries before this index are older than the window of every later (time-sorted) lookup. */
  start: number;
}

/** Tokens an item is indexed and looked up under: every title token, its rarest body tokens, and its
 * authors' names (the author rules match a byline named in the other item's text, at any cosine). */
export function blockingTokens(item: ItemFeatures, idf: IdfModel): string[] {
  const title = new Set(item.titleTokens);
  // Rarest first, ties by token so the choice is deterministic.
  const body = [...new Set(item.bodyTokens.slice(0, THRESHOLDS.vectorSummaryWords))]
    .filter((t) => !title.has(t))
    .map((t) => [t, idf.idf(t)] as const)
    .sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))
    .slice(0, THRESHOLDS.blockingTokens)
    .map(([t]) => t);
  return [...new Set([...title, ...body, ...item.authorTokens])];
}

/** What the index keeps of an item besides its tokens: whatever lets a pair match at any time gap. */
export interface EntryTraits {
  readonly language: Language;
  readonly hasAuthors: boolean;
}

/** The item being placed, and how far from it in time an ordinary entry can still matter (see reachMs). */
export interface Probe extends EntryTraits {
  readonly time: number;
  /** Entries further than this are skipped unless their traits allow a match at any gap: authors (the
   * author rules) or another known language (translation). */
  readonly reachMs: number;
}

const LANGUAGES: readonly Language[] = ['unknown', 'en', 'es'];

/** Token -> clusters index with time pruning; lookups must come in non-decreasing time order. */
export class BlockingIndex {
  private readonly postings = new Map<string, Posting>();
  /** Cluster ids as small integers, so a lookup accumulates in flat arrays instead of Maps and Sets. */
  private readonly handles = new Map<string, number>();
  /** Per handle: the cluster's current id (meaningful at union-find roots). */
  private readonly ids: string[] = [];
  /** Union-find over handles: a merged cluster's handle points towards the survivor's. */
  private parent = new Int32Array(1024);
  /** Per handle: the lookup (and token) that last touched it, and its summed weight in that lookup. */
  private lookupStamp = new Int32Array(1024);
  private tokenStamp = new Int32Array(1024);
  private sums = new Float64Array(1024);
  private lookups = 0;
  private tokensSeen = 0;

  constructor(private readonly windowMs: number) {}

  /** Records that `clusterId` has a member at `time` carrying these tokens. */
  add(clusterId: string, tokens: readonly string[], time: number, member: EntryTraits): void {
    const traits = this.traitsOf(member);
    let handle = this.handles.get(clusterId);
    if (handle === undefined) {
      handle = this.ids.length;
      this.handles.set(clusterId, handle);
      this.ids.push(clusterId);
      if (handle >= this.sums.length) this.grow();
      this.parent[handle] = handle;
    }
    for (const token of tokens) {
      let posting = this.postings.get(token);
      if (posting === undefined) {
        posting = { clusters: [], times: [], traits: [], start: 0 };
        this.postings.set(token, posting);
      }
      posting.clusters.push(handle);
      posting.times.push(time);
      posting.traits.push(traits);
    }
  }

  /** Language index << 1 | has authors. */
  private traitsOf(item: EntryTraits): number {
    return (LANGUAGES.indexOf(item.language) << 1) | (item.hasAuthors ? 1 : 0);
  }

  private grow(): void {
    [this.lookupStamp, this.tokenStamp, this.sums, this.parent] = [
      doubled(this.lookupStamp),
      doubled(this.tokenStamp),
      doubled(this.sums),
      doubled(this.parent),
    ];
  }

  /** The handle standing for a cluster and every cluster merged into it (path halving keeps chains short). */
  private root(handle: number): number {
    let h = handle;
    while (this.parent[h] !== h) {
      this.parent[h] = this.parent[this.parent[h]!]!;
      h = this.parent[h]!;
    }
    return h;
  }

  /** Records that cluster `fromId` is now `toId`: merged into it, or renamed to it when `toId` is new. */
  alias(fromId: string, toId: string): void {
    const from = fromId === toId ? undefined : this.handles.get(fromId);
    if (from === undefined) return;
    // The old id is never added to or aliased again (postings hold handles): the map holds live ids only.
    this.handles.delete(fromId);
    const fromRoot = this.root(from);
    const to = this.handles.get(toId);
    if (to === undefined) {
      this.handles.set(toId, fromRoot);
      this.ids[fromRoot] = toId;
      return;
    }
    const toRoot = this.root(to);
    if (toRoot !== fromRoot) this.parent[fromRoot] = toRoot;
    this.ids[toRoot] = toId;
  }

  /** Forgets the id of a cluster that left the window (its entries go with `prune`). */
  forget(clusterId: string): void {
    this.handles.delete(clusterId);
  }

  /** Forgets entries older than `oldest`, and postings left empty, so memory follows the window, not the whole
   * history (a rare token may never be looked up again). Call it with a time no later than any lookup to come. */
  prune(oldest: number): void {
    for (const [token, posting] of this.postings) {
      if (dropOlder(posting, oldest) === 0) this.postings.delete(token);
    }
  }

  /** The clusters (current ids, merges followed) sharing tokens with the item within its reach, each with the
   * summed weight of the distinct shared tokens (a cheap upper estimate of the similarity, to rank them). */
  lookup(tokens: readonly string[], weights: ReadonlyMap<string, number>, probe: Probe): { ids: string[]; weights: number[] } {
    const time = probe.time;
    const ownLanguage = this.traitsOf(probe) >> 1;
    // Reaching no further than the window itself, an entry needs no trait test.
    const reachAll = probe.reachMs >= this.windowMs;
    const nearest = time - probe.reachMs;
    const furthest = time + probe.reachMs;
    this.lookups += 1;
    const stamp = this.lookups;
    // Handles in first-touch order: deterministic, and the caller needs no other.
    const touched: number[] = [];
    const oldest = time - this.windowMs;
    for (const token of tokens) {
      const posting = this.postings.get(token);
      if (posting === undefined) continue;
      while (posting.start < posting.times.length && posting.times[posting.start]! < oldest) posting.start += 1;
      if (posting.start > 1024 && posting.start * 2 > posting.times.length) dropOlder(posting, oldest);
      const live = posting.times.length - posting.start;
      // Too common to tell stories apart; a real match shares rarer tokens too.
      if (live > THRESHOLDS.maxPostingLength) continue;
      const weight = weights.get(token) ?? 0;
      // A fresh stamp per token: a cluster listed twice under one token counts that token once.
      this.tokensSeen += 1;
      const tokenStamp = this.tokensSeen;
      const newest = time + this.windowMs;
      for (let i = posting.start; i < posting.clusters.length; i += 1) {
        const t = posting.times[i]!;
        if (t < oldest || t > newest) continue;
        if (!reachAll && (t < nearest || t > furthest)) {
          const traits = posting.traits[i]!;
          const language = traits >> 1;
          const anyGap = (traits & 1) === 1 || (language !== 0 && ownLanguage !== 0 && language !== ownLanguage);
          if (!anyGap) continue;
        }
        const handle = this.root(posting.clusters[i]!);
        if (this.tokenStamp[handle] !== tokenStamp) {
          this.tokenStamp[handle] = tokenStamp;
          if (this.lookupStamp[handle] !== stamp) {
            this.lookupStamp[handle] = stamp;
            this.sums[handle] = 0;
            touched.push(handle);
          }
          this.sums[handle] += weight;
        }
      }
    }
    return { ids: touched.map((handle) => this.ids[handle]!), weights: touched.map((handle) => this.sums[handle]!) };
  }
}

/** Drops the entries older than `oldest` (lookups never reach before it again); returns how many are left. */
function dropOlder(posting: Posting, oldest: number): number {
  let kept = 0;
  for (let i = posting.start; i < posting.times.length; i += 1) {
    if (posting.times[i]! < oldest) continue;
    posting.clusters[kept] = posting.clusters[i]!;
    posting.times[kept] = posting.times[i]!;
    posting.traits[kept] = posting.traits[i]!;
    kept += 1;
  }
  posting.clusters.length = kept;
  posting.times.length = kept;
  posting.traits.length = kept;
  posting.start = 0;
  return kept;
}
