import { describe, expect, it } from 'vitest';
import { FeatureCache } from '../../src/cluster/feature-cache.js';
import { assignStepwise, assignToClusters } from '../../src/cluster/index.js';
import { extractFeatures } from '../../src/cluster/normalize.js';
import { THRESHOLDS } from '../../src/cluster/thresholds.js';
import type { ClusterInput } from '../../src/model.js';
import { loadUciSample } from '../../bench/cluster-data.js';
import { item } from './helpers.js';

const stories = { level: 'stories', windowDays: 7 } as const;

function run(steps: Generator<void, unknown, void>): unknown {
  for (let next = steps.next(); ; next = steps.next()) if (next.done) return next.value;
}

describe('FeatureCache', () => {
  it('gives for an item what extractFeatures gives, once per item added with that text', () => {
    const cache = new FeatureCache();
    const byline = item('a', 'Peru elects a new president', 'Wire', 0, {
      summary: 'By Ana Ruiz, El Comercio. - Lima voted on Sunday, Part II',
      author: 'Ana Ruiz',
      outlet: 'El Comercio',
    });
    const copy = { ...byline, id: 'b', time: byline.time + 3_600_000, truncated: true };
    cache.add(byline.sourceName, byline);
    cache.add(copy.sourceName, copy);
    expect(cache.items).toBe(2);

    for (const input of [copy, byline]) expect(cache.take(input)).toEqual(extractFeatures(input, THRESHOLDS.containmentWords));
    expect(cache.take(byline)).toBeUndefined();
    expect(cache.items).toBe(0);
  });

  it('tells texts apart by source, outlet and author, a missing byline from an empty one', () => {
    const cache = new FeatureCache();
    const base = item('a', 'Markets fall', 'Wire', 0, { author: '', outlet: '' });
    cache.add(base.sourceName, base);
    for (const other of [
      { ...base, sourceName: 'Other wire' },
      { ...base, outlet: null },
      { ...base, author: null },
      { ...base, outlet: 'Reuters' },
      { ...base, summary: 'Stocks too' },
    ]) {
      expect(cache.take(other)).toBeUndefined();
    }
    expect(cache.take(base)).toEqual(extractFeatures(base, THRESHOLDS.containmentWords));
  });

  it('holds at most its limit of texts, and counts more items of a text it holds', () => {
    const cache = new FeatureCache(2);
    const [a, b, c] = ['One', 'Two', 'Three'].map((title, i) => item(String(i), title, 'Wire'));
    for (const input of [a!, b!, c!, a!]) cache.add(input.sourceName, input);
    expect(cache.full).toBe(true);
    expect(cache.items).toBe(3);
    expect(cache.take(c!)).toBeUndefined();
    expect(cache.take(a!)).toBeDefined();
    expect(cache.take(a!)).toBeDefined();
    expect(cache.take(a!)).toBeUndefined();
  });

  it('leaves the clustering result as it is without a cache, whatever part of the batch it holds', () => {
    const inputs: ClusterInput[] = loadUciSample()
      .map((row) => row.input)
      .slice(0, 3000);
    const expected = assignToClusters([], inputs, stories);
    const cache = new FeatureCache();
    // Every other item, and some texts twice: what a run's reading may have had time for.
    inputs.forEach((input, i) => {
      if (i % 2 === 0) cache.add(input.sourceName, input);
      if (i % 7 === 0) cache.add(input.sourceName, input);
    });
    expect(run(assignStepwise([], inputs, stories, cache))).toEqual(expected);
  }, 60_000);
});
