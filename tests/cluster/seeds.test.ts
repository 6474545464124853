import { describe, expect, it } from 'vitest';
import { assignToClusters } from '../../src/cluster/index.js';
import type { ClusteredInput, ClusterLevel } from '../../src/model.js';
import { loadSeedFixture, pairCounts } from './helpers.js';

const fixture = loadSeedFixture();
const ids = fixture.items.map((i) => i.id);

describe.each<ClusterLevel>(['duplicates', 'stories'])('seed stories at the %s level', (level) => {
  const result = assignToClusters([], fixture.items, { level, windowDays: 7 });
  const predicted = new Map(result.assignments.map((a) => [a.itemId, a.clusterId]));

  it('assigns every item exactly once', () => {
    expect(result.assignments.map((a) => a.itemId).sort()).toEqual([...ids].sort());
    expect(result.merges).toEqual([]);
  });

  it('makes no wrong merge and finds every hand-labelled pair', () => {
    const { tp, wrong, missed } = pairCounts(ids, predicted, fixture.sameArticle);
    expect(wrong).toEqual([]);
    expect(missed).toEqual([]);
    expect(tp).toBe(15);
  });

  it('keeps Part I and Part II apart, and merges each with its copy', () => {
    expect(predicted.get('001-06')).toBe(predicted.get('003-03'));
    expect(predicted.get('001-07')).toBe(predicted.get('003-04'));
    expect(predicted.get('001-06')).not.toBe(predicted.get('001-07'));
  });

  it('gives the same partition whatever the input order and ids', () => {
    const reversed = [...fixture.items].reverse().map((i) => ({ ...i, id: `x${[...i.id].reverse().join('')}` }));
    const again = assignToClusters([], reversed, { level, windowDays: 7 });
    const back = new Map(again.assignments.map((a) => [`${a.itemId.slice(1)}`.split('').reverse().join(''), a.clusterId]));
    const { wrong, missed } = pairCounts(ids, back, fixture.sameArticle);
    expect(wrong).toEqual([]);
    expect(missed).toEqual([]);
  });
});

describe('seed stories clustered incrementally, one listing per run', () => {
  it('reaches the same partition as one run', () => {
    let clustered: ClusteredInput[] = [];
    const sources = [...new Set(fixture.items.map((i) => i.sourceName))].sort();
    sources.forEach((source, run) => {
      const fresh = fixture.items.filter((i) => i.sourceName === source).map((i) => ({ ...i, time: i.time + run * 3_600_000 }));
      const result = assignToClusters(clustered, fresh, { level: 'stories', windowDays: 7 });
      const byId = new Map(result.assignments.map((a) => [a.itemId, a.clusterId]));
      clustered = [
        ...clustered.map((c) => ({ ...c, clusterId: byId.get(c.id) ?? c.clusterId })),
        ...fresh.map((f) => ({ ...f, clusterId: byId.get(f.id)! })),
      ];
    });
    const predicted = new Map(clustered.map((c) => [c.id, c.clusterId]));
    const { wrong, missed } = pairCounts(ids, predicted, fixture.sameArticle);
    expect(wrong).toEqual([]);
    expect(missed).toEqual([]);
  });
});
