import type { SourceState } from '../model.js';
import { cleanLine, escapeHtml } from '../text/xml-text.js';

/**
 * The subscribed feeds as OPML 2.0 (http://opml.org/spec2.opml), for importing into another reader.
 * Only http(s) feeds are listed: seed listings and file feeds cannot be subscribed to elsewhere, and their
 * paths are the server's business. Sorted by name then URL so the document is stable.
 */
export function renderOpml(sources: readonly SourceState[], title: string): string {
  const feeds = sources
    .filter((source) => source.kind === 'feed' && /^https?:\/\//i.test(source.url))
    .map((source) => ({ url: source.url, name: cleanLine(source.name) || cleanLine(source.title ?? '') || source.url }))
    .sort((a, b) => a.name.localeCompare(b.name, 'en') || (a.url < b.url ? -1 : a.url > b.url ? 1 : 0));
  const attr = (value: string): string => escapeHtml(cleanLine(value));
  const outlines = feeds.map(
    (feed) => `    <outline type="rss" text="${attr(feed.name)}" title="${attr(feed.name)}" xmlUrl="${attr(feed.url)}"/>`,
  );
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<opml version="2.0">',
    '  <head>',
    `    <title>${attr(title)}</title>`,
    '  </head>',
    '  <body>',
    ...outlines,
    '  </body>',
    '</opml>',
    '',
  ].join('\n');
}
