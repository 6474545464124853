import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../src/errors.js';
import type { RawItem } from '../../src/model.js';
import { parseFeed } from '../../src/sources/feed/parse.js';
import { cdata, xmlEscape } from '../reliability/payloads.js';
import { clustersOf, renderedProblems, storedItems } from '../reliability/render-items.js';
import { feedDate, FUZZ_RUNS, nastyText } from './arbitraries.js';

const NOW = new Date('2026-03-02T12:00:00Z');
/** Every feed document of the fixtures: real ones and our own (Atom xml:base, JSON Feed 1.1, RSS 1.0, CDF, legacy charsets). */
const realDocuments = ['real', 'own'].flatMap((folder) => {
  const dir = fileURLToPath(new URL(`../fixtures/feeds/${folder}/`, import.meta.url));
  return readdirSync(dir)
    .filter((n) => /\.(rss|atom|xml|rdf|cdf|json)$/.test(n) && !n.endsWith('.expected.json'))
    .map((n) => readFileSync(join(dir, n)));
});
/** Fragments that move a document's structure: element and member boundaries, an internal DTD. */
const STRUCTURE = ['<item>', '</item>', '</channel>', '<entry>', '</feed>', '{', '}', '"items":[', ']', '<!DOCTYPE x [<!ENTITY a "b">]>'];

/** The invariants: only ParseError escapes; what is read is clean; what is published is well-formed and inert. */
async function checkDocument(body: Buffer): Promise<void> {
  let items: RawItem[];
  try {
    items = (await parseFeed(body, { url: 'https://fuzz.example/feed', contentType: null, now: NOW })).items;
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    expect(error.message).toMatch(/^parse: [^\n]*$/);
    return;
  }
  for (const item of items) {
    expect(typeof item.title).toBe('string');
    expect(item.identity).toMatch(/^\S/);
    expect(item.link === null || /^https?:\/\//.test(item.link)).toBe(true);
    for (const date of [item.published, item.updated]) {
      if (date !== null) expect(new Date(date).getUTCFullYear()).toBeGreaterThanOrEqual(1970);
    }
    // eslint-disable-next-line no-control-regex -- the point is that none survive
    expect(item.title).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
  }
  expect(renderedProblems(clustersOf(storedItems(items), 2))).toEqual([]);
}

const rssItem = fc.record({
  title: nastyText,
  description: nastyText,
  content: nastyText,
  link: nastyText,
  guid: nastyText,
  date: feedDate,
  wrap: fc.boolean(),
});

describe('feed reader fuzzing (parseFeed -> renderFeed)', () => {
  it('RSS with arbitrary text in every field', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(rssItem, { maxLength: 4 }), async (items) => {
        const body = items
          .map(
            (i) =>
              `<item><title>${i.wrap ? cdata(i.title) : xmlEscape(i.title)}</title><link>` +
              `${xmlEscape(i.link)}</link><guid>${xmlEscape(i.guid)}</guid><description>` +
              `${cdata(i.description)}</description><content:encoded>${cdata(i.content)}</content:encoded>` +
              `<pubDate>${xmlEscape(i.date)}</pubDate></item>`,
          )
          .join('');
        await checkDocument(
          Buffer.from(
            `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" ` +
              `xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>f</title>${body}</channel></rss>`,
          ),
        );
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('Atom and JSON Feed with arbitrary text in every field', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(rssItem, { maxLength: 4 }), async (items) => {
        const entries = items
          .map(
            (i, n) =>
              `<entry><id>${xmlEscape(i.guid)}${n}</id><title type="${i.wrap ? 'html' : 'text'}">` +
              `${xmlEscape(i.title)}</title><link href="${xmlEscape(i.link)}"/><updated>` +
              `${xmlEscape(i.date)}</updated><summary type="html">${xmlEscape(i.description)}</summary><content ` +
              `type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">${xmlEscape(i.content)}</div></content></entry>`,
          )
          .join('');
        await checkDocument(
          Buffer.from(`<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>f</title>${entries}</feed>`),
        );
        const json = {
          version: 'https://jsonfeed.org/version/1.1',
          title: 'f',
          items: items.map((i) => ({
            id: i.guid,
            url: i.link,
            title: i.title,
            summary: i.description,
            content_html: i.content,
            date_published: i.date,
          })),
        };
        await checkDocument(Buffer.from(JSON.stringify(json)));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('mutated real feeds (flipped bytes, cut, duplicated and injected slices)', async () => {
    const mutation = fc.record({
      doc: fc.nat({ max: realDocuments.length - 1 }),
      edits: fc.array(
        fc.record({
          kind: fc.constantFrom('flip', 'cut', 'dup', 'inject'),
          at: fc.double({ min: 0, max: 1, noNaN: true }),
          len: fc.nat({ max: 200 }),
          byte: fc.nat({ max: 255 }),
          text: fc.oneof(nastyText, fc.constantFrom(...STRUCTURE)),
        }),
        { minLength: 1, maxLength: 6 },
      ),
    });
    await fc.assert(
      fc.asyncProperty(mutation, async ({ doc, edits }) => {
        let body = Buffer.from(realDocuments[doc]!);
        for (const edit of edits) {
          const at = Math.floor(edit.at * body.length);
          if (edit.kind === 'flip') body[at] = edit.byte;
          else if (edit.kind === 'cut') body = Buffer.concat([body.subarray(0, at), body.subarray(at + edit.len)]);
          else if (edit.kind === 'dup') body = Buffer.concat([body.subarray(0, at + edit.len), body.subarray(at)]);
          else body = Buffer.concat([body.subarray(0, at), Buffer.from(edit.text), body.subarray(at)]);
        }
        await checkDocument(body);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});
