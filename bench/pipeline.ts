/**
 * End to end at scale: the UCI headlines written as RSS 2.0 feeds, read by the built `feedmerge run` in a child
 * process (parse, store, cluster, publish) with the default limits, at about 6k and 64k items, started as the README
 * starts it (`node --v8-pool-size=0`) and once more with node's defaults. Prints wall time,
 * items/s, peak memory, the floor (rss-parser's raw parse of the same files plus one SQLite transaction
 * inserting their items, timed in this process right after) and the run's ratio to it (issue 18), the ratio its
 * CPU work allows at best on this machine's cores, a hash of the stories made (equal before and after a
 * speed-up), and the growth ratio t(64k)/t(6k) (linear = 10).
 * The corpus is built as in bench/cluster.ts (copies of the slice every 4 days, words renamed in each copy).
 * Both layouts: one feed per outlet, and one aggregator feed carrying every item with its outlet in <source>.
 * Run: npx tsx bench/pipeline.ts   (FEEDMERGE_BENCH_SIZES=6366,63660 to choose the sizes;
 * FEEDMERGE_BENCH_LAYOUT=outlets or aggregator for one layout;
 * FEEDMERGE_BENCH_SHIFT_DAYS=0 stacks every copy in the same 1.5 days, ten times the density;
 * FEEDMERGE_BENCH_DIR=<folder> writes the feeds to the same paths every time, so the stories hash of one
 * checkout can be compared with another's: item and story ids are hashes of the feed paths)
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import Parser from 'rss-parser';
import type { ClusterInput, ClusterLevel } from '../src/model.js';
import { SqliteStore as Store } from '../src/store/index.js';
import { syntheticItems } from './cluster.js';
import { README_NODE_OPTIONS } from './node-options.js';

const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const BUILT_CLI = fileURLToPath(new URL('../bin/feedmerge.js', import.meta.url));

export const escapeXml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The outlet an item stands for: its UCI publisher (without the copy number the benchmark adds). */
export const outletOf = (item: ClusterInput): string => item.sourceName.replace(/ \d+$/, '') || 'unnamed outlet';

/** The items grouped by outlet (outletOf), outlets in order of their first item, items in input order. */
export function byOutlet(items: readonly ClusterInput[]): [string, ClusterInput[]][] {
  const groups = new Map<string, ClusterInput[]>();
  for (const item of items) {
    const list = groups.get(outletOf(item));
    if (list) list.push(item);
    else groups.set(outletOf(item), [item]);
  }
  return [...groups];
}

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
  return (
    `<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>${escapeXml(title)}</title>` +
    `<link>https://example.org/</link><description>${escapeXml(title)}</description>${entries.join('\n')}</channel></rss>\n`
  );
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
  const feeds = writeFeedFiles(dir, items, layout);
  const config = join(dir, 'feedmerge.yaml');
  writeFileSync(
    config,
    `root: .\ndatabase: data/feedmerge.db\noutput: public\nseeds: []\nfeeds:\n${feeds.join('\n')}\n` +
      `cluster:\n  level: ${level}\n  windowDays: 7\n`,
  );
  return config;
}

/**
 * Writes (or rewrites) the feed files of an instance; returns their config entries. Items added to outlets that
 * already have a feed keep every outlet at the same file.
 */
function writeFeedFiles(dir: string, items: readonly ClusterInput[], layout: 'outlets' | 'aggregator'): string[] {
  if (layout === 'aggregator') {
    const file = join(dir, 'feeds', 'aggregator.xml');
    writeFileSync(file, rss('News aggregator', items, true));
    return [`  - url: ${JSON.stringify(file)}\n    name: News aggregator`];
  }
  return byOutlet(items).map(([outlet, list], i) => {
    const file = join(dir, 'feeds', `${i}.xml`);
    // Only the feeds that changed are written again (as a generator of local feeds would): the others keep their stamp.
    const text = rss(outlet, list);
    if (!existsSync(file) || readFileSync(file, 'utf8') !== text) writeFileSync(file, text);
    return `  - url: ${JSON.stringify(file)}\n    name: ${JSON.stringify(outlet)}`;
  });
}

/** Items for the run after the first: a new version of the latest item of `count` outlets, an hour after the last item. */
function nextRunItems(items: readonly ClusterInput[], count: number): ClusterInput[] {
  const last = Math.max(...items.map((item) => item.time));
  return byOutlet(items)
    .map(([, list]) => list.reduce((latest, item) => (item.time >= latest.time ? item : latest)))
    .sort((a, b) => b.time - a.time || (a.id < b.id ? -1 : 1))
    .slice(0, count)
    .map((item, i) => ({ ...item, id: `${item.id}-next`, title: `${item.title}, update`, time: last + 3_600_000 + i * 1000 }));
}

/** One `feedmerge run` of the built CLI: wall time, peak memory and a hash of the stories it made. */
interface RunFigures {
  readonly seconds: number;
  /** Peak resident set of the child in KiB, from /usr/bin/time when present. */
  readonly peakKiB: number | null;
  /** CPU seconds the child used, every thread (user + system), from /usr/bin/time when present. */
  readonly cpuSeconds: number | null;
  /** SHA-256 of `clusters --json` without the times a run stamps (firstSeenAt, a story's updated). */
  readonly hash: string;
}

const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

/** How node is started for a run: as the README runs it, or with node's defaults (`node bin/feedmerge.js`). */
type NodeSetting = 'as documented' | 'node defaults';

/** The CLI as the bench runs it: the built one, bin/feedmerge.js, as operators do; tsx when FEEDMERGE_BENCH_TSX=1. */
function cliArgs(node: NodeSetting = 'as documented'): string[] {
  const options = node === 'as documented' ? README_NODE_OPTIONS : [];
  return process.env.FEEDMERGE_BENCH_TSX === '1' ? [...options, '--import', 'tsx', CLI] : [...options, BUILT_CLI];
}

/** Seconds a run spent in each stage, from its debug log (`run -v`). */
interface Stages {
  /** The whole run, process start to exit. */
  readonly total: number;
  /** Process start to the run's start, and the run's end to the process exit. */
  readonly startAndExit: number;
  /** Declaring, reading and storing the sources, up to clustering. */
  readonly reading: number;
  readonly placing: number;
  readonly storingStories: number;
  readonly publishing: number;
}

/** Runs the CLI once more with its debug log, and tells where the time went (not timed against the floor: the
 * log costs a little). */
function stagesOf(config: string): Stages {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [...cliArgs(), 'run', '--config', config, '-v'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) throw new Error(`feedmerge run -v failed (${result.status}): ${result.stderr}`);
  const lines = result.stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { time: number; msg: string; ms?: number; placedMs?: number; storedMs?: number });
  const find = (prefix: string): (typeof lines)[number] => {
    const line = lines.find((l) => l.msg.startsWith(prefix));
    if (line === undefined) throw new Error(`feedmerge run -v: no "${prefix}" line`);
    return line;
  };
  const end = find('run:');
  const placing = find('cluster: placing');
  const placed = find('cluster: placed');
  const published = Number(/in (\d+) ms/.exec(find('publish:').msg)?.[1] ?? Number.NaN);
  const runMs = end.ms ?? Number.NaN;
  return {
    total: wall,
    startAndExit: wall - runMs / 1000,
    reading: (placing.time - (end.time - runMs)) / 1000,
    placing: (placed.placedMs ?? Number.NaN) / 1000,
    storingStories: (placed.storedMs ?? Number.NaN) / 1000,
    publishing: published / 1000,
  };
}

/** Runs the CLI once. */
function runOnce(config: string, node: NodeSetting = 'as documented'): RunFigures {
  const cli = cliArgs(node);
  const command = TIME ? TIME : process.execPath;
  const args = TIME ? ['-f', 'peak-kib=%M cpu-s=%U+%S', process.execPath, ...cli] : cli;
  const start = process.hrtime.bigint();
  const result = spawnSync(command, [...args, 'run', '--config', config], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) throw new Error(`feedmerge run failed (${result.status}): ${result.stderr}`);
  const peak = /peak-kib=(\d+)/.exec(result.stderr);
  const cpu = /cpu-s=([\d.]+)\+([\d.]+)/.exec(result.stderr);
  const clusters = spawnSync(process.execPath, [...cli, 'clusters', '--json', '--config', config], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  if (clusters.status !== 0) throw new Error(`feedmerge clusters failed: ${clusters.stderr}`);
  return {
    seconds,
    peakKiB: peak ? Number(peak[1]) : null,
    cpuSeconds: cpu ? Number(cpu[1]) + Number(cpu[2]) : null,
    hash: storiesHash(clusters.stdout),
  };
}

/** Runs the CLI once on an empty database and output folder. */
function freshRun(dir: string, config: string, node: NodeSetting): RunFigures {
  clearRun(dir);
  return runOnce(config, node);
}

/** Removes what a run of the instance wrote: its database and its published files. */
function clearRun(dir: string): void {
  rmSync(join(dir, 'data'), { recursive: true, force: true });
  rmSync(join(dir, 'public'), { recursive: true, force: true });
}

/**
 * What the run's CPU work allows at best: spread over every core for the whole run, it would take cpu / cores
 * seconds. A ratio to the floor below that bound needs less work, not more parallelism.
 */
function cpuBound(cpuSeconds: number, floor: number): string {
  const cores = availableParallelism();
  const best = cpuSeconds / cores;
  return (
    `${cpuSeconds.toFixed(2)} s of CPU (every thread): on ${cores} cores busy the whole run it would take ` +
    `${best.toFixed(2)} s, ${(best / floor).toFixed(2)}x the floor`
  );
}

function fastest(runs: readonly RunFigures[]): RunFigures {
  return runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
}

/** The stories as sets of items, without the wall-clock times a run stamps on them: equal input, equal hash. */
export function storiesHash(clustersJson: string): string {
  const data = JSON.parse(clustersJson) as { clusters: { id: string; title: string; items: Record<string, unknown>[] }[] };
  const stable = data.clusters.map((c) => ({
    id: c.id,
    title: c.title,
    items: c.items.map(({ firstSeenAt: _seen, ...item }) => item),
  }));
  stable.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return createHash('sha256').update(JSON.stringify(stable)).digest('hex').slice(0, 16);
}

/**
 * The floor a run is measured against (issue 18), in this process: rss-parser's raw parse of the same files
 * plus one SQLite transaction inserting their items into feedmerge's schema. Nothing a run must do less.
 */
export async function measureFloor(dir: string): Promise<number> {
  const files = readdirSync(join(dir, 'feeds')).map((name) => join(dir, 'feeds', name));
  const dbDir = mkdtempSync(join(tmpdir(), 'feedmerge-floor-'));
  try {
    const start = process.hrtime.bigint();
    const parsed: { url: string; items: Parser.Item[] }[] = [];
    for (const file of files) parsed.push({ url: file, items: (await new Parser().parseString(readFileSync(file, 'utf8'))).items });
    const store = Store.open(join(dbDir, 'floor.db'));
    const db = new Database(join(dbDir, 'floor.db'));
    try {
      const source = db.prepare(`INSERT INTO sources (url, kind, name, origin, created_at) VALUES (?, 'feed', ?, 'config', ?)`);
      const item = db.prepare(`INSERT INTO items (id, source_url, identity, guid, link, title, summary, position, content_hash,
        first_seen_at, changed_at, sort_time) VALUES (?, ?, ?, ?, ?, ?, '', ?, '', ?, ?, ?)`);
      const now = new Date().toISOString();
      db.transaction(() => {
        for (const feed of parsed) {
          source.run(feed.url, feed.url, now);
          feed.items.forEach((entry, position) => {
            const identity = entry.guid ?? entry.link ?? String(position);
            item.run(
              `${feed.url}\n${identity}`,
              feed.url,
              identity,
              entry.guid ?? null,
              entry.link ?? null,
              entry.title ?? '',
              position,
              now,
              now,
              Date.parse(entry.pubDate ?? now),
            );
          });
        }
      })();
    } finally {
      db.close();
      store.close();
    }
    return Number(process.hrtime.bigint() - start) / 1e9;
  } finally {
    rmSync(dbDir, { recursive: true, force: true });
  }
}

/** New items of the run after the first ("the next run"), each from another outlet. */
const NEXT_RUN_ITEMS = 50;

/** Where one size and layout is written: a new temp folder, or always the same one under FEEDMERGE_BENCH_DIR. */
function benchFolder(size: number, layout: string): string {
  const fixed = process.env.FEEDMERGE_BENCH_DIR;
  if (!fixed) return mkdtempSync(join(tmpdir(), 'feedmerge-bench-'));
  return fixedFolder(join(fixed, `pipeline-${layout}-${size}`));
}

/** An empty folder at a path given: item and story ids hash the feed paths, so the same paths give the same ids
 * from one evaluation (or checkout) to the next. */
export function fixedFolder(path: string): string {
  rmSync(path, { recursive: true, force: true });
  mkdirSync(path, { recursive: true });
  return path;
}

/** Prints the end-to-end table, the floor and the ratio to it, and the growth ratio. */
export async function main(): Promise<void> {
  const sizes = (process.env.FEEDMERGE_BENCH_SIZES ?? '6366,63660').split(',').map(Number);
  const shiftDays = Number(process.env.FEEDMERGE_BENCH_SHIFT_DAYS ?? 4);
  const layouts = (process.env.FEEDMERGE_BENCH_LAYOUT ?? 'outlets,aggregator').split(',') as ('outlets' | 'aggregator')[];
  if (process.env.FEEDMERGE_BENCH_TSX !== '1' && !existsSync(fileURLToPath(new URL('../dist/cli.js', import.meta.url)))) {
    throw new Error('bench/pipeline: run `npm run build` first (it times the built CLI, bin/feedmerge.js)');
  }
  for (const layout of layouts) {
    const seconds: number[] = [];
    const stages: [number, number, Stages][] = [];
    const nextRuns: [number, Stages][] = [];
    console.log(
      `end to end, \`node ${README_NODE_OPTIONS.join(' ')} bin/feedmerge.js run\` (built CLI, as the README runs it) in a child ` +
        `process, default limits: UCI headlines as ` +
        `${layout === 'outlets' ? 'one RSS feed per outlet' : 'one aggregator feed crediting each outlet with <source>'}`,
    );
    console.log('    items     run s   items/s   floor s   run/floor   peak MiB   stories hash');
    for (const size of sizes) {
      const dir = benchFolder(size, layout);
      try {
        const items = syntheticItems(size, shiftDays * 86_400_000);
        const config = writeFeedInstance(dir, items, 'stories', layout);
        await measureFloor(dir); // warm-up: file cache, JIT and module loading out of the floor
        // Each round: a run as the README starts it, the floor, the run with node's defaults; two rounds, best of
        // each: load from other processes hits all three alike.
        const runs: RunFigures[] = [];
        const plainRuns: RunFigures[] = [];
        const floors: number[] = [];
        for (let round = 0; round < 2; round += 1) {
          runs.push(freshRun(dir, config, 'as documented'));
          floors.push(await measureFloor(dir));
          plainRuns.push(freshRun(dir, config, 'node defaults'));
        }
        const hashes = new Set([...runs, ...plainRuns].map((r) => r.hash));
        if (hashes.size !== 1) throw new Error(`runs of the same input made different stories (${[...hashes].join(', ')})`);
        const [run, plain] = [fastest(runs), fastest(plainRuns)];
        const floor = Math.min(...floors);
        const peak = Math.max(...runs.map((r) => r.peakKiB ?? 0));
        seconds.push(run.seconds);
        console.log(
          `${String(size).padStart(9)} ${run.seconds.toFixed(2).padStart(9)} ${Math.round(size / run.seconds)
            .toString()
            .padStart(9)}` +
            ` ${floor.toFixed(2).padStart(9)} ${(run.seconds / floor).toFixed(2).padStart(10)}x ` +
            `${peak ? (peak / 1024).toFixed(0).padStart(10) : '         ?'}   ${run.hash}`,
        );
        console.log(
          `${' '.repeat(9)} ${plain.seconds.toFixed(2).padStart(9)} s, ${(plain.seconds / floor).toFixed(2)}x the floor, ` +
            `started with node's defaults (\`node bin/feedmerge.js run\`, no --v8-pool-size)`,
        );
        if (run.cpuSeconds !== null) console.log(`${' '.repeat(9)} ${cpuBound(run.cpuSeconds, floor)}`);
        clearRun(dir);
        stages.push([size, floor, stagesOf(config)]);
        // The run after it, on its database: what a scheduled run costs once the history is stored.
        writeFeedFiles(dir, [...items, ...nextRunItems(items, NEXT_RUN_ITEMS)], layout);
        nextRuns.push([size, stagesOf(config)]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    if (seconds.length >= 2) {
      const ratio = seconds.at(-1)! / seconds[0]!;
      console.log(`growth t(${sizes.at(-1)})/t(${sizes[0]}) = ${ratio.toFixed(2)} (items x${(sizes.at(-1)! / sizes[0]!).toFixed(1)})`);
    }
    console.log('where the time goes (one more run, with its debug log), seconds and multiples of the floor:');
    console.log('    items   start+exit      reading      placing    storing stories   publishing');
    for (const [size, floor, stage] of stages) {
      const cell = (value: number, width: number): string => `${value.toFixed(2)} (${(value / floor).toFixed(1)}x)`.padStart(width);
      console.log(
        `${String(size).padStart(9)} ${cell(stage.startAndExit, 12)} ${cell(stage.reading, 12)} ${cell(stage.placing, 12)}` +
          ` ${cell(stage.storingStories, 18)} ${cell(stage.publishing, 12)}`,
      );
    }
    const where = layout === 'outlets' ? `one in each of ${NEXT_RUN_ITEMS} feeds` : 'in the one feed';
    console.log(`the next run on that database: ${NEXT_RUN_ITEMS} new items (${where}), an hour after the last; seconds:`);
    console.log('   stored     run s   start+exit   reading   placing   storing stories   publishing');
    for (const [size, stage] of nextRuns) {
      const cell = (value: number, width: number): string => value.toFixed(2).padStart(width);
      console.log(
        `${String(size).padStart(9)} ${cell(stage.total, 9)} ${cell(stage.startAndExit, 12)} ${cell(stage.reading, 9)}` +
          ` ${cell(stage.placing, 9)} ${cell(stage.storingStories, 17)} ${cell(stage.publishing, 12)}`,
      );
    }
  }
}

if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
