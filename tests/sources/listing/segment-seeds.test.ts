import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listingName } from '../../../src/sources/listing/seeds.js';
import { segmentListing } from '../../../src/sources/listing/segment.js';

/** Hand-made labels of the five seeds, beside each capture (see tests/fixtures/listings/). */
interface Expected {
  readonly layout: string;
  /** Paragraph beginnings that are page furniture: no story may start with or contain them. */
  readonly furniture: readonly string[];
  readonly stories: readonly {
    readonly title?: string;
    readonly author?: string | null;
    readonly outlet?: string | null;
    readonly truncated?: boolean;
    readonly summaryStartsWith?: string;
    readonly summaryContains?: readonly string[];
  }[];
}

const DIR = join(import.meta.dirname, '..', '..', 'fixtures', 'listings');
const SEEDS = readdirSync(DIR)
  .filter((file) => file.endsWith('.txt'))
  .sort();

/** NBSP and friends are whitespace in summaries; labels are written with plain spaces. */
const plain = (text: string): string => text.replace(/\s+/gu, ' ');

describe('segmentListing on the seed listings', () => {
  it('has a label for each of the five seeds', () => {
    expect(SEEDS).toHaveLength(5);
  });

  describe.each(SEEDS)('%s', (file) => {
    const text = readFileSync(join(DIR, file), 'utf8');
    const expected = JSON.parse(readFileSync(join(DIR, file.replace(/\.txt$/u, '.expected.json')), 'utf8')) as Expected;
    const items = segmentListing(text, { name: listingName(file), url: join(DIR, file) });

    it(`finds every story (${expected.layout})`, () => {
      expect(items.map((item) => item.title)).toHaveLength(expected.stories.length);
      expected.stories.forEach((story, index) => {
        const item = items[index]!;
        if (story.title !== undefined) expect(item.title).toBe(story.title);
        if (story.author !== undefined) expect(item.author).toBe(story.author);
        if (story.outlet !== undefined) expect(item.outlet).toBe(story.outlet);
        if (story.truncated !== undefined) expect(item.truncated).toBe(story.truncated);
        if (story.summaryStartsWith !== undefined)
          expect(plain(item.summary)).toMatch(new RegExp(`^${escape(story.summaryStartsWith)}`, 'u'));
        for (const fragment of story.summaryContains ?? []) expect(plain(item.summary)).toContain(fragment);
      });
    });

    it('publishes no furniture', () => {
      for (const item of items) {
        for (const furniture of expected.furniture) {
          expect(item.title).not.toBe(furniture);
          if (furniture.split(' ').length > 2) {
            expect(item.summary).not.toContain(furniture);
            expect(item.title).not.toContain(furniture);
          }
        }
      }
    });

    it('gives clean records: text, positions, unique identities, no truncation marks', () => {
      expect(items.map((item) => item.position)).toEqual(items.map((_, index) => index));
      expect(new Set(items.map((item) => item.identity)).size).toBe(items.length);
      for (const item of items) {
        expect(item.title.length).toBeGreaterThan(0);
        expect(item.title.length).toBeLessThanOrEqual(110);
        expect(item.summary.length).toBeGreaterThan(item.title.length / 2);
        expect(item.summary).not.toMatch(/\[\s*(?:\.\.\.|…)\s*\]/u);
        expect(item.summary).not.toMatch(/^By\s/u);
        expect(item.summary).toBe(item.summary.trim());
        expect(item.summary).not.toMatch(/\s\s|\u00a0/u);
        expect(item.title).not.toMatch(/[\s,;:.]$/u);
        expect(item).toMatchObject({ guid: null, link: null, published: null, updated: null, contentHtml: null, categories: [] });
      }
    });
  });

  it('reads a teaser-only listing with derived titles that read as short sentences', () => {
    const file = SEEDS.find((name) => name.startsWith('000_'))!;
    const items = segmentListing(readFileSync(join(DIR, file), 'utf8'), { name: 'x', url: 'x' });
    for (const item of items) {
      expect(item.title.length).toBeLessThanOrEqual(110);
      // Every word of the title is a whole word of the teaser, in order (asides and a leading clause may go).
      const words = plain(item.summary)
        .toLowerCase()
        .split(/[^\p{L}\p{N}'’"“”-]+/u);
      let at = 0;
      for (const word of item.title
        .toLowerCase()
        .split(/[^\p{L}\p{N}'’"“”-]+/u)
        .filter((w) => w !== '')) {
        const found = words.indexOf(word, at);
        expect(found, `${word} in ${item.title}`).toBeGreaterThanOrEqual(0);
        at = found + 1;
      }
      expect(item.title).not.toMatch(/\b(?:the|of|to|and|a)$/iu);
    }
    expect(items.map((item) => item.title)).toEqual([
      'Thousands of Peruvians took to the streets in Lima and other cities',
      "José Carlos Llerena Robles and Vijay Prashad look at what's behind attempts by Peru's far-right",
      // The appositive ("leader of the Free Peru party and former school teacher") goes, the verb stays.
      'Leftist candidate Pedro Castillo won the final round of the Peruvian presidential elections',
      'Leftist candidate Pedro Castillo had unexpected success in the first round',
      'New Peru Movement party leader Veronika Mendoza, explains what’s behind the current unrest in Peru',
      'Thousands of Peruvians have taken to the streets in protest at the "legislative coup"',
      'Ian Angus takes a look at six new books of interest to ecosocialists',
      // Was "... movements from across Latin America": no verb, a fragment.
      'Hundreds of popular organisations and social movements met at the Summit of the Peoples in Lima, Peru',
      // Was the subordinate clause "When the time came for Miss Peru 2018 contestants to reveal ...".
      'The 23 beauty pageant hopefuls elected instead to deliver statistics',
      'Mining companies have benefitted over the past few years from rising global demand and prices',
      'Peruvian left-wing presidential candidate Veronika Mendoza came third in the first round',
      "More than 2000 people took to the streets in Peru's capital, Lima",
    ]);
  });

  it('credits the same story in two listings with the same identity (aggregator and origin)', () => {
    const read = (prefix: string) =>
      segmentListing(
        readFileSync(
          join(
            DIR,
            SEEDS.find((name) => name.startsWith(prefix))!,
          ),
          'utf8',
        ),
        { name: prefix, url: prefix },
      );
    const byTitle = new Map(read('001_').map((item) => [item.title, item.identity]));
    const shared = read('003_').filter((item) => byTitle.has(item.title));
    expect(shared.length).toBe(12);
    for (const item of shared) expect(item.identity).toBe(byTitle.get(item.title));
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&');
}
