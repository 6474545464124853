/**
 * Clustering speed at scale: the UCI headlines replicated and shifted in time (each copy 4 days after the
 * previous, one word in three replaced so copies are not verbatim), clustered in one run at 10k, 100k and
 * 1M items; prints time, items/s, peak RSS and the growth ratio t(100k)/t(10k). Then the speed-up of the
 * blocked candidate search over the naive one (every live cluster, every compared member scored in full)
 * at 5k items, and whether both give identical output.
 * Run: npx tsx bench/cluster.ts   (FEEDMERGE_BENCH_MAX=100000 to stop before 1M; FEEDMERGE_BENCH_NAIVE=0
 * skips the naive run, which takes about a minute)
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { clusterWithStrategy, type ClusterOptions } from '../src/cluster/index.js';
import type { ClusterInput } from '../src/model.js';
import { loadUciSample } from './cluster-data.js';

const OPTIONS: ClusterOptions = { level: 'stories', windowDays: 7 };
// One copy of the 3-day UCI slice every 4 days: copies overlap within the 7-day window, so the
// number of items a new one can meet stays constant as the corpus grows (a steady news flow).
const COPY_SHIFT_MS = 4 * 86_400_000;

/** Builds `count` realistic headline items from the UCI sample (deterministic). */
export function syntheticItems(count: number, copyShiftMs: number = COPY_SHIFT_MS): ClusterInput[] {
  const base = loadUciSample().map((i) => i.input).sort((a, b) => a.time - b.time || (a.id < b.id ? -1 : 1));
  const vocabulary = [...new Set(base.flatMap((i) => i.title.split(/\s+/)))].sort();
  let seed = 42;
  const random = (): number => {
    // mulberry32: small deterministic PRNG so every run benchmarks the same corpus.
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const out: ClusterInput[] = [];
  for (let copy = 0; out.length < count; copy += 1) {
    for (const item of base) {
      if (out.length >= count) break;
      const words = item.title.split(/\s+/);
      if (copy > 0) {
        for (let w = 0; w < words.length; w += 3) if (random() < 0.5) words[w] = vocabulary[Math.floor(random() * vocabulary.length)]!;
      }
      out.push({ ...item, id: `${copy}-${item.id}`, title: words.join(' '), sourceName: `${item.sourceName} ${copy % 7}`, time: item.time + copy * copyShiftMs });
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

/** Prints the scaling table and the blocked-vs-naive comparison. */
export async function main(): Promise<void> {
  // FEEDMERGE_BENCH_MAX bounds the sizes while iterating (the 1M step takes minutes and ~1 GiB).
  const max = Number(process.env.FEEDMERGE_BENCH_MAX ?? 1_000_000);
  const seconds = new Map<number, number>();
  console.log(`clustering (${OPTIONS.level}, window ${OPTIONS.windowDays} d), UCI headlines replicated and shifted in time`);
  for (const size of [10_000, 100_000, 1_000_000].filter((n) => n <= max)) {
    let items: ClusterInput[] | null = syntheticItems(size);
    const { value, seconds: s } = time(() => clusterWithStrategy([], items!, OPTIONS, 'blocked'));
    items = null;
    seconds.set(size, s);
    const clusters = new Set(value.assignments.map((a) => a.clusterId)).size;
    // maxRSS is the process's peak so far, i.e. the peak of the largest size run yet.
    console.log(`${String(size).padStart(9)} items  ${s.toFixed(2).padStart(8)} s  ${Math.round(size / s).toString().padStart(8)} items/s  ${String(clusters).padStart(8)} clusters  peak RSS ${mib()}`);
  }
  if (seconds.has(10_000) && seconds.has(100_000)) {
    console.log(`growth t(100k)/t(10k) = ${(seconds.get(100_000)! / seconds.get(10_000)!).toFixed(2)} (linear = 10, target <= 12)`);
  }
  // Naive baseline: every new item against every live cluster in the window, each compared member scored
  // with the full scorer (no index, no prefilter); it must reach exactly the same decisions.
  const naiveSize = Number(process.env.FEEDMERGE_BENCH_NAIVE ?? 5_000);
  if (naiveSize > 0) {
    const small = syntheticItems(naiveSize);
    const blocked = time(() => clusterWithStrategy([], small, OPTIONS, 'blocked'));
    const naive = time(() => clusterWithStrategy([], small, OPTIONS, 'naive'));
    const differing = blocked.value.assignments.filter((a, i) => a.clusterId !== naive.value.assignments[i]?.clusterId).length;
    console.log(
      `${naiveSize} items: blocked ${blocked.seconds.toFixed(3)} s, naive all-pairs ${naive.seconds.toFixed(3)} s, ` +
        `speed-up ${(naive.seconds / blocked.seconds).toFixed(1)}x (target >= 20), identical output: ${isDeepStrictEqual(blocked.value, naive.value)}` +
        (differing > 0 ? ` (${differing} assignments differ)` : ''),
    );
  }
}

if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
