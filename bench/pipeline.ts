/**
 * End to end at scale: the UCI headlines written as RSS 2.0 feeds (one per outlet), read by `feedmerge run`
 * in a child process (parse, store, cluster, publish), at about 6k and 64k items. Prints wall time, items/s
 * and the growth ratio t(64k)/t(6k) (linear = 10). The 64k corpus is the slice replicated as in
 * bench/cluster.ts (each copy shifted 4 days, one word in three replaced), so copies overlap in the window.
 * Run: npx tsx bench/pipeline.ts   (FEEDMERGE_BENCH_SIZES=6366,63660 to choose the sizes;
 * FEEDMERGE_BENCH_SHIFT_DAYS=0 stacks every copy in the same three days, ten times the density)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClusterInput, ClusterLevel } from '../src/model.js';
import { syntheticItems } from './cluster.js';

const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

const escapeXml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function rss(outlet: string, items: readonly ClusterInput[]): string {
  const entries = items.map(
    (item) =>
      `<item><title>${escapeXml(item.title)}</title><link>https://example.org/${encodeURIComponent(item.id)}</link>` +
      `<guid isPermaLink="false">${escapeXml(item.id)}</guid><pubDate>${new Date(item.time).toUTCString()}</pubDate></item>`,
  );
  return `<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>${escapeXml(outlet)}</title>` +
    `<link>https://example.org/</link><description>${escapeXml(outlet)}</description>${entries.join('\n')}</channel></rss>\n`;
}

/** Writes one RSS feed per outlet (item links https://example.org/<id>) and a config naming them; returns
 * the config path. */
export function writeFeedInstance(dir: string, items: readonly ClusterInput[], level: ClusterLevel = 'stories'): string {
  const byOutlet = new Map<string, ClusterInput[]>();
  for (const item of items) {
    const outlet = item.sourceName.replace(/ \d+$/, '') || 'unnamed outlet';
    const list = byOutlet.get(outlet) ?? [];
    list.push(item);
    byOutlet.set(outlet, list);
  }
  mkdirSync(join(dir, 'feeds'));
  const feeds: string[] = [];
  [...byOutlet].forEach(([outlet, list], i) => {
    const file = join(dir, 'feeds', `${i}.xml`);
    writeFileSync(file, rss(outlet, list));
    feeds.push(`  - url: ${JSON.stringify(file)}\n    name: ${JSON.stringify(outlet)}`);
  });
  const config = join(dir, 'feedmerge.yaml');
  writeFileSync(
    config,
    `root: .\ndatabase: data/feedmerge.db\noutput: public\nseeds: []\nfeeds:\n${feeds.join('\n')}\n` +
      `cluster:\n  level: ${level}\n  windowDays: 7\nfetch:\n  maxBodyBytes: 104857600\n`,
  );
  return config;
}

/** Runs the CLI once; returns its wall time in seconds. */
function runOnce(config: string): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'run', '--config', config], {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) throw new Error(`feedmerge run failed (${result.status}): ${result.stderr}`);
  return seconds;
}

/** Prints the end-to-end table and growth ratio. */
export async function main(): Promise<void> {
  const sizes = (process.env.FEEDMERGE_BENCH_SIZES ?? '6366,63660').split(',').map(Number);
  const shiftDays = Number(process.env.FEEDMERGE_BENCH_SHIFT_DAYS ?? 4);
  const seconds: number[] = [];
  console.log('end to end: UCI headlines as RSS feeds, one per outlet, `feedmerge run` in a child process');
  for (const size of sizes) {
    const dir = mkdtempSync(join(tmpdir(), 'feedmerge-bench-'));
    try {
      const config = writeFeedInstance(dir, syntheticItems(size, shiftDays * 86_400_000));
      const s = runOnce(config);
      seconds.push(s);
      console.log(`${String(size).padStart(9)} items  ${s.toFixed(2).padStart(8)} s  ${Math.round(size / s).toString().padStart(8)} items/s`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (seconds.length >= 2) {
    const ratio = seconds.at(-1)! / seconds[0]!;
    console.log(`growth t(${sizes.at(-1)})/t(${sizes[0]}) = ${ratio.toFixed(2)} (items x${(sizes.at(-1)! / sizes[0]!).toFixed(1)})`);
  }
}

if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
