import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { ParseError } from '../../../src/errors.js';
import { parseFeed } from '../../../src/sources/feed/parse.js';

/** Bounded for the normal test run; `FEEDMERGE_FUZZ_RUNS=20000` makes it a long fuzzing session. */
const RUNS = Number(process.env.FEEDMERGE_FUZZ_RUNS ?? 150);
const SEEDS = [
  'real/guardian.rss',
  'real/heise.atom',
  'own/atom-xml-base.atom',
  'own/json-feed-1.1.json',
  'own/rss-1.0.rdf',
  // the pre-pass's paths: inline markup in titles, Atom 0.3 modes, prefixed names, CDF
  'own/atom-title-types.atom',
  'own/atom-0.3-modes.atom',
  'own/rss-1.0-prefixed.rdf',
  'own/cdf-channel.cdf',
].map((name) => readFileSync(new URL(`../../fixtures/feeds/${name}`, import.meta.url)));
/** Fragments that stress parsers: markup, entities, CDATA ends, invalid bytes, deep openers. */
const NASTY = ['<', '>', '&', '&amp;', '&#0;', '&#xD800;', ']]>', '<![CDATA[', '<!DOCTYPE x [<!ENTITY a "b">]>', '\u0000', '\uFFFF', '<item>', '</channel>', '"', '{', '}', '\\u0000', 'javascript:alert(1)', '<script>'];

describe('parseFeed fuzzing', () => {
  it('only ever returns a feed or throws a one-line ParseError, on mutated real documents', async () => {
    const mutation = fc.record({
      seed: fc.integer({ min: 0, max: SEEDS.length - 1 }),
      at: fc.double({ min: 0, max: 1, noNaN: true }),
      cut: fc.integer({ min: 0, max: 64 }),
      insert: fc.oneof(fc.constantFrom(...NASTY), fc.string(), fc.uint8Array({ maxLength: 16 }).map((bytes) => Buffer.from(bytes).toString('latin1'))),
    });
    await fc.assert(
      fc.asyncProperty(mutation, async ({ seed, at, cut, insert }) => {
        const source = SEEDS[seed]!;
        const position = Math.floor(at * source.length);
        const body = Buffer.concat([source.subarray(0, position), Buffer.from(insert, 'latin1'), source.subarray(position + cut)]);
        try {
          const feed = await parseFeed(body, { url: 'https://fuzz.example/feed' });
          for (const item of feed.items) {
            if (typeof item.title !== 'string' || typeof item.identity !== 'string' || item.identity === '') throw new Error('bad item');
            if (item.link !== null && !/^https?:\/\//.test(item.link)) throw new Error(`bad link ${item.link}`);
          }
        } catch (error) {
          if (!(error instanceof ParseError) || /\n/.test(error.message)) throw error;
        }
      }),
      { numRuns: RUNS },
    );
  });
});
