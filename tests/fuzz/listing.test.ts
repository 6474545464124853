import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../src/errors.js';
import type { RawItem } from '../../src/model.js';
import { segmentListing } from '../../src/sources/listing/segment.js';
import { clustersOf, renderedProblems, storedItems } from '../reliability/render-items.js';
import { FUZZ_RUNS, nastyText } from './arbitraries.js';

const SOURCE = { name: 'fuzz-listing', url: '/seeds/fuzz-listing.txt' };

/** Paragraph shapes a listing has (headline, teaser, byline, furniture), filled with nasty text. */
const paragraph = fc.oneof(
  nastyText,
  nastyText.map((t) => `${t.slice(0, 60)}`),
  fc.tuple(nastyText, nastyText).map(([a, b]) => `By ${a.slice(0, 20)}, ${b.slice(0, 20)}. - ${a}`),
  fc.constantFrom('Read more', 'Advertisement', '[...]', '…', 'Share this:', '12 comments', ''),
  fc.tuple(fc.constantFrom('Peru', 'Breaking', 'Opinion'), nastyText).map(([a, b]) => `${a} ${b} reports.`),
);
const separator = fc.constantFrom('\n\n', '\n', '\r\n\r\n', '\n \n', '\n\n\n\n', '\u2029', '\f');

describe('listing reader fuzzing (segmentListing -> renderFeed)', () => {
  it('never throws anything but ParseError; stories are clean; the published output is well-formed and inert', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(paragraph, separator), { maxLength: 25 }), (parts) => {
        const text = parts.map(([p, s]) => p + s).join('');
        let items: RawItem[];
        try {
          items = segmentListing(text, SOURCE);
        } catch (error) {
          if (!(error instanceof ParseError)) throw error;
          return;
        }
        const identities = new Set<string>();
        for (const item of items) {
          expect(typeof item.title).toBe('string');
          expect(identities.has(item.identity)).toBe(false);
          identities.add(item.identity);
        }
        expect(renderedProblems(clustersOf(storedItems(items, SOURCE.url, SOURCE.name), 3))).toEqual([]);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});
