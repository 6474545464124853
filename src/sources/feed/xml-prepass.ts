import { decodeHTML } from 'entities';
import { ParseError } from '../../errors.js';
import { cleanXmlText, escapeText } from '../../text/xml-text.js';

/** Nesting deeper than this is an attack on the parser or the HTML builder, not a feed (real ones nest < 20). */
const MAX_DEPTH = 200;

/**
 * Attribute the pre-pass adds to a text construct whose content was inline markup, now carried as escaped text.
 * A prefixed name no feed declares; sax reads it as a plain attribute.
 */
export const INLINE_MARKUP_ATTRIBUTE = 'feedmerge:inline';

/**
 * Elements whose content is text or markup (feedparser's "content" elements: RSS, RSS 1.0 and Atom text constructs).
 * When one holds child elements (Atom type="xhtml", Atom 0.3 mode="xml", or markup a publisher forgot to escape),
 * the pre-pass turns them into escaped text: xml2js would otherwise split them into objects and lose their order.
 */
const TEXT_CONSTRUCTS = new Set([
  'title',
  'subtitle',
  'tagline',
  'summary',
  'content',
  'info',
  'rights',
  'copyright',
  'description',
  'content:encoded',
]);

/** What the pre-pass learnt about a document, for the names rss-parser is given (see `canonicalName`). */
export interface PreparedXml {
  /** The document to hand to rss-parser. */
  readonly xml: string;
  /** Namespace URI of each prefix declared in the document (first declaration wins), '' for the default one. */
  readonly namespaces: ReadonlyMap<string, string>;
  /** The root element's qualified name. */
  readonly root: string;
  /** A Microsoft CDF document (`<CHANNEL><ITEM HREF>`), wrapped in `<rss>` so rss-parser reads its channel. */
  readonly cdf: boolean;
}

/**
 * Makes a document safe and digestible for rss-parser's strict SAX parser, in one linear pass:
 * - entity declarations are refused outright (billion laughs, XXE): sax never expands them, but a feed
 *   declaring them is hostile; nesting deeper than MAX_DEPTH is refused before parsing;
 * - HTML named entities (RSS 0.91 relies on its DTD for &eacute;) become numeric references, stray "&" become
 *   "&amp;", and characters XML 1.0 forbids are dropped, as browsers and Miniflux tolerate them;
 * - inline markup in text constructs becomes escaped text, marked with INLINE_MARKUP_ATTRIBUTE;
 * - a CDF document is wrapped in `<rss version="2.0">`.
 * Every scan moves forward only (indexOf from the current position, tag patterns that cannot backtrack past the
 * next "<"), so no document costs more than a few passes over its length (tests/reliability/hostile-feeds.test.ts).
 */
export function prepareXml(text: string): PreparedXml {
  const doctype = prologDoctype(text);
  if (doctype === null) {
    throw new ParseError('parse: refused XML with entity declarations (entity expansion / external entity protection)');
  }
  const cleaned = mapOutsideCdata(cleanXmlText(doctype ? text.slice(0, doctype.start) + text.slice(doctype.end) : text), (part) =>
    part.replace(/&(#x[0-9a-fA-F]+;|#\d+;|([A-Za-z][A-Za-z0-9]*);)?/g, (whole, reference: string | undefined, name: string | undefined) => {
      if (!reference) return '&amp;';
      if (!name || name === 'amp' || name === 'lt' || name === 'gt' || name === 'quot' || name === 'apos') return whole;
      const decoded = decodeHTML(whole);
      return decoded === whole ? `&amp;${name};` : [...decoded].map((char) => `&#${char.codePointAt(0)};`).join('');
    }),
  );
  return rewriteMarkup(cleaned);
}

/** The prolog: byte order mark, XML declaration, processing instructions, comments, white space. */
const PROLOG = /\uFEFF?(?:\s|<\?(?:(?!\?>)[\s\S])*\?>|<!--(?:(?!-->)[\s\S])*-->)*/y;
/** A document type declaration; quoted strings in its internal subset may hold "]" and ">". */
const DOCTYPE = /<!DOCTYPE(?:[^[>"']|"[^"]*"|'[^']*')*(?:\[(?:[^\]"']|"[^"]*"|'[^']*')*\])?\s*>/iy;

/**
 * Where the document type declaration of the prolog is, undefined if there is none, null if it declares entities
 * (or cannot be delimited and mentions them). A "<!DOCTYPE" after the root starts is text or CDATA, not a declaration.
 */
function prologDoctype(text: string): { start: number; end: number } | null | undefined {
  PROLOG.lastIndex = 0;
  PROLOG.exec(text);
  const start = PROLOG.lastIndex;
  if (text.slice(start, start + 9).toUpperCase() !== '<!DOCTYPE') return undefined;
  DOCTYPE.lastIndex = start;
  const match = DOCTYPE.exec(text);
  const declaration = match ? match[0] : text.slice(start, start + 65_536);
  if (/<!ENTITY/i.test(declaration)) return null;
  return match ? { start, end: DOCTYPE.lastIndex } : undefined;
}

/** Applies `map` to the text outside CDATA sections (whose "&" is a character, not a reference), in linear time. */
function mapOutsideCdata(text: string, map: (part: string) => string): string {
  const parts: string[] = [];
  let pos = 0;
  for (let start = text.indexOf('<![CDATA[', pos); start !== -1; start = text.indexOf('<![CDATA[', pos)) {
    const end = text.indexOf(']]>', start + 9);
    if (end === -1) break; // an unterminated section is malformed; sax reports it
    parts.push(map(text.slice(pos, start)), text.slice(start, end + 3));
    pos = end + 3;
  }
  parts.push(map(text.slice(pos)));
  return parts.join('');
}

/**
 * A start or end tag at the sticky position. Attribute values may hold ">" (quoted); none may hold "<", so a
 * match never looks past the next "<" and a failed one costs only the text up to it.
 */
const TAG = /<(\/?)([A-Za-z_][\w.:-]*)((?:[^<>"'/]|\/(?!>)|"[^"<]*"|'[^'<]*')*)(\/?)>/y;
const ATTRIBUTE = /([^\s=/]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

interface OpenConstruct {
  readonly name: string;
  readonly depth: number;
  /** Where the start tag begins and where its content begins, in the input. */
  readonly tagStart: number;
  readonly contentStart: number;
  readonly startTag: string;
  hasChildren: boolean;
}

function rewriteMarkup(text: string): PreparedXml {
  const namespaces = new Map<string, string>();
  const out: string[] = [];
  let copied = 0; // input before this index is already in `out`
  let root = '';
  let rootStart = -1;
  let rootContentStart = -1;
  let rootClose = -1;
  let rootEnd = -1;
  let hasChannel = false;
  let depth = 0;
  let construct: OpenConstruct | null = null;
  let pos = 0;
  for (let lt = text.indexOf('<', pos); lt !== -1; lt = text.indexOf('<', pos)) {
    // Comments, CDATA sections, processing instructions and declarations hold no tags; an unterminated one runs
    // to the end, as a parser reads it.
    const skip = skipSpecial(text, lt);
    if (skip !== -1) {
      pos = skip;
      continue;
    }
    TAG.lastIndex = lt;
    const tag = TAG.exec(text);
    if (!tag) {
      pos = lt + 1; // not a tag: sax will judge it
      continue;
    }
    pos = TAG.lastIndex;
    const [whole, closing, name, attributes, selfClosing] = tag as unknown as [string, string, string, string, string];
    if (closing) {
      if (construct && depth === construct.depth && name === construct.name) {
        if (construct.hasChildren) {
          out.push(
            text.slice(copied, construct.tagStart),
            markStartTag(construct.startTag),
            escapeMarkup(text.slice(construct.contentStart, lt)),
          );
          copied = lt;
        }
        construct = null;
      }
      depth -= 1;
      if (depth === 0 && rootEnd === -1) {
        rootClose = lt;
        rootEnd = pos;
      }
      continue;
    }
    if (construct) {
      construct.hasChildren = true;
      if (!selfClosing) depth += 1;
      if (depth > MAX_DEPTH) throw new ParseError(`parse: XML nested deeper than ${MAX_DEPTH} elements`);
      continue;
    }
    if (!root) {
      root = name;
      rootStart = lt;
      rootContentStart = selfClosing ? -1 : pos;
    }
    for (const attribute of attributes.includes('xmlns') ? attributes.matchAll(ATTRIBUTE) : []) {
      const key = attribute[1]!;
      if (key === 'xmlns' || key.startsWith('xmlns:')) {
        const prefix = key === 'xmlns' ? '' : key.slice(6);
        if (!namespaces.has(prefix)) namespaces.set(prefix, attribute[2] ?? attribute[3] ?? '');
      }
    }
    if (depth === 1 && !hasChannel && canonicalName(name, namespaces, root) === 'channel') hasChannel = true;
    if (selfClosing) continue;
    depth += 1;
    if (depth > MAX_DEPTH) throw new ParseError(`parse: XML nested deeper than ${MAX_DEPTH} elements`);
    if (!construct && depth > 1 && TEXT_CONSTRUCTS.has(canonicalName(name, namespaces, root))) {
      construct = { name, depth, tagStart: lt, contentStart: pos, startTag: whole, hasChildren: false };
    }
  }
  out.push(text.slice(copied));
  let xml = out.join('');
  // The rewriting happened inside the root, after its start tag: positions before it did not move, later ones by `shift`.
  const shift = xml.length - text.length;
  const cdf = root.toLowerCase() === 'channel' && rootStart !== -1;
  const rootName = canonicalName(root, namespaces, root);
  if (cdf) {
    // rss-parser reads RSS, RDF and Atom roots only; CDF's <CHANNEL> becomes the channel of an RSS document.
    const end = rootEnd === -1 ? xml.length : rootEnd + shift;
    xml = `${xml.slice(0, rootStart)}<rss version="2.0">${xml.slice(rootStart, end)}</rss>${xml.slice(end)}`;
  } else if (!hasChannel && rootContentStart !== -1 && (rootName === 'rss' || rootName === 'rdf:RDF')) {
    // rss-parser expects a channel (it throws a TypeError without one): an <rss> holding its items directly gets one
    // around them, as feedparser reads it; an RDF document without one gets an empty one beside its items.
    const close = rootClose === -1 ? xml.length : rootClose + shift;
    const [open, end] = rootName === 'rss' ? ['<channel>', '</channel>'] : ['<channel/>', ''];
    xml = `${xml.slice(0, rootContentStart)}${open}${xml.slice(rootContentStart, close)}${end}${xml.slice(close)}`;
  }
  return { xml, namespaces, root, cdf };
}

/** The index after a comment, CDATA section, processing instruction or declaration starting at `lt`, else -1. */
function skipSpecial(text: string, lt: number): number {
  const next = text[lt + 1];
  if (next !== '!' && next !== '?') return -1;
  if (
    next === '!' &&
    !text.startsWith('<!--', lt) &&
    !text.startsWith('<![CDATA[', lt) &&
    text.slice(lt + 2, lt + 9).toUpperCase() !== 'DOCTYPE'
  ) {
    // sax reads "<!x..." a character at a time, upper-casing all it read so far at each one: quadratic time.
    throw new ParseError('parse: malformed XML: "<!" opens no comment, CDATA section or DOCTYPE');
  }
  const close = text.startsWith('<!--', lt) ? '-->' : text.startsWith('<![CDATA[', lt) ? ']]>' : next === '?' ? '?>' : '>';
  const end = text.indexOf(close, lt + 2);
  return end === -1 ? text.length : end + close.length;
}

function markStartTag(tag: string): string {
  return `${tag.slice(0, -1)} ${INLINE_MARKUP_ATTRIBUTE}="1">`;
}

/**
 * Inline markup as the escaped text of its serialisation: tags and references stay as written (so the text is
 * the markup's HTML), CDATA becomes escaped text, comments go.
 */
function escapeMarkup(markup: string): string {
  const parts: string[] = [];
  let pos = 0;
  for (let lt = markup.indexOf('<!', pos); lt !== -1; lt = markup.indexOf('<!', pos)) {
    parts.push(escapeText(markup.slice(pos, lt)));
    if (markup.startsWith('<![CDATA[', lt)) {
      const end = markup.indexOf(']]>', lt + 9);
      const inner = markup.slice(lt + 9, end === -1 ? markup.length : end);
      parts.push(escapeText(escapeText(inner)));
      pos = end === -1 ? markup.length : end + 3;
    } else if (markup.startsWith('<!--', lt)) {
      const end = markup.indexOf('-->', lt + 4);
      pos = end === -1 ? markup.length : end + 3;
    } else {
      parts.push('&lt;!');
      pos = lt + 2;
    }
  }
  parts.push(escapeText(markup.slice(pos)));
  return parts.join('');
}

/** Namespaces whose elements rss-parser expects unprefixed: RSS 0.90, 1.0 and 2.0's, and Atom's in an Atom document. */
const CORE_NAMESPACES = new Set([
  'http://purl.org/rss/1.0/',
  'http://my.netscape.com/rdf/simple/0.9/',
  'http://backend.userland.com/rss2',
  'http://backend.userland.com/rss',
  'http://blogs.law.harvard.edu/tech/rss',
]);
const ATOM_NAMESPACES = new Set(['http://www.w3.org/2005/Atom', 'http://purl.org/atom/ns#']);

/** The prefix rss-parser and feedmerge read each well-known namespace under (feedparser's table, abridged). */
const STANDARD_PREFIXES = new Map([
  ['http://www.w3.org/1999/02/22-rdf-syntax-ns#', 'rdf'],
  ['http://purl.org/dc/elements/1.1/', 'dc'],
  ['http://purl.org/dc/terms/', 'dcterms'],
  ['http://purl.org/rss/1.0/modules/content/', 'content'],
  ['http://search.yahoo.com/mrss/', 'media'],
  ['http://search.yahoo.com/mrss', 'media'],
  ['http://www.itunes.com/dtds/podcast-1.0.dtd', 'itunes'],
  ['http://www.itunes.com/DTDs/Podcast-1.0.dtd', 'itunes'],
]);

/**
 * An element or attribute name as rss-parser expects it, whatever prefix the document chose: `rss:item` (RSS 1.0
 * with no default namespace) is `item`, `r:channel` (RSS 2.0 in its Userland namespace) is `channel`, `atom:entry`
 * in an Atom document is `entry`, `foo:creator` bound to Dublin Core is `dc:creator`. Unknown prefixes stay.
 */
export function canonicalName(name: string, namespaces: ReadonlyMap<string, string>, root: string): string {
  const colon = name.indexOf(':');
  if (colon === -1) return name;
  const prefix = name.slice(0, colon);
  if (prefix === 'xml' || prefix === 'xmlns') return name;
  const local = name.slice(colon + 1);
  const uri = namespaces.get(prefix);
  if (uri === undefined) return name;
  if (CORE_NAMESPACES.has(uri)) return local;
  if (ATOM_NAMESPACES.has(uri)) return rootLocal(root) === 'feed' ? local : `atom:${local}`;
  const standard = STANDARD_PREFIXES.get(uri);
  if (standard) return `${standard}:${local}`;
  // The root's own prefix, bound to a namespace this table lacks (`<x:rss xmlns:x="...">`), is the core one.
  if (root.startsWith(`${prefix}:`) && /^(rss|feed)$/.test(rootLocal(root))) return local;
  return name;
}

function rootLocal(root: string): string {
  return root.slice(root.indexOf(':') + 1);
}
