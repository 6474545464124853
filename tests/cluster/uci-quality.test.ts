import { describe, expect, it } from 'vitest';
import { evaluateInRuns, evaluateLevel, loadUciSample, newsBlurBaseline, UCI_DEV2_PATH } from '../../bench/cluster-data.js';

// Quality floors of issue #6 on the real UCI sample (titles only, Google News story labels).
describe('clustering quality on the UCI sample', () => {
  const items = loadUciSample();

  it('reads every labelled headline', () => {
    expect(items.length).toBe(6366);
    expect(new Set(items.map((i) => i.story)).size).toBe(87);
  });

  // Issue 13's floors, in process (UCI ids as item ids), on both shared slices: B-cubed precision >= 0.90 and
  // F1 >= 0.60 in one run and in 24 runs in time order, the two within 0.01. Measured: sample 0.974 / 0.777 and
  // 0.970 / 0.785; second slice 0.936 / 0.770 and 0.932 / 0.771 (before issue 13: F1 0.520 and 0.548, precision
  // 0.843 on the second). Through the real CLI: quality-floors.test.ts and bench/cluster-eval.ts.
  for (const [name, slice] of [
    ['the sample (10-12 March 2014)', () => items],
    ['the second slice (25-27 April 2014)', () => loadUciSample(UCI_DEV2_PATH)],
  ] as const) {
    it(`stories level on ${name}: B-cubed precision >= 0.90, F1 >= 0.60, in one run and in 24 runs alike`, () => {
      const labelled = slice();
      const one = evaluateLevel(labelled, 'stories');
      const steps = evaluateInRuns(labelled, 24);
      expect(one.bcubedPrecision).toBeGreaterThanOrEqual(0.9);
      expect(one.bcubedF1).toBeGreaterThanOrEqual(0.6);
      expect(steps.bcubedPrecision).toBeGreaterThanOrEqual(0.9);
      expect(steps.bcubedF1).toBeGreaterThanOrEqual(0.6);
      expect(Math.abs(steps.bcubedF1 - one.bcubedF1)).toBeLessThanOrEqual(0.01);
    }, 120_000);
  }

  it('stories level, far above NewsBlur on the same headlines', () => {
    const head = items.slice(0, 2000);
    expect(evaluateLevel(head, 'stories').bcubedF1).toBeGreaterThanOrEqual(newsBlurBaseline(head).bcubedF1 + 0.15);
  });

  it('duplicates level: pairwise precision >= 0.97', () => {
    const s = evaluateLevel(items, 'duplicates');
    expect(s.pairPrecision).toBeGreaterThanOrEqual(0.97);
    expect(s.clusters).toBeLessThan(items.length); // it does merge something
  });
});
