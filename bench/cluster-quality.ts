/**
 * Clustering quality on real data: the UCI News Aggregator sample (titles only, Google News story
 * labels). Prints pairwise and B-cubed precision / recall / F1 for both levels and NewsBlur's rule.
 * Run: npx tsx bench/cluster-quality.ts
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { evaluateLevel, loadUciSample, newsBlurBaseline, type QualityScores } from './cluster-data.js';

/** Prints the quality table. */
export async function main(): Promise<void> {
  const items = loadUciSample();
  const stories = new Set(items.map((i) => i.story)).size;
  console.log(`UCI sample: ${items.length} headlines, ${new Set(items.map((i) => i.input.sourceName)).size} outlets, ${stories} stories`);
  const row = (name: string, s: QualityScores): string =>
    `${name.padEnd(22)} ${[s.pairPrecision, s.pairRecall, s.pairF1, s.bcubedPrecision, s.bcubedRecall, s.bcubedF1]
      .map((x) => x.toFixed(3).padStart(7))
      .join(' ')} ${String(s.clusters).padStart(8)}`;
  console.log(
    `${'method'.padEnd(22)} ` +
      `${['pairP', 'pairR', 'pairF1', 'B3 P', 'B3 R', 'B3 F1'].map((h) => h.padStart(7)).join(' ')} ${'clusters'.padStart(8)}`,
  );
  console.log(row('feedmerge duplicates', evaluateLevel(items, 'duplicates')));
  console.log(row('feedmerge stories', evaluateLevel(items, 'stories')));
  console.log(row('NewsBlur (overlap>=0.6)', newsBlurBaseline(items)));
}

if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
