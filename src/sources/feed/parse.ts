import { createRequire } from 'node:module';
import { decodeHTML } from 'entities';
import Parser from 'rss-parser';
import { ParseError } from '../../errors.js';
import type { RawItem } from '../../model.js';
import { decodeBody } from './charset.js';
import { advertisedFeedUrl, detectDocumentKind } from './detect.js';
import { finishItem, type ItemDraft } from './feed-item.js';
import { resolveLink } from './identity.js';
import { readJsonFeed } from './json-feed.js';
import { toPlainText } from '../../text/plain-text.js';
import { cleanXmlText } from '../../text/xml-text.js';

/**
 * rss-parser computes a `contentSnippet` for every item with /<(?:.|\n)*?>/, which rescans to the end from every
 * "<" that has no ">": a 1 MB description of "&lt;a" repeated stalled a run for minutes, 10 MB for hours
 * (tests/reliability/hostile-feeds.test.ts). feedmerge never reads the snippet, so it is not computed.
 */
(createRequire(import.meta.url)('rss-parser/lib/utils.js') as { getSnippet: (html: string) => string }).getSnippet = () => '';

/** A parsed feed document: its own title and site link, and its items in document order. */
export interface ParsedFeed {
  readonly title: string | null;
  readonly link: string | null;
  readonly items: RawItem[];
  /** Entries beyond `maxItems`, not read. */
  readonly skippedItems: number;
}

/** Nesting deeper than this is an attack on the parser or the HTML builder, not a feed (real ones nest < 20). */
const MAX_DEPTH = 200;

/** Raw fields rss-parser would otherwise flatten or drop: attributes (xml:base), every link, typed content. */
const CUSTOM_FIELDS = {
  feed: [['$', 'feedAttributes', { keepArray: true }]],
  item: [
    ['$', 'itemAttributes', { keepArray: true }],
    ['link', 'rawLinks', { keepArray: true }],
    ['guid', 'rawGuid', { keepArray: true }],
    ['author', 'rawAuthors', { keepArray: true }],
    ['dc:creator', 'rawCreators', { keepArray: true }],
    ['content', 'rawContent', { keepArray: true }],
    ['summary', 'rawSummary', { keepArray: true }],
    ['description', 'rawDescription', { keepArray: true }],
    ['category', 'rawCategories', { keepArray: true }],
    ['dc:subject', 'rawSubjects', { keepArray: true }],
    ['source', 'rawSource', { keepArray: true }],
    ['published', 'rawPublished'],
    ['updated', 'rawUpdated'],
    ['issued', 'rawIssued'], // Atom 0.3
    ['modified', 'rawModified'], // Atom 0.3
  ],
} as const;

type XmlNode = { _?: unknown; $?: Record<string, string | undefined> } & Record<string, unknown>;
type ParserItem = Record<string, unknown>;

/**
 * Parses one feed document. The format is detected from the content: RSS 0.9x/1.0/2.0 and Atom 1.0/0.3
 * through rss-parser, JSON Feed 1.0/1.1 by hand. Throws ParseError with a one-line reason.
 */
export async function parseFeed(
  body: Buffer,
  options: { readonly url: string; readonly contentType?: string | null; readonly now?: Date; readonly maxItems?: number },
): Promise<ParsedFeed> {
  const now = options.now ?? new Date();
  const maxItems = options.maxItems ?? Infinity; // callers pass fetch.maxItems
  const documentUrl = /^https?:\/\//i.test(options.url) ? options.url : null;
  const text = decodeBody(body, options.contentType);
  const kind = detectDocumentKind(text);
  switch (kind) {
    case 'empty':
      throw new ParseError('parse: empty document');
    case 'html': {
      const advertised = advertisedFeedUrl(text, documentUrl);
      throw new ParseError(`parse: got an HTML page, not a feed${advertised ? ` (the page links to a feed at ${advertised})` : ''}`);
    }
    case 'unknown':
      throw new ParseError(`parse: not a feed (document starts with ${JSON.stringify(text.trim().slice(0, 40))})`);
    case 'json': {
      const feed = readJsonFeed(text, documentUrl);
      return {
        title: feed.title,
        link: resolveLink(feed.link, documentUrl),
        items: finishAll(feed.items.slice(0, maxItems), options.url, now),
        skippedItems: Math.max(0, feed.items.length - maxItems),
      };
    }
    case 'xml':
      return parseXmlFeed(text, options.url, documentUrl, now, maxItems);
  }
}

async function parseXmlFeed(text: string, sourceUrl: string, documentUrl: string | null, now: Date, maxItems: number): Promise<ParsedFeed> {
  const xml = hardenXml(text);
  // A fresh parser per document: xml2js keeps state after an error, so a shared one could poison the next feed.
  const parser = new Parser<Record<string, unknown>, ParserItem>({
    customFields: CUSTOM_FIELDS as unknown as { feed: string[]; item: string[] },
    defaultRSS: 2, // <rss> without a version attribute is read as RSS 2.0, as browsers and Miniflux do
  });
  guardAtomDates(parser);
  let feed: Record<string, unknown> & { items: ParserItem[] };
  try {
    feed = await parser.parseString(xml);
  } catch (error) {
    throw new ParseError(`parse: ${describeXmlError(error)}`, { cause: error });
  }
  const feedBase = resolveBase(attr(feed.feedAttributes, 'xml:base'), documentUrl);
  const feedLink = resolveLink(asText(feed.link), feedBase) ?? null;
  // Relative links in RSS resolve against the document; a file source has none, so the site link stands in.
  const base = feedBase ?? feedLink;
  const entries = feed.items ?? [];
  const drafts = entries.slice(0, maxItems).map((item) => draftFromParserItem(item, base));
  const title = asText(feed.title);
  return {
    title: title ? toPlainText(title) || null : null,
    link: feedLink,
    items: finishAll(drafts, sourceUrl, now),
    skippedItems: Math.max(0, entries.length - maxItems),
  };
}

/**
 * rss-parser turns Atom <published>/<updated> into ISO strings with `new Date(x).toISOString()`, which
 * throws on one unparsable date and so loses the whole feed. The dates are taken out before it sees
 * them and handed back raw; toIsoDate reads them (or drops them) later.
 */
function guardAtomDates(parser: object): void {
  const target = parser as { parseItemAtom: (entry: Record<string, unknown>) => ParserItem };
  const original = target.parseItemAtom.bind(parser);
  target.parseItemAtom = (entry) => {
    const { published, updated, ...rest } = entry;
    const item = original(rest);
    item.rawPublished = first(published);
    item.rawUpdated = first(updated);
    return item;
  };
}

function finishAll(drafts: readonly ItemDraft[], sourceUrl: string, now: Date): RawItem[] {
  const items: RawItem[] = [];
  const seen = new Set<string>();
  for (const draft of drafts) {
    const item = finishItem(draft, items.length, sourceUrl, now);
    // Two entries with one identity in one document: the first (usually newest) wins, never a duplicate row.
    if (item && !seen.has(item.identity)) {
      seen.add(item.identity);
      items.push(item);
    }
  }
  return items;
}

function draftFromParserItem(item: ParserItem, feedBase: string | null): ItemDraft {
  const base = resolveBase(attr(item.itemAttributes, 'xml:base'), feedBase) ?? feedBase;
  const rawGuid = first(item.rawGuid);
  const guid = asText(rawGuid) ?? asText(item.id) ?? asText(item['rdf:about']);
  const permaLinkAttr = attr(rawGuid, 'isPermaLink');
  const content = first(item.rawContent);
  const contentType = attr(content, 'type');
  const contentHtml =
    asText(item['content:encoded']) ??
    (content !== undefined && !attr(content, 'src') ? typedContent(item.content, contentType) : null) ??
    markupOnly(asText(first(item.rawDescription)));
  const summary = first(item.rawSummary);
  return {
    guid,
    guidIsLink: permaLinkAttr === undefined ? rawGuid !== undefined : permaLinkAttr.toLowerCase() === 'true',
    link: pickLink(item.rawLinks, base) ?? asText(item.link),
    base,
    title: asText(item.title),
    summaryHtml:
      (summary !== undefined ? typedContent(asText(summary), attr(summary, 'type')) : null) ??
      asText(first(item.rawDescription)) ??
      null,
    contentHtml,
    authors: [...namesOf(item.rawAuthors), ...namesOf(item.rawCreators)],
    published: asText(item.rawPublished) ?? asText(item.rawIssued) ?? asText(item.pubDate) ?? asText(item['dc:date']),
    updated: asText(item.rawUpdated) ?? asText(item.rawModified),
    categories: [...categoriesOf(item.rawCategories), ...categoriesOf(item.rawSubjects)],
    outlet: outletOf(first(item.rawSource)),
  };
}

/** Atom: the alternate link (resolved against its own xml:base); RSS: the link element's text. */
function pickLink(rawLinks: unknown, base: string | null): string | null {
  if (!Array.isArray(rawLinks)) return null;
  const links = rawLinks as (XmlNode | string)[];
  const atom = links.filter((link): link is XmlNode => typeof link === 'object' && link !== null && typeof link.$?.href === 'string');
  if (atom.length > 0) {
    const alternate =
      atom.find((link) => (link.$!.rel ?? 'alternate') === 'alternate' && /html/i.test(link.$!.type ?? 'text/html')) ??
      atom.find((link) => (link.$!.rel ?? 'alternate') === 'alternate') ??
      atom[0]!;
    return resolveLink(alternate.$!.href, resolveBase(alternate.$!['xml:base'], base) ?? base);
  }
  for (const link of links) {
    const text = asText(link);
    if (text) return resolveLink(text, base) ?? text;
  }
  return null;
}

/** Atom text constructs: type="text" is escaped so it can travel as HTML; html and xhtml are HTML already. */
function typedContent(value: unknown, type: string | undefined): string | null {
  const text = asText(value);
  if (!text) return null;
  if (type === undefined || type === 'text' || type === 'text/plain') {
    return type === undefined ? text : text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  }
  return text;
}

/** An RSS description doubles as content only when it carries markup; plain text is a summary, not content. */
function markupOnly(text: string | null): string | null {
  // "[^<>]*", not "[\s\S]*": the latter rescans to the end from every "<a" of a hostile description (quadratic).
  return text && /<[a-z][^<>]*>/i.test(text) ? text : null;
}

/** The original outlet of an item an aggregator carries: RSS `<source url>Name</source>`, Atom
 * `<source><title>Name</title></source>`. */
function outletOf(source: unknown): string | null {
  if (typeof source === 'object' && source !== null && Array.isArray((source as XmlNode).title)) {
    return asText(((source as XmlNode).title as unknown[])[0]);
  }
  return asText(source);
}

function namesOf(raw: unknown): string[] {
  if (!Array.isArray(raw)) return [];
  return raw
    .map((entry: unknown) => {
      if (typeof entry === 'object' && entry !== null && Array.isArray((entry as XmlNode).name)) {
        return asText(((entry as XmlNode).name as unknown[])[0]);
      }
      // RSS <author> is "email (Name)" by spec; the name is what readers want.
      const text = asText(entry);
      const named = text ? /^\S+@\S+\s*\((.+)\)$/.exec(text) : null;
      return named ? named[1]! : text;
    })
    .filter((name): name is string => !!name);
}

function categoriesOf(raw: unknown): string[] {
  if (!Array.isArray(raw)) return [];
  return raw.map((entry: unknown) => attr(entry, 'label') ?? attr(entry, 'term') ?? asText(entry)).filter((c): c is string => !!c);
}

function resolveBase(base: string | null | undefined, parent: string | null): string | null {
  if (!base) return parent;
  return resolveLink(base, parent) ?? parent;
}

function first(value: unknown): unknown {
  return Array.isArray(value) ? value[0] : value;
}

function attr(node: unknown, name: string): string | undefined {
  if (typeof node !== 'object' || node === null) return undefined;
  const attributes = Array.isArray(node) ? undefined : ((node as XmlNode).$ ?? (node as Record<string, string | undefined>));
  const value = attributes?.[name];
  return typeof value === 'string' ? value : undefined;
}

/** Text of an xml2js value: a string, or an element's character data (`_`). */
function asText(value: unknown): string | null {
  const node = first(value);
  if (typeof node === 'string') return node.trim() === '' ? null : node;
  if (typeof node === 'number') return String(node);
  if (typeof node === 'object' && node !== null && typeof (node as XmlNode)._ === 'string') {
    const text = (node as XmlNode)._ as string;
    return text.trim() === '' ? null : text;
  }
  return null;
}

/**
 * Makes a document safe and digestible for the strict SAX parser. Entity declarations are refused
 * outright (billion laughs, XXE): sax never expands them, but a feed declaring them is hostile.
 * HTML named entities (RSS 0.91 relies on its DTD for &eacute;) become numeric references, stray "&"
 * become "&amp;", and characters XML 1.0 forbids are dropped, as browsers and Miniflux tolerate them.
 */
function hardenXml(text: string): string {
  const doctype = /<!DOCTYPE[^[>]*(\[[\s\S]*?\])?\s*>/i.exec(text.slice(0, 65_536));
  if (doctype && /<!ENTITY/i.test(doctype[0])) {
    throw new ParseError('parse: refused XML with entity declarations (entity expansion / external entity protection)');
  }
  let depth = 0;
  let maxDepth = 0;
  // A cheap tag count approximates nesting well enough to refuse pathological documents before parsing.
  // CDATA holds escaped HTML whose unclosed <p> and <br> say nothing about XML nesting.
  // Both scans are linear: a lazy CDATA regex and "[^>]*?" rescan to the end from every unterminated
  // opening, quadratic time on hostile input (tests/reliability/hostile-feeds.test.ts). "<" cannot occur
  // inside an XML tag, so "[^<>]" loses nothing.
  const markup = withoutCdata(text);
  for (const match of markup.matchAll(/<(\/?)[A-Za-z_][^<>]*?(\/?)>/g)) {
    if (match[1]) depth -= 1;
    else if (!match[2]) depth += 1;
    if (depth > maxDepth) maxDepth = depth;
    if (maxDepth > MAX_DEPTH) throw new ParseError(`parse: XML nested deeper than ${MAX_DEPTH} elements`);
  }
  return cleanXmlText(text.replace(doctype?.[0] ?? '\u0000', ''))
    .replace(/&(#x[0-9a-fA-F]+;|#\d+;|([A-Za-z][A-Za-z0-9]*);)?/g, (whole, reference: string | undefined, name: string | undefined) => {
      if (!reference) return '&amp;';
      if (!name || name === 'amp' || name === 'lt' || name === 'gt' || name === 'quot' || name === 'apos') return whole;
      const decoded = decodeHTML(whole);
      return decoded === whole ? `&amp;${name};` : [...decoded].map((char) => `&#${char.codePointAt(0)};`).join('');
    });
}

/** The text with every CDATA section removed (an unterminated one runs to the end, as a parser reads it). */
function withoutCdata(text: string): string {
  const parts: string[] = [];
  let pos = 0;
  for (let start = text.indexOf('<![CDATA['); start !== -1; start = text.indexOf('<![CDATA[', pos)) {
    parts.push(text.slice(pos, start));
    const end = text.indexOf(']]>', start + 9);
    pos = end === -1 ? text.length : end + 3;
  }
  parts.push(text.slice(pos));
  return parts.join('');
}

function describeXmlError(error: unknown): string {
  const message = (error instanceof Error ? error.message : String(error)).split('\n');
  const first = message[0]!.trim();
  if (/Feed not recognized/i.test(first)) return 'XML document is not RSS, RDF or Atom';
  if (/Unable to parse XML/i.test(first)) return 'not an XML document';
  const where = message.slice(1).join(' ').match(/Line:\s*(\d+)/);
  return `malformed XML: ${first}${where ? ` (line ${Number(where[1]) + 1})` : ''}`;
}
