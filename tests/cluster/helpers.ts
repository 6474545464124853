/** Test helpers: ClusterInput builders and the seed fixture. */
import { readFileSync } from 'node:fs';
import { loadUciSample } from '../../bench/cluster-data.js';
import type { ClusterInput } from '../../src/model.js';

/** A headline-only item at a time given in hours from a fixed epoch. */
export function item(id: string, title: string, source: string, hours = 0, extra: Partial<ClusterInput> = {}): ClusterInput {
  return {
    id,
    sourceName: source,
    title,
    summary: '',
    author: null,
    outlet: null,
    time: 1_600_000_000_000 + hours * 3_600_000,
    truncated: false,
    ...extra,
  };
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

/**
 * A deterministic corpus stressing the time reach of the candidate search: UCI headlines scattered over
 * six days among eight sources, with verbatim repeats by the same source days later, some items signed by
 * authors whom later headlines name, and some Spanish items.
 */
export function spreadCorpus(count: number): ClusterInput[] {
  let seed = 7;
  const random = (): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const base = loadUciSample()
    .slice(0, count)
    .map((i) => i.input);
  const authors = ['Ana Llerena', 'Jorge Quispe', 'Marta Huaman'];
  const out: ClusterInput[] = [];
  base.forEach((input, i) => {
    const source = `outlet-${Math.floor(random() * 8)}`;
    const hours = random() * 24 * 6;
    const author = i % 37 === 0 ? authors[i % 3]! : null;
    out.push(item(`u${i}`, input.title, source, hours, { author }));
    if (i % 23 === 0) out.push(item(`r${i}`, input.title, source, hours + 30 + random() * 60));
    if (i % 37 === 0) out.push(item(`n${i}`, `${authors[i % 3]!} on ${input.title}`, `outlet-${(i + 1) % 8}`, hours + 50));
    if (i % 41 === 0) out.push(item(`e${i}`, `La noticia de hoy: ${input.title} y los mercados de la semana`, 'outlet-es', hours + 40));
  });
  return out;
}
