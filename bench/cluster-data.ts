/**
 * Shared by the clustering benchmarks and the quality tests: reading the UCI News Aggregator slices and the
 * GoogleNews-TS benchmark as ClusterInput records, the pairwise / B-cubed scores of a clustering against gold
 * labels, and normalized mutual information (NMI).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ClusterInput, ClusterLevel } from '../src/model.js';
import { assignToClusters } from '../src/cluster/index.js';

/** The UCI sample committed with the tests (6,366 headlines, 87 Google News stories, 10-12 March 2014). */
export const UCI_SAMPLE_PATH = fileURLToPath(new URL('../tests/fixtures/uci/uci-news-sample.csv', import.meta.url));

/** The second UCI slice committed with the tests (6,721 headlines, 109 stories, 25-27 April 2014). */
export const UCI_DEV2_PATH = fileURLToPath(new URL('../tests/fixtures/uci/uci-news-dev2.csv', import.meta.url));

/** Both UCI slices the tests and benchmarks use, by name. */
export const UCI_SLICES: readonly { readonly name: string; readonly path: string }[] = [
  { name: 'uci-news-sample', path: UCI_SAMPLE_PATH },
  { name: 'uci-news-dev2', path: UCI_DEV2_PATH },
];

/** The odd-numbered half of GoogleNews-TS as shared (benchmarks only: tests must not read ../shared). */
export const GOOGLENEWS_DEV_PATH = fileURLToPath(new URL('../../shared/data/googlenews-dev.tsv', import.meta.url));

/** A headline with its gold story label. */
export interface LabelledItem {
  readonly input: ClusterInput;
  readonly story: string;
}

/** Parses RFC 4180 CSV (quoted fields, doubled quotes, commas and newlines inside quotes). */
export function parseCsv(text: string, delimiter = ','): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field.length === 0) quoted = true;
    else if (c === delimiter) {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i += 1;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field.length > 0 || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** The columns of the UCI News Aggregator file (newsCorpora.csv has no header row and uses tabs). */
const UCI_COLUMNS = ['ID', 'TITLE', 'URL', 'PUBLISHER', 'CATEGORY', 'STORY', 'HOSTNAME', 'TIMESTAMP'] as const;

/** Splits tab-separated text into rows (no quoting: UCI's newsCorpora.csv has quotes inside titles). */
function parseTsv(text: string): string[][] {
  return text
    .split(/\r?\n/)
    .filter((line) => line.length > 0)
    .map((line) => line.split('\t'));
}

/**
 * Reads a slice of the UCI News Aggregator data set: title only, time = TIMESTAMP, source = PUBLISHER,
 * gold = STORY. Comma-separated with a header row (the committed slices), or tab-separated with or without
 * the header (the original newsCorpora.csv: ID TITLE URL PUBLISHER CATEGORY STORY HOSTNAME TIMESTAMP).
 */
export function loadUciSample(path: string = UCI_SAMPLE_PATH): LabelledItem[] {
  const text = readFileSync(path, 'utf8');
  const firstLine = text.slice(0, text.search(/\r?\n/) >>> 0);
  const parsed = firstLine.includes('\t') ? parseTsv(text) : parseCsv(text);
  const hasHeader = parsed[0]?.includes('STORY') ?? false;
  const header = hasHeader ? parsed[0]! : [...UCI_COLUMNS];
  const rows = hasHeader ? parsed.slice(1) : parsed;
  const col = (name: string): number => {
    const index = header.indexOf(name);
    if (index < 0) throw new Error(`${path}: no ${name} column (expected ${UCI_COLUMNS.join(', ')})`);
    return index;
  };
  const [id, title, publisher, story, timestamp] = ['ID', 'TITLE', 'PUBLISHER', 'STORY', 'TIMESTAMP'].map(col) as [
    number,
    number,
    number,
    number,
    number,
  ];
  return rows
    .filter((r) => r.length === header.length)
    .map((r) => ({
      input: {
        id: r[id]!,
        sourceName: r[publisher]!,
        title: r[title]!,
        summary: '',
        author: null,
        outlet: null,
        time: Number(r[timestamp]),
        truncated: false,
      },
      story: r[story]!,
    }));
}

/** One GoogleNews-TS document: its gold story, its title and its one-sentence snippet (lowercased and
 * stop-worded by the benchmark's authors). */
export interface GoogleNewsDoc {
  readonly story: string;
  readonly title: string;
  readonly snippet: string;
}

/** Reads a GoogleNews-TS file: tab-separated `story, title, snippet` with a header row (googlenews-dev.tsv). */
export function loadGoogleNews(path: string = GOOGLENEWS_DEV_PATH): GoogleNewsDoc[] {
  const rows = parseTsv(readFileSync(path, 'utf8'));
  const header = rows[0] ?? [];
  const [story, title, snippet] = ['story', 'title', 'snippet'].map((name) => header.indexOf(name));
  if (story === undefined || story < 0 || title === undefined || title < 0) {
    throw new Error(`${path}: expected a header row with columns story, title, snippet`);
  }
  return rows.slice(1).map((r) => ({ story: r[story]!, title: r[title] ?? '', snippet: snippet! >= 0 ? (r[snippet!] ?? '') : '' }));
}

/** Start of the day GoogleNews-TS documents are spread over (the benchmark holds one day of Google News). */
const GOOGLENEWS_DAY = Date.UTC(2013, 10, 27);

/** A deterministic permutation of 0..n-1 (mulberry32-seeded Fisher-Yates). */
export function seededPermutation(n: number, seed = 13): number[] {
  let state = seed >>> 0;
  const random = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/**
 * GoogleNews-TS documents as feed items: id `gn-<row>`, one outlet per item (`outlet-<row>`, credited with
 * `<source>` in an aggregator feed), times spread evenly over one day in a fixed shuffled order (the file is
 * sorted by story; arrival in story order would make the task easier than news is). `withSnippet`: the
 * snippet becomes the item's summary (the RSS description); otherwise titles only.
 */
export function googleNewsItems(docs: readonly GoogleNewsDoc[], withSnippet: boolean, seed?: number): LabelledItem[] {
  const order = seededPermutation(docs.length, seed);
  const step = Math.floor(86_400_000 / Math.max(1, docs.length));
  const items: LabelledItem[] = new Array<LabelledItem>(docs.length);
  order.forEach((row, slot) => {
    const doc = docs[row]!;
    items[row] = {
      input: {
        id: `gn-${row}`,
        sourceName: `outlet-${row}`,
        title: doc.title,
        summary: withSnippet ? doc.snippet : '',
        author: null,
        outlet: null,
        time: GOOGLENEWS_DAY + slot * step,
        truncated: false,
      },
      story: doc.story,
    };
  });
  return items;
}

/**
 * Normalized mutual information of a predicted clustering against gold labels (both keyed by item index).
 * `sqrt` (default, as in the MStream papers): I(X;Y) / sqrt(H(X) H(Y)); `arithmetic`: 2 I(X;Y) / (H(X) + H(Y))
 * (scikit-learn's default). Natural logarithms (the base cancels). Two single-cluster labelings score 1.
 */
export function nmi(predicted: readonly string[], gold: readonly string[], normalisation: 'sqrt' | 'arithmetic' = 'sqrt'): number {
  if (predicted.length !== gold.length) throw new Error('nmi: labelings of different lengths');
  const n = predicted.length;
  if (n === 0) return 1;
  const count = (keys: readonly string[]): Map<string, number> => {
    const m = new Map<string, number>();
    for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
    return m;
  };
  const entropy = (sizes: Map<string, number>): number => {
    let h = 0;
    for (const c of sizes.values()) h -= (c / n) * Math.log(c / n);
    return h;
  };
  const px = count(predicted);
  const py = count(gold);
  const joint = count(predicted.map((p, i) => `${p}\u0000${gold[i]}`));
  let mi = 0;
  for (const [key, c] of joint) {
    const [p, g] = key.split('\u0000') as [string, string];
    mi += (c / n) * Math.log((c * n) / (px.get(p)! * py.get(g)!));
  }
  const hx = entropy(px);
  const hy = entropy(py);
  if (hx === 0 && hy === 0) return 1;
  if (hx === 0 || hy === 0) return 0;
  return normalisation === 'sqrt' ? mi / Math.sqrt(hx * hy) : (2 * mi) / (hx + hy);
}

/** Pairwise and B-cubed precision / recall / F1 of a predicted clustering against gold labels. */
export interface QualityScores {
  readonly pairPrecision: number;
  readonly pairRecall: number;
  readonly pairF1: number;
  readonly bcubedPrecision: number;
  readonly bcubedRecall: number;
  readonly bcubedF1: number;
  readonly clusters: number;
}

/** Scores predicted cluster ids against gold labels (both keyed by item index). */
export function scoreClustering(predicted: readonly string[], gold: readonly string[]): QualityScores {
  const pairs = (n: number): number => (n * (n - 1)) / 2;
  const count = (keys: readonly string[]): Map<string, number> => {
    const m = new Map<string, number>();
    for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
    return m;
  };
  const predSize = count(predicted);
  const goldSize = count(gold);
  const cell = count(predicted.map((p, i) => `${p}\u0000${gold[i]}`));
  let tp = 0;
  for (const n of cell.values()) tp += pairs(n);
  let predPairs = 0;
  for (const n of predSize.values()) predPairs += pairs(n);
  let goldPairs = 0;
  for (const n of goldSize.values()) goldPairs += pairs(n);
  let bp = 0;
  let br = 0;
  predicted.forEach((p, i) => {
    const both = cell.get(`${p}\u0000${gold[i]}`)!;
    bp += both / predSize.get(p)!;
    br += both / goldSize.get(gold[i]!)!;
  });
  const f1 = (p: number, r: number): number => (p + r === 0 ? 0 : (2 * p * r) / (p + r));
  const pairPrecision = predPairs === 0 ? 1 : tp / predPairs;
  const pairRecall = goldPairs === 0 ? 1 : tp / goldPairs;
  const bcubedPrecision = bp / predicted.length;
  const bcubedRecall = br / predicted.length;
  return {
    pairPrecision,
    pairRecall,
    pairF1: f1(pairPrecision, pairRecall),
    bcubedPrecision,
    bcubedRecall,
    bcubedF1: f1(bcubedPrecision, bcubedRecall),
    clusters: predSize.size,
  };
}

/** Clusters labelled items in one run (everything fresh) and scores the result. */
export function evaluateLevel(items: readonly LabelledItem[], level: ClusterLevel, windowDays = 7): QualityScores {
  const result = assignToClusters(
    [],
    items.map((i) => i.input),
    { level, windowDays },
  );
  const byItem = new Map(result.assignments.map((a) => [a.itemId, a.clusterId]));
  return scoreClustering(
    items.map((i) => byItem.get(i.input.id)!),
    items.map((i) => i.story),
  );
}

/**
 * Clusters labelled items as cron would deliver them: `runs` runs in time order, each placing the items up to
 * its cut time among the stories stored so far (as the pipeline does), then scores the final stories. In process,
 * so a test can afford it; bench/cluster-eval.ts measures the same through the real CLI.
 */
export function evaluateInRuns(
  items: readonly LabelledItem[],
  runs: number,
  level: ClusterLevel = 'stories',
  windowDays = 7,
): QualityScores {
  const times = items.map((i) => i.input.time);
  const first = Math.min(...times);
  const last = Math.max(...times);
  const story = new Map<string, string>();
  const byId = new Map(items.map((i) => [i.input.id, i.input]));
  for (let k = 1; k <= runs; k += 1) {
    const from = k === 1 ? Number.NEGATIVE_INFINITY : first + ((last - first) * (k - 1)) / runs;
    const to = k === runs ? Number.POSITIVE_INFINITY : first + ((last - first) * k) / runs;
    const fresh = items.filter((i) => i.input.time > from && i.input.time <= to).map((i) => i.input);
    if (fresh.length === 0) continue;
    const existing = [...story].map(([id, clusterId]) => ({ ...byId.get(id)!, clusterId }));
    for (const { itemId, clusterId } of assignToClusters(existing, fresh, { level, windowDays }).assignments) story.set(itemId, clusterId);
  }
  return scoreClustering(
    items.map((i) => story.get(i.input.id)!),
    items.map((i) => i.story),
  );
}

/** NewsBlur's rule as a baseline: two titles are one story when >= 60% of their words overlap
 * (share of the longer title's distinct words), clusters are the connected components. */
export function newsBlurBaseline(items: readonly LabelledItem[]): QualityScores {
  const words = items.map((i) => new Set(i.input.title.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []));
  const parent = items.map((_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]!]!;
      x = parent[x]!;
    }
    return x;
  };
  for (let i = 0; i < items.length; i += 1) {
    for (let j = i + 1; j < items.length; j += 1) {
      const a = words[i]!;
      const b = words[j]!;
      let shared = 0;
      for (const w of a) if (b.has(w)) shared += 1;
      const longer = Math.max(a.size, b.size);
      if (longer > 0 && shared / longer >= 0.6) parent[find(i)] = find(j);
    }
  }
  return scoreClustering(
    items.map((_, i) => String(find(i))),
    items.map((i) => i.story),
  );
}
