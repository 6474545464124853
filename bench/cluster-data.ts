/**
 * Shared by the clustering benchmarks and the UCI quality test: reading the UCI News Aggregator sample
 * as ClusterInput records, and the pairwise / B-cubed scores of a clustering against gold labels.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ClusterInput, ClusterLevel } from '../src/model.js';
import { assignToClusters } from '../src/cluster/index.js';

/** The UCI sample committed with the tests (6,366 headlines, 87 Google News stories). */
export const UCI_SAMPLE_PATH = fileURLToPath(new URL('../tests/fixtures/uci/uci-news-sample.csv', import.meta.url));

/** A headline with its gold story label. */
export interface LabelledItem {
  readonly input: ClusterInput;
  readonly story: string;
}

/** Parses RFC 4180 CSV (quoted fields, doubled quotes, commas and newlines inside quotes). */
export function parseCsv(text: string): string[][] {
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
    } else if (c === '"') quoted = true;
    else if (c === ',') {
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

/** Reads the UCI sample: title only, time = TIMESTAMP, source = PUBLISHER, gold = STORY. */
export function loadUciSample(path: string = UCI_SAMPLE_PATH): LabelledItem[] {
  const [header, ...rows] = parseCsv(readFileSync(path, 'utf8'));
  const col = (name: string): number => header!.indexOf(name);
  const [id, title, publisher, story, timestamp] = ['ID', 'TITLE', 'PUBLISHER', 'STORY', 'TIMESTAMP'].map(col) as [number, number, number, number, number];
  return rows
    .filter((r) => r.length === header!.length)
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
  const result = assignToClusters([], items.map((i) => i.input), { level, windowDays });
  const byItem = new Map(result.assignments.map((a) => [a.itemId, a.clusterId]));
  return scoreClustering(items.map((i) => byItem.get(i.input.id)!), items.map((i) => i.story));
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
  return scoreClustering(items.map((_, i) => String(find(i))), items.map((i) => i.story));
}
