import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BlockingIndex, type EntryTraits, type Probe } from '../../src/cluster/candidates.js';
import type { Language } from '../../src/cluster/normalize.js';

const WINDOW = 100;
const TOKENS = ['a', 'b', 'c', 'd'];

interface Entry extends EntryTraits {
  readonly cluster: string;
  readonly tokens: readonly string[];
  readonly time: number;
}

const traitsArb = fc.record({
  language: fc.constantFrom<Language>('unknown', 'en', 'es'),
  hasAuthors: fc.boolean(),
});
const tokensArb = fc.uniqueArray(fc.constantFrom(...TOKENS), { minLength: 1 });
// Entries mostly in time order, some earlier than the last (stored stories loaded after fresh times).
const entriesArb = fc.array(
  fc.record({
    cluster: fc.constantFrom('s1', 's2', 's3', 's4', 's5'),
    tokens: tokensArb,
    step: fc.integer({ min: -30, max: 40 }),
    traits: traitsArb,
  }),
  { maxLength: 60 },
);
const lookupsArb = fc.array(
  fc.record({
    tokens: tokensArb,
    step: fc.integer({ min: 0, max: 50 }),
    reach: fc.integer({ min: 0, max: WINDOW + 10 }),
    traits: traitsArb,
  }),
  { minLength: 1, maxLength: 10 },
);

/** What a lookup must answer, by its definition: per token in order, each entry in the window and within reach (or
 * matching at any gap: authors, another known language) counts its cluster once; clusters in first-touch order. */
function expected(entries: readonly Entry[], tokens: readonly string[], weights: ReadonlyMap<string, number>, probe: Probe) {
  const sums = new Map<string, number>();
  for (const token of tokens) {
    const counted = new Set<string>();
    for (const entry of entries) {
      if (!entry.tokens.includes(token) || Math.abs(entry.time - probe.time) > WINDOW || counted.has(entry.cluster)) continue;
      const inReach = probe.reachMs >= WINDOW || Math.abs(entry.time - probe.time) <= probe.reachMs;
      const otherLanguage = entry.language !== 'unknown' && probe.language !== 'unknown' && entry.language !== probe.language;
      if (!inReach && !entry.hasAuthors && !otherLanguage) continue;
      counted.add(entry.cluster);
      sums.set(entry.cluster, (sums.get(entry.cluster) ?? 0) + (weights.get(token) ?? 0));
    }
  }
  return { ids: [...sums.keys()], weights: [...sums.values()] };
}

describe('BlockingIndex', () => {
  it('finds the clusters within each lookup’s reach, or matching at any gap, with their summed weights', () => {
    fc.assert(
      fc.property(entriesArb, lookupsArb, (added, lookups) => {
        const index = new BlockingIndex(WINDOW);
        const entries: Entry[] = [];
        let time = 1_000;
        for (const { cluster, tokens, step, traits } of added) {
          time += step;
          index.add(cluster, tokens, time, traits);
          entries.push({ cluster, tokens, time, ...traits });
        }
        // Lookups come in time order, from the earliest entry on.
        let at = Math.min(1_000, ...entries.map((e) => e.time));
        const weights = new Map(TOKENS.map((token, i) => [token, 1 / (i + 1)]));
        for (const { tokens, step, reach, traits } of lookups) {
          at += step;
          // Forgetting what no lookup to come can reach changes no answer.
          if (step % 2 === 0) index.prune(at - WINDOW);
          const probe: Probe = { ...traits, time: at, reachMs: reach };
          expect(index.lookup(tokens, weights, probe)).toEqual(expected(entries, tokens, weights, probe));
        }
      }),
      { numRuns: 300 },
    );
  });
});
