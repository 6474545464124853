import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Item } from '../../src/model.js';
import { clustersOf, renderedProblems } from '../reliability/render-items.js';
import { FUZZ_RUNS, nastyText } from './arbitraries.js';

/** A stored item whose every text field is arbitrary (as a buggy or future reader might store it). */
const item = fc.record({
  title: nastyText,
  summary: nastyText,
  contentHtml: fc.option(nastyText),
  link: fc.option(fc.oneof(nastyText, fc.webUrl())),
  guid: fc.option(nastyText),
  author: fc.option(nastyText),
  outlet: fc.option(nastyText),
  sourceName: nastyText,
  categories: fc.array(nastyText, { maxLength: 3 }),
  published: fc.option(
    fc.date({ min: new Date('1970-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
  ),
});

describe('renderer fuzzing (renderFeed, renderIndexPage)', () => {
  it('always writes well-formed Atom and RSS, valid JSON and an inert page, whatever the stored text', () => {
    fc.assert(
      fc.property(fc.array(item, { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 3 }), (drafts, perCluster) => {
        const items: Item[] = drafts.map((d, i) => ({
          ...d,
          identity: `fuzz-${i}`,
          id: i.toString(16).padStart(16, '0'),
          updated: null,
          position: i,
          truncated: false,
          sourceUrl: `https://fuzz.example/${i}`,
          firstSeenAt: '2026-03-02T12:00:00.000Z',
          changedAt: '2026-03-02T12:00:00.000Z',
          clusterId: null,
        }));
        expect(renderedProblems(clustersOf(items, perCluster))).toEqual([]);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});
