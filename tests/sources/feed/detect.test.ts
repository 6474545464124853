import { describe, expect, it } from 'vitest';
import { advertisedFeedUrl, detectDocumentKind } from '../../../src/sources/feed/detect.js';

describe('detectDocumentKind', () => {
  it.each([
    ['', 'empty'],
    ['\uFEFF  \n', 'empty'],
    ['{"version":"https://jsonfeed.org/version/1.1"}', 'json'],
    ['  [1, 2]', 'json'],
    ['<?xml version="1.0"?><rss version="2.0"><channel/></rss>', 'xml'],
    ['<feed xmlns="http://www.w3.org/2005/Atom"/>', 'xml'],
    ['<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>', 'xml'],
    ['<?xml version="1.0"?>\n<!-- generator: x --><!DOCTYPE rss [<!ENTITY a "b">]>\n<rss/>', 'xml'],
    ['<?xml-stylesheet href="s.xsl"?><urlset/>', 'xml'],
    ['<!DOCTYPE html><html><head></head></html>', 'html'],
    ['<html lang="en">', 'html'],
    ['<body><p>hi</p></body>', 'html'],
    ['Not found', 'unknown'],
    ['<', 'unknown'],
  ])('%j is %j', (text, kind) => {
    expect(detectDocumentKind(text)).toBe(kind);
  });

  it('looks only at the start: a root element behind a long prolog is not reached', () => {
    // ~30 comments cut by the 4096-character sniff window once backtracked for minutes (see detect.ts).
    const text = `<?xml version="1.0"?>${'<!-- a comment that goes on and on -->'.repeat(200)}<rss/>`;
    expect(detectDocumentKind(text)).toBe('unknown');
  });
});

describe('advertisedFeedUrl', () => {
  const page = (links: string): string => `<!DOCTYPE html><html><head>${links}</head><body></body></html>`;

  it('finds the first RSS, Atom or JSON feed a page links to, resolved against the page', () => {
    const html = page(
      '<link rel="stylesheet" href="/s.css"><link rel="alternate" type="text/html" href="/fr/">' +
        '<link rel="alternate" type="application/atom+xml" href="/feed.atom"><link rel="alternate" type="application/rss+xml" href="/rss">',
    );
    expect(advertisedFeedUrl(html, 'https://news.example/world/')).toBe('https://news.example/feed.atom');
    expect(advertisedFeedUrl(page("<link type='application/feed+json' rel=alternate href='f.json'>"), 'https://a.example/x/')).toBe(
      'https://a.example/x/f.json',
    );
  });

  it('gives null for a page without a feed link, or a relative link without a base', () => {
    expect(advertisedFeedUrl(page('<link rel="icon" href="/i.png">'), 'https://a.example/')).toBeNull();
    expect(advertisedFeedUrl(page('<link rel="alternate" type="application/rss+xml" href="/rss">'), null)).toBeNull();
  });
});
