import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Parser from 'rss-parser';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { renderFeed, selectClusters } from '../../src/publish/feeds.js';
import { FIXTURES, SITE, loadClusters, makeCluster, makeItem, outputFeed } from './fixtures.js';

const UPDATE = process.env['FEEDMERGE_UPDATE_GOLDEN'] === '1';
const work = mkdtempSync(join(tmpdir(), 'feedmerge-publish-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const hasJing = spawnSync('sh', ['-c', 'command -v jing'], { encoding: 'utf8' }).status === 0;
const hasXmllint = spawnSync('sh', ['-c', 'command -v xmllint'], { encoding: 'utf8' }).status === 0;
if (!hasJing) console.warn('SKIPPED: RFC 4287 schema validation needs `jing` (apt-get install jing); .ci/run installs it');
if (!hasXmllint) console.warn('SKIPPED: xmllint well-formedness checks need libxml2-utils; .ci/run installs it');

/** Validates an Atom document against RFC 4287's RELAX NG schema; returns jing's complaints (empty when valid). */
function jingErrors(atom: string, name: string): string {
  const file = join(work, `${name}.atom`);
  writeFileSync(file, atom);
  const run = spawnSync('jing', ['-c', join(FIXTURES, 'atom.rnc'), file], { encoding: 'utf8' });
  return run.status === 0 ? '' : `${run.stdout}${run.stderr}`;
}

function xmllint(xml: string, name: string): void {
  const file = join(work, name);
  writeFileSync(file, xml);
  execFileSync('xmllint', ['--noout', file], { stdio: 'pipe' });
}

const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  isArray: (name) => ['entry', 'link', 'author', 'category', 'item'].includes(name),
});

describe('renderFeed golden output', () => {
  const rendered = renderFeed(loadClusters(), outputFeed(), SITE);

  it.each(['atom', 'rss', 'json'] as const)(
    'matches tests/fixtures/publish/clusters.expected.%s (FEEDMERGE_UPDATE_GOLDEN=1 rewrites it)',
    (format) => {
      const golden = join(FIXTURES, `clusters.expected.${format}`);
      if (UPDATE) writeFileSync(golden, rendered[format]);
      expect(rendered[format]).toBe(readFileSync(golden, 'utf8'));
    },
  );

  it.skipIf(!hasJing)('Atom is valid against the RFC 4287 schema (jing)', () => {
    expect(jingErrors(rendered.atom, 'golden')).toBe('');
  });

  it('the schema check can fail: jing rejects an entry without an id', () => {
    if (!hasJing) return;
    const broken = rendered.atom.replace(/<id>urn:feedmerge:cluster:[^<]*<\/id>/, '');
    expect(jingErrors(broken, 'broken')).toMatch(/id/);
  });

  it.skipIf(!hasXmllint)('Atom and RSS are well-formed XML (xmllint)', () => {
    expect(() => xmllint(rendered.atom, 'a.atom')).not.toThrow();
    expect(() => xmllint(rendered.rss, 'a.rss')).not.toThrow();
  });

  it('RSS and Atom parse back with rss-parser: same stories, ids, links and titles', async () => {
    const parser = new Parser();
    const rss = await parser.parseString(rendered.rss);
    const atom = await parser.parseString(rendered.atom);
    expect(rss.items).toHaveLength(4);
    expect(atom.items).toHaveLength(4);
    expect(rss.items.map((i) => i.guid)).toEqual(atom.items.map((i) => i.id));
    expect(rss.items.map((i) => i.link)).toEqual(atom.items.map((i) => i.link));
    expect(rss.items[0]!.title).toBe("Breaking news &lt;script&gt;alert('t')&lt;/script&gt; & ]]&gt; more ]]&gt; end");
    expect(atom.items[0]!.title).toBe("Breaking news &lt;script&gt;alert('t')&lt;/script&gt; &amp; ]]&gt; more ]]&gt; end");
    expect(rss.items[0]!['creator']).toBe('Mallory <mallory@evil.example>');
  });

  it('JSON Feed 1.1 parses with the same stories', () => {
    const json = JSON.parse(rendered.json) as {
      version: string;
      items: { id: string; title: string; url: string; authors?: unknown[]; date_published: string; _feedmerge: { versions: unknown[] } }[];
    };
    expect(json.version).toBe('https://jsonfeed.org/version/1.1');
    expect(json.items.map((i) => i.id)).toEqual([
      'urn:feedmerge:cluster:00000000000000aa',
      'urn:feedmerge:cluster:5999d533efebccf1',
      'urn:feedmerge:cluster:000000062e2ac0ea',
      'urn:feedmerge:cluster:000000009e3779b1',
    ]);
    expect(json.items[0]!.title).toBe("Breaking news <script>alert('t')</script> & ]]> more ]]> end");
    expect(json.items[3]!._feedmerge.versions).toHaveLength(4);
  });
});

describe('renderFeed entries', () => {
  const rendered = renderFeed(loadClusters(), outputFeed(), SITE);
  /** The parts of a parsed Atom entry these tests read. */
  interface ParsedEntry {
    readonly id: string;
    readonly title: { '#text': string };
    readonly content: { '#text': string };
    readonly link: { '@rel': string; '@href': string }[];
    readonly category: { '@term': string }[];
    readonly published: string;
    readonly updated: string;
  }
  const feed = (xml.parse(rendered.atom) as { feed: { updated: string; entry: ParsedEntry[] } }).feed;
  const entry = (id: string): ParsedEntry => feed.entry.find((e) => e.id === `urn:feedmerge:cluster:${id}`)!;

  it('feed <updated> is the newest cluster update, not the clock', () => {
    expect(feed.updated).toBe('2026-03-03T11:00:00.000Z');
  });

  it('an entry links to the earliest version and lists the story page and the others as related', () => {
    const fed = entry('000000009e3779b1');
    const links = fed.link;
    expect(links.filter((l) => l['@rel'] === 'alternate').map((l) => l['@href'])).toEqual([
      'http://www.latimes.com/business/money/la-fi-mo-federal-reserve-plosser-stimulus-economy-20140310,0,1312750.story/?track=rss',
    ]);
    expect(links.filter((l) => l['@rel'] === 'related').map((l) => l['@href'])[0]).toBe(
      'http://localhost:8080/stories/000000009e3779b1.html',
    );
    expect(links.filter((l) => l['@rel'] === 'related')).toHaveLength(4);
    expect(fed.content['#text']).toContain(
      '<a href="http://localhost:8080/stories/000000009e3779b1.html" rel="noopener noreferrer">The story page',
    );
    expect(fed.published).toBe('2014-03-10T16:52:50.000Z');
    expect(fed.updated).toBe('2014-03-10T16:53:51.000Z');
  });

  it('a story without any link points at its story page and credits every outlet', () => {
    const seed = entry('5999d533efebccf1');
    expect(seed.link[0]!['@href']).toBe('http://localhost:8080/stories/5999d533efebccf1.html');
    expect(seed.link).toHaveLength(1);
    // The full title wins over the source's "..." one.
    expect(seed.title['#text']).toBe(
      "Thousands of Peruvians took to the streets in Lima and other cities to defend Pedro Castillo's victory",
    );
    const content = seed.content['#text'];
    expect(content).toContain('<strong>Green Left</strong>');
    expect(content).toContain("<strong>Links</strong> (via People's Dispatch) · by Staff");
    // Earliest member's first-seen time, since listings have no publication time.
    expect(seed.published).toBe('2026-03-02T08:00:00.000Z');
  });

  it('categories are merged case-insensitively', () => {
    const hostile = entry('00000000000000aa');
    expect(hostile.category.map((c) => c['@term'])).toEqual(['World', '<b>Bold</b>']);
  });

  it('is deterministic: same bytes whatever the input order', () => {
    const again = renderFeed([...loadClusters()].reverse(), outputFeed(), SITE);
    expect(again).toEqual(rendered);
  });

  it('an empty feed is valid and stable', () => {
    const empty = renderFeed([], outputFeed(), SITE);
    expect(empty.atom).toContain('<updated>1970-01-01T00:00:00.000Z</updated>');
    expect(renderFeed([], outputFeed(), SITE)).toEqual(empty);
    if (hasJing) expect(jingErrors(empty.atom, 'empty')).toBe('');
  });

  it('the feed moves only when a cluster gains a member', () => {
    const clusters = loadClusters();
    const grown = clusters.map((c) =>
      c.id === '5999d533efebccf1'
        ? {
            ...c,
            updated: '2026-03-04T00:00:00.000Z',
            items: [
              ...c.items,
              makeItem({ id: 'new1', title: 'Peru protests', sourceName: 'New outlet', firstSeenAt: '2026-03-04T00:00:00.000Z' }),
            ],
          }
        : c,
    );
    const next = renderFeed(grown, outputFeed(), SITE);
    expect(next.atom).not.toBe(rendered.atom);
    const nextFeed = (xml.parse(next.atom) as { feed: { updated: string; entry: { id: string; updated: string }[] } }).feed;
    expect(nextFeed.updated).toBe('2026-03-04T00:00:00.000Z');
    expect(nextFeed.entry[0]!.id).toBe('urn:feedmerge:cluster:5999d533efebccf1');
    const untouched = nextFeed.entry.find((e) => e.id === 'urn:feedmerge:cluster:000000009e3779b1');
    expect(untouched?.updated).toBe('2014-03-10T16:53:51.000Z');
  });
});

describe('big stories', () => {
  // 30 outlets carried the story: more than the entry shows in full, but every one is still credited.
  const items = Array.from({ length: 30 }, (_, i) =>
    makeItem({
      id: `big${i}`,
      title: `Headline ${i}`,
      summary: `Summary ${i}`,
      sourceName: `Outlet ${String(i).padStart(2, '0')}`,
      link: `https://outlet${i}.example/story`,
      published: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
    }),
  );
  const rendered = renderFeed([makeCluster('big', '2026-01-01T00:29:00.000Z', items)], outputFeed(), SITE);

  it('credits every outlet, lists 20 in full, caps related links and authors', () => {
    for (let i = 0; i < 30; i++) expect(rendered.atom).toContain(`Outlet ${String(i).padStart(2, '0')}`);
    expect(rendered.atom).toContain('Summary 19');
    expect(rendered.atom).not.toContain('Summary 20');
    expect(rendered.atom).toContain(
      'Also carried by: <a href="https://outlet20.example/story" rel="noopener noreferrer">Outlet 20</a> (2026-01-01 00:20 UTC)',
    );
    // 20 other versions, and the story page.
    expect(rendered.atom.match(/rel="related"/g)).toHaveLength(21);
    expect(rendered.atom.match(/<author>/g)).toHaveLength(1 + 10);
    if (hasJing) expect(jingErrors(rendered.atom, 'big')).toBe('');
  });
});

describe('selectClusters', () => {
  const a = makeCluster('a', '2026-01-03T00:00:00.000Z', [
    makeItem({ id: 'a1', title: 'Said the minister about taxes', sourceName: 'Outlet A', sourceUrl: 'https://a.example/feed' }),
  ]);
  const b = makeCluster('b', '2026-01-02T00:00:00.000Z', [
    makeItem({
      id: 'b1',
      title: 'New AI rules agreed',
      summary: 'Regulators met.',
      sourceName: 'Outlet B',
      sourceUrl: 'https://b.example/feed',
    }),
  ]);
  const c = makeCluster('c', '2026-01-04T00:00:00.000Z', [
    makeItem({ id: 'c1', title: 'Élections: résultats', sourceName: 'Outlet C', sourceUrl: '/seeds/c.txt' }),
    makeItem({ id: 'c2', title: 'Election results', sourceName: 'Outlet A', sourceUrl: 'https://a.example/feed' }),
  ]);
  const all = [a, b, c];
  const ids = (clusters: readonly { id: string }[]): string[] => clusters.map((x) => x.id);

  it.each([
    ['no filter: newest update first', {}, ['c', 'a', 'b']],
    ['limit', { limit: 2 }, ['c', 'a']],
    ['source by name, case-insensitive', { sources: ['outlet a'] }, ['c', 'a']],
    ['source by URL', { sources: ['https://b.example/feed'] }, ['b']],
    ['source by file path', { sources: ['/seeds/c.txt'] }, ['c']],
    ['keyword as a whole word ("AI" is not in "Said")', { keywords: ['ai'] }, ['b']],
    ['keyword in the summary', { keywords: ['regulators'] }, ['b']],
    ['keyword with accents', { keywords: ['élections'] }, ['c']],
    ['any keyword matches', { keywords: ['taxes', 'results'] }, ['c', 'a']],
    ['sources and keywords together', { sources: ['Outlet A'], keywords: ['taxes'] }, ['a']],
    ['nothing matches', { keywords: ['volcano'] }, []],
    ['minOutlets: stories at least 2 outlets carried', { minOutlets: 2 }, ['c']],
    ['excludeKeywords as whole words', { excludeKeywords: ['TAXES', 'volcano'] }, ['c', 'b']],
    ['keywords and excludeKeywords together', { keywords: ['taxes', 'results'], excludeKeywords: ['election'] }, ['a']],
  ] as const)('%s', (_, over, expected) => {
    expect(ids(selectClusters(all, outputFeed(over as never)))).toEqual(expected);
  });

  it('maxAgeDays keeps stories changed within that many days of the run, and only when the clock is given', () => {
    const now = Date.parse('2026-01-04T12:00:00.000Z');
    expect(ids(selectClusters(all, outputFeed({ maxAgeDays: 1 }), now))).toEqual(['c']);
    expect(ids(selectClusters(all, outputFeed({ maxAgeDays: 2 }), now))).toEqual(['c', 'a']);
    expect(ids(selectClusters(all, outputFeed({ maxAgeDays: 1 })))).toEqual(['c', 'a', 'b']);
  });

  it('counts an outlet a version credits ("via") towards minOutlets', () => {
    const via = makeCluster('v', '2026-01-05T00:00:00.000Z', [
      makeItem({ id: 'v1', sourceName: 'Popular Resistance', outlet: 'Kawsachun News' }),
    ]);
    expect(ids(selectClusters([via, a], outputFeed({ minOutlets: 2 })))).toEqual(['v']);
  });

  it('ties on update time are broken by publication then id, not input order', () => {
    const x = makeCluster('x', '2026-01-01T00:00:00.000Z', [makeItem({ id: 'x1' })]);
    const y = makeCluster('y', '2026-01-01T00:00:00.000Z', [makeItem({ id: 'y1' })]);
    expect(ids(selectClusters([y, x], outputFeed()))).toEqual(['x', 'y']);
    expect(ids(selectClusters([x, y], outputFeed()))).toEqual(['x', 'y']);
  });
});

it('RSS output is well-formed for fast-xml-parser too', () => {
  const rendered = renderFeed(loadClusters(), outputFeed(), SITE);
  expect(XMLValidator.validate(rendered.rss)).toBe(true);
  expect(XMLValidator.validate(rendered.atom)).toBe(true);
});
