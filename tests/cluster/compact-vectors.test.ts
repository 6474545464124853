import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { centroidDot, compactDot, CompactCentroid, ItemScratch, TokenTable } from '../../src/cluster/compact-vectors.js';
import { dot } from '../../src/cluster/similarity.js';

// Small token alphabet so random vectors overlap often; weights like normalised tf-idf ones.
const vectorArb = fc
  .array(fc.tuple(fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'.split('')), fc.double({ min: 0.001, max: 1, noNaN: true })), {
    maxLength: 20,
  })
  .map((entries) => new Map(entries));

function centroidOf(vector: ReadonlyMap<string, number>, table: TokenTable): CompactCentroid {
  const centroid = new CompactCentroid();
  for (const [token, weight] of vector) centroid.add(table.intern(token), weight);
  return centroid;
}

describe('compact vectors', () => {
  it('give bit-identical dot products to the Map vectors, whichever side is smaller', () => {
    fc.assert(
      fc.property(vectorArb, fc.array(vectorArb, { maxLength: 6 }), (item, others) => {
        const table = new TokenTable();
        const scratch = new ItemScratch();
        const compactItem = table.compact(item);
        const compactOthers = others.map((o) => table.compact(o));
        scratch.load(compactItem, table.size);
        others.forEach((other, i) => {
          // Object.is: +0 and -0 or any last-bit difference would count as a change.
          expect(Object.is(scratch.dot(compactOthers[i]!), dot(item, other))).toBe(true);
          expect(Object.is(compactDot(compactItem, compactOthers[i]!), dot(item, other))).toBe(true);
          const centroid = centroidOf(other, table);
          expect(Object.is(scratch.dotCentroid(centroid), dot(item, other))).toBe(true);
          const itemCentroid = centroidOf(item, table);
          expect(Object.is(centroidDot(itemCentroid, centroid), dot(item, other))).toBe(true);
        });
      }),
      { numRuns: 500 },
    );
  });

  it('forgets the previous item when another is loaded', () => {
    const table = new TokenTable();
    const scratch = new ItemScratch();
    const a = table.compact(
      new Map([
        ['x', 0.6],
        ['y', 0.8],
      ]),
    );
    const b = table.compact(new Map([['z', 1]]));
    scratch.load(a, table.size);
    scratch.load(b, table.size);
    expect(scratch.dot(a)).toBe(0);
    expect(scratch.dot(b)).toBe(1);
  });
});
