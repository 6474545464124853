/**
 * End to end at scale: the UCI headlines written as RSS 2.0 feeds, read by `feedmerge run` in a child process
 * (parse, store, cluster, publish) with the default limits, at about 6k and 64k items. Prints wall time,
 * items/s and the growth ratio t(64k)/t(6k) (linear = 10). The corpus is built as in bench/cluster.ts (copies
 * of the slice every 4 days, words renamed in each copy).
 * Both layouts: one feed per outlet, and one aggregator feed carrying every item with its outlet in <source>.
 * Run: npx tsx bench/pipeline.ts   (FEEDMERGE_BENCH_SIZES=6366,63660 to choose the sizes;
 * FEEDMERGE_BENCH_LAYOUT=outlets or aggregator for one layout;
 * FEEDMERGE_BENCH_SHIFT_DAYS=0 stacks every copy in the same 1.5 days, ten times the density)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClusterInput, ClusterLevel } from '../src/model.js';
import { syntheticItems } from './cluster.js';

const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

export const escapeXml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The outlet an item stands for: its UCI publisher (without the copy number the benchmark adds). */
export const outletOf = (item: ClusterInput): string => item.sourceName.replace(/ \d+$/, '') || 'unnamed outlet';

/** An RSS 2.0 document; `credit` adds each item's outlet as `<source>`, as an aggregator's feed does; an item's
 * summary, when it has one, is its `<description>`. */
export function rss(title: string, items: readonly ClusterInput[], credit = false): string {
  const entries = items.map(
    (item) =>
      `<item><title>${escapeXml(item.title)}</title><link>https://example.org/${encodeURIComponent(item.id)}</link>` +
      `<guid isPermaLink="false">${escapeXml(item.id)}</guid><pubDate>${new Date(item.time).toUTCString()}</pubDate>` +
      `${item.summary ? `<description>${escapeXml(item.summary)}</description>` : ''}` +
      `${credit ? `<source url="https://example.org/">${escapeXml(outletOf(item))}</source>` : ''}</item>`,
  );
  return `<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>${escapeXml(title)}</title>` +
    `<link>https://example.org/</link><description>${escapeXml(title)}</description>${entries.join('\n')}</channel></rss>\n`;
}

/**
 * Writes the items as RSS (item links https://example.org/<id>) with a config naming the feeds, default
 * limits; returns the config path. `outlets`: one feed per outlet; `aggregator`: one feed carrying every item,
 * each crediting its outlet with `<source>`.
 */
export function writeFeedInstance(
  dir: string,
  items: readonly ClusterInput[],
  level: ClusterLevel = 'stories',
  layout: 'outlets' | 'aggregator' = 'outlets',
): string {
  mkdirSync(join(dir, 'feeds'));
  const feeds: string[] = [];
  if (layout === 'aggregator') {
    const file = join(dir, 'feeds', 'aggregator.xml');
    writeFileSync(file, rss('News aggregator', items, true));
    feeds.push(`  - url: ${JSON.stringify(file)}\n    name: News aggregator`);
  } else {
    const byOutlet = new Map<string, ClusterInput[]>();
    for (const item of items) {
      const list = byOutlet.get(outletOf(item));
      if (list) list.push(item);
      else byOutlet.set(outletOf(item), [item]);
    }
    [...byOutlet].forEach(([outlet, list], i) => {
      const file = join(dir, 'feeds', `${i}.xml`);
      writeFileSync(file, rss(outlet, list));
      feeds.push(`  - url: ${JSON.stringify(file)}\n    name: ${JSON.stringify(outlet)}`);
    });
  }
  const config = join(dir, 'feedmerge.yaml');
  writeFileSync(
    config,
    `root: .\ndatabase: data/feedmerge.db\noutput: public\nseeds: []\nfeeds:\n${feeds.join('\n')}\n` +
      `cluster:\n  level: ${level}\n  windowDays: 7\n`,
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
  const layouts = (process.env.FEEDMERGE_BENCH_LAYOUT ?? 'outlets,aggregator').split(',') as ('outlets' | 'aggregator')[];
  for (const layout of layouts) {
    const seconds: number[] = [];
    console.log(
      `end to end, \`feedmerge run\` in a child process, default limits: UCI headlines as ${layout === 'outlets' ? 'one RSS feed per outlet' : 'one aggregator feed crediting each outlet with <source>'}`,
    );
    for (const size of sizes) {
      const dir = mkdtempSync(join(tmpdir(), 'feedmerge-bench-'));
      try {
        const config = writeFeedInstance(dir, syntheticItems(size, shiftDays * 86_400_000), 'stories', layout);
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
}

if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
