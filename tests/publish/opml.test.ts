import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { expect, it } from 'vitest';
import { newSourceState, type SourceState } from '../../src/model.js';
import { renderOpml } from '../../src/publish/opml.js';

const source = (over: Partial<SourceState> & { url: string }): SourceState => ({
  ...newSourceState({ url: over.url, kind: 'feed', name: 'Feed', origin: 'config' }),
  status: 'ok',
  ...over,
});

it('lists http(s) feeds as OPML 2.0 outlines, sorted and escaped; listings and local files stay private', () => {
  const opml = renderOpml(
    [
      source({ url: 'https://b.example/rss?x=1&y=2', name: 'Zeta "News" <B>' }),
      source({ url: 'http://a.example/atom', name: 'alpha', title: 'Alpha Daily' }),
      source({ url: '/srv/seeds/000_x.txt', kind: 'listing', name: 'Seed outlet' }),
      source({ url: '/srv/feeds/local.xml', name: 'Local file feed' }),
    ],
    'My \u0001feeds & more',
  );
  expect(XMLValidator.validate(opml)).toBe(true);
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (n) => n === 'outline' }).parse(opml) as {
    opml: { version: string; head: { title: string }; body: { outline: Record<string, string>[] } };
  };
  expect(doc.opml.version).toBe('2.0');
  expect(doc.opml.head.title).toBe('My feeds & more');
  expect(doc.opml.body.outline).toEqual([
    { type: 'rss', text: 'alpha', title: 'alpha', xmlUrl: 'http://a.example/atom' },
    { type: 'rss', text: 'Zeta "News" <B>', title: 'Zeta "News" <B>', xmlUrl: 'https://b.example/rss?x=1&y=2' },
  ]);
  expect(opml).not.toContain('/srv/');
});

it('an empty source list is still a valid document', () => {
  const opml = renderOpml([], 'feedmerge');
  expect(XMLValidator.validate(opml)).toBe(true);
  expect(opml).toContain('<body>\n  </body>');
});
