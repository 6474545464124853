import Parser from 'rss-parser';
import { ParseError } from '../../errors.js';
import type { RawItem } from '../../model.js';
import { decodeBody } from './charset.js';
import { advertisedFeedUrl, detectDocumentKind } from './detect.js';
import { finishItem, type ItemDraft } from './feed-item.js';
import { distinguishRepeatedGuids, resolveLink } from './identity.js';
import { readJsonFeed } from './json-feed.js';
import { describeBinary, looksBinary } from '../../text/binary.js';
import { toPlainText } from '../../text/plain-text.js';
import { escapeText } from '../../text/xml-text.js';
import { canonicalName, INLINE_MARKUP_ATTRIBUTE, prepareXml, type PreparedXml } from './xml-prepass.js';

/** A parsed feed document: its own title and site link, and its items in document order. */
export interface ParsedFeed {
  readonly title: string | null;
  readonly link: string | null;
  readonly items: RawItem[];
  /** Entries beyond `maxItems`, not read. */
  readonly skippedItems: number;
}

/**
 * Elements given to rss-parser under a name it has no code for, so that feedmerge reads them itself (through
 * `customFields`). "#" cannot start an XML name, so no document element can clash with these.
 * - description (RSS) and content (Atom): rss-parser computes a `contentSnippet` from them with
 *   /<(?:.|\n)*?>/, which rescans to the end from every "<" that has no ">": a 1 MB description of "&lt;a"
 *   repeated stalled a run for minutes, 10 MB for hours (tests/reliability/hostile-feeds.test.ts);
 * - published and updated (Atom): rss-parser turns them into ISO strings with `new Date(x).toISOString()`,
 *   which throws on one unparsable date and so loses the whole feed; toIsoDate reads them (or drops them);
 * - link: rss-parser reads Atom links as `link.$.rel`, which throws on a link without attributes.
 */
const HIDDEN_FROM_RSS_PARSER: ReadonlyMap<string, string> = new Map([
  ['description', '#description'],
  ['content', '#content'],
  ['published', '#published'],
  ['updated', '#updated'],
  ['link', '#link'],
]);

/** CDF (Microsoft's Channel Definition Format) names, lower-cased, that have an RSS counterpart. */
const CDF_NAMES: ReadonlyMap<string, string> = new Map([['abstract', 'description']]);

/** Raw fields, attributes kept, read by feedmerge rather than rss-parser. */
const CUSTOM_FIELDS = {
  feed: [
    ['$', 'feedAttributes', { keepArray: true }],
    ['#link', 'rawLinks', { keepArray: true }],
    ['title', 'rawTitles', { keepArray: true }],
  ],
  item: [
    ['$', 'itemAttributes', { keepArray: true }],
    ['#link', 'rawLinks', { keepArray: true }],
    ['title', 'rawTitles', { keepArray: true }],
    ['dc:title', 'rawDcTitles', { keepArray: true }],
    ['media:title', 'rawMediaTitles', { keepArray: true }],
    ['media:group', 'rawMediaGroups', { keepArray: true }],
    ['media:content', 'rawMediaContents', { keepArray: true }],
    ['guid', 'rawGuid', { keepArray: true }],
    ['id', 'rawIds', { keepArray: true }],
    ['author', 'rawAuthors', { keepArray: true }],
    ['dc:creator', 'rawCreators', { keepArray: true }],
    ['#content', 'rawContent', { keepArray: true }],
    ['summary', 'rawSummary', { keepArray: true }],
    ['#description', 'rawDescription', { keepArray: true }],
    ['content:encoded', 'rawEncoded', { keepArray: true }],
    ['category', 'rawCategories', { keepArray: true }],
    ['dc:subject', 'rawSubjects', { keepArray: true }],
    ['source', 'rawSource', { keepArray: true }],
    ['#published', 'rawPublished', { keepArray: true }],
    ['#updated', 'rawUpdated', { keepArray: true }],
    ['issued', 'rawIssued', { keepArray: true }], // Atom 0.3
    ['modified', 'rawModified', { keepArray: true }], // Atom 0.3
    ['pubDate', 'rawPubDate', { keepArray: true }],
    ['dc:date', 'rawDcDate', { keepArray: true }],
  ],
} as const;

/** Where a document came from (its URL or path, and Content-Type), the run's clock, and how many entries to read. */
export interface ParseOptions {
  readonly url: string;
  readonly contentType?: string | null;
  readonly now?: Date;
  readonly maxItems?: number;
}

type XmlNode = { _?: unknown; $?: Record<string, string | undefined> } & Record<string, unknown>;
type ParserItem = Record<string, unknown>;
type Format = 'atom' | 'rss' | 'cdf';

/**
 * Parses one feed document. The format is detected from the content: RSS 0.9x/1.0/2.0, Atom 1.0/0.3 and CDF
 * through rss-parser, JSON Feed 1.0/1.1 by hand. Throws ParseError with a one-line reason.
 */
export async function parseFeed(body: Buffer, options: ParseOptions): Promise<ParsedFeed> {
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
    case 'unknown': {
      const start = looksBinary(text) ? describeBinary(body) : `document starts with ${JSON.stringify(text.trim().slice(0, 40))}`;
      throw new ParseError(`parse: not a feed (${start})`);
    }
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

/**
 * The names rss-parser sees, through xml2js's public `tagNameProcessors` and `attrNameProcessors`: prefixes
 * made canonical (see canonicalName), CDF's upper-case names lower-cased, and the elements feedmerge reads
 * itself renamed out of rss-parser's way.
 */
function nameProcessors(prepared: PreparedXml): { element: (name: string) => string; attribute: (name: string) => string } {
  const canonical = (name: string) => {
    const standard = canonicalName(name, prepared.namespaces, prepared.root);
    if (!prepared.cdf) return standard;
    const lower = standard.toLowerCase();
    return CDF_NAMES.get(lower) ?? lower;
  };
  return {
    element: (name) => {
      const standard = canonical(name);
      return HIDDEN_FROM_RSS_PARSER.get(standard) ?? standard;
    },
    attribute: canonical,
  };
}

async function parseXmlFeed(text: string, sourceUrl: string, documentUrl: string | null, now: Date, maxItems: number): Promise<ParsedFeed> {
  const prepared = prepareXml(text);
  const names = nameProcessors(prepared);
  // A fresh parser per document: xml2js keeps state after an error, so a shared one could poison the next feed.
  const parser = new Parser<Record<string, unknown>, ParserItem>({
    customFields: CUSTOM_FIELDS as unknown as { feed: string[]; item: string[] },
    defaultRSS: 2, // <rss> without a version attribute is read as RSS 2.0, as browsers and Miniflux do
    xml2js: { tagNameProcessors: [names.element], attrNameProcessors: [names.attribute] },
  });
  let feed: Record<string, unknown> & { items: ParserItem[] };
  try {
    feed = await parser.parseString(prepared.xml);
  } catch (error) {
    throw new ParseError(`parse: ${describeXmlError(error)}`, { cause: error });
  }
  const format: Format = prepared.cdf ? 'cdf' : names.element(prepared.root) === 'feed' ? 'atom' : 'rss';
  const feedAttributes = first(feed.feedAttributes);
  const feedBase = resolveBase(attr(feedAttributes, format === 'cdf' ? 'base' : 'xml:base'), documentUrl);
  const feedLink = format === 'cdf' ? resolveLink(attr(feedAttributes, 'href'), feedBase) : pickLink(feed.rawLinks, feedBase);
  // Relative links in RSS resolve against the document; a file source has none, so the site link stands in.
  const base = feedBase ?? feedLink;
  const entries = feed.items ?? [];
  const drafts = entries.slice(0, maxItems).map((item) => draftFromParserItem(item, base, format));
  const title = textConstruct(first(feed.rawTitles), format);
  return {
    title: title ? toPlainText(title) || null : null,
    link: feedLink,
    items: finishAll(drafts, sourceUrl, now),
    skippedItems: Math.max(0, entries.length - maxItems),
  };
}

function finishAll(drafts: readonly ItemDraft[], sourceUrl: string, now: Date): RawItem[] {
  const finished = drafts
    .map((draft, position) => finishItem(draft, position, sourceUrl, now))
    .filter((item): item is RawItem => item !== null);
  const items: RawItem[] = [];
  const seen = new Set<string>();
  for (const item of distinguishRepeatedGuids(finished)) {
    // Two entries with one identity in one document: the first (usually newest) wins, never a duplicate row.
    if (!seen.has(item.identity)) {
      seen.add(item.identity);
      items.push({ ...item, position: items.length });
    }
  }
  return items;
}

function draftFromParserItem(item: ParserItem, feedBase: string | null, format: Format): ItemDraft {
  const attributes = first(item.itemAttributes);
  const base = resolveBase(attr(attributes, 'xml:base'), feedBase) ?? feedBase;
  const rawGuid = first(item.rawGuid);
  const atomId = asText(item.rawIds);
  const guid = asText(rawGuid) ?? atomId ?? asText(item['rdf:about']);
  const permaLinkAttr = attr(rawGuid, 'isPermaLink');
  const content = first(item.rawContent);
  const contentHtml =
    asText(item.rawEncoded) ??
    (content !== undefined && !attr(content, 'src') ? textConstruct(content, 'atom-content') : null) ??
    markupOnly(asText(item.rawDescription));
  const summary = first(item.rawSummary);
  return {
    guid,
    // An RSS guid is the article's address unless isPermaLink="false"; an Atom id stands in for a missing link
    // when it is one (feedparser does the same); resolveLink keeps only absolute http(s) addresses.
    guidIsLink: permaLinkAttr === undefined ? rawGuid !== undefined || atomId !== null : permaLinkAttr.toLowerCase() === 'true',
    link: format === 'cdf' ? (attr(attributes, 'href') ?? null) : pickLink(item.rawLinks, base),
    base,
    title: itemTitle(item, format),
    summaryHtml: (summary !== undefined ? textConstruct(summary, 'atom-content') : null) ?? asText(item.rawDescription) ?? null,
    contentHtml,
    authors: [...namesOf(item.rawAuthors), ...namesOf(item.rawCreators)],
    published:
      asText(item.rawPublished) ??
      asText(item.rawIssued) ??
      asText(item.rawPubDate) ??
      asText(item.rawDcDate) ??
      attr(attributes, 'lastmod') ??
      null,
    updated: asText(item.rawUpdated) ?? asText(item.rawModified),
    categories: [...categoriesOf(item.rawCategories), ...categoriesOf(item.rawSubjects)],
    outlet: outletOf(first(item.rawSource)),
  };
}

/**
 * An item's title as HTML: its own title, else Dublin Core's, else Media RSS's (on the item, in its media:group
 * or its first media:content), the order feedparser reads them in.
 */
function itemTitle(item: ParserItem, format: Format): string | null {
  const own = textConstruct(first(item.rawTitles), format) ?? textConstruct(first(item.rawDcTitles), 'rss');
  if (own) return own;
  const media = [
    item.rawMediaTitles,
    ...childValues(item.rawMediaGroups, 'media:title'),
    ...childValues(item.rawMediaContents, 'media:title'),
  ];
  for (const candidate of media) {
    const node = first(candidate);
    const text = asText(node);
    // Media RSS titles are plain text unless type="html".
    if (text) return attr(node, 'type') === 'html' ? text : escapeText(text);
  }
  return null;
}

function childValues(parents: unknown, name: string): unknown[] {
  if (!Array.isArray(parents)) return [];
  return parents
    .map((parent: unknown) => (typeof parent === 'object' && parent !== null ? (parent as XmlNode)[name] : undefined))
    .filter((value) => value !== undefined);
}

/**
 * A text construct (title, summary, content) as the HTML a reader renders, following its declared type the way
 * feedparser does: Atom 0.3 mode="base64" (or a non-text type) is decoded; inline markup (Atom type="xhtml",
 * Atom 0.3 mode="xml", undeclared markup), which the pre-pass turned into escaped text, is HTML; html types
 * are HTML; Atom text (type text, text/plain or none) is escaped so that "<blink>" stays visible. RSS and CDF
 * titles have no type and are HTML in practice. `atom-content` is an Atom summary or content, whose missing type
 * has always been read as HTML here.
 */
function textConstruct(node: unknown, kind: Format | 'atom-content'): string | null {
  let value = asText(node);
  if (value === null) return null;
  const type = attr(node, 'type')?.trim().toLowerCase();
  if (attr(node, INLINE_MARKUP_ATTRIBUTE)) return value;
  const base64 = attr(node, 'mode') === 'base64' || (kind !== 'rss' && kind !== 'cdf' && type !== undefined && isBinaryType(type));
  if (base64) value = decodeBase64(value);
  const html = type === undefined ? kind !== 'atom' : type.includes('html') ? !type.includes('xhtml') : isBinaryType(type);
  return html ? value : escapeText(value);
}

/** Atom 0.3: content whose type is neither text nor XML is base64 (RFC 4287 keeps that rule for other media types). */
function isBinaryType(type: string): boolean {
  if (type === 'text' || type === 'html' || type === 'xhtml') return false;
  return !type.startsWith('text/') && !type.endsWith('+xml') && !type.endsWith('/xml');
}

function decodeBase64(value: string): string {
  const compact = value.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return value;
  const decoded = Buffer.from(compact, 'base64').toString('utf8');
  return decoded.includes('\uFFFD') ? value : decoded;
}

/**
 * Atom: the alternate (HTML first) link, else the first, resolved against its own xml:base; its address is the
 * href, or its text when a publisher wrote it as one (feedparser reads both). RSS: the first link element's text.
 */
function pickLink(rawLinks: unknown, base: string | null): string | null {
  if (!Array.isArray(rawLinks)) return null;
  const links = (rawLinks as unknown[])
    .map((link) => {
      const attributes = typeof link === 'object' && link !== null ? ((link as XmlNode).$ ?? {}) : {};
      return {
        href: attributes.href ?? asText(link)?.trim() ?? null,
        rel: attributes.rel ?? 'alternate',
        type: attributes.type ?? 'text/html',
        base: attributes['xml:base'],
      };
    })
    .filter((link) => !!link.href);
  const chosen =
    links.find((link) => link.rel === 'alternate' && /html/i.test(link.type)) ?? links.find((link) => link.rel === 'alternate') ?? links[0];
  return chosen ? resolveLink(chosen.href, resolveBase(chosen.base, base) ?? base) : null;
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

function describeXmlError(error: unknown): string {
  const message = (error instanceof Error ? error.message : String(error)).split('\n');
  const first = message[0]!.trim();
  if (/Feed not recognized/i.test(first)) return 'XML document is not RSS, RDF or Atom';
  if (/Unable to parse XML/i.test(first)) return 'not an XML document';
  const where = message
    .slice(1)
    .join(' ')
    .match(/Line:\s*(\d+)/);
  return `malformed XML: ${first}${where ? ` (line ${Number(where[1]) + 1})` : ''}`;
}
