/**
 * Clustering speed at scale: the UCI headlines replicated and shifted in time, clustered in one run at 10k,
 * 100k and 1M items; prints time, items/s, peak RSS and the growth ratio t(100k)/t(10k) (after a warm-up, the
 * 10k figure the median of three runs). Each copy is the slice 4 days after the previous one with every word
 * consistently renamed (a random permutation among words of similar frequency): the same story structure and
 * word-frequency profile, different words, as in a steady news flow. Then the speed-up of the blocked candidate
 * search over the naive one (every live cluster, every compared member scored in full) at 5k items, and
 * whether both give identical output. Last, the growth from 6,366 to 63,660 items when copies arrive back to
 * back (a continuous flow) and when all ten are stacked in the same 1.5 days (ten times the density).
 * Run: npx tsx bench/cluster.ts   (FEEDMERGE_BENCH_MAX=100000 to stop before 1M; FEEDMERGE_BENCH_NAIVE=0
 * skips the naive run, which takes about a minute)
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { clusterWithStrategy, type ClusterOptions } from '../src/cluster/index.js';
import type { ClusterInput, ClusteringResult } from '../src/model.js';
import { loadUciSample } from './cluster-data.js';

const OPTIONS: ClusterOptions = { level: 'stories', windowDays: 7 };
const DAY_MS = 86_400_000;
// One copy of the 1.5-day UCI slice every 4 days: consecutive copies meet inside the 7-day window.
const COPY_SHIFT_MS = 4 * DAY_MS;
/** Words are renamed only among this many neighbours in the frequency ranking, so each copy keeps the
 * slice's word-frequency profile (function words stay function words, rare names stay rare). */
const RENAME_GROUP = 50;

/** mulberry32: a small deterministic PRNG, so every run benchmarks the same corpus. */
function prng(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Lower-case words of the titles, most frequent first (ties by word). */
function rankedWords(titles: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const title of titles) for (const word of title.toLowerCase().match(/\p{L}+/gu) ?? []) counts.set(word, (counts.get(word) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([word]) => word);
}

/** A renaming of the ranked words: a random permutation within each group of RENAME_GROUP neighbours. */
function renaming(ranked: readonly string[], random: () => number): Map<string, string> {
  const target = ranked.slice();
  for (let start = 0; start < target.length; start += RENAME_GROUP) {
    const end = Math.min(start + RENAME_GROUP, target.length);
    for (let i = end - 1; i > start; i -= 1) {
      const j = start + Math.floor(random() * (i - start + 1));
      [target[i], target[j]] = [target[j]!, target[i]!];
    }
  }
  return new Map(ranked.map((word, i) => [word, target[i]!]));
}

/** Applies a renaming to a title, keeping each word's capitalisation and plurals ("elections" stays the
 * plural of whatever "election" became, so the tokenizer's stemming sees the same relations). */
function rename(title: string, names: ReadonlyMap<string, string>): string {
  return title.replace(/\p{L}+/gu, (word) => {
    const lower = word.toLowerCase();
    const singular = lower.length > 3 && lower.endsWith('s') ? names.get(lower.slice(0, -1)) : undefined;
    const renamed = singular !== undefined ? `${singular}s` : (names.get(lower) ?? word);
    if (word.length > 1 && word === word.toUpperCase()) return renamed.toUpperCase();
    return word[0] === word[0]!.toUpperCase() ? renamed[0]!.toUpperCase() + renamed.slice(1) : renamed;
  });
}

/**
 * Builds `count` realistic headline items from the UCI sample (deterministic). Every copy, the first too, is
 * renamed, so a 10k corpus has the same mix as a 1M one and the growth measures scale, not a change of data;
 * `renamed: false` keeps the first copy as the real slice (for the naive comparison).
 */
export function syntheticItems(count: number, copyShiftMs: number = COPY_SHIFT_MS, renamed = true): ClusterInput[] {
  const base = loadUciSample()
    .map((i) => i.input)
    .sort((a, b) => a.time - b.time || (a.id < b.id ? -1 : 1));
  const ranked = rankedWords(base.map((i) => i.title));
  const random = prng(42);
  const out: ClusterInput[] = [];
  for (let copy = 0; out.length < count; copy += 1) {
    const names = copy === 0 && !renamed ? new Map<string, string>() : renaming(ranked, random);
    for (const item of base) {
      if (out.length >= count) break;
      out.push({
        ...item,
        id: `${copy}-${item.id}`,
        title: rename(item.title, names),
        sourceName: `${item.sourceName} ${copy % 7}`,
        time: item.time + copy * copyShiftMs,
      });
    }
  }
  return out;
}

function time<T>(run: () => T): { value: T; seconds: number } {
  const start = process.hrtime.bigint();
  const value = run();
  return { value, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

const mib = (): string => `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`;

/** Seconds to cluster `items` in one run: the median of `runs` runs. */
function clusterSeconds(items: readonly ClusterInput[], runs: number): { seconds: number; clusters: number } {
  const results = Array.from({ length: runs }, () => time(() => clusterWithStrategy([], items, OPTIONS, 'blocked')));
  const sorted = results.map((r) => r.seconds).sort((a, b) => a - b);
  return { seconds: sorted[Math.floor(runs / 2)]!, clusters: new Set(results[0]!.value.assignments.map((a) => a.clusterId)).size };
}

/** Prints the scaling table, the blocked-vs-naive comparison and the growth under other arrivals. */
export async function main(): Promise<void> {
  // FEEDMERGE_BENCH_MAX bounds the sizes while iterating (the 1M step takes minutes and ~1.9 GiB).
  const max = Number(process.env.FEEDMERGE_BENCH_MAX ?? 1_000_000);
  const seconds = new Map<number, number>();
  console.log(`clustering (${OPTIONS.level}, window ${OPTIONS.windowDays} d), UCI headlines replicated and shifted in time`);
  // Warm-up, so the JIT's first compilations are not charged to the smallest size.
  clusterWithStrategy([], syntheticItems(3_000), OPTIONS, 'blocked');
  for (const size of [10_000, 100_000, 1_000_000].filter((n) => n <= max)) {
    const { seconds: s, clusters } = clusterSeconds(syntheticItems(size), size <= 10_000 ? 3 : 1);
    seconds.set(size, s);
    // maxRSS is the process's peak so far, i.e. the peak of the largest size run yet.
    console.log(
      `${String(size).padStart(9)} items  ${s.toFixed(2).padStart(8)} s  ` +
        `${Math.round(size / s)
          .toString()
          .padStart(8)} items/s  ${String(clusters).padStart(8)} clusters  peak RSS ${mib()}`,
    );
  }
  if (seconds.has(10_000) && seconds.has(100_000)) {
    console.log(`growth t(100k)/t(10k) = ${(seconds.get(100_000)! / seconds.get(10_000)!).toFixed(2)} (linear = 10, target <= 12)`);
  }
  // Naive baseline: every new item against every live cluster in the window, each compared member scored
  // with the full scorer (no index, no prefilter); it must reach exactly the same decisions.
  const naiveSize = Number(process.env.FEEDMERGE_BENCH_NAIVE ?? 5_000);
  if (naiveSize > 0) {
    // The real slice (not renamed): decisions on real headlines.
    const small = syntheticItems(naiveSize, COPY_SHIFT_MS, false);
    const blocked = time(() => clusterWithStrategy([], small, OPTIONS, 'blocked'));
    const naive = time(() => clusterWithStrategy([], small, OPTIONS, 'naive'));
    const differing = blocked.value.assignments.filter((a, i) => a.clusterId !== naive.value.assignments[i]?.clusterId).length;
    console.log(
      `${naiveSize} items: blocked ${blocked.seconds.toFixed(3)} s, naive all-pairs ${naive.seconds.toFixed(3)} s, ` +
        `speed-up ${(naive.seconds / blocked.seconds).toFixed(1)}x (target >= 20), identical output: ` +
        `${isDeepStrictEqual(decided(blocked.value), decided(naive.value))}` +
        (differing > 0 ? ` (${differing} assignments differ)` : ''),
    );
  }
  // Other arrivals of the same ten copies: back to back (every 1.5 days, no gap), and all in the same days.
  for (const [label, shift] of [
    ['back to back', 1.5 * DAY_MS],
    ['stacked, 10x density', 0],
  ] as const) {
    const small = clusterSeconds(syntheticItems(6_366, shift), 3).seconds;
    const large = clusterSeconds(syntheticItems(63_660, shift), 1).seconds;
    console.log(
      `copies ${label}: 6,366 items ${small.toFixed(2)} s, 63,660 items ${large.toFixed(2)} s, growth ${(large / small).toFixed(2)}`,
    );
  }
}

if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}

/** What a strategy decided: the assignments and merges (the placement record also names the closest story among
 * those a strategy looked at, which differs by design). */
function decided(result: ClusteringResult): Pick<ClusteringResult, 'assignments' | 'merges'> {
  return { assignments: result.assignments, merges: result.merges };
}
