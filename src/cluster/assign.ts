/**
 * Incremental assignment of new items to clusters with stable ids. Pure and deterministic: items are
 * processed in (time, id) order, every tie is broken by id, and nothing reads the clock.
 */
import {
  DAY_MS,
  HOUR_MS,
  type ClusterInput,
  type ClusteredInput,
  type ClusteringResult,
  type ClusterLevel,
  type PlacementDecision,
} from '../model.js';
import { StoryBackground } from './background.js';
import { DecisionLog } from './decision-log.js';
import { KEPT_FEATURES_ITEMS, type FeatureCache } from './feature-cache.js';
import { RelatedPairs } from './related-pairs.js';
import { BlockingIndex, blockingTokens, type EntryTraits, type Probe } from './candidates.js';
import {
  addToSum,
  CentroidScratch,
  centroidDot,
  compactDot,
  CompactCentroid,
  ItemScratch,
  TokenTable,
  type CompactVector,
} from './compact-vectors.js';
import { extractFeatures, type ItemFeatures } from './normalize.js';
import {
  backgroundCosine,
  DocumentFrequencies,
  itemVector,
  judgeDuplicate,
  needsFullComparison,
  partsConflict,
  scorePair,
  type IdfModel,
  type SparseVector,
} from './similarity.js';
import { THRESHOLDS } from './thresholds.js';

/** How to cluster: granularity and the time window (days) outside which items are never compared. */
export interface ClusterOptions {
  readonly level: ClusterLevel;
  readonly windowDays: number;
}

/** Candidate search: `blocked` (inverted index, the default); `exhaustive` (every live cluster, same scoring
 * shortcuts); `naive` (every live cluster, and every compared member scored with the full scorer:
 * string-similarity Dice, containment, anchors..., no prefilter or bound; only the per-item tf-idf vectors are
 * cached, as any implementation would). The last two exist for benchmarks and tests:
 * the decisions, hence the output, must be identical to `blocked`. */
export type CandidateStrategy = 'blocked' | 'exhaustive' | 'naive';

/** Items (placed, or read for the word counts) between two pauses of the stepwise computation: ~20 ms of work. */
const SLICE_ITEMS = 256;

/** A clustered item, with what the per-candidate loop reads copied out of its features: that loop runs
 * ~50 clusters x 8 members per new item, and pointer chasing into the features dominated it. */
interface Member {
  readonly features: ItemFeatures;
  readonly vector: CompactVector;
  readonly time: number;
  readonly sourceKey: string;
  /** Sequence markers joined: equal keys <=> no partsConflict. */
  readonly partsKey: string;
  /** Title numbers joined ('' when none): numbersConflict <=> both non-empty and different. */
  readonly numbersKey: string;
}

function memberOf(features: ItemFeatures, vector: CompactVector): Member {
  return {
    features,
    vector,
    time: features.input.time,
    sourceKey: features.sourceKey,
    partsKey: features.parts.join(','),
    numbersKey: features.titleNumbers.join(','),
  };
}

interface WorkCluster {
  id: string;
  readonly existing: boolean;
  /** Earliest member (time, id): decides which id survives a merge. */
  earliestTime: number;
  earliestId: string;
  /** The earliest member itself: ties between clusters are broken by its content (contentOrder), never by ids. */
  earliestInput: ClusterInput;
  latestTime: number;
  /** Member times, ascending: the story's core in time (coreGap) ignores its outlying tenth on each side. */
  times: number[];
  members: Member[];
  memberIds: string[];
  centroid: CompactCentroid;
  centroidNormSq: number;
  /** The centroid's heaviest tokens (consolidation), or null once the centroid changed. */
  heaviest: number[] | null;
  /** The last consolidation visit that compared this story (see consolidate). */
  visit: number;
  /** Some member has text beyond its headline (selects the stricter story threshold). */
  hasText: boolean;
  /** Languages and bylines seen among members: whether a member may need the full comparison below the
   * prefilter (needsFullComparison: cross-language pairs, named authors). Conservative: never cleared. */
  languages: Set<string>;
  hasAuthors: boolean;
}

interface Evaluation {
  readonly cluster: WorkCluster;
  readonly cosine: number;
  readonly eligible: boolean;
  readonly score: number;
  /** The centroid threshold the cosine was held to (NaN when no story rule applied). */
  readonly threshold: number;
  /** The item is the same article as at least half of the compared members. */
  readonly duplicateOf: boolean;
  /** Why a cosine over the threshold did not admit the item: different figures in the headlines, or a single word
   * shared with the whole story (null otherwise). */
  readonly veto: StoryVeto | null;
}

type StoryVeto = 'numbers' | 'one-word';

/** Assigns new items to existing clusters or new ones. `existing` are already clustered items (the store passes
 * those inside the time window of the new ones); `fresh` are the new items of this run. */
export function assignToClusters(
  existing: readonly ClusteredInput[],
  fresh: readonly ClusterInput[],
  options: ClusterOptions,
): ClusteringResult {
  return clusterWithStrategy(existing, fresh, options, 'blocked');
}

/**
 * assignToClusters in slices of work: the generator pauses every few milliseconds of computation and returns
 * the same result. A caller on the event loop resumes it from a macrotask, so a signal that arrives meanwhile
 * is heard, and the computation can be dropped between two slices.
 */
export function assignStepwise(
  existing: readonly ClusteredInput[],
  fresh: readonly ClusterInput[],
  options: ClusterOptions,
  /** Features of fresh items worked out beforehand (see feature-cache.ts); the result is the same without. */
  known?: FeatureCache,
): Generator<void, ClusteringResult, void> {
  return new Assigner(existing, fresh, options, 'blocked', known).steps();
}

/** assignToClusters with an explicit candidate strategy (the benchmark compares both for identical output). */
export function clusterWithStrategy(
  existing: readonly ClusteredInput[],
  fresh: readonly ClusterInput[],
  options: ClusterOptions,
  strategy: CandidateStrategy,
): ClusteringResult {
  return new Assigner(existing, fresh, options, strategy).run();
}

class Assigner {
  private readonly windowMs: number;
  /** Set by countWords, the first step. */
  private idf!: IdfModel;
  private readonly clusters = new Map<string, WorkCluster>();
  private readonly mergedInto = new Map<string, string>();
  private readonly index: BlockingIndex;
  private readonly existingFeatures: ItemFeatures[] = [];
  /** The story each fresh item was placed in, by its index in `fresh` (an array: a map of a million ids weighed ~100 MB). */
  private readonly placedIn: (string | undefined)[] = [];
  private readonly decisions = new DecisionLog();
  /** Stories as close as one but apart in time (or different instalments), by pair. */
  private readonly related = new RelatedPairs();
  private readonly tokens = new TokenTable();
  /** The stream's time scale of a story (see estimateStorySpan), refreshed every storySpanRefresh placements. */
  private storySpanMs: number;
  private placedSinceSpan = 0;
  /** The `stories` centroid threshold for this stream (see refreshStorySpan). */
  private storyThreshold = 0;

  /** Clusters that gained members since the last consolidation. */
  private readonly dirty = new Set<WorkCluster>();
  private readonly background = new StoryBackground();
  /** Features of fresh items not placed yet, kept from the word count when the batch is small enough. */
  private readonly freshFeatures = new Map<ClusterInput, ItemFeatures>();
  /** Holds the vector of the item being placed for its many dot products. */
  private readonly scratch = new ItemScratch();
  /** Holds the centroid of the story being consolidated for its comparisons with others. */
  private readonly centroidScratch = new CentroidScratch();
  /** consolidate's lists of live stories by heavy token (indexed by token), empty between passes. */
  private readonly consolidationPostings: WorkCluster[][] = [];
  /** The mark of the story consolidate is comparing now (WorkCluster.visit). */
  private consolidationVisit = 0;

  constructor(
    private readonly existing: readonly ClusteredInput[],
    private readonly fresh: readonly ClusterInput[],
    private readonly options: ClusterOptions,
    private readonly strategy: CandidateStrategy,
    private readonly known?: FeatureCache,
  ) {
    this.windowMs = options.windowDays * DAY_MS;
    this.index = new BlockingIndex(this.windowMs);
    this.storySpanMs = THRESHOLDS.minStorySpanHours * HOUR_MS;
  }

  /** The whole computation at once. */
  run(): ClusteringResult {
    const steps = this.steps();
    for (;;) {
      const next = steps.next();
      if (next.done) return next.value;
    }
  }

  /**
   * The computation in slices: the generator pauses after every SLICE_ITEMS items of each stage (a caller on
   * the event loop lets signals and requests in between) and returns the result.
   */
  *steps(): Generator<void, ClusteringResult, void> {
    // Both batches in content order (time, then what the items say): the store's order breaks ties of time by id,
    // and ids depend on where the sources live.
    const fresh = this.fresh;
    const order = fresh.map((_, i) => i).sort((a, b) => contentOrder(fresh[a]!, fresh[b]!));
    const existing = this.existing;
    const stored = existing.map((_, i) => i).sort((a, b) => contentOrder(existing[a]!, existing[b]!));
    yield* this.countWords(order, stored);
    yield* this.loadExisting(stored);
    this.refreshStorySpan();
    // An item's features live only while its cluster is in the window, so memory follows the window
    // rather than the batch.
    const maxWords = THRESHOLDS.containmentWords;
    let lastEviction = order.length > 0 ? fresh[order[0]!]!.time : 0;
    for (let i = 0; i < order.length; i += 1) {
      if (i > 0 && i % SLICE_ITEMS === 0) yield;
      const index = order[i]!;
      const input = fresh[index]!;
      const features = this.freshFeatures.get(input) ?? extractFeatures(input, maxWords);
      this.freshFeatures.delete(input);
      this.placedIn[index] = this.place(features);
      // Clusters whose newest member left the window can never gain a member again: free them.
      if (features.input.time - lastEviction > this.windowMs) {
        this.evict(features.input.time);
        lastEviction = features.input.time;
      }
    }
    if (this.options.level === 'stories') {
      // The last pass, with the stream's final threshold, reconsiders every live story (as the next run would).
      this.refreshStorySpan();
      for (const cluster of this.clusters.values()) this.dirty.add(cluster);
      // Until no story merges: a merged story is compared again (it stays dirty), so the run ends where the next
      // run would have taken it, and one run matches many.
      for (let pass = 0; pass < THRESHOLDS.maxFinalConsolidationPasses && this.dirty.size > 0; pass += 1) {
        yield;
        this.consolidate();
      }
    }
    return this.result();
  }

  /** Features of the stored items, the batch's word counts (idf) and its story threshold. `order` and `stored`: the
   * fresh and the stored items' indices in content order. */
  private *countWords(order: readonly number[], stored: readonly number[]): Generator<void, void, void> {
    const maxWords = THRESHOLDS.containmentWords;
    const counts = new DocumentFrequencies();
    for (let i = 0; i < this.existing.length; i += 1) {
      const features = extractFeatures(this.existing[i]!, maxWords);
      this.existingFeatures.push(features);
      counts.add(features);
      if ((i + 1) % SLICE_ITEMS === 0) yield;
    }
    // A batch of up to KEPT_FEATURES_ITEMS fresh items keeps their features from here to their placement. A larger
    // one extracts them twice, once here, streamed, only to count word frequencies: holding all of them at once
    // cost ~1 KiB per item (2.6 GiB at 1M), and extraction is a tenth of the run.
    const fresh = this.fresh;
    const kept = fresh.length <= KEPT_FEATURES_ITEMS ? this.freshFeatures : null;
    for (let i = 0; i < fresh.length; i += 1) {
      const features = this.known?.take(fresh[i]!) ?? extractFeatures(fresh[i]!, maxWords);
      kept?.set(fresh[i]!, features);
      counts.add(features);
      if ((i + 1) % SLICE_ITEMS === 0) yield;
    }
    this.idf = counts.model();
    const existingFeatures = this.existingFeatures;
    // A large story unrelated to an item has a centroid cosine near the square root of the stream's mean pair
    // cosine, so the threshold is a multiple of it: streams where any two items look alike (one topic, long
    // texts) need more to join a story than a stream of short, varied headlines.
    this.storyThreshold =
      THRESHOLDS.storyThresholdPerBackground *
      Math.sqrt(
        backgroundCosine(
          // An even sample is enough for a mean, and keeps this a fraction of the run on large batches.
          (function* () {
            const step = Math.max(1, Math.ceil((existingFeatures.length + fresh.length) / THRESHOLDS.backgroundSample));
            for (let i = 0; i < stored.length; i += step) yield existingFeatures[stored[i]!]!;
            for (let i = 0; i < order.length; i += step) {
              const item = fresh[order[i]!]!;
              yield kept?.get(item) ?? extractFeatures(item, maxWords);
            }
          })(),
          this.idf,
        ),
      );
  }

  /** The stored stories, and their members in the blocking index. `stored`: the stored items' indices in content
   * order, so each story's members come in that order too. */
  private *loadExisting(stored: readonly number[]): Generator<void, void, void> {
    const byCluster = new Map<string, ItemFeatures[]>();
    for (const i of stored) {
      const clusterId = this.existing[i]!.clusterId;
      const list = byCluster.get(clusterId) ?? [];
      list.push(this.existingFeatures[i]!);
      byCluster.set(clusterId, list);
    }
    let loaded = 0;
    for (const [clusterId, list] of [...byCluster].sort((a, b) => contentOrder(a[1][0]!.input, b[1][0]!.input))) {
      const first = list[0]!;
      const cluster = this.newCluster(clusterId, true, first, this.compactVectorOf(first));
      for (const features of list.slice(1)) this.addMember(cluster, features, this.compactVectorOf(features));
      loaded += list.length;
      if (loaded >= SLICE_ITEMS) {
        loaded = 0;
        yield;
      }
    }
    if (this.strategy === 'blocked') {
      for (let k = 0; k < stored.length; k += 1) {
        const i = stored[k]!;
        const features = this.existingFeatures[i]!;
        this.index.add(this.existing[i]!.clusterId, blockingTokens(features, this.idf), features.input.time, entryTraits(features));
        if ((k + 1) % SLICE_ITEMS === 0) yield;
      }
    }
  }

  private vectorOf(features: ItemFeatures): SparseVector {
    return itemVector(features, this.idf);
  }

  private compactVectorOf(features: ItemFeatures): CompactVector {
    return this.tokens.compact(this.vectorOf(features));
  }

  private newCluster(id: string, existing: boolean, first: ItemFeatures, vector: CompactVector): WorkCluster {
    const cluster: WorkCluster = {
      id,
      existing,
      earliestTime: first.input.time,
      earliestId: first.input.id,
      earliestInput: first.input,
      latestTime: first.input.time,
      times: [],
      members: [],
      memberIds: [],
      centroid: new CompactCentroid(),
      centroidNormSq: 0,
      heaviest: null,
      visit: 0,
      hasText: false,
      languages: new Set(),
      hasAuthors: false,
    };
    this.clusters.set(id, cluster);
    this.addMember(cluster, first, vector);
    return cluster;
  }

  private addMember(cluster: WorkCluster, features: ItemFeatures, vector: CompactVector): void {
    const normSqBefore = cluster.centroidNormSq;
    const sizeBefore = cluster.members.length;
    cluster.members.push(memberOf(features, vector));
    cluster.memberIds.push(features.input.id);
    const t = features.input.time;
    if (contentOrder(features.input, cluster.earliestInput) < 0) {
      cluster.earliestTime = t;
      cluster.earliestId = features.input.id;
      cluster.earliestInput = features.input;
    }
    if (t > cluster.latestTime) cluster.latestTime = t;
    insertSorted(cluster.times, t);
    this.dirty.add(cluster);
    if (hasText(features)) cluster.hasText = true;
    if (features.language !== 'unknown') cluster.languages.add(features.language);
    if (features.authorTokens.length >= THRESHOLDS.minAuthorTokens) cluster.hasAuthors = true;
    addInto(cluster, vector);
    this.background.itemAdded(vector, normSqBefore, cluster.centroidNormSq, sizeBefore);
  }

  private resolve(id: string): string {
    let current = id;
    for (let next = this.mergedInto.get(current); next !== undefined; next = this.mergedInto.get(current)) current = next;
    return current;
  }

  /** How long a story's coverage lasts in this stream: the median core span of the stories with at least
   * establishedStoryMembers members, never below minStorySpanHours. The time-gap penalty is counted in these
   * spans, so a stream of tight bursts (one wave of coverage per event) and a stream where every event is
   * covered all day each get the penalty they need, with no per-stream constant. */
  private refreshStorySpan(): void {
    const spans: number[] = [];
    for (const cluster of this.clusters.values()) {
      const n = cluster.times.length;
      if (n < THRESHOLDS.establishedStoryMembers) continue;
      const trim = Math.floor(n * 0.1);
      spans.push(cluster.times[n - 1 - trim]! - cluster.times[trim]!);
    }
    spans.sort((a, b) => a - b);
    const median = spans.length === 0 ? 0 : spans[Math.floor((spans.length - 1) / 2)]!;
    this.storySpanMs = Math.min(this.windowMs, Math.max(THRESHOLDS.minStorySpanHours * HOUR_MS, median));
    const between = this.background.betweenStoriesCosine();
    if (between !== null) this.storyThreshold = THRESHOLDS.storyThresholdPerBackground * Math.sqrt(between);
    this.placedSinceSpan = 0;
  }

  /** Places one fresh item; returns the id of the story it ended in. */
  private place(features: ItemFeatures): string {
    this.placedSinceSpan += 1;
    if (this.placedSinceSpan >= Math.max(THRESHOLDS.storySpanRefresh, this.clusters.size / 8)) {
      this.refreshStorySpan();
      this.consolidate();
    }
    const mapVector = this.vectorOf(features);
    const vector = this.tokens.compact(mapVector);
    this.scratch.load(vector, this.tokens.size);
    const probe = memberOf(features, vector);
    const time = features.input.time;
    // Distinct live ids in any order: the eligible ones are ranked by a total order (byScoreThenAge) below.
    const tokens = this.strategy === 'blocked' ? blockingTokens(features, this.idf) : [];
    const candidateIds =
      this.strategy === 'blocked' ? this.blockedCandidates(features, tokens, mapVector, time) : [...this.clusters.keys()];
    const evaluations: Evaluation[] = [];
    for (const id of candidateIds) {
      const cluster = this.clusters.get(id);
      if (cluster === undefined) continue;
      if (time < cluster.earliestTime - this.windowMs || time > cluster.latestTime + this.windowMs) continue;
      const evaluation = this.evaluate(probe, cluster);
      if (evaluation !== null) evaluations.push(evaluation);
    }
    const eligible = evaluations.filter((e) => e.eligible).sort(byScoreThenAge);
    const best = eligible[0];
    let target: WorkCluster;
    if (best === undefined) {
      target = this.newCluster(features.input.id, false, features, vector);
      this.decisions.push(newStoryDecision(features.input.id, evaluations));
    } else {
      target = best.cluster;
      this.decisions.push(joinDecision(features.input.id, best));
      this.addMember(target, features, vector);
      for (const other of eligible.slice(1)) {
        target = this.maybeMerge(target, other.cluster, best.duplicateOf && other.duplicateOf);
      }
    }
    if (this.strategy === 'blocked') this.index.add(target.id, tokens, time, entryTraits(features));
    return target.id;
  }

  /** The clusters sharing the most weight of rare tokens with the item, best first (at most maxCandidates). */
  private blockedCandidates(features: ItemFeatures, tokens: readonly string[], vector: SparseVector, time: number): string[] {
    const probe: Probe = {
      ...entryTraits(features),
      time,
      reachMs: Math.min(this.windowMs, reachMs(features, this.options.level, this.storySpanMs, this.storyThreshold)),
    };
    const found = this.index.lookup(tokens, withAuthorWeights(vector, features), probe);
    const limit = THRESHOLDS.maxCandidates;
    if (found.ids.length <= limit) return found.ids;
    // Only entries reaching the limit-th largest weight can make the cut: find it with a numeric typed-array
    // sort, then rank just those, ties by the stories' content (ids depend on where the sources live).
    const cut = Float64Array.from(found.weights).sort()[found.weights.length - limit]!;
    const ranked: number[] = [];
    found.weights.forEach((weight, i) => {
      if (weight >= cut) ranked.push(i);
    });
    return ranked
      .sort((a, b) => found.weights[b]! - found.weights[a]! || this.byStoryContent(found.ids[a]!, found.ids[b]!))
      .slice(0, limit)
      .map((i) => found.ids[i]!);
  }

  /** Two stories by their earliest members' content; a story no longer live (skipped when evaluated) by its id. */
  private byStoryContent(a: string, b: string): number {
    const [storyA, storyB] = [this.clusters.get(a), this.clusters.get(b)];
    if (storyA === undefined || storyB === undefined)
      return (storyA === undefined ? 1 : 0) - (storyB === undefined ? 1 : 0) || compareIds(a, b);
    return byClusterAge(storyA, storyB);
  }

  /** Scores an item against a cluster as a whole: centroid cosine and duplicate votes of in-window members; null when
   * the cluster cannot take the item and no story threshold was applied (most candidates: no garbage for them). */
  private evaluate(probe: Member, cluster: WorkCluster): Evaluation | null {
    const features = probe.features;
    const cosine = cluster.centroidNormSq > 0 ? this.scratch.dotCentroid(cluster.centroid) / Math.sqrt(cluster.centroidNormSq) : 0;
    const time = features.input.time;
    // No member can pass the pair prefilter when even the item's weight on the cluster's tokens is below
    // it (Cauchy-Schwarz; members are unit vectors over a subset of the centroid's tokens), and none needs
    // the full comparison anyway: then every member's vote is "not a duplicate" without computing it.
    // The margin absorbs rounding in the unit norms, so the skip never changes a decision.
    const bound = cluster.centroidNormSq > 0 ? Math.sqrt(this.scratch.sharedSquares) : 0;
    const lowestPrefilter = hasText(features) || cluster.hasText ? THRESHOLDS.pairPrefilterCosine : THRESHOLDS.headlinePrefilterCosine;
    const otherLanguage = features.language !== 'unknown' && hasOtherLanguage(cluster.languages, features.language);
    const mayNeedFull = cluster.hasAuthors || features.authorTokens.length >= THRESHOLDS.minAuthorTokens || otherLanguage;
    const skipPairs = this.strategy !== 'naive' && !mayNeedFull && bound < lowestPrefilter - 1e-9;
    // Without member votes only the centroid can admit the item, and its threshold is at least the base one.
    if (skipPairs && (this.options.level === 'duplicates' || cosine < this.storyThreshold)) {
      return null;
    }
    let votes = 0;
    let sameSourceOther = false;
    let numberClash = false;
    let sampled = 0;
    // Members are kept in arrival order, so the last ones are the most recent; those in the window are compared.
    const members = cluster.members;
    for (let i = Math.max(0, members.length - THRESHOLDS.maxMembersCompared); i < members.length; i += 1) {
      const member = members[i]!;
      if (Math.abs(member.time - time) > this.windowMs) continue;
      sampled += 1;
      // Same tests as partsConflict / numbersConflict, on the precomputed keys.
      if (member.partsKey !== probe.partsKey) return null;
      if (member.numbersKey !== probe.numbersKey && member.numbersKey !== '' && probe.numbersKey !== '') numberClash = true;
      if (skipPairs) {
        if (member.sourceKey === probe.sourceKey) sameSourceOther = true;
        continue;
      }
      const memberCosine = this.scratch.dot(member.vector);
      let duplicate = false;
      const prefilter = hasText(features) || hasText(member.features) ? THRESHOLDS.pairPrefilterCosine : THRESHOLDS.headlinePrefilterCosine;
      if (this.strategy === 'naive' || memberCosine >= prefilter || needsFullComparison(features, member.features)) {
        const scores = scorePair(features, member.features, this.idf, { cosine: memberCosine });
        duplicate = judgeDuplicate(scores).duplicate;
      }
      if (duplicate) votes += 1;
      else if (member.sourceKey === probe.sourceKey) sameSourceOther = true;
    }
    // "Close to the cluster as a whole": duplicates of at least half the compared members, not just one.
    const duplicateOf = votes > 0 && votes * 2 >= sampled;
    if (duplicateOf) {
      return { cluster, cosine, eligible: true, score: 1 + votes / sampled, threshold: Number.NaN, duplicateOf, veto: null };
    }
    if (this.options.level === 'duplicates' || sampled === 0) return null;
    const threshold =
      this.storyThreshold +
      (THRESHOLDS.storyGapPenaltyPerSpan * coreGapMs(cluster.times, time)) / this.storySpanMs +
      (sameSourceOther ? THRESHOLDS.sameSourcePenalty : 0);
    const reached = cosine >= threshold;
    // Different numbers in the headlines ("100,000" vs "200,000" votes) are different reports; an item that shares one
    // word with a whole story ("Black" Friday / "Black" Nativity) shares a name, not an event.
    const veto: StoryVeto | null = !reached
      ? null
      : numberClash
        ? 'numbers'
        : sharedTokens(probe.vector, cluster.centroid) < THRESHOLDS.minStoryWords
          ? 'one-word'
          : null;
    return { cluster, cosine, eligible: reached && veto === null, score: cosine, threshold, duplicateOf, veto };
  }

  /** Merges two clusters bridged by one item when the clusters themselves are one story. */
  private maybeMerge(a: WorkCluster, b: WorkCluster, bridgeIsDuplicate: boolean): WorkCluster {
    if (a === b) return a;
    const normA = Math.sqrt(a.centroidNormSq);
    const normB = Math.sqrt(b.centroidNormSq);
    const cosine = normA > 0 && normB > 0 ? centroidDot(a.centroid, b.centroid) / (normA * normB) : 0;
    const needed = this.options.level === 'duplicates' ? THRESHOLDS.duplicateClusterMergeCosine : THRESHOLDS.clusterMergeCosine;
    // Either the clusters' centroids are one story, or the bridge is the same article as both and every
    // member of the smaller cluster is itself the same article as the larger one as a whole.
    if (cosine < needed && !(bridgeIsDuplicate && this.duplicatesAsWhole(a, b))) return a;
    for (const ma of a.members.slice(-THRESHOLDS.maxMembersCompared)) {
      for (const mb of b.members.slice(-THRESHOLDS.maxMembersCompared)) {
        if (partsConflict(ma.features, mb.features)) return a;
      }
    }
    return this.absorb(
      a,
      b,
      cosine,
      needed,
      cosine >= needed
        ? `stories bridged by one item merged: centroid cosine ${cosine.toFixed(2)} >= ${needed}`
        : `stories bridged by one item merged: every compared member is the same article as the other story`,
    );
  }

  /** Merges two live clusters into the survivor (survivorFirst), recording why. */
  private absorb(a: WorkCluster, b: WorkCluster, cosine: number, needed: number, detail: string): WorkCluster {
    const [into, from] = survivorFirst(a, b);
    // Two stored stories: the older id stays (the earliest member's time, then the smaller id: an item never moves
    // to a newer story id), whichever of the two holds the members.
    const keepsFromId = into.existing && from.existing && olderStoredId(from, into);
    this.decisions.push({
      itemId: null,
      storyId: keepsFromId ? from.id : into.id,
      comparedWith: keepsFromId ? into.id : from.id,
      rule: 'story-merge',
      score: cosine,
      threshold: needed,
      detail,
    });
    const [normSqInto, normSqFrom, sizeInto, sizeFrom] = [
      into.centroidNormSq,
      from.centroidNormSq,
      into.members.length,
      from.members.length,
    ];
    for (const member of from.members) {
      into.members.push(member);
      addInto(into, member.vector);
    }
    this.background.storiesMerged(normSqInto, normSqFrom, into.centroidNormSq, sizeInto, sizeFrom);
    into.memberIds.push(...from.memberIds);
    if (contentOrder(from.earliestInput, into.earliestInput) < 0) {
      into.earliestTime = from.earliestTime;
      into.earliestId = from.earliestId;
      into.earliestInput = from.earliestInput;
    }
    into.latestTime = Math.max(into.latestTime, from.latestTime);
    into.times = mergeSorted(into.times, from.times);
    into.hasText ||= from.hasText;
    into.hasAuthors ||= from.hasAuthors;
    for (const language of from.languages) into.languages.add(language);
    // A cluster created in this run takes the id of its earliest member (ids are only published after the run).
    if (!into.existing && into.id !== into.earliestId) {
      this.clusters.delete(into.id);
      this.mergedInto.set(into.id, into.earliestId);
      this.index.alias(into.id, into.earliestId);
      into.id = into.earliestId;
      this.clusters.set(into.id, into);
    }
    const [keptId, goneId] = keepsFromId ? [from.id, into.id] : [into.id, from.id];
    this.clusters.delete(from.id);
    if (from.existing) {
      // `into` goes last in the stories' order whichever id it keeps, so that order never depends on ids.
      this.clusters.delete(into.id);
      into.id = keptId;
      this.clusters.set(keptId, into);
    }
    this.dirty.delete(from);
    this.dirty.add(into);
    this.mergedInto.set(goneId, keptId);
    this.index.alias(goneId, keptId);
    return into;
  }

  /**
   * Stories that grew towards each other are one story: each cluster that gained members since the last pass is
   * compared, centroid to centroid, with the live clusters sharing one of its heaviest tokens, and the closest
   * pairs merge first while their (updated) centroids stay close. This is what lets fragments started apart
   * (an early headline with little in common with the later coverage, a batch cut by a run boundary) join
   * once the story's vocabulary is known, so a stream read in many runs ends where one run would.
   */
  private consolidate(): void {
    if (this.options.level !== 'stories' || this.dirty.size === 0) return;
    // Live stories by heavy token, in the order of `clusters`; the lists are kept (emptied) from pass to pass.
    const postings = this.consolidationPostings;
    while (postings.length < this.tokens.size) postings.push([]);
    const filled: number[] = [];
    for (const cluster of this.clusters.values()) {
      cluster.heaviest ??= heaviestTokens(cluster.centroid, THRESHOLDS.consolidationProbeTokens);
      const tokens = cluster.heaviest;
      for (let i = 0; i < Math.min(tokens.length, THRESHOLDS.consolidationTokens); i += 1) {
        const list = postings[tokens[i]!]!;
        if (list.length === 0) filled.push(tokens[i]!);
        list.push(cluster);
      }
    }
    const pairs: { a: WorkCluster; b: WorkCluster; cosine: number }[] = [];
    for (const a of [...this.dirty].sort(byClusterAge)) {
      if (this.clusters.get(a.id) !== a) continue;
      // Stories already compared with `a` carry its visit mark (a set per story cost an allocation each).
      const visit = ++this.consolidationVisit;
      a.visit = visit;
      this.centroidScratch.load(a.centroid, this.tokens.size);
      const normA = Math.sqrt(a.centroidNormSq);
      for (const token of a.heaviest ?? []) {
        const sharing = postings[token]!;
        // As in blocking: a token heavy in very many stories tells none apart, and the newest few stand for
        // the rest, so one pass costs at most a fixed number of comparisons per story that changed.
        if (sharing.length > THRESHOLDS.maxPostingLength) continue;
        for (let i = sharing.length - 1; i >= Math.max(0, sharing.length - THRESHOLDS.maxCandidates); i -= 1) {
          const b = sharing[i]!;
          if (b.visit === visit) continue;
          b.visit = visit;
          if (this.dirty.has(b) && byClusterAge(b, a) > 0) continue;
          // clusterCosine(a, b), with a's centroid held dense.
          const norms = normA * Math.sqrt(b.centroidNormSq);
          const cosine = norms > 0 ? this.centroidScratch.dot(b.centroid) / norms : 0;
          if (cosine >= this.consolidationThreshold(a, b)) pairs.push({ a, b, cosine });
          // As close as one story but apart in time: a later wave on the same actors (the wedding and the honeymoon).
          else if (cosine >= THRESHOLDS.consolidationPerThreshold * this.storyThreshold) this.relate(a, b, cosine);
        }
      }
    }
    for (const token of filled) postings[token]!.length = 0;
    this.dirty.clear();
    pairs.sort((x, y) => y.cosine - x.cosine || byClusterAge(x.a, y.a) || byClusterAge(x.b, y.b));
    for (const pair of pairs) {
      if (this.clusters.get(pair.a.id) !== pair.a || this.clusters.get(pair.b.id) !== pair.b) continue;
      const cosine = clusterCosine(pair.a, pair.b);
      const needed = this.consolidationThreshold(pair.a, pair.b);
      if (cosine < needed) continue;
      if (this.partsClash(pair.a, pair.b)) {
        this.relate(pair.a, pair.b, cosine);
        continue;
      }
      this.absorb(pair.a, pair.b, cosine, needed, `stories converged: centroid cosine ${cosine.toFixed(2)} >= ${needed.toFixed(2)}`);
    }
  }

  private relate(a: WorkCluster, b: WorkCluster, cosine: number): void {
    const [first, second] = byClusterAge(a, b) <= 0 ? [a.id, b.id] : [b.id, a.id];
    this.related.set(first, second, cosine);
  }

  private consolidationThreshold(a: WorkCluster, b: WorkCluster): number {
    const gap = coreDistanceMs(a.times, b.times);
    return THRESHOLDS.consolidationPerThreshold * this.storyThreshold + (THRESHOLDS.storyGapPenaltyPerSpan * gap) / this.storySpanMs;
  }

  /** Different instalments among the recent members of two stories ("Part I" / "Part II"), or a lone report
   * whose figures differ from the other story's ("100,000" / "200,000" votes): the vetoes an item joining a story
   * faces. A story of several reports quotes many figures, so figures only veto a single item. */
  private partsClash(a: WorkCluster, b: WorkCluster): boolean {
    const lone = Math.min(a.members.length, b.members.length) === 1;
    for (const ma of a.members.slice(-THRESHOLDS.maxMembersCompared)) {
      for (const mb of b.members.slice(-THRESHOLDS.maxMembersCompared)) {
        if (ma.partsKey !== mb.partsKey) return true;
        if (lone && ma.numbersKey !== mb.numbersKey && ma.numbersKey !== '' && mb.numbersKey !== '') return true;
      }
    }
    return false;
  }

  /** Every compared member of the smaller cluster is a duplicate of at least half the larger's members. */
  private duplicatesAsWhole(a: WorkCluster, b: WorkCluster): boolean {
    const [small, large] = a.members.length <= b.members.length ? [a, b] : [b, a];
    const sample = large.members.slice(-THRESHOLDS.maxMembersCompared);
    for (const member of small.members.slice(-THRESHOLDS.maxMembersCompared)) {
      let votes = 0;
      for (const other of sample) {
        const cosine = compactDot(member.vector, other.vector);
        if (judgeDuplicate(scorePair(member.features, other.features, this.idf, { cosine })).duplicate) votes += 1;
      }
      if (votes === 0 || votes * 2 < sample.length) return false;
    }
    return true;
  }

  private evict(now: number): void {
    this.index.prune(now - this.windowMs);
    for (const [id, cluster] of this.clusters) {
      if (cluster.latestTime < now - this.windowMs) {
        // Keep ids for the result, drop the text and vectors.
        this.background.storyRemoved(cluster.centroid, cluster.centroidNormSq, cluster.members.length);
        cluster.members = [];
        cluster.centroid = new CompactCentroid();
        cluster.centroidNormSq = 0;
        this.clusters.delete(id);
        this.index.forget(id);
      }
    }
  }

  private result(): ClusteringResult {
    const assignments: { itemId: string; clusterId: string }[] = [];
    this.fresh.forEach((item, i) => {
      const placed = this.placedIn[i];
      if (placed !== undefined) assignments.push({ itemId: item.id, clusterId: this.resolve(placed) });
    });
    const merges: { from: string; into: string }[] = [];
    const existingIds = [...new Set(this.existing.map((e) => e.clusterId))].sort(compareIds);
    const moved = new Set<string>();
    for (const id of existingIds) {
      const into = this.resolve(id);
      if (into !== id) {
        merges.push({ from: id, into });
        moved.add(id);
      }
    }
    // Existing members of absorbed clusters move to the survivor too.
    for (const item of this.existing) {
      if (moved.has(item.clusterId)) assignments.push({ itemId: item.id, clusterId: this.resolve(item.clusterId) });
    }
    // Ids recorded while placing may since have been merged or renamed: report where each ended.
    const decisions = this.decisions.toArray((id) => this.resolve(id));
    const related = new Map<string, { a: string; b: string; cosine: number }>();
    for (const pair of this.related.pairs()) {
      const a = this.resolve(pair.a);
      const b = this.resolve(pair.b);
      if (a === b) continue;
      const key = a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
      const known = related.get(key);
      if (known === undefined || known.cosine < pair.cosine) related.set(key, { a, b, cosine: pair.cosine });
    }
    return { assignments, merges, decisions, related: [...related.keys()].sort().map((key) => related.get(key)!) };
  }
}

function hasOtherLanguage(languages: ReadonlySet<string>, language: string): boolean {
  for (const other of languages) if (other !== language) return true;
  return false;
}

/** Whether an item has text beyond its headline (a dek line counts). */
function hasText(features: ItemFeatures): boolean {
  return features.bodyTokens.length >= THRESHOLDS.minTextTokens;
}

/** The item's vector, plus its author names at the largest weight a vector entry can have: a shared name
 * may be the only link of an author-rule match, so such clusters must rank among the candidates. */
function withAuthorWeights(vector: SparseVector, features: ItemFeatures): SparseVector {
  if (features.authorTokens.length === 0) return vector;
  const weights = new Map(vector);
  for (const token of features.authorTokens) weights.set(token, 1);
  return weights;
}

/** What the blocking index records of a clustered item (see BlockingIndex.lookup). */
function entryTraits(features: ItemFeatures): EntryTraits {
  return { language: features.language, hasAuthors: features.authorTokens.length >= THRESHOLDS.minAuthorTokens };
}

/**
 * How far in time (ms) a member can be from an item and still decide its placement, apart from author and
 * translation matches (which the index keeps at any gap). With text, or naming authors, the item can be a
 * duplicate at any gap (containment, author rules): the whole window. A bare headline (no body words to
 * compare, so no containment and no body cosine) is a duplicate only by its title within titleOnlyMaxGapHours
 * (whatever the source), and joins a story only while storyCentroidCosine plus the per-day gap penalty stays
 * reachable by a cosine (at most 1). Exact: every cluster it skips could not have taken the item.
 */
export function reachMs(features: ItemFeatures, level: ClusterLevel, storySpanMs: number, storyThreshold: number): number {
  const bareHeadline = features.bodyTokens.length === 0 && wordCount(features.bodyKey) < THRESHOLDS.minContainmentWords;
  if (!bareHeadline || features.authorTokens.length >= THRESHOLDS.minAuthorTokens) return Number.POSITIVE_INFINITY;
  const titleReach = THRESHOLDS.titleOnlyMaxGapHours * HOUR_MS;
  if (level === 'duplicates') return titleReach;
  // A minute of margin so rounding at the boundary never skips a cluster that could just qualify.
  const storyReach = ((1 - storyThreshold) / THRESHOLDS.storyGapPenaltyPerSpan) * storySpanMs + 60_000;
  return Math.max(titleReach, storyReach);
}

function wordCount(text: string): number {
  return text === '' ? 0 : text.split(' ').length;
}

/** Orders the pair so the one that takes the other in comes first: an existing cluster over a new one, then by content. */
function survivorFirst(a: WorkCluster, b: WorkCluster): [WorkCluster, WorkCluster] {
  if (a.existing !== b.existing) return a.existing ? [a, b] : [b, a];
  // The one holding the earliest member (by content, never by id: ids hash where the sources live) takes the other's
  // members, which come after its own, so which members are compared next never depends on ids. A new story takes
  // its earliest member's id; between stored stories absorb keeps the older id.
  return contentOrder(a.earliestInput, b.earliestInput) <= 0 ? [a, b] : [b, a];
}

/** Whether stored story `a`'s id is older than `b`'s: its earliest member's time, then the smaller id. */
function olderStoredId(a: WorkCluster, b: WorkCluster): boolean {
  return (a.earliestTime - b.earliestTime || compareIds(a.id, b.id)) < 0;
}

/** Adds a vector to the centroid, updating |c|^2 incrementally. */
function addInto(cluster: WorkCluster, vector: CompactVector): void {
  cluster.centroidNormSq += addToSum(cluster.centroid, vector);
  cluster.heaviest = null;
}

/**
 * The order items are placed in, and ties between stories are broken by: time, then what the item says (title,
 * summary, outlet, author, source name), and its id only between items identical in all of these. Ids derive from
 * where a source lives, so the same input read from another folder or URL gives the same stories.
 */
function contentOrder(a: ClusterInput, b: ClusterInput): number {
  return (
    a.time - b.time ||
    compareIds(a.title, b.title) ||
    compareIds(a.summary, b.summary) ||
    compareIds(a.outlet ?? '', b.outlet ?? '') ||
    compareIds(a.author ?? '', b.author ?? '') ||
    compareIds(a.sourceName, b.sourceName) ||
    compareIds(a.id, b.id)
  );
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byScoreThenAge(a: Evaluation, b: Evaluation): number {
  return (
    b.score - a.score || a.cluster.earliestTime - b.cluster.earliestTime || contentOrder(a.cluster.earliestInput, b.cluster.earliestInput)
  );
}

/** Distance from a time to the core of a story in time: the span of its member times without the outlying
 * tenth on each side. One late item joining a burst does not move the burst, so the next follow-up still
 * faces the gap penalty (a day-later development on the same names is a new story). */
function coreGapMs(times: readonly number[], time: number): number {
  const trim = Math.floor(times.length * 0.1);
  const low = times[trim]!;
  const high = times[times.length - 1 - trim]!;
  return Math.max(0, time - high, low - time);
}

function insertSorted(times: number[], t: number): void {
  let i = times.length;
  while (i > 0 && times[i - 1]! > t) i -= 1;
  times.splice(i, 0, t);
}

function mergeSorted(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) out.push(j >= b.length || (i < a.length && a[i]! <= b[j]!) ? a[i++]! : b[j++]!);
  return out;
}

function newStoryDecision(itemId: string, evaluations: readonly Evaluation[]): PlacementDecision {
  const closest = evaluations.filter((e) => !Number.isNaN(e.threshold)).sort((a, b) => b.cosine - a.cosine || byScoreThenAge(a, b))[0];
  if (closest === undefined) {
    return { itemId, storyId: itemId, comparedWith: null, rule: 'new-story', score: null, threshold: null };
  }
  const decision: PlacementDecision = {
    itemId,
    storyId: itemId,
    comparedWith: closest.cluster.id,
    rule: 'new-story',
    score: closest.cosine,
    threshold: closest.threshold,
  };
  if (closest.veto === null) return decision;
  const cosine = `centroid cosine ${closest.cosine.toFixed(2)} >= ${closest.threshold.toFixed(2)}`;
  const why = closest.veto === 'numbers' ? 'but the headlines give different figures' : 'but only one word is shared with it';
  return { ...decision, detail: `closest story ${closest.cluster.id}: ${cosine}, ${why}: a new story` };
}

function joinDecision(itemId: string, best: Evaluation): PlacementDecision {
  if (best.duplicateOf) {
    return {
      itemId,
      storyId: best.cluster.id,
      comparedWith: best.cluster.id,
      rule: 'duplicate',
      score: best.score,
      threshold: 1.5,
    };
  }
  return {
    itemId,
    storyId: best.cluster.id,
    comparedWith: best.cluster.id,
    rule: 'story',
    score: best.cosine,
    threshold: best.threshold,
  };
}

/** How many of the item's tokens the centroid carries. */
function sharedTokens(vector: CompactVector, centroid: CompactCentroid): number {
  let shared = 0;
  for (const token of vector.ids) if (centroid.has(token)) shared += 1;
  return shared;
}

function clusterCosine(a: WorkCluster, b: WorkCluster): number {
  const norms = Math.sqrt(a.centroidNormSq) * Math.sqrt(b.centroidNormSq);
  return norms > 0 ? centroidDot(a.centroid, b.centroid) / norms : 0;
}

/** The `count` tokens of largest weight in a centroid (ties by token id), by one scan. */
function heaviestTokens(centroid: CompactCentroid, count: number): number[] {
  const tokens: number[] = [];
  const weights: number[] = [];
  for (let k = 0; k < centroid.ids.length; k += 1) {
    const token = centroid.ids[k]!;
    const weight = centroid.weights[k]!;
    let i = tokens.length;
    while (i > 0 && (weights[i - 1]! < weight || (weights[i - 1] === weight && tokens[i - 1]! > token))) i -= 1;
    if (i >= count) continue;
    tokens.splice(i, 0, token);
    weights.splice(i, 0, weight);
    if (tokens.length > count) {
      tokens.pop();
      weights.pop();
    }
  }
  return tokens;
}

/** Distance between the cores in time of two stories (0 when they overlap). */
function coreDistanceMs(a: readonly number[], b: readonly number[]): number {
  const trimA = Math.floor(a.length * 0.1);
  const trimB = Math.floor(b.length * 0.1);
  return Math.max(0, b[trimB]! - a[a.length - 1 - trimA]!, a[trimA]! - b[b.length - 1 - trimB]!);
}

function byClusterAge(a: WorkCluster, b: WorkCluster): number {
  return contentOrder(a.earliestInput, b.earliestInput);
}
