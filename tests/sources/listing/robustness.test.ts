import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { listingName } from '../../../src/sources/listing/seeds.js';
import { segmentListing } from '../../../src/sources/listing/segment.js';

const DIR = join(import.meta.dirname, '..', '..', 'fixtures', 'listings');
const SEEDS = readdirSync(DIR)
  .filter((file) => file.endsWith('.txt'))
  .sort();
const SOURCE = { name: 'seed', url: '/seeds/seed.txt' };
const read = (file: string): string => readFileSync(join(DIR, file), 'utf8');

describe('segmentListing robustness', () => {
  describe.each(SEEDS)('%s read through encoding variants', (file) => {
    const text = read(file);
    const reference = segmentListing(text, SOURCE);

    it.each([
      ['CRLF line endings', (t: string) => t.replace(/\n/gu, '\r\n')],
      ['CR line endings', (t: string) => t.replace(/\n/gu, '\r')],
      ['a BOM', (t: string) => `\uFEFF${t}`],
      ['no final newline', (t: string) => t.replace(/\n+$/u, '')],
      ['extra final newlines', (t: string) => `${t}\n\n\n`],
      ['NBSP-only and space-only blank lines', (t: string) => t.replace(/\n\n/gu, '\n\u00a0 \n')],
      ['trailing spaces on every line', (t: string) => t.replace(/\n/gu, '  \n')],
      ['NFD (decomposed) accents', (t: string) => t.normalize('NFD')],
    ])('gives the same stories with %s', (_, transform) => {
      expect(segmentListing(transform(text), SOURCE)).toEqual(reference);
    });

    it('is deterministic: an unchanged file yields identical identities', () => {
      expect(segmentListing(text, SOURCE).map((item) => item.identity)).toEqual(reference.map((item) => item.identity));
    });

    it('keeps identities when quotes and dashes change style', () => {
      const retyped = text.replace(/[‘’]/gu, "'").replace(/[“”]/gu, '"').replace(/[–—]/gu, '-');
      const identities = segmentListing(retyped, SOURCE).map((item) => item.identity);
      expect(identities).toEqual(reference.map((item) => item.identity));
    });
  });

  it('keeps a story identity when its summary is edited, and adds one identity for a new story', () => {
    const text = read(SEEDS.find((name) => name.startsWith('004_'))!);
    const before = segmentListing(text, SOURCE);
    const edited = text.replace('has claimed that the US-backed', 'has repeatedly claimed that the US-backed');
    expect(edited).not.toBe(text);
    const after = segmentListing(edited, SOURCE);
    expect(after.map((item) => item.identity)).toEqual(before.map((item) => item.identity));
    expect(after[0]!.summary).not.toBe(before[0]!.summary);

    const added = text.replace(
      'Peru\n\n',
      'Peru\n\nDockers Strike In Callao\n\nDock workers stopped work on Monday to demand higher wages and safer cranes.\n\n',
    );
    const grown = segmentListing(added, SOURCE);
    expect(grown).toHaveLength(before.length + 1);
    const old = new Set(before.map((item) => item.identity));
    const fresh = grown.filter((item) => !old.has(item.identity));
    expect(fresh.map((item) => item.title)).toEqual(['Dockers Strike In Callao']);
    expect(grown[0]!.position).toBe(0);
  });

  it.each([
    ['empty', ''],
    ['whitespace only', ' \n\r\n\u00a0\t\n'],
    ['a BOM only', '\uFEFF'],
    ['furniture only', 'Skip to content\n\nSign Up To Our Daily Digest\n\nGet our newsletter in your inbox.\n'],
    ['a lone section heading', 'Peru\n'],
  ])('returns no stories for %s', (_, text) => {
    expect(segmentListing(text, SOURCE)).toEqual([]);
  });

  it('reads a 10 MB listing with no blank lines made of teaser lines', () => {
    const line = 'Workers in the port of Callao stopped work on Monday to demand higher wages and safer cranes, the union said. ';
    const lines: string[] = [];
    let size = 0;
    for (let index = 0; size < 10 * 1024 * 1024; index++) {
      const text = `${line}Story number ${index} follows.`;
      lines.push(text);
      size += text.length + 1;
    }
    const items = segmentListing(lines.join('\n'), SOURCE);
    expect(items).toHaveLength(lines.length);
    expect(items[items.length - 1]!.position).toBe(lines.length - 1);
  });

  it('reads a 10 MB listing that is one line without throwing', () => {
    const words = 'the strike in Callao continued on Monday while talks stalled and dockers waited'.split(' ');
    const parts: string[] = [];
    let size = 0;
    for (let index = 0; size < 10 * 1024 * 1024; index++) {
      const word = words[index % words.length]!;
      parts.push(word);
      size += word.length + 1;
    }
    const items = segmentListing(parts.join(' '), SOURCE);
    expect(items).toHaveLength(1);
    expect(items[0]!.title.length).toBeLessThanOrEqual(110);
  });

  it('strips every trailing truncation mark (fuzzing found "[...][...]")', () => {
    expect(segmentListing('[...][...]', SOURCE)).toEqual([]);
    const [story] = segmentListing('A teaser that was cut twice by its outlet and then some more words [...] [...]', SOURCE);
    expect(story).toMatchObject({ truncated: true, summary: 'A teaser that was cut twice by its outlet and then some more words' });
  });

  it('never throws and always returns well-formed stories on arbitrary text', () => {
    const pieces = fc.constantFrom(
      '\n',
      '\n\n',
      '\r\n',
      '\u00a0',
      ' ',
      '[...]',
      '…',
      '“',
      '”',
      '’',
      '—',
      'By ',
      'Staff, ',
      'News. -',
      'Peru',
      ': ',
      'Skip to content',
      'Sign Up To Our Daily Digest',
      'donate',
      'Title Case Headline Here',
      '. ',
      'and the ',
      'x',
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(pieces, fc.string({ maxLength: 12 })), { maxLength: 60 }), (parts) => {
        const items = segmentListing(parts.join(''), SOURCE);
        items.forEach((item, index) => {
          expect(item.position).toBe(index);
          expect(item.title.trim().length).toBeGreaterThan(0);
          expect(item.summary).toBe(item.summary.trim());
          expect(item.summary).not.toMatch(/\[\.\.\.\]$/u);
        });
        expect(new Set(items.map((item) => item.identity)).size).toBe(items.length);
      }),
      { numRuns: Number(process.env['FEEDMERGE_FUZZ_RUNS'] ?? 300) },
    );
  });

  it.each([
    ['/srv/seeds/003_4a58f07a8f25fa52.txt', '003_4a58f07a8f25fa52'],
    ['C:\\seeds\\Peru.TXT', 'Peru'],
    ['relative/name.with.dots.txt', 'name.with.dots'],
    ['no-extension', 'no-extension'],
  ])('listingName(%j) is %j', (path, name) => {
    expect(listingName(path)).toBe(name);
  });
});
