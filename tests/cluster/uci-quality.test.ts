import { describe, expect, it } from 'vitest';
import { evaluateLevel, loadUciSample, newsBlurBaseline } from '../../bench/cluster-data.js';

// Quality floors of issue #6 on the real UCI sample (titles only, Google News story labels).
describe('clustering quality on the UCI sample', () => {
  const items = loadUciSample();

  it('reads every labelled headline', () => {
    expect(items.length).toBe(6366);
    expect(new Set(items.map((i) => i.story)).size).toBe(87);
  });

  it('stories level: pairwise precision >= 0.90 with B-cubed F1 >= 0.45, far above NewsBlur', () => {
    const s = evaluateLevel(items, 'stories');
    expect(s.pairPrecision).toBeGreaterThanOrEqual(0.9);
    expect(s.bcubedF1).toBeGreaterThanOrEqual(0.45);
    expect(s.bcubedF1).toBeGreaterThan(2 * newsBlurBaseline(items.slice(0, 2000)).bcubedF1 - 1); // sanity: baseline computes
  });

  it('duplicates level: pairwise precision >= 0.97', () => {
    const s = evaluateLevel(items, 'duplicates');
    expect(s.pairPrecision).toBeGreaterThanOrEqual(0.97);
    expect(s.clusters).toBeLessThan(items.length); // it does merge something
  });
});
