import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../src/errors.js';
import { parseFeed } from '../../../src/sources/feed/parse.js';

const FIXTURES = new URL('../../fixtures/feeds/', import.meta.url);
const NOW = new Date('2025-06-01T00:00:00Z');
const read = (path: string): Buffer => readFileSync(new URL(path, FIXTURES));
/** x.rss -> x.expected.json */
const golden = (name: string): string => name.replace(/\.[a-z]+$/, '.expected.json');
const parse = (path: string, url = 'https://feeds.example.com/feed', contentType: string | null = null) =>
  parseFeed(read(path), { url, contentType, now: NOW });

describe('parseFeed on the 31 real-world documents', () => {
  // Golden pairs (feedsmith style): x.rss beside x.expected.json with the item count, the first and the last
  // item's title, link and date, or the one-line refusal. A document read differently fails here.
  const names = readdirSync(new URL('real/', FIXTURES)).filter((name) => name !== 'LICENSE' && !name.endsWith('.expected.json'));
  it('has them all, each with its expectations', () => {
    expect(names).toHaveLength(31);
    for (const name of names) expect(() => read(`real/${golden(name)}`)).not.toThrow();
  });
  for (const name of names) {
    it(`reads ${name} as its golden file says`, async () => {
      const expected = JSON.parse(read(`real/${golden(name)}`).toString('utf8')) as { error?: string; items?: number };
      if (expected.error !== undefined) {
        await expect(parse(`real/${name}`)).rejects.toThrow(new ParseError(expected.error));
        return;
      }
      const feed = await parse(`real/${name}`);
      const pick = (item: (typeof feed.items)[number] | undefined) =>
        item ? { title: item.title, link: item.link, published: item.published } : null;
      expect({
        title: feed.title,
        link: feed.link,
        items: feed.items.length,
        first: pick(feed.items[0]),
        last: pick(feed.items.at(-1)),
      }).toEqual(expected);
      for (const item of feed.items) {
        expect(item.identity).not.toBe('');
        expect(item.title).not.toMatch(/<[a-z]|\s{2}|&amp;/i);
        expect(item.summary).not.toMatch(/\s{2}/);
        if (item.link) expect(item.link).toMatch(/^https?:\/\//);
        if (item.published) expect(item.published).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      }
      expect(new Set(feed.items.map((item) => item.identity)).size).toBe(feed.items.length);
    });
  }
  it('drops only entries with nothing to show: no title, link or text (incomplete-fields, missing-fields)', async () => {
    // Each holds one <entry> with an empty <author> or a bare <id>; feedparser lists them as untitled entries.
    expect((await parse('real/incomplete-fields.atom')).items).toEqual([]);
    expect((await parse('real/missing-fields.atom')).items).toEqual([]);
  });
  it('reads the ISO-8859-1 and undeclared Latin-1 documents correctly', async () => {
    const jn = await parse('real/encoding.rss');
    expect(jn.title).toBe('Jornal de Notícias - Últimas Notícias');
    const uol = await parse('real/uolNoticias.rss');
    expect(uol.items[0]!.summary).toMatch(/^Líder na pesquisa Ibope de intenção/);
    expect(uol.items[0]!.published).toBe('2018-09-24T22:42:40.000Z'); // "Seg, 24 Set 2018 19:42:40 -0300"
  });
  it('names an HTML page as such', async () => {
    await expect(parse('real/unrecognized.rss')).rejects.toThrow(/^parse: got an HTML page, not a feed$/);
  });
  it('gives every item its GUID as identity where there is one', async () => {
    const feed = await parse('real/guardian.rss');
    expect(feed.items).toHaveLength(55);
    expect(feed.items.every((item) => item.identity.startsWith('guid:'))).toBe(true);
  });
});

describe('parseFeed on formats and encodings', () => {
  it('resolves Atom xml:base on the feed, the entry and the link itself', async () => {
    const feed = await parse('own/atom-xml-base.atom', 'https://feeds.example.com/atom');
    expect(feed.title).toBe('Base & Relative');
    expect(feed.link).toBe('https://blog.example.org/news/');
    const [first, second, third] = feed.items;
    expect(first!.link).toBe('https://blog.example.org/news/2025/03/first.html?utm_source=rss&id=7#comments');
    expect(first!.identity).toBe('guid:tag:blog.example.org,2025:first');
    expect(first!.title).toBe('First story & more');
    expect(first!.summary).toBe('Plain <b>text</b> summary');
    expect(first!.truncated).toBe(true);
    expect(first!.contentHtml).toBe('<p>Hello <a href="/about">world</a></p>');
    expect(first!.author).toBe('Ada Lovelace, Charles Babbage');
    expect(first!.categories).toEqual(['Science']);
    expect(first!.published).toBe('2025-03-01T08:00:00.000Z');
    expect(first!.updated).toBe('2025-03-01T10:30:00.000Z');
    expect(second!.link).toBe('https://blog.example.org/archive/2024/second.html');
    expect(second!.contentHtml).toContain('<strong>body</strong>');
    expect(second!.published).toBe('2024-12-31T23:00:00.000Z'); // no <published>: falls back to <updated>
    expect(third!.link).toBe('https://other.example.net/x/y/third.html');
    expect(third!.published).toBeNull(); // year 1 is absurd
  });

  it('credits the original outlet an aggregator names: RSS <source>, Atom <source><title>', async () => {
    const rss = await parse('own/aggregator-source.rss', 'https://aggregator.example/peru.rss');
    expect(rss.items.map((item) => item.outlet)).toEqual(['Wire & Co', 'The Daily Example', null]);
    const atom = await parse('own/aggregator-source.atom', 'https://planet.example/atom');
    expect(atom.items.map((item) => item.outlet)).toEqual(['Andes Blog']);
  });

  it('reads a declared ISO-8859-1 RSS, resolving relative links against the document URL', async () => {
    const feed = await parse('own/latin1.rss', 'http://latin.example.pt/rss');
    expect(feed.title).toBe('Notícias de Portugal');
    expect(feed.items[0]!.title).toBe('Câmara aprova orçamento para 2025');
    expect(feed.items[0]!.link).toBe('http://latin.example.pt/economia/orcamento.html');
    expect(feed.items[0]!.identity).toBe('link:http://latin.example.pt/economia/orcamento.html');
    expect(feed.items[1]!.title).toBe('Ação & reação');
    expect(feed.items[1]!.identity).toBe('guid:acao-1');
  });

  it('reads windows-1252 bytes 0x80-0x9F as the characters publishers mean', async () => {
    const feed = await parse('own/windows-1252.rss');
    expect(feed.title).toBe('Smart “Quotes” Daily');
    expect(feed.items[0]!.title).toBe('“Price” rises to €5 – analysts say it’s fine…');
    expect(feed.items[0]!.summary).toBe('Œuvres—Ž');
  });

  it('lets the HTTP charset win over a wrong XML declaration', async () => {
    const body = Buffer.from(
      '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Caf\u00e9</title></channel></rss>',
      'latin1',
    );
    const feed = await parseFeed(body, { url: 'https://x.example/', contentType: 'application/rss+xml; charset=ISO-8859-1', now: NOW });
    expect(feed.title).toBe('Café');
  });

  it('reads JSON Feed 1.1: authors, tags, text content, numeric ids, absurd dates', async () => {
    const feed = await parse('own/json-feed-1.1.json', 'https://json.example.com/feed.json', 'application/feed+json');
    expect(feed.title).toBe('JSON Example');
    expect(feed.items).toHaveLength(3);
    const [one, two, three] = feed.items;
    expect(one!.title).toBe('JSON item <one>');
    expect(one!.link).toBe('https://json.example.com/posts/1?utm_medium=social');
    expect(one!.identity).toBe('guid:1');
    expect(one!.summary).toBe('Short summary');
    expect(one!.contentHtml).toBe('<p>Hi &amp; bye</p>');
    expect(one!.author).toBe('Item Author');
    expect(one!.categories).toEqual(['a', 'b']);
    expect(one!.published).toBe('2025-02-01T17:00:00.000Z');
    expect(two!.identity).toBe('guid:2');
    expect(two!.title).toMatch(/^A microblog post without a title/);
    expect(two!.author).toBe('Feed Author');
    expect(three!.identity).toBe('link:https://json.example.com/posts/3');
    expect(three!.published).toBeNull();
  });

  it('detects JSON Feed from content even when served as text/xml', async () => {
    const feed = await parse('own/json-feed-1.1.json', 'https://json.example.com/feed.json', 'text/xml');
    expect(feed.items).toHaveLength(3);
  });

  it('reads RSS 1.0 (RDF) with Dublin Core', async () => {
    const feed = await parse('own/rss-1.0.rdf');
    expect(feed.title).toBe('RDF Site');
    expect(feed.items).toHaveLength(1);
    expect(feed.items[0]).toMatchObject({
      identity: 'guid:http://rdf.example.org/a',
      title: 'RDF item',
      author: 'Dee Sea',
      published: '2024-06-01T08:00:00.000Z',
      categories: ['rdf'],
    });
  });

  it('reads RSS 0.91 with its DTD and HTML entities, and a bare ampersand', async () => {
    const feed = await parse('own/rss-0.91.rss');
    expect(feed.title).toBe('Old School édition');
    expect(feed.items[0]!.title).toBe('Café crème & AT&T');
    expect(feed.items[0]!.summary).toBe('Un café noir');
  });

  it('identifies link-only items by the normalised link, hash-only items by title', async () => {
    const rss = (items: string) => Buffer.from(`<rss version="2.0"><channel><title>t</title>${items}</channel></rss>`);
    const a = await parseFeed(
      rss('<item><title>A</title><link>HTTP://WWW.Example.COM/a?utm_source=x&amp;fbclid=1&amp;id=3#frag</link></item>'),
      { url: 'https://s/', now: NOW },
    );
    expect(a.items[0]!.identity).toBe('link:http://www.example.com/a?id=3');
    const b1 = await parseFeed(rss('<item><title>Same   Title</title></item>'), { url: 'https://s/', now: NOW });
    const b2 = await parseFeed(rss('<item><title>same title</title><description>changed</description></item>'), {
      url: 'https://s/',
      now: NOW,
    });
    const c = await parseFeed(rss('<item><title>same title</title></item>'), { url: 'https://other/', now: NOW });
    expect(b1.items[0]!.identity).toMatch(/^title:[0-9a-f]{16}$/);
    expect(b2.items[0]!.identity).toBe(b1.items[0]!.identity);
    expect(c.items[0]!.identity).not.toBe(b1.items[0]!.identity);
  });
});

describe('parseFeed reads what feedparser reads, the way it reads it (issue 15)', () => {
  const titles = async (path: string, url?: string) => (await parse(path, url)).items.map((item) => item.title);

  it('Atom 1.0 titles: xhtml as its text, text as written (a reader shows "<div>"), html unescaped once', async () => {
    const feed = await parse('own/atom-title-types.atom');
    expect(feed.title).toBe('Andes Wire');
    expect(feed.items.map((item) => [item.title, item.link])).toEqual([
      ['Peru Congress ousts Vizcarra', 'https://andes.example/news/2025/peru-congress.html'],
      // xml:base and xml:lang on the entry and the title, a prefixed xhtml div, CDATA and a comment inside
      ['Lima & Cusco: a tale of two <cities>', 'https://andes.example/opinion/two-cities.html'],
      ['Why <div> soup breaks readers & feeds', 'https://andes.example/news/2025/div-soup.html'],
      ['Plain by default: <b> stays', 'https://andes.example/news/2025/default.html'],
      ['Escaped HTML & entities', 'https://andes.example/news/2025/html.html'],
    ]);
    expect(feed.items[0]!.summary).toBe('s'); // the summary stays the summary, never the title
  });

  it('Atom 0.3 modes: base64 decoded, escaped unescaped, xml and undeclared markup read as xhtml', async () => {
    const feed = await parse('own/atom-0.3-modes.atom');
    expect(feed.title).toBe('South Desk');
    expect(feed.items.map((item) => item.title)).toEqual([
      'Quito <b>votes</b> today', // mode="base64", type text/plain (0.3's default): the decoded text, as written
      'Bolivia & the lithium deal', // mode="base64" type="text/html"
      'Chile reforms pensions', // a binary type is base64 whatever the mode says
      'Argentina floats the peso & more', // mode="escaped" type="text/html"
      'Uruguay & Paraguay sign a deal', // type="application/xhtml+xml" mode="xml"
      'Colombia elects a mayor', // markup with no type declared
    ]);
    expect(feed.items[0]!.published).toBe('2025-03-10T10:00:00.000Z'); // <issued>
  });

  it('RSS 1.0 and RSS 2.0 with prefixed elements and no default namespace', async () => {
    const rdf = await parse('own/rss-1.0-prefixed.rdf');
    expect(rdf.title).toBe('Prefixed Weekly');
    expect(rdf.items).toHaveLength(2);
    expect(rdf.items[0]).toMatchObject({
      title: 'Harbour reopens after storm',
      link: 'http://prefixed.example/one',
      summary: 'The port authority reopened the harbour.', // not notes:description, another namespace's local name
      author: 'Ines Prefix', // d:creator: Dublin Core under another prefix
      published: '2025-02-01T09:00:00.000Z',
    });
    const rss = await parse('own/rss-2.0-prefixed.rss');
    expect(rss.title).toBe('Userland Namespace News');
    expect(rss.items.map((item) => [item.title, item.link, item.published])).toEqual([
      ['Council approves bike lanes', 'http://userland.example/bikes', '2025-02-01T09:00:00.000Z'],
      ['Library extends hours', 'http://userland.example/library', null],
    ]);
  });

  it('items titled only by media:title (on the item, in a group or a media:content) or dc:title', async () => {
    expect(await titles('own/media-titles.rss')).toEqual([
      'Glacier retreat, seen from above',
      'Volcano <live> feed', // type="plain"
      'Flood warning lifted', // type="html"
      'Drought ends in the south', // dc:title before media:title
      'Own title wins',
    ]);
  });

  it('a lone "&" as a title, written every way', async () => {
    const feed = await parse('own/ampersand-titles.rss');
    expect(feed.title).toBe('A & B');
    expect(feed.items.map((item) => item.title)).toEqual(['&', '&', '&', '&', 'Q&A: rates & what comes next']);
  });

  it('Microsoft CDF: <CHANNEL><ITEM HREF><TITLE><ABSTRACT>, BASE and LASTMOD', async () => {
    const feed = await parse('own/cdf-channel.cdf');
    expect(feed).toMatchObject({ title: 'Channel Definition Format News', link: 'http://cdf.example/' });
    expect(feed.items.map((item) => [item.title, item.link, item.summary, item.published])).toEqual([
      [
        'Push channels arrive on the desktop',
        'http://cdf.example/news/item/1.html',
        'Subscribers get news without asking.',
        '2004-04-07T04:05:43.000Z',
      ],
      ['Active Desktop & you', 'http://elsewhere.example/2.html', '', null],
    ]);
  });

  it('a GUID repeated for different links keeps its items apart; one repeated with its link is one item, the first', async () => {
    const feed = await parse('own/repeated-guid.rss');
    expect(feed.items.map((item) => [item.identity, item.title])).toEqual([
      ['guid:sameguid-feed link:https://sameguid.example/a', 'First story'],
      ['guid:sameguid-feed link:https://sameguid.example/b', 'Second story'],
      ['guid:c', 'Own GUID, twice: newer'],
    ]);
    expect(feed.items.map((item) => item.position)).toEqual([0, 1, 2]);
  });

  it('an Atom entry without a link takes its id when the id is a web address', async () => {
    const atom = (id: string) =>
      parseFeed(Buffer.from(`<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>T</title><id>${id}</id></entry></feed>`), {
        url: 'x',
        now: NOW,
      });
    expect((await atom('https://ids.example/post/1')).items[0]!.link).toBe('https://ids.example/post/1');
    expect((await atom('tag:ids.example,2025:1')).items[0]!.link).toBeNull();
  });

  it('an Atom link written as text rather than href still counts, and the alternate one wins over an enclosure', async () => {
    const atom = Buffer.from(
      '<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>T</title><id>1</id>' +
        '<link rel="enclosure" type="audio/mpeg">https://links.example/a.mp3</link><link rel="alternate" ' +
        'type="text/html">https://links.example/a</link></entry></feed>',
    );
    expect((await parseFeed(atom, { url: 'x', now: NOW })).items[0]!.link).toBe('https://links.example/a');
  });

  it('keeps CDATA text as written ("&" in CDATA is a character, not a reference to repair)', async () => {
    const rss = Buffer.from(
      '<rss version="2.0"><channel><item><title>t</title><guid>g</guid><description><![CDATA[<p>R&amp;D ' +
        '&amp; more</p>]]></description></item></channel></rss>',
    );
    const feed = await parseFeed(rss, { url: 'x', now: NOW });
    expect(feed.items[0]!.contentHtml).toBe('<p>R&amp;D &amp; more</p>');
    expect(feed.items[0]!.summary).toBe('R&D & more');
  });

  it('reads an RSS document without a channel: its items, or none (not a TypeError)', async () => {
    const read = (xml: string) => parseFeed(Buffer.from(xml), { url: 'x', now: NOW });
    const bare = await read('<rss><item><title>Loose item</title><link>https://loose.example/1</link></item></rss>');
    expect(bare.items.map((item) => [item.title, item.link])).toEqual([['Loose item', 'https://loose.example/1']]);
    expect((await read('<rss version="2.0">\n</rss>')).items).toEqual([]);
    expect(
      (await read('<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "x.dtd"><rss version="0.91"></rss>')).items,
    ).toEqual([]);
    expect(
      (await read('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"></rdf:RDF>')).items,
    ).toEqual([]);
  });

  it('takes "<!DOCTYPE" for a declaration only in the prolog (in CDATA it is text)', async () => {
    const feed = await parseFeed(
      Buffer.from('<rss><item><title>t</title><description><![CDATA[ <!DOCTYPE ]]></description></item></rss>'),
      { url: 'x', now: NOW },
    );
    expect(feed.items[0]!.contentHtml).toBeNull(); // "<!DOCTYPE" is no markup
    expect(feed.items[0]!.summary).toBe('<!DOCTYPE');
  });

  it('reads undeclared markup in an RSS description as HTML, in document order', async () => {
    const rss = Buffer.from(
      '<rss version="2.0"><channel><item><title>t</title><guid>g</guid><description>Before <b>bold</b> ' +
        'after</description></item></channel></rss>',
    );
    const feed = await parseFeed(rss, { url: 'x', now: NOW });
    expect(feed.items[0]!.summary).toBe('Before bold after');
  });
});

describe('parseFeed on hostile documents', () => {
  it('refuses a billion-laughs entity bomb without expanding it', async () => {
    await expect(parse('hostile/billion-laughs.xml')).rejects.toThrow(/^parse: refused XML with entity declarations/);
  });
  it('refuses external entities (XXE) without touching files or the network', async () => {
    await expect(parse('hostile/xxe.xml')).rejects.toThrow(ParseError);
  });
  it('names an HTML page and the feed it advertises', async () => {
    await expect(parse('hostile/html-page.html', 'https://news.example.com/')).rejects.toThrow(
      'parse: got an HTML page, not a feed (the page links to a feed at https://news.example.com/rss.xml)',
    );
  });
  it('reports malformed XML and empty bodies in one line', async () => {
    await expect(parse('hostile/malformed.xml')).rejects.toThrow(/^parse: malformed XML: [^\n]+$/);
    await expect(parse('hostile/empty.xml')).rejects.toThrow('parse: empty document');
    await expect(parseFeed(Buffer.from('   \n  '), { url: 'x' })).rejects.toThrow('parse: empty document');
    await expect(parseFeed(Buffer.from('hello'), { url: 'x' })).rejects.toThrow('parse: not a feed (document starts with "hello")');
    const gzip = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xff, 0xfe]);
    await expect(parseFeed(gzip, { url: 'x' })).rejects.toThrow(
      'parse: not a feed (binary data, 12 bytes, starting with 1f 8b 08 00 00 00 00 00)',
    );
    await expect(parseFeed(Buffer.from('{"version":"x"}'), { url: 'x' })).rejects.toThrow(/not a JSON Feed/);
    await expect(parseFeed(Buffer.from('{"version":'), { url: 'x' })).rejects.toThrow(/^parse: invalid JSON/);
    await expect(parseFeed(Buffer.from('<?xml version="1.0"?><svg></svg>'), { url: 'x' })).rejects.toThrow(
      'parse: XML document is not RSS, RDF or Atom',
    );
  });
  it('keeps script payloads as inert text, drops javascript: links, controls and absurd dates', async () => {
    const feed = await parse('hostile/script-payloads.rss');
    const [first, second] = feed.items;
    expect(first!.title).toBe('Headline ]]> end');
    expect(first!.link).toBeNull();
    expect(first!.summary).toBe('Body');
    expect(first!.published).toBeNull();
    expect(second!.title).toBe('Controlchars here');
  });
  it('keeps an Atom feed whose entry has an unparsable date (rss-parser alone loses the whole feed)', async () => {
    const atom = Buffer.from(
      '<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><title>A</title><id>1</id><published>garbage</published>' +
        '<updated>2025-01-01T00:00:00Z</updated></entry><entry><title>B</title><id>2</id><published>Seg, 24 ' +
        'Set 2018 19:42:40 -0300</published></entry></feed>',
    );
    const feed = await parseFeed(atom, { url: 'https://x.example/', now: NOW });
    expect(feed.items.map((item) => [item.title, item.published])).toEqual([
      ['A', '2025-01-01T00:00:00.000Z'],
      ['B', '2018-09-24T22:42:40.000Z'],
    ]);
  });
  it('reads invalid UTF-8 with replacement characters instead of failing', async () => {
    const feed = await parse('hostile/invalid-utf8.rss');
    expect(feed.title).toBe('Bad \uFFFD\uFFFD bytes');
    expect(feed.items[0]!.title).toContain('\uFFFD');
  });
  it('refuses deeply nested XML before parsing it', async () => {
    const depth = 100_000;
    const body = Buffer.from(
      `<rss version="2.0"><channel><title>deep</title><item><description>` +
        `${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}</description></item></channel></rss>`,
    );
    await expect(parseFeed(body, { url: 'x' })).rejects.toThrow(/^parse: XML nested deeper than/);
  });
  it('reads at most maxItems entries of a document and says how many it skipped', async () => {
    const items = Array.from({ length: 50_000 }, (_, i) => `<item><title>Item ${i}</title><guid>g${i}</guid></item>`).join('');
    const body = Buffer.from(`<rss version="2.0"><channel><title>big</title>${items}</channel></rss>`);
    const feed = await parseFeed(body, { url: 'x', maxItems: 10_000 });
    expect(feed.items).toHaveLength(10_000);
    expect(feed.items[9_999]!.title).toBe('Item 9999');
    expect(feed.skippedItems).toBe(40_000);
    // The default reads a large feed whole.
    const whole = await parseFeed(body, { url: 'x' });
    expect(whole.items).toHaveLength(50_000);
    expect(whole.skippedItems).toBe(0);
    const json = JSON.stringify({
      version: 'https://jsonfeed.org/version/1.1',
      items: Array.from({ length: 30 }, (_, i) => ({ id: `j${i}`, title: `J ${i}` })),
    });
    expect(await parseFeed(Buffer.from(json), { url: 'x', maxItems: 20 })).toMatchObject({ skippedItems: 10 });
  });
  it('refuses "<!" that opens no comment, CDATA section or DOCTYPE, in linear time', async () => {
    // sax upper-cases the whole declaration read so far at each character: 20,000 of these took 18 s.
    const body = Buffer.from(`<rss version="2.0"><channel><title>t</title>${'<!'.repeat(200_000)}</channel></rss>`);
    const started = performance.now();
    await expect(parseFeed(body, { url: 'x' })).rejects.toThrow('parse: malformed XML: "<!" opens no comment, CDATA section or DOCTYPE');
    expect(performance.now() - started).toBeLessThan(2_000);
  });
  it('leaves rss-parser as it ships: no process-wide or private patch', async () => {
    const require = createRequire(import.meta.url);
    const utils = require('rss-parser/lib/utils.js') as { getSnippet: (html: string) => string };
    expect(utils.getSnippet('<b>kept</b> snippet')).toBe('kept snippet');
    const Parser = require('rss-parser') as { prototype: Record<string, unknown> };
    expect(Object.keys(Parser.prototype)).toEqual([]);
    expect(String(Parser.prototype.parseItemAtom)).toMatch(/^parseItemAtom\(entry\)/);
  });
  it('never throws anything but ParseError on mangled real documents', async () => {
    const source = read('real/guardian.rss');
    for (let cut = 1; cut < source.length; cut += Math.floor(source.length / 25)) {
      const mangled = Buffer.concat([source.subarray(0, cut), Buffer.from('<\u0000&#xD800;]]>'), source.subarray(cut + 7)]);
      await parseFeed(mangled, { url: 'x', now: NOW }).catch((error: unknown) => expect(error).toBeInstanceOf(ParseError));
    }
  });
});
