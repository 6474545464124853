import { describe, expect, it } from 'vitest';
import { assignToClusters, explainPair, formatExplanation } from '../../src/cluster/index.js';
import { loadSeedFixture } from './helpers.js';

const { items } = loadSeedFixture();
const byId = new Map(items.map((i) => [i.id, i]));

describe('explainPair', () => {
  it('explains the truncated teaser / full text merge with its scores', () => {
    const e = explainPair(byId.get('001-03')!, byId.get('003-00')!, { level: 'stories', windowDays: 7 }, items);
    expect(e.merged).toBe(true);
    expect(e.duplicate.duplicate).toBe(true);
    const text = formatExplanation(e);
    expect(text).toContain('title Dice');
    expect(text).toContain('text containment');
    expect(text).toMatch(/decision: MERGED/);
  });

  it('explains why Part I and Part II stay apart', () => {
    const e = explainPair(byId.get('003-03')!, byId.get('003-04')!, { level: 'stories', windowDays: 7 }, items);
    expect(e.merged).toBe(false);
    expect(e.reason).toMatch(/sequence markers differ/);
    expect(e.scores.find((s) => s.name === 'sequence markers')?.passed).toBe(false);
  });

  it('agrees with assignToClusters on every seed pair clustered alone', () => {
    const sample = items.filter((_, i) => i % 3 === 0).concat([byId.get('001-09')!, byId.get('000-01')!, byId.get('002-02')!]);
    for (const level of ['duplicates', 'stories'] as const) {
      for (let i = 0; i < sample.length; i += 1) {
        for (let j = i + 1; j < sample.length; j += 1) {
          const a = sample[i]!;
          const b = sample[j]!;
          const r = assignToClusters([], [a, b], { level, windowDays: 7 });
          const together = r.assignments[0]!.clusterId === r.assignments[1]!.clusterId;
          expect(explainPair(a, b, { level, windowDays: 7 }).merged, `${a.id} ${b.id} ${level}`).toBe(together);
        }
      }
    }
  });
});
