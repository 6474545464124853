/**
 * Every number the clustering decision depends on, in one table, each with the reason it has
 * this value. Measured on tests/fixtures/cluster/seed-stories.json (hand-labelled seeds) and the
 * UCI sample (tests/fixtures/uci/uci-news-sample.csv) with `npx tsx bench/cluster-quality.ts`.
 * In doubt, don't merge: every rule below errs towards keeping stories apart.
 */
export const THRESHOLDS = {
  /** Titles this close (string-similarity Dice on folded titles) are the same headline with light edits
   * (quotes, an outlet suffix, a typo); UCI: 0.85 keeps duplicates-level precision >= 0.97. */
  sameTitleDice: 0.85,
  /** A headline alone (no text on either side to compare) identifies a re-publication only near its first
   * appearance: wire copies are picked up within hours, while the same headline a day later is usually a
   * follow-up or a stock title ("Titanfall review", "Business Highlights"). UCI, duplicates level: pairwise
   * precision 0.89 with no limit, 0.98 with 6 h. It holds for a source repeating its own headline too
   * ("Sector Update: Consumer", a column re-run: UCI duplicates precision 0.973 -> 0.982). Pairs with text
   * evidence (containment) have no such limit. It also bounds how far back the candidate search looks for a
   * bare headline (assign.ts, reachMs). */
  titleOnlyMaxGapHours: 6,
  /** Same source: a listing never lists one story twice, so only a near-verbatim repeat counts. */
  sameSourceTitleDice: 0.95,
  /** Titles shorter than this many content words carry too little text for Dice alone ("Stocks fall"). */
  minTitleWords: 3,
  /** Share of the shorter text's word 3-grams found in the longer: a teaser cut from the full text
   * scores ~1.0, two articles on one event < 0.2 (seeds 001 vs 003). */
  containment: 0.8,
  /** Same source needs the teaser to be a near-verbatim part of the other text. */
  sameSourceContainment: 0.95,
  /** Containment means nothing on a handful of words ("Pedro Castillo said ..."): need this many. */
  minContainmentWords: 12,
  /** With the same headline, bodies this contained are compatible; lower means a different article
   * under a generic headline. */
  bodyCompatibleContainment: 0.5,
  /** ... or bodies whose tf-idf cosine reaches this (reworded teaser of the same article). */
  bodyCompatibleCosine: 0.3,
  /** Author named by the other item ("X and Y look at ...", seeds 000 vs 001) needs some topic shared
   * besides the names (tf-idf cosine without the name tokens): a teaser written about an article and the
   * article's own opening share few words (0.02 on the seeds), so any shared content word is enough;
   * the rarity of the names (below) carries the evidence. */
  authorLinkCosine: 0.01,
  /** An author named in the other text counts only when the name is rare in the batch: in at most
   * this share of the items ("Pedro Castillo" appears in half the seeds, "Llerena" in two) ... */
  authorNameMaxShare: 0.05,
  /** ... or in at most this many items, for small batches (a name in 3 items can still be rare). */
  authorNameMinDf: 3,
  /** Author-name tokens that must appear in the other item's text (first + last name at least). */
  minAuthorTokens: 2,
  /** Cross-language copies: Jaccard of language-neutral anchors (names, numbers, 5-letter stems of
   * capitalised words); the Enver León ES/EN interview scores 0.86, unrelated Peru stories < 0.35. */
  crossLanguageAnchorJaccard: 0.6,
  /** ... and at least this many shared anchors, so two short texts sharing "Pedro Castillo" don't match. */
  minCrossLanguageAnchors: 4,
  /** `stories` level, headline-only items: tf-idf cosine of the item to a cluster's centroid to join it.
   * Headlines of one event share one or two rare names and little else; UCI: 0.22 gives pairwise
   * precision 0.93-0.94 at B-cubed F1 ~0.52 (0.30: 0.93 / 0.40; 0.40: 0.97 / 0.28). */
  storyCentroidCosine: 0.12,
  /** `stories` level: the centroid cosine an item needs to join a story is this multiple of the stream's
   * background (the square root of the mean cosine of two of its items, which is what a large unrelated story
   * scores). UCI headlines: background 0.006 -> 0.19; GoogleNews title + snippet 0.012 -> 0.27; the seeds (full
   * texts, one country's news) 0.073 -> 0.67. */
  storyThresholdPerBackground: 2.5,
  /** `stories` level: words an item must share with a story for the centroid rule to admit it. A story of one
   * event shares its actors' names and what happened; one shared word is a name or a topic ("Black" Friday and
   * "Black" Nativity, "Thanksgiving" shopping and travel). Such an item starts its own story (consolidation may
   * relate or join it later). GoogleNews titles NMI 0.868 -> 0.883 (dev), 0.894 -> 0.916 (other half); UCI B-cubed
   * precision 0.969 -> 0.974 and 0.925 -> 0.936, F1 0.792 -> 0.777 and 0.774 -> 0.770. */
  minStoryWords: 2,
  /** Inverse document frequency is ln(1 + idfScale / df): a word's weight depends on how many items carry it, not
   * on the share of the batch. A story is told in some tens of articles whatever else a run holds, so its names
   * must weigh the same in a run of 500 items as in one of 5,000; with ln(1 + N / df) the weights, hence the
   * decisions, depended on how the stream was cut into runs (UCI dev2: B-cubed F1 0.754 in one run, 0.746 in 24;
   * with a fixed scale 0.774 and 0.780). The scale is the batch size at which both formulas agree: a large
   * week of news. 10,000 / 20,000 / 30,000: GoogleNews titles NMI 0.855 / 0.868 / 0.869 (dev, seed 13), UCI dev2
   * B-cubed precision 0.931 / 0.925 / 0.913. */
  idfScale: 20_000,
  /** Items sampled, evenly, for the batch's background before any story exists. */
  backgroundSample: 2000,
  /** Mean pair cosine assumed before the stream has shown its own ... */
  priorBackgroundCosine: 0.01,
  /** ... weighing as much as this many measured pairs: little, so a small batch soon speaks for itself. One listing
   * of 15 full texts on one country's news has a mean pair cosine of 0.26; weighed against 1,000 pairs of the
   * headline prior it looked like 0.03, and two of its articles on one election (cosine 0.53) became one story
   * (seeds, one listing per run). Batches of a few hundred items are unaffected either way. */
  priorBackgroundPairs: 100,
  /** Content words of summary that make an item "with text" for the story threshold: a one-line dek
   * (seeds 002) already makes two articles on one topic look alike. */
  minTextTokens: 6,
  /** `stories` level, items with text (either side has >= minTextTokens summary words): full texts about one topic share
   * many words, so different articles of one listing's topic reach 0.3 (seeds: two Vizcarra articles
   * 0.30, two Castillo-victory articles 0.25); 0.45 leaves a margin above the highest such pair. */
  storyCentroidCosineText: 0.2,
  /** `stories` level: added to the centroid threshold per story span (below) between the item and the core of
   * the story in time (its member times without the outlying tenth on each side): an event's coverage is a
   * wave, and a later wave on the same names is usually a new development (Google News labels it a new story;
   * the wedding and honeymoon). */
  storyGapPenaltyPerSpan: 0.1,
  /** The shortest story span the penalty counts in: publication times carry minutes of noise, and a stream
   * whose stories each arrive within a minute must not make an hour's gap decisive. */
  minStorySpanHours: 1,
  /** A story with this many members has a span worth learning the stream's time scale from. */
  establishedStoryMembers: 5,
  /** Placements between two estimates of the story span (cheap, but not per item). */
  storySpanRefresh: 256,
  /** Added to the centroid threshold when the cluster already has an item from the same source that
   * the new one does not duplicate: a listing rarely carries two articles on one event. */
  sameSourcePenalty: 0.2,
  /** Two clusters bridged by one item become one only when their centroids are this close
   * (cluster-to-cluster, not item-to-item, so one ambiguous item cannot chain two stories). */
  clusterMergeCosine: 0.6,
  /** `stories` level: two stories whose centroids reach this multiple of the story threshold (plus the time-gap
   * penalty between their cores) are one story that started in two places (consolidation in assign.ts). */
  consolidationPerThreshold: 2,
  /** Heaviest centroid tokens under which a story is filed for consolidation ... */
  consolidationTokens: 4,
  /** ... and the heaviest tokens a changed story looks up there. Looking up only the filed four missed fragments
   * whose vocabularies overlap below each other's top four (a 196-headline story led by "william prince swift
   * taylor" and its 10-headline fragment led by "jovi bon bill": centroid cosine 0.29, over the threshold, never
   * compared). GoogleNews titles, five orders: mean NMI 0.855 -> 0.857 (dev), 0.874 -> 0.880 (other half). */
  consolidationProbeTokens: 8,
  /** Consolidation passes at the end of a run at most: each rescans only the stories merged by the one before, so
   * real streams settle in a few; the cap bounds a pathological one. */
  maxFinalConsolidationPasses: 10,
  /** `duplicates` level: bridged clusters must be nearly the same text to be one article. */
  duplicateClusterMergeCosine: 0.8,
  /** Item-to-member pairs below this tf-idf cosine skip the costly string comparisons (no rule can
   * fire below it except the author and cross-language rules, which are checked on their own). */
  pairPrefilterCosine: 0.25,
  /** Headline-only pairs can only match by the title rule (Dice >= sameTitleDice), and such headlines
   * share most of their rare words: below this cosine the string comparison is skipped. */
  headlinePrefilterCosine: 0.5,
  /** Members compared per candidate cluster (most recent in the window): bounds the work per item
   * on 300-headline stories while still testing "close to the cluster as a whole". */
  maxMembersCompared: 8,
  /** A token in more posting entries than this inside the window is too common to block on
   * ("stocks", "apple" in a week of business news); rarer tokens of the same headline still find the story. */
  maxPostingLength: 500,
  /** Candidate clusters scored per item, those sharing the most rare-token weight first. 16 gave a
   * (slightly) different result from all pairs at 5k items; 64 gives identical output (bench/cluster.ts). */
  maxCandidates: 64,
  /** Tokens per item used for blocking (the rarest ones): a true match shares at least one of them. */
  blockingTokens: 8,
  /** Summary words that enter the tf-idf vector: a teaser and a full text then weigh alike. */
  vectorSummaryWords: 60,
  /** Title words count double in the vector: the headline names the story. */
  titleWeight: 2,
  /** Words of a body read for containment (a teaser is always cut from the start). */
  containmentWords: 400,
} as const;
