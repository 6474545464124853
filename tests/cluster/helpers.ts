/** Test helpers: ClusterInput builders and the seed fixture. */
import { readFileSync } from 'node:fs';
import type { ClusterInput } from '../../src/model.js';

/** A headline-only item at a time given in hours from a fixed epoch. */
export function item(id: string, title: string, source: string, hours = 0, extra: Partial<ClusterInput> = {}): ClusterInput {
  return { id, sourceName: source, title, summary: '', author: null, outlet: null, time: 1_600_000_000_000 + hours * 3_600_000, truncated: false, ...extra };
}

/** The hand-made seed fixture. */
export interface SeedFixture {
  readonly items: ClusterInput[];
  readonly sameArticle: string[][];
}

/** Loads tests/fixtures/cluster/seed-stories.json. */
export function loadSeedFixture(): SeedFixture {
  return JSON.parse(readFileSync(new URL('../fixtures/cluster/seed-stories.json', import.meta.url), 'utf8')) as SeedFixture;
}

/** Pair counts of a predicted partition against gold groups (items not in a group are singletons). */
export function pairCounts(ids: readonly string[], predicted: ReadonlyMap<string, string>, groups: readonly string[][]) {
  const gold = new Map(ids.map((id) => [id, id]));
  for (const group of groups) for (const id of group) gold.set(id, group[0]!);
  const wrong: string[] = [];
  const missed: string[] = [];
  let tp = 0;
  for (let i = 0; i < ids.length; i += 1) {
    for (let j = i + 1; j < ids.length; j += 1) {
      const p = predicted.get(ids[i]!) === predicted.get(ids[j]!);
      const g = gold.get(ids[i]!) === gold.get(ids[j]!);
      if (p && g) tp += 1;
      else if (p) wrong.push(`${ids[i]}+${ids[j]}`);
      else if (g) missed.push(`${ids[i]}+${ids[j]}`);
    }
  }
  return { tp, wrong, missed };
}
