/**
 * Issue 13's measurement harness, end to end through the real CLI: labelled items are written as RSS feeds
 * (`file:` feeds, one per outlet, or one aggregator feed crediting each outlet with `<source>`), read, stored and
 * clustered by `feedmerge run`, and scored from `clusters --json`.
 *
 * Parts (all by default; `--part one,steps,google,explain,determinism` for some):
 * - one:   each UCI slice in one run: pairwise P, B-cubed P/R/F1, story count.
 * - steps: each UCI slice in N runs in time order (default 24): at run k every outlet's feed holds its items with
 *          timestamp <= the k-th of N equally spaced cut times between the slice's first and last item; the
 *          same scores, the difference to one run, and story id stability (after every run each item's story id
 *          is recorded; an item must never move to a story first seen in a later run).
 * - google: GoogleNews-TS as one aggregator feed (one `<source>` outlet per item, times spread over a day):
 *          NMI (sqrt normalisation, I/sqrt(H(X)H(Y)), as the MStream papers; arithmetic also printed) with titles
 *          only and with title + snippet (the snippet as the item's RSS description), and story counts.
 * - explain: random pairs of a clustered instance (the first UCI slice, one run): `explain --json A B` against
 *          membership in `clusters --json` (`sameStory` when the field exists, and the older fields).
 * - determinism: the first UCI slice read from two folders (different paths, feed files named and listed in
 *          reverse order), and the last one in N runs from two folders: the same stories (sets of item-link groups)?
 *
 * Run: npx tsx bench/cluster-eval.ts [--part one,steps,google,explain,determinism] [--uci a.csv,b.csv]
 *      [--google file.tsv] [--runs 24] [--layout outlets|aggregator] [--pairs 300] [--explain-runner in-process|process]
 *      [--keep] [--dir folder] [--json] [--check] [--built]
 * By default the CLI runs from src/ through tsx (always current); `--built` runs bin/feedmerge.js (dist/, faster to
 * start; run `npm run build` first).
 * `--check` lists issue 13's floors as PASS/FAIL and exits 1 when one fails; `--keep` keeps the instances (to run
 * `feedmerge clusters` / `explain` on them by hand); `--dir` puts them in that folder at the same paths every time
 * (the stories do not depend on the paths, but their ids do: item and story ids hash the feed paths, so only then
 * are ids comparable between evaluations or checkouts); `--json` also prints every figure as JSON.
 * `--uci` accepts the committed CSV slices or any UCI file (tab-separated newsCorpora.csv rows with or without a
 * header); `--google` any TSV with columns story, title, snippet.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClusterInput, ClusterLevel } from '../src/model.js';
import {
  GOOGLENEWS_DEV_PATH,
  googleNewsItems,
  loadGoogleNews,
  loadUciSample,
  nmi,
  scoreClustering,
  seededPermutation,
  UCI_SLICES,
  type LabelledItem,
  type QualityScores,
} from './cluster-data.js';
import { byOutlet, fixedFolder, rss } from './pipeline.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(REPO, 'src', 'cli.ts');

// ---------------------------------------------------------------------------------------------------------------
// Running the CLI

/** What one CLI invocation printed. */
export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI with these arguments (after `feedmerge`). */
export type CliRunner = (args: readonly string[]) => Promise<CliResult>;

/** The real CLI in a child process (`node --import tsx src/cli.ts ...`), as a user or cron runs it. */
export const spawnCli: CliRunner = async (args) => {
  const result = spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: REPO,
    env: { ...process.env, FEEDMERGE_CONFIG: '' },
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
};

/** The built CLI as installed (`node bin/feedmerge.js`, running dist/): starts faster, but only as current as the
 * last `npm run build` (the test suite rebuilds dist/ when src/ changed: tests/helpers/build.ts). */
export const builtCli: CliRunner = async (args) => {
  const result = spawnSync(process.execPath, [join(REPO, 'bin', 'feedmerge.js'), ...args], {
    cwd: REPO,
    env: { ...process.env, FEEDMERGE_CONFIG: '' },
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
};

/**
 * The same CLI code in this process (src/program.ts `main`, stdout captured): no 1.4 s process start per call,
 * for commands called hundreds of times (`explain`). Calls must not overlap.
 */
export const inProcessCli: CliRunner = async (args) => {
  const { main } = await import('../src/program.js');
  const chunks: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }) as typeof process.stdout.write;
  let status: number;
  const exitCode = process.exitCode;
  try {
    status = await main(['node', 'feedmerge', ...args]);
  } finally {
    process.stdout.write = write;
    process.exitCode = exitCode;
  }
  return { status, stdout: chunks.join(''), stderr: '' };
};

/** One story of `clusters --json` (the fields this harness reads). */
export interface ClusterJson {
  readonly id: string;
  readonly title: string;
  readonly published: string;
  readonly items: readonly { readonly id: string; readonly link: string | null; readonly title: string }[];
  readonly related?: readonly string[];
}

/** The link an item gets in the written feeds; `clusters --json` items are matched to gold labels by it. */
export const linkOf = (id: string): string => `https://example.org/${encodeURIComponent(id)}`;

// ---------------------------------------------------------------------------------------------------------------
// A throw-away instance fed with `file:` RSS feeds

/** How a labelled data set is written as feeds. */
export interface InstanceOptions {
  /** `outlets`: one RSS feed per outlet (default); `aggregator`: one feed, each item's outlet in `<source>`. */
  readonly layout?: 'outlets' | 'aggregator';
  readonly level?: ClusterLevel;
  readonly windowDays?: number;
  /** Name and list the feed files in reverse outlet order (same content, other file names and config order). */
  readonly reverseFeeds?: boolean;
  readonly runner?: CliRunner;
}

/**
 * A feedmerge instance in `dir` (config, database, output) reading the items as `file:` feeds. The set of feed
 * files is fixed at creation; `write(cut)` rewrites each with its items timed <= cut (an outlet with none yet
 * gets an empty channel), so the same instance can be run repeatedly as the day goes on.
 */
export class FeedInstance {
  readonly config: string;
  private readonly feeds: { readonly file: string; readonly title: string; readonly items: readonly ClusterInput[] }[] = [];
  private readonly runner: CliRunner;

  constructor(
    readonly dir: string,
    items: readonly ClusterInput[],
    private readonly options: InstanceOptions = {},
  ) {
    this.runner = options.runner ?? spawnCli;
    mkdirSync(join(dir, 'feeds'), { recursive: true });
    const sorted = [...items].sort((a, b) => a.time - b.time || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    if (options.layout === 'aggregator') {
      this.feeds.push({ file: join(dir, 'feeds', 'aggregator.xml'), title: 'News aggregator', items: sorted });
    } else {
      const outlets = byOutlet(items);
      if (options.reverseFeeds) outlets.reverse();
      outlets.forEach(([outlet, list], i) => {
        this.feeds.push({ file: join(dir, 'feeds', `${i}.xml`), title: outlet, items: list });
      });
    }
    const entries = this.feeds.map((f) => `  - url: ${JSON.stringify(f.file)}\n    name: ${JSON.stringify(f.title)}`);
    this.config = join(dir, 'feedmerge.yaml');
    writeFileSync(
      this.config,
      `root: .\ndatabase: data/feedmerge.db\noutput: public\nseeds: []\nfeeds:\n${entries.join('\n')}\n` +
        `cluster:\n  level: ${options.level ?? 'stories'}\n  windowDays: ${options.windowDays ?? 7}\n`,
    );
  }

  /** Rewrites every feed file with its items timed <= cut; returns how many items the feeds now hold. */
  write(cut = Number.POSITIVE_INFINITY): number {
    let written = 0;
    for (const feed of this.feeds) {
      const items = feed.items.filter((item) => item.time <= cut);
      written += items.length;
      writeFileSync(feed.file, rss(feed.title, items, this.options.layout === 'aggregator'));
    }
    return written;
  }

  /** `feedmerge run`; throws with its stderr when it fails. */
  async run(): Promise<void> {
    const result = await this.runner(['run', '--config', this.config]);
    if (result.status !== 0) throw new Error(`feedmerge run failed (${result.status}): ${result.stderr}`);
  }

  /** `feedmerge clusters --json`. */
  async clusters(): Promise<ClusterJson[]> {
    const result = await this.runner(['clusters', '--json', '--config', this.config]);
    if (result.status !== 0) throw new Error(`feedmerge clusters failed (${result.status}): ${result.stderr}`);
    return (JSON.parse(result.stdout) as { clusters: ClusterJson[] }).clusters;
  }
}

/** Story id of every item link in `clusters --json`. */
export function storyOfLink(clusters: readonly ClusterJson[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const cluster of clusters) for (const item of cluster.items) if (item.link) map.set(item.link, cluster.id);
  return map;
}

/** Scores of a clustering read back from the CLI, with the items it did not list (should be 0). */
export interface CliScores extends QualityScores {
  readonly items: number;
  readonly goldStories: number;
  readonly missing: number;
}

/** Scores `clusters --json` against the gold labels (an unlisted item counts as a story of its own). */
export function scoreClusters(clusters: readonly ClusterJson[], labelled: readonly LabelledItem[]): CliScores {
  const story = storyOfLink(clusters);
  let missing = 0;
  const predicted = labelled.map((l) => {
    const id = story.get(linkOf(l.input.id));
    if (id !== undefined) return id;
    missing += 1;
    return `missing:${l.input.id}`;
  });
  const gold = labelled.map((l) => l.story);
  return { ...scoreClustering(predicted, gold), items: labelled.length, goldStories: new Set(gold).size, missing };
}

/** Makes a temp folder for an instance; removed by `cleanup` unless kept. */
function scratch(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

// ---------------------------------------------------------------------------------------------------------------
// One run, N runs in time order

/** Clusters labelled items in one `run` and scores `clusters --json`. */
export async function clusterInOneRun(
  dir: string,
  labelled: readonly LabelledItem[],
  options: InstanceOptions = {},
): Promise<{ readonly scores: CliScores; readonly clusters: ClusterJson[]; readonly instance: FeedInstance }> {
  const instance = new FeedInstance(
    dir,
    labelled.map((l) => l.input),
    options,
  );
  instance.write();
  await instance.run();
  const clusters = await instance.clusters();
  return { scores: scoreClusters(clusters, labelled), clusters, instance };
}

/** Story id stability over a sequence of runs. */
export interface IdStability {
  /** Item observations where the story id differed from the previous run's. */
  readonly moves: number;
  /** Moves to an older story (merged into it: allowed). A story's age: the run it was first listed after, then
   * (for two stories first listed after the same run) its earliest item time then, then its id, as the clustering
   * orders a merge ("the older survives"). */
  readonly toOlder: number;
  /** Moves to a newer story: forbidden. */
  readonly toNewer: number;
  /** Of the moves, those between stories first listed after the same run (age by earliest item time). */
  readonly sameRunAge: number;
  /** Items listed after one run and missing after a later one. */
  readonly vanished: number;
  readonly examples: readonly string[];
}

/** The result of clustering a slice in N runs in time order. */
export interface StepsResult {
  readonly runs: number;
  readonly scores: CliScores;
  /** The stories after the last run. */
  readonly clusters: readonly ClusterJson[];
  /** Story count and items held after each run. */
  readonly trace: readonly { readonly cut: number; readonly items: number; readonly stories: number }[];
  readonly stability: IdStability;
}

/** Equally spaced cut times: the k-th of n (k = 1..n) between the first and the last item time (the last = all). */
export function cutTimes(items: readonly ClusterInput[], runs: number): number[] {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const item of items) {
    min = Math.min(min, item.time);
    max = Math.max(max, item.time);
  }
  return Array.from({ length: runs }, (_, k) => (k === runs - 1 ? max : min + ((max - min) * (k + 1)) / runs));
}

/**
 * Clusters labelled items over `runs` runs in time order (each outlet's feed growing as the day goes on),
 * recording each item's story id after every run, and scores the final `clusters --json`.
 */
export async function clusterInSteps(
  dir: string,
  labelled: readonly LabelledItem[],
  runs = 24,
  options: InstanceOptions = {},
): Promise<StepsResult> {
  const instance = new FeedInstance(
    dir,
    labelled.map((l) => l.input),
    options,
  );
  const firstSeen = new Map<string, { readonly run: number; readonly earliest: number }>(); // story id -> age
  const previous = new Map<string, string>(); // item link -> story id after the previous run
  const trace: { cut: number; items: number; stories: number }[] = [];
  let moves = 0;
  let toOlder = 0;
  let toNewer = 0;
  let sameRunAge = 0;
  let vanished = 0;
  const examples: string[] = [];
  let clusters: ClusterJson[] = [];
  const cuts = cutTimes(
    labelled.map((l) => l.input),
    runs,
  );
  for (const [k, cut] of cuts.entries()) {
    const written = instance.write(cut);
    await instance.run();
    clusters = await instance.clusters();
    for (const c of clusters) if (!firstSeen.has(c.id)) firstSeen.set(c.id, { run: k, earliest: Date.parse(c.published) });
    const now = storyOfLink(clusters);
    for (const [link, before] of previous) {
      const after = now.get(link);
      if (after === undefined) {
        vanished += 1;
        if (examples.length < 10) examples.push(`run ${k + 1}: ${link} (story ${before}) no longer listed`);
        continue;
      }
      if (after === before) continue;
      moves += 1;
      const [a, b] = [firstSeen.get(before)!, firstSeen.get(after)!];
      if (a.run === b.run) sameRunAge += 1;
      const newer = b.run !== a.run ? b.run > a.run : b.earliest !== a.earliest ? b.earliest > a.earliest : after > before;
      if (newer) {
        toNewer += 1;
        if (examples.length < 10) {
          examples.push(
            `run ${k + 1}: ${link} moved from ${before} (first listed after run ${a.run + 1}) to newer ${after} ` +
              `(run ${b.run + 1}${
                a.run === b.run ? `, earliest item ${new Date(b.earliest).toISOString()} vs ` + new Date(a.earliest).toISOString() : ''
              })`,
          );
        }
      } else toOlder += 1;
    }
    previous.clear();
    for (const [link, id] of now) previous.set(link, id);
    trace.push({ cut, items: written, stories: clusters.length });
  }
  return {
    runs,
    scores: scoreClusters(clusters, labelled),
    clusters,
    trace,
    stability: { moves, toOlder, toNewer, sameRunAge, vanished, examples },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// GoogleNews-TS

/** NMI and story counts of GoogleNews-TS clustered through one aggregator feed. */
export interface GoogleResult {
  readonly withSnippet: boolean;
  readonly nmi: number;
  readonly nmiArithmetic: number;
  readonly stories: number;
  readonly goldStories: number;
  readonly items: number;
  readonly missing: number;
  readonly scores: CliScores;
}

/** GoogleNews-TS documents as one aggregator feed, one `run`, NMI of `clusters --json` against the stories. */
export async function clusterGoogleNews(
  dir: string,
  path: string,
  withSnippet: boolean,
  options: InstanceOptions = {},
): Promise<GoogleResult> {
  const labelled = googleNewsItems(loadGoogleNews(path), withSnippet);
  const { scores, clusters } = await clusterInOneRun(dir, labelled, { ...options, layout: 'aggregator' });
  const story = storyOfLink(clusters);
  const predicted = labelled.map((l) => story.get(linkOf(l.input.id)) ?? `missing:${l.input.id}`);
  const gold = labelled.map((l) => l.story);
  return {
    withSnippet,
    nmi: nmi(predicted, gold, 'sqrt'),
    nmiArithmetic: nmi(predicted, gold, 'arithmetic'),
    stories: new Set(predicted).size,
    goldStories: new Set(gold).size,
    items: labelled.length,
    missing: scores.missing,
    scores,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// explain against clusters --json

/** How `explain --json` compared with membership in `clusters --json` on sampled pairs. */
export interface ExplainCheck {
  readonly pairs: number;
  readonly pairsSameStory: number;
  /** Whether `explain --json` has the `sameStory` field (issue 13); when false, the mismatch count is null. */
  readonly sameStoryField: boolean;
  /** Pairs whose `sameStory` differs from membership (must be 0). */
  readonly sameStoryMismatches: number | null;
  /** The pairwise rule (`merged`) against membership: MERGED though apart, and not merged though together. */
  readonly mergedButApart: number;
  readonly apartButMerged: number;
  /** The stored-cluster field (`sameCluster`) against membership (a check of the harness: should be 0). */
  readonly sameClusterMismatches: number | null;
  readonly failures: number;
  readonly examples: readonly string[];
}

/** Options of the explain check. */
export interface ExplainCheckOptions {
  readonly pairs?: number;
  readonly seed?: number;
  /** Defaults to the child-process CLI; `inProcessCli` is ~10x faster for hundreds of pairs. */
  readonly runner?: CliRunner;
}

/** Words of a title used to find near-miss pairs (different stories sharing a distinctive word). */
const titleWords = (title: string): string[] => [...new Set(title.toLowerCase().match(/[\p{L}\p{N}]{5,}/gu) ?? [])];

/**
 * Samples pairs of items from a clustered instance and runs `explain --json A B` on each: a third inside one
 * story, a third from different stories sharing a title word (where a pairwise rule and the story decision most
 * often disagree), a third uniformly at random. Compares `sameStory` (when present), `merged` and `sameCluster`
 * with membership in `clusters --json`. Deterministic for a seed.
 */
export async function explainConsistency(config: string, options: ExplainCheckOptions = {}): Promise<ExplainCheck> {
  const runner = options.runner ?? spawnCli;
  const wanted = options.pairs ?? 300;
  const listed = await runner(['clusters', '--json', '--config', config]);
  if (listed.status !== 0) throw new Error(`feedmerge clusters failed: ${listed.stderr}`);
  const clusters = (JSON.parse(listed.stdout) as { clusters: ClusterJson[] }).clusters;
  const items = clusters.flatMap((c) => c.items.map((item) => ({ id: item.id, title: item.title, story: c.id })));
  items.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (items.length < 2) throw new Error('explain check: the instance has fewer than two items');
  const order = seededPermutation(items.length * 7, options.seed ?? 13).map((n) => n % items.length);
  let cursor = 0;
  const next = (): number => order[cursor++ % order.length]!;
  const pairs: [number, number][] = [];
  const seen = new Set<string>();
  const add = (i: number, j: number): boolean => {
    if (i === j) return false;
    const key = i < j ? `${i} ${j}` : `${j} ${i}`;
    if (seen.has(key)) return false;
    seen.add(key);
    pairs.push([i, j]);
    return true;
  };
  const indexOfId = new Map(items.map((item, i) => [item.id, i]));
  const multi = clusters.filter((c) => c.items.length >= 2);
  const byWord = new Map<string, number[]>();
  items.forEach((item, i) => {
    for (const w of titleWords(item.title)) {
      const list = byWord.get(w);
      if (list) list.push(i);
      else byWord.set(w, [i]);
    }
  });
  const third = Math.ceil(wanted / 3);
  for (let tries = 0; pairs.length < third && multi.length > 0 && tries < wanted * 20; tries += 1) {
    const c = multi[next() % multi.length]!;
    add(indexOfId.get(c.items[next() % c.items.length]!.id)!, indexOfId.get(c.items[next() % c.items.length]!.id)!);
  }
  for (let tries = 0, target = pairs.length + third; pairs.length < target && tries < wanted * 20; tries += 1) {
    const i = next();
    const words = titleWords(items[i]!.title);
    if (words.length === 0) continue;
    const others = byWord.get(words[next() % words.length]!)!.filter((j) => items[j]!.story !== items[i]!.story);
    if (others.length > 0) add(i, others[next() % others.length]!);
  }
  for (let tries = 0; pairs.length < wanted && tries < wanted * 20; tries += 1) add(next(), next());

  let sameStoryField = true;
  let sameStoryMismatches = 0;
  let sameClusterField = true;
  let sameClusterMismatches = 0;
  let mergedButApart = 0;
  let apartButMerged = 0;
  let failures = 0;
  let pairsSameStory = 0;
  const examples: string[] = [];
  for (const [i, j] of pairs) {
    const [a, b] = [items[i]!, items[j]!];
    const member = a.story === b.story;
    if (member) pairsSameStory += 1;
    const result = await runner(['explain', '--json', a.id, b.id, '--config', config]);
    if (result.status !== 0) {
      failures += 1;
      if (examples.length < 10) examples.push(`explain ${a.id} ${b.id} failed (${result.status}): ${result.stderr.trim().slice(0, 200)}`);
      continue;
    }
    const json = JSON.parse(result.stdout) as { sameStory?: unknown; sameCluster?: unknown; merged?: unknown };
    if (typeof json.sameStory === 'boolean') {
      if (json.sameStory !== member) {
        sameStoryMismatches += 1;
        if (examples.length < 10)
          examples.push(
            `sameStory=${json.sameStory} but clusters --json has ${a.id} in ${a.story} and ${b.id} in ` +
              `${b.story}: "${a.title}" / "${b.title}"`,
          );
      }
    } else sameStoryField = false;
    if (typeof json.sameCluster === 'boolean') {
      if (json.sameCluster !== member) sameClusterMismatches += 1;
    } else sameClusterField = false;
    if (json.merged === true && !member) mergedButApart += 1;
    if (json.merged === false && member) apartButMerged += 1;
  }
  return {
    pairs: pairs.length,
    pairsSameStory,
    sameStoryField,
    sameStoryMismatches: sameStoryField ? sameStoryMismatches : null,
    mergedButApart,
    apartButMerged,
    sameClusterMismatches: sameClusterField ? sameClusterMismatches : null,
    failures,
    examples,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Same input, same stories

/** Whether one data set read from two folders gives the same stories. */
export interface DeterminismCheck {
  readonly storiesA: number;
  readonly storiesB: number;
  /** Item-link groups found in one instance and not in the other. */
  readonly onlyInA: number;
  readonly onlyInB: number;
  readonly identical: boolean;
  readonly scoresA: CliScores;
  readonly scoresB: CliScores;
}

/** The stories of `clusters --json` as sets of item links (order-free keys). */
export function linkGroups(clusters: readonly ClusterJson[]): Set<string> {
  return new Set(
    clusters.map((c) =>
      c.items
        .map((item) => item.link ?? `id:${item.id}`)
        .sort()
        .join('\n'),
    ),
  );
}

/** Clusters the same items in two instances in different folders (by default the second also names and lists
 * its feed files in reverse order; `reorder: false` keeps the order, so only the paths differ), in one run or in
 * `runs` runs in time order (item ids hash the feed paths: over many runs, any tie still broken by id shows). */
export async function determinismCheck(
  dirA: string,
  dirB: string,
  labelled: readonly LabelledItem[],
  options: InstanceOptions = {},
  reorder = true,
  runs = 1,
): Promise<DeterminismCheck> {
  const cluster = (
    dir: string,
    instance: InstanceOptions,
  ): Promise<{ readonly scores: CliScores; readonly clusters: readonly ClusterJson[] }> =>
    runs > 1 ? clusterInSteps(dir, labelled, runs, instance) : clusterInOneRun(dir, labelled, instance);
  const a = await cluster(dirA, options);
  const b = await cluster(dirB, { ...options, reverseFeeds: reorder ? !options.reverseFeeds : options.reverseFeeds });
  const [ga, gb] = [linkGroups(a.clusters), linkGroups(b.clusters)];
  const onlyInA = [...ga].filter((g) => !gb.has(g)).length;
  const onlyInB = [...gb].filter((g) => !ga.has(g)).length;
  return {
    storiesA: a.clusters.length,
    storiesB: b.clusters.length,
    onlyInA,
    onlyInB,
    identical: onlyInA === 0 && onlyInB === 0,
    scoresA: a.scores,
    scoresB: b.scores,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Issue 13's floors

/** The floors issue 13 will be checked with (on the shared slices and on held-out data). */
export const ISSUE_13_FLOORS = {
  /** Each UCI slice, in one run and in 24 runs in time order. */
  uciBcubedPrecision: 0.9,
  uciBcubedF1: 0.6,
  /** |F1(24 runs) - F1(one run)| at most this. */
  uciStepsF1Tolerance: 0.01,
  /** GoogleNews-TS, titles only and title + snippet. */
  googleNmi: 0.873,
  /** NMI(title + snippet) >= NMI(titles only) - this. */
  googleSnippetTolerance: 0.005,
} as const;

// ---------------------------------------------------------------------------------------------------------------
// The bench

const PARTS = ['one', 'steps', 'google', 'explain', 'determinism'] as const;
type Part = (typeof PARTS)[number];

interface Args {
  readonly parts: ReadonlySet<Part>;
  readonly uci: readonly { readonly name: string; readonly path: string }[];
  readonly google: string;
  readonly runs: number;
  readonly layout: 'outlets' | 'aggregator';
  readonly pairs: number;
  readonly explainRunner: 'in-process' | 'process';
  readonly keep: boolean;
  /** Where the instances go (`--dir`): the same paths every time, else fresh temp folders. */
  readonly dir: string | undefined;
  readonly json: boolean;
  readonly check: boolean;
  readonly built: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    const inline = argv.find((a) => a.startsWith(`${flag}=`));
    if (inline) return inline.slice(flag.length + 1);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const parts = (value('--part') ?? PARTS.join(',')).split(',').map((p) => p.trim()) as Part[];
  for (const p of parts) if (!PARTS.includes(p)) throw new Error(`--part: unknown part "${p}" (one of ${PARTS.join(', ')})`);
  const uciArg = value('--uci');
  const layout = value('--layout') ?? 'outlets';
  if (layout !== 'outlets' && layout !== 'aggregator') throw new Error('--layout: outlets or aggregator');
  const explainRunner = value('--explain-runner') ?? 'in-process';
  if (explainRunner !== 'in-process' && explainRunner !== 'process') throw new Error('--explain-runner: in-process or process');
  return {
    parts: new Set(parts),
    uci: uciArg ? uciArg.split(',').map((path) => ({ name: basename(path), path })) : UCI_SLICES,
    google: value('--google') ?? GOOGLENEWS_DEV_PATH,
    runs: Number(value('--runs') ?? 24),
    layout,
    pairs: Number(value('--pairs') ?? 300),
    explainRunner,
    keep: argv.includes('--keep'),
    dir: value('--dir'),
    json: argv.includes('--json'),
    check: argv.includes('--check'),
    built: argv.includes('--built'),
  };
}

const f3 = (x: number): string => x.toFixed(3);
const HEADER =
  `${'slice'.padEnd(40)} ${'pairs P'.padStart(7)} ${'B3 P'.padStart(6)} ${'B3 R'.padStart(6)} ` +
  `${'B3 F1'.padStart(6)} ${'stories'.padStart(8)} ${'gold'.padStart(5)} ${'items'.padStart(6)}`;
const row = (name: string, s: CliScores): string =>
  `${name.padEnd(40)} ${f3(s.pairPrecision).padStart(7)} ${f3(s.bcubedPrecision).padStart(6)} ` +
  `${f3(s.bcubedRecall).padStart(6)} ${f3(s.bcubedF1).padStart(6)} ${String(s.clusters).padStart(8)} ` +
  `${String(s.goldStories).padStart(5)} ` +
  `${String(s.items).padStart(6)}${s.missing > 0 ? `  (${s.missing} items missing from clusters --json)` : ''}`;

/** Prints every part's figures (`argv`: the flags above; none when called from bench/run.ts). */
export async function main(argv: readonly string[] = []): Promise<void> {
  const args = parseArgs(argv);
  const dirs: string[] = [];
  const dir = (prefix: string): string => {
    const d = args.dir === undefined ? scratch(prefix) : fixedFolder(join(args.dir, `${prefix}${dirs.length}`));
    dirs.push(d);
    return d;
  };
  const report: Record<string, unknown> = {};
  const instanceOptions: InstanceOptions = { layout: args.layout, runner: args.built ? builtCli : spawnCli };
  const F = ISSUE_13_FLOORS;
  const floors: { readonly what: string; readonly ok: boolean }[] = [];
  const floor = (what: string, ok: boolean): void => void floors.push({ what, ok });
  try {
    const slices = args.uci.map((s) => ({ ...s, labelled: loadUciSample(s.path) }));
    const oneRun = new Map<string, CliScores>();
    if (args.parts.has('one') || args.parts.has('steps')) {
      console.log(
        `UCI slices through the real CLI ` +
          `(${args.layout === 'outlets' ? 'one RSS feed per outlet' : 'one aggregator feed, <source> per item'}), ` +
          'stories level, scored from clusters --json',
      );
      console.log(HEADER);
    }
    for (const slice of slices) {
      if (args.parts.has('one') || args.parts.has('steps')) {
        const { scores } = await clusterInOneRun(dir('feedmerge-eval-one-'), slice.labelled, instanceOptions);
        oneRun.set(slice.name, scores);
        console.log(row(`${slice.name}, one run`, scores));
        floor(
          `${slice.name} one run: B-cubed P ${f3(scores.bcubedPrecision)} >= ${F.uciBcubedPrecision}`,
          scores.bcubedPrecision >= F.uciBcubedPrecision,
        );
        floor(`${slice.name} one run: B-cubed F1 ${f3(scores.bcubedF1)} >= ${F.uciBcubedF1}`, scores.bcubedF1 >= F.uciBcubedF1);
        report[`${slice.name}/one`] = scores;
      }
      if (args.parts.has('steps')) {
        const steps = await clusterInSteps(dir('feedmerge-eval-steps-'), slice.labelled, args.runs, instanceOptions);
        const one = oneRun.get(slice.name)!;
        console.log(row(`${slice.name}, ${args.runs} runs in time order`, steps.scores));
        const d = (x: number, y: number): string => `${x - y >= 0 ? '+' : ''}${(x - y).toFixed(3)}`;
        console.log(
          `${`  difference (${args.runs} runs - one run)`.padEnd(40)} ` +
            `${d(steps.scores.pairPrecision, one.pairPrecision).padStart(7)} ` +
            `${d(steps.scores.bcubedPrecision, one.bcubedPrecision).padStart(6)} ` +
            `${d(steps.scores.bcubedRecall, one.bcubedRecall).padStart(6)} ` +
            `${d(steps.scores.bcubedF1, one.bcubedF1).padStart(6)} ` +
            `${`${steps.scores.clusters - one.clusters >= 0 ? '+' : ''}${steps.scores.clusters - one.clusters}`.padStart(8)}`,
        );
        const st = steps.stability;
        console.log(
          `  story ids over ${args.runs} runs: ` +
            `${st.toNewer === 0 && st.vanished === 0 ? 'stable' : 'NOT STABLE'}: ${st.toNewer} moves to a newer ` +
            `id, ${st.toOlder} to an older id (merges; ${st.sameRunAge} of all moves between stories first ` +
            `listed after the same run, aged by earliest item), ${st.vanished} items vanished`,
        );
        for (const e of st.examples) console.log(`    ${e}`);
        const s = steps.scores;
        floor(
          `${slice.name} ${args.runs} runs: B-cubed P ${f3(s.bcubedPrecision)} >= ${F.uciBcubedPrecision}`,
          s.bcubedPrecision >= F.uciBcubedPrecision,
        );
        floor(`${slice.name} ${args.runs} runs: B-cubed F1 ${f3(s.bcubedF1)} >= ${F.uciBcubedF1}`, s.bcubedF1 >= F.uciBcubedF1);
        floor(
          `${slice.name} ${args.runs} runs: |F1 difference| ${Math.abs(s.bcubedF1 - one.bcubedF1).toFixed(3)} <= ${F.uciStepsF1Tolerance}`,
          Math.abs(s.bcubedF1 - one.bcubedF1) <= F.uciStepsF1Tolerance,
        );
        floor(
          `${slice.name} ${args.runs} runs: no item moves to a newer story id (${st.toNewer}), none vanishes (${st.vanished})`,
          st.toNewer === 0 && st.vanished === 0,
        );
        console.log(`  stories after each run: ${steps.trace.map((t) => t.stories).join(' ')}`);
        report[`${slice.name}/steps`] = steps;
      }
    }
    if (args.parts.has('google')) {
      console.log(`\nGoogleNews-TS (${args.google}) as one aggregator feed, <source> outlet per item, times spread over a day`);
      console.log(
        `${'text'.padEnd(40)} ${'NMI'.padStart(6)} ${'NMIar'.padStart(6)} ${'B3 P'.padStart(6)} ` +
          `${'B3 R'.padStart(6)} ${'B3 F1'.padStart(6)} ${'stories'.padStart(8)} ${'gold'.padStart(5)} ${'items'.padStart(6)}`,
      );
      const results: GoogleResult[] = [];
      for (const withSnippet of [false, true]) {
        const g = await clusterGoogleNews(dir('feedmerge-eval-google-'), args.google, withSnippet, instanceOptions);
        results.push(g);
        console.log(
          `${(withSnippet ? 'title + snippet' : 'titles only').padEnd(40)} ${f3(g.nmi).padStart(6)} ` +
            `${f3(g.nmiArithmetic).padStart(6)} ${f3(g.scores.bcubedPrecision).padStart(6)} ` +
            `${f3(g.scores.bcubedRecall).padStart(6)} ${f3(g.scores.bcubedF1).padStart(6)} ` +
            `${String(g.stories).padStart(8)} ${String(g.goldStories).padStart(5)} ` +
            `${String(g.items).padStart(6)}${g.missing > 0 ? `  (${g.missing} missing)` : ''}`,
        );
        report[`google/${withSnippet ? 'title+snippet' : 'titles'}`] = g;
      }
      const [t, ts] = results as [GoogleResult, GoogleResult];
      floor(`GoogleNews titles only: NMI ${f3(t.nmi)} >= ${F.googleNmi}`, t.nmi >= F.googleNmi);
      floor(`GoogleNews title + snippet: NMI ${f3(ts.nmi)} >= ${F.googleNmi}`, ts.nmi >= F.googleNmi);
      floor(
        `GoogleNews title + snippet not below titles only by more than ${F.googleSnippetTolerance} (${(ts.nmi - t.nmi).toFixed(3)})`,
        ts.nmi >= t.nmi - F.googleSnippetTolerance,
      );
      console.log(
        `  NMI = I(X;Y)/sqrt(H(X)H(Y)) (NMIar = 2I/(H(X)+H(Y))); title + snippet - titles only = ` +
          `${(ts.nmi - t.nmi >= 0 ? '+' : '') + (ts.nmi - t.nmi).toFixed(3)}`,
      );
    }
    if (args.parts.has('explain')) {
      const slice = slices[0]!;
      const { instance } = await clusterInOneRun(dir('feedmerge-eval-explain-'), slice.labelled, instanceOptions);
      const runner = args.explainRunner === 'process' ? spawnCli : inProcessCli;
      const check = await explainConsistency(instance.config, { pairs: args.pairs, runner });
      console.log(
        `\nexplain --json against clusters --json: ${slice.name} in one run, ${check.pairs} sampled pairs ` +
          `(${check.pairsSameStory} inside one story), ${args.explainRunner} CLI`,
      );
      console.log(
        `  sameStory: ${
          check.sameStoryField
            ? `${check.sameStoryMismatches} of ${check.pairs} pairs differ from clusters --json`
            : 'field absent from explain --json (issue 13 adds it)'
        }`,
      );
      console.log(
        `  merged (pairwise rule): ${check.mergedButApart} pairs MERGED though in different stories, ` +
          `${check.apartButMerged} not merged though in one story`,
      );
      console.log(
        `  sameCluster (stored ids): ${check.sameClusterMismatches ?? 'field absent'} ` +
          `differ${check.failures > 0 ? `; ${check.failures} explain calls failed` : ''}`,
      );
      for (const e of check.examples) console.log(`    ${e}`);
      floor(
        `explain --json sameStory equals clusters --json membership on ${check.pairs} pairs`,
        check.sameStoryField && check.sameStoryMismatches === 0 && check.failures === 0,
      );
      report.explain = check;
    }
    if (args.parts.has('determinism')) {
      console.log(`\nsame input, two folders`);
      // One run of the first slice, paths only and files reordered; the last slice in `--runs` runs, paths only.
      for (const [slice, reorder, runs] of [
        [slices[0]!, false, 1],
        [slices[0]!, true, 1],
        [slices.at(-1)!, false, args.runs],
      ] as const) {
        const check = await determinismCheck(
          dir('feedmerge-eval-where-a-'),
          dir('feedmerge-eval-elsewhere-b-'),
          slice.labelled,
          instanceOptions,
          reorder,
          runs,
        );
        const label =
          `${slice.name}, ${runs === 1 ? 'one run' : `${runs} runs`}: ` +
          (reorder ? 'other paths, feed files named and listed in reverse order' : 'other paths only (same file names and order)');
        console.log(
          `  ${label}: ${check.identical ? 'identical stories' : 'DIFFERENT stories'}: ${check.storiesA} vs ` +
            `${check.storiesB} stories, ${check.onlyInA} groups only in the first, ${check.onlyInB} only in the ` +
            `second; B-cubed F1 ${f3(check.scoresA.bcubedF1)} vs ${f3(check.scoresB.bcubedF1)}`,
        );
        floor(
          `same stories from two folders, ${runs === 1 ? '' : `${runs} runs, `}${reorder ? 'files reordered' : 'paths only'} ` +
            `(${check.onlyInA + check.onlyInB} groups differ)`,
          check.identical,
        );
        report[`determinism/${reorder ? 'reordered' : 'paths'}${runs === 1 ? '' : `/${runs}-runs`}`] = check;
      }
    }
    if (args.check) {
      console.log(`\nissue 13 floors: ${floors.filter((f) => f.ok).length} of ${floors.length} met`);
      for (const f of floors) console.log(`  ${f.ok ? 'PASS' : 'FAIL'}  ${f.what}`);
      if (floors.some((f) => !f.ok)) process.exitCode = 1;
    }
    if (args.json) console.log(JSON.stringify(report, null, 2));
  } finally {
    if (args.keep) console.log(`\ninstances kept: ${dirs.join(' ')}`);
    else for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main(process.argv.slice(2));
}
