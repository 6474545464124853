import { describe, expect, it } from 'vitest';
import { applyCorrections, correctedItems, splitStoryId, type Correction } from '../../src/cluster/corrections.js';

const at = '2026-03-01T00:00:00.000Z';
const split = (n: number, itemId: string, apartFrom: string[]): Correction => ({ n, kind: 'split', at, itemId, fromStory: 'S', apartFrom });
const merge = (n: number, into: string, intoItems: string[], from: string, fromItems: string[]): Correction => ({
  n,
  kind: 'merge',
  at,
  into,
  intoItems,
  from,
  fromItems,
});

describe('applyCorrections', () => {
  it('moves a split item out when it shares a story with a former story-mate, and only then', () => {
    const corrections = [split(1, 'b', ['a', 'c'])];
    expect(
      applyCorrections(
        new Map([
          ['a', 'S'],
          ['b', 'S'],
          ['c', 'S'],
        ]),
        corrections,
      ),
    ).toEqual([{ kind: 'move', itemId: 'b', to: splitStoryId('b'), correction: 1 }]);
    // Re-clustered differently (a level change): still kept apart from "c", its story's id whatever it is now.
    expect(
      applyCorrections(
        new Map([
          ['a', 'X'],
          ['b', 'Y'],
          ['c', 'Y'],
        ]),
        corrections,
      ),
    ).toHaveLength(1);
    // Already apart: nothing to do, so a run without news changes nothing.
    expect(
      applyCorrections(
        new Map([
          ['a', 'S'],
          ['b', 'b-split'],
          ['c', 'S'],
        ]),
        corrections,
      ),
    ).toEqual([]);
  });

  it('merges every story holding a member of either side into the surviving side, and a later split wins', () => {
    const m = merge(1, 'A', ['a1', 'a2'], 'B', ['b1']);
    expect(
      applyCorrections(
        new Map([
          ['a1', 'A'],
          ['a2', 'C'],
          ['b1', 'B'],
        ]),
        [m],
      ),
    ).toEqual([
      { kind: 'merge', from: 'B', into: 'A', correction: 1 },
      { kind: 'merge', from: 'C', into: 'A', correction: 1 },
    ]);
    expect(
      applyCorrections(
        new Map([
          ['a1', 'A'],
          ['a2', 'A'],
          ['b1', 'A'],
        ]),
        [m],
      ),
    ).toEqual([]);
    const steps = applyCorrections(
      new Map([
        ['a1', 'A'],
        ['a2', 'A'],
        ['b1', 'B'],
      ]),
      [m, split(2, 'b1', ['a1', 'a2'])],
    );
    expect(steps.map((s) => s.kind)).toEqual(['merge', 'move']);
  });

  it('ignores items no longer stored (pruned) and lists every item the corrections name', () => {
    expect(applyCorrections(new Map(), [split(1, 'x', ['y']), merge(2, 'A', ['a'], 'B', ['b'])])).toEqual([]);
    expect(correctedItems([split(1, 'x', ['y']), merge(2, 'A', ['a'], 'B', ['b', 'x'])]).sort()).toEqual(['a', 'b', 'x', 'y']);
  });
});
