import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ParseError } from '../../src/errors.js';
import type { RawItem } from '../../src/model.js';
import { parseFeed } from '../../src/sources/feed/parse.js';
import { tempDir } from '../helpers/temp.js';
import { checkPublishedHtml, checkPublishedJson, checkPublishedXml } from './active-content.js';
import { cdata as cdataOf, hostileAtom, hostileJsonFeed, hostileRss, SCRIPT_PAYLOADS, xmlEscape } from './payloads.js';
import { clustersOf, renderAll, renderedProblems, storedItems } from './render-items.js';

const NOW = new Date('2026-03-02T12:00:00Z');
// A floor of 10,000 entries per document (fetch.maxItems) keeps the flood tests quick.
const parse = (text: string | Buffer, url = 'https://hostile.example/feed', contentType: string | null = null) =>
  parseFeed(typeof text === 'string' ? Buffer.from(text, 'utf8') : text, { url, contentType, now: NOW, maxItems: 10_000 });

/** Parses, then publishes what was read; returns the items and every problem found in the published output. */
async function publishProblems(items: readonly RawItem[]): Promise<string[]> {
  return renderedProblems(clustersOf(storedItems(items), 2));
}

/** Outcome of parsing a hostile document: refused with the module's own ParseError, or read. */
async function parseOrRefuse(text: string | Buffer): Promise<{ items: RawItem[] } | { refused: string }> {
  try {
    return { items: (await parse(text)).items };
  } catch (error) {
    expect(error).toBeInstanceOf(ParseError);
    expect((error as Error).message).not.toContain('\n');
    return { refused: (error as Error).message };
  }
}

const rss = (items: string, prolog = '') =>
  `<?xml version="1.0" encoding="UTF-8"?>${prolog}<rss version="2.0">` +
  `<channel><title>t</title><link>https://hostile.example/</link>${items}</channel></rss>`;

let probe: Server;
let probeUrl: string;
const probeHits: string[] = [];

beforeAll(async () => {
  // Anything that tries to fetch an external DTD or entity lands here, and the tests then fail.
  probe = createServer((req, res) => {
    probeHits.push(req.url ?? '');
    res.end('<!ENTITY leaked "LEAKED-OVER-HTTP">');
  });
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  probeUrl = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
});
afterAll(() => probe.close());

describe('script payloads in feeds never reach subscribers', () => {
  for (const [format, document] of [
    ['RSS', hostileRss],
    ['Atom', hostileAtom],
    ['JSON Feed', hostileJsonFeed],
  ] as const) {
    it(`${format}: titles, summaries, content and links are published inert`, async () => {
      const feed = await parse(document());
      expect(feed.items.length).toBe(SCRIPT_PAYLOADS.length);
      for (const item of feed.items) expect(item.link === null || /^https?:\/\//.test(item.link)).toBe(true);
      const out = renderAll(clustersOf(storedItems(feed.items), 2));
      expect(checkPublishedXml(out.atom)).toEqual([]);
      expect(checkPublishedXml(out.rss)).toEqual([]);
      expect(checkPublishedJson(out.json)).toEqual([]);
      expect(checkPublishedHtml(out.html)).toEqual([]);
      // Not vacuous: the harmless text around every payload is still published.
      for (const item of feed.items) {
        const words = /^(Title|Atom|JSON) \d+/.exec(item.title)![0];
        for (const text of [out.atom, out.rss, out.json, out.html.join('\n')]) expect(text).toContain(words);
      }
    });
  }
});

describe('XML entity attacks', () => {
  it('refuses a billion-laughs bomb (internal entities) without expanding it', async () => {
    const lol = [
      '<!ENTITY lol "lol">',
      ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`),
    ].join('');
    const result = await parseOrRefuse(rss('<item><title>&lol9;</title></item>', `<!DOCTYPE rss [${lol}]>`));
    expect(result).toEqual({ refused: expect.stringMatching(/^parse: refused XML with entity declarations/) });
  });

  it('refuses a parameter-entity bomb and a quadratic blow-up', async () => {
    const big = 'x'.repeat(100_000);
    const quadratic = rss(`<item><title>${'&big;'.repeat(50_000)}</title></item>`, `<!DOCTYPE rss [<!ENTITY big "${big}">]>`);
    const parameter = rss('<item><title>t</title></item>', '<!DOCTYPE rss [<!ENTITY % a "<!ENTITY b \'x\'>"> %a; %a; %a;]>');
    for (const doc of [quadratic, parameter]) expect('refused' in (await parseOrRefuse(doc))).toBe(true);
  });

  it('never reads a local file through an external entity, DTD or XInclude (XXE)', async () => {
    const dir = tempDir();
    const secret = join(dir, 'secret.txt');
    writeFileSync(secret, 'TOP-SECRET-7f3a9c');
    const documents = [
      rss('<item><title>a &xxe; b</title><guid>x1</guid></item>', `<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://${secret}">]>`),
      rss('<item><title>a &xxe; b</title><guid>x2</guid></item>', `<!DOCTYPE rss [<!ENTITY xxe SYSTEM "${secret}">]>`),
      rss('<item><title>a b</title><guid>x3</guid></item>', `<!DOCTYPE rss SYSTEM "file://${secret}">`),
      rss('<item><title>a &leaked; b</title><guid>x4</guid></item>', `<!DOCTYPE rss SYSTEM "${probeUrl}/dtd">`),
      rss('<item><title>a &leaked; b</title><guid>x5</guid></item>', `<!DOCTYPE rss PUBLIC "-//X//EN" "${probeUrl}/public.dtd">`),
      rss(
        '<item><title>a &xxe; b</title><guid>x6</guid></item>',
        `<!DOCTYPE rss [<!ENTITY % remote SYSTEM "${probeUrl}/param"> %remote;]>`,
      ),
      rss(
        '<item><title>a b</title><guid>x7</guid><description>' +
          `<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file://${secret}" parse="text"/></description></item>`,
      ),
      `<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY xxe SYSTEM "file://${secret}">]>` +
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>&xxe;</title><entry><id>x8</id><title>&xxe;</title></entry></feed>',
    ];
    for (const doc of documents) {
      const result = await parseOrRefuse(doc);
      if ('items' in result) {
        const out = renderAll(clustersOf(storedItems(result.items)));
        for (const text of [JSON.stringify(result.items), out.atom, out.rss, out.json, out.html]) {
          expect(text).not.toContain('TOP-SECRET');
          expect(text).not.toContain('LEAKED');
        }
      }
    }
    expect(probeHits).toEqual([]);
  });
});

describe('malformed and oversized documents', () => {
  it('refuses XML nested 100,000 deep with a ParseError, and survives nesting inside CDATA and JSON', async () => {
    const deep = `${'<a>'.repeat(100_000)}x${'</a>'.repeat(100_000)}`;
    expect(await parseOrRefuse(rss(`<item><title>t</title><description>${deep}</description></item>`))).toEqual({
      refused: expect.stringMatching(/^parse: /),
    });
    // Deep HTML inside CDATA is text to the XML parser; the sanitiser and renderer must still cope with it.
    const html = `${'<div>'.repeat(50_000)}deep text${'</div>'.repeat(50_000)}`;
    const cdataFeed = await parseOrRefuse(
      rss(`<item><title>t</title><guid>d</guid><content:encoded><![CDATA[${html}]]></content:encoded></item>`).replace(
        '<rss version="2.0">',
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">',
      ),
    );
    if ('items' in cdataFeed) expect(await publishProblems(cdataFeed.items)).toEqual([]);
    const deepArray = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const json = `{"version":"https://jsonfeed.org/version/1.1","items":[{"id":"1","title":"t","x":${deepArray}}]}`;
    const jsonFeed = await parseOrRefuse(json);
    if ('items' in jsonFeed) expect(await publishProblems(jsonFeed.items)).toEqual([]);
    const jsonHtml = JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', items: [{ id: '1', title: 't', content_html: html }] });
    const deepHtml = await parseOrRefuse(jsonHtml);
    expect('items' in deepHtml).toBe(true);
    if ('items' in deepHtml) expect(await publishProblems(deepHtml.items)).toEqual([]);
  });

  it('reads invalid UTF-8 and publishes well-formed XML', async () => {
    const bad = Buffer.concat([
      Buffer.from(rss('<item><guid>u1</guid><title>before ').replace('</channel></rss>', ''), 'utf8'),
      Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x28, 0x8c, 0xbc, 0xff, 0xfe, 0xed, 0xa0, 0x80, 0xc0, 0xaf]),
      Buffer.from(' after</title><description>x</description></item></channel></rss>', 'utf8'),
    ]);
    const result = await parseOrRefuse(bad);
    expect('items' in result).toBe(true);
    if (!('items' in result)) return;
    expect(result.items[0]!.title).toMatch(/^before .* after$/);
    expect(await publishProblems(result.items)).toEqual([]);
  });

  it('drops control characters, noncharacters and lone surrogates, literal or referenced', async () => {
    const controls = Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join('') + '\u007f\u0085\u009f\ufffe\uffff';
    const refs = '&#0;&#1;&#x8;&#xB;&#12;&#x1F;&#xD800;&#57343;&#xFFFE;&#65535;&#x110000;&#99999999999;';
    const result = await parseOrRefuse(
      rss(
        `<item><guid>c1</guid><title>ctl ${controls} end</title><description>${refs} desc</description></item>` +
          `<item><guid>c2</guid><title>refs ${refs} end</title></item>`,
      ),
    );
    if ('items' in result) expect(await publishProblems(result.items)).toEqual([]);
    const json =
      '{"version":"https://jsonfeed.org/version/1.1","items":[{"id":"j","title":"a\\ud800b\\udfffc\\u0000d\\u0001",' +
      '"content_html":"<p>\\ud83d x \\u0008 \\ufffe</p>","summary":"\\u001b[31mred"}]}';
    const jsonResult = await parseOrRefuse(json);
    expect('items' in jsonResult).toBe(true);
    if ('items' in jsonResult) expect(await publishProblems(jsonResult.items)).toEqual([]);
  });

  it('keeps "]]>" in titles, summaries and content as text and publishes well-formed XML', async () => {
    const feed = await parse(
      rss(
        `<item><guid>k1</guid><title>a ]]&gt; b ]]&gt;&gt; c</title><description>${xmlEscape('s ]]> <![CDATA[ x ]]> y')}</description>` +
          `<content:encoded><![CDATA[<p>before ]]]]><![CDATA[> after</p>]]></content:encoded></item>`,
      ).replace('<rss version="2.0">', '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'),
    );
    expect(feed.items[0]!.title).toBe('a ]]> b ]]>> c');
    expect(await publishProblems(feed.items)).toEqual([]);
    const out = renderAll(clustersOf(storedItems(feed.items)));
    expect(JSON.parse(out.json).items[0].title).toBe('a ]]> b ]]>> c');
  });

  it('publishes no absurd date (year 0, 99999, negative, beyond what Date holds)', async () => {
    const dates = [
      'Mon, 01 Jan 0000 00:00:00 GMT',
      '0000-01-01T00:00:00Z',
      '0000-00-00 00:00:00',
      '99999-01-01T00:00:00Z',
      '+099999-01-01T00:00:00Z',
      '-000001-01-01T00:00:00Z',
      '+275760-09-13T00:00:00Z',
      '+275761-01-01T00:00:00Z',
      'Fri, 31 Dec 99999 23:59:59 GMT',
      '1e20',
      '-1',
      '9999999999999999999',
      'Thu, 01 Jan 1970 00:00:00 GMT',
      '2026-02-30T25:61:61Z',
      'yesterday',
      '',
    ];
    const items = dates.map(
      (date, i) => `<item><guid>d${i}</guid><title>dated ${i}</title><pubDate>${date}</pubDate><dc:date>${date}</dc:date></item>`,
    );
    const feed = await parse(
      rss(items.join('')).replace('<rss version="2.0">', '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">'),
    );
    expect(feed.items).toHaveLength(dates.length);
    for (const item of feed.items) {
      for (const value of [item.published, item.updated]) {
        if (value === null) continue;
        const year = new Date(value).getUTCFullYear();
        expect(year).toBeGreaterThanOrEqual(1970);
        expect(year).toBeLessThanOrEqual(NOW.getUTCFullYear() + 1);
      }
    }
    const json = JSON.stringify({
      version: 'https://jsonfeed.org/version/1.1',
      items: [0, 99999, -1, 1e308, '99999-12-31', { y: 1 }, [2026]].map((date, i) => ({
        id: `j${i}`,
        title: `t${i}`,
        date_published: date,
        date_modified: date,
      })),
    });
    const jsonFeed = await parse(json);
    for (const item of jsonFeed.items) expect(item.published === null || /^(19[7-9]\d|20\d\d)-/.test(item.published)).toBe(true);
    const out = renderAll(clustersOf(storedItems([...feed.items, ...jsonFeed.items])));
    expect(checkPublishedXml(out.atom)).toEqual([]);
    // Every published date is RFC 3339 with a four-digit year (Atom section 3.3).
    for (const [, date] of out.atom.matchAll(/<(?:updated|published)>([^<]*)</g)) expect(date).toMatch(/^\d{4}-\d\d-\d\dT/);
    for (const [, date] of out.rss.matchAll(/<pubDate>([^<]*)</g)) expect(Number.isNaN(Date.parse(date!))).toBe(false);
  });

  it('reads a feed of 100,000 items, keeping a bounded number, and publishes it', async () => {
    const items = Array.from({ length: 100_000 }, (_, i) => `<item><guid>g${i}</guid><title>Item ${i}</title></item>`).join('');
    const feed = await parse(rss(items));
    expect(feed.items.length).toBeGreaterThan(0);
    expect(feed.items.length).toBeLessThanOrEqual(10_000);
    expect(feed.items[0]!.title).toBe('Item 0');
    expect(new Set(feed.items.map((i) => i.identity)).size).toBe(feed.items.length);
    const json = JSON.stringify({
      version: 'https://jsonfeed.org/version/1.1',
      items: Array.from({ length: 100_000 }, (_, i) => ({ id: `j${i}`, title: `J ${i}` })),
    });
    expect((await parse(json)).items.length).toBeLessThanOrEqual(10_000);
  });

  // Each document below made a regex rescan to the end from every opening (quadratic or exponential time):
  // at these sizes that took minutes to hours and blocked the whole process. Finishing within the test
  // timeout is the behaviour under test; the bodies stay under the default 10 MB cap.
  it('reads pathological markup without stalling (unterminated tags, comments, CDATA, script; commented prologs)', async () => {
    const n = 300_000;
    const documents = [
      rss(`<item><guid>p1</guid><title>t</title><description>${'&lt;a'.repeat(n)}</description></item>`),
      rss(`<item><guid>p2</guid><title>t</title><description>${'&lt;!--'.repeat(n)}</description></item>`),
      rss(`<item><guid>p3</guid><title>t</title><description>${'&lt;script&gt;'.repeat(n / 3)}</description></item>`),
      rss(`<item><guid>p4</guid><title>t</title><description>${'&lt;![CDATA['.repeat(n / 3)}</description></item>`),
      rss(`<item><guid>p5</guid><title>t</title><description>${cdataOf('<p'.repeat(n))}</description></item>`),
      rss(`<item><guid>p6</guid><title>t</title></item>${'<a'.repeat(n)}`),
      rss(`<item><guid>p7</guid><title>t</title></item>${'<![CDATA['.repeat(n / 3)}`),
      `<?xml version="1.0"?>${'<!-- c -->'.repeat(40)}<!-- unterminated ${'x'.repeat(5000)}`,
      `<?xml version="1.0"?>${'<?pi x?>'.repeat(40)}<!DOCTYPE rss [${']'.repeat(5000)}`,
      JSON.stringify({
        version: 'https://jsonfeed.org/version/1.1',
        items: [{ id: '1', title: '<a'.repeat(n), summary: '<!--'.repeat(n), content_html: '<script>'.repeat(n / 3) }],
      }),
    ];
    for (const doc of documents) {
      const result = await parseOrRefuse(doc);
      if ('items' in result) expect(await publishProblems(result.items)).toEqual([]);
    }
  });

  it('answers garbage of every kind with its own ParseError', async () => {
    const garbage: (string | Buffer)[] = [
      '',
      ' ',
      '\u0000',
      '[\n xmlns:enc="x"\n',
      '{\n\n',
      '<',
      '<?xml',
      '<rss',
      '<rss>',
      '<rss><channel>',
      '<feed',
      '{',
      '[]',
      'null',
      '{"version":"https://jsonfeed.org/version/1.1"}',
      '{"version":"https://jsonfeed.org/version/1.1","items":{}}',
      '{"version":"https://jsonfeed.org/version/1.1","items":[null,1,"x",[]]}',
      '<!DOCTYPE html><html><body>hi</body></html>',
      '<html>',
      '<feed xmlns="http://www.w3.org/2005/Atom"><entry></entry></feed>',
      '<rss version="2.0"><channel><item></item><item><title></title></item></channel></rss>',
      Buffer.alloc(1000, 0xff),
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from([0xfe, 0xff, 0, 0x3c]),
      `<rss>${'<!--'.repeat(10_000)}`,
      `<?xml version="1.0"?>${'<!-- c -->'.repeat(10_000)}<rss><channel><item><title>late</title></item></channel></rss>`,
    ];
    for (const doc of garbage) await parseOrRefuse(doc);
  });
});
