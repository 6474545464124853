import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { Parser } from 'htmlparser2';

/**
 * Elements that run code, load active content or change how the page loads (OWASP XSS filter evasion cheat
 * sheet; Miniflux's sanitizer block list). The HTML is tokenised by htmlparser2 (sanitize-html's own
 * tokeniser), which reads tags, attributes and character references the way a browser does, so escaped text
 * such as "&lt;script&gt;" is text, never a false alarm, while "<a href=&#106;avascript:...>" is caught.
 */
const ACTIVE_ELEMENTS = new Set([
  'script',
  'iframe',
  'frame',
  'frameset',
  'object',
  'embed',
  'applet',
  'meta',
  'link',
  'style',
  'base',
  'form',
  'svg',
  'math',
  'noscript',
  'template',
  'input',
  'button',
  'textarea',
  'select',
  'video',
  'audio',
  'source',
  'portal',
]);
/** Schemes that run script when followed or loaded. */
const SCRIPT_SCHEME = /^(javascript|vbscript|livescript|data):/i;

/** A URL as a browser reads it: leading/trailing C0 controls and spaces trimmed, tabs and newlines removed. */
function browserUrl(value: string): string {
  // eslint-disable-next-line no-control-regex -- browsers strip exactly these (WHATWG URL parser)
  return value.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '').replace(/[\t\n\r]/g, '');
}

/** Problems found in an HTML fragment a reader would render: empty when it is inert. */
export function activeContentIn(html: string): string[] {
  const problems = new Set<string>();
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (ACTIVE_ELEMENTS.has(name)) problems.add(`element <${name}>`);
        for (const [attribute, value] of Object.entries(attributes)) {
          if (attribute.startsWith('on')) problems.add(`event handler ${attribute}= on <${name}>`);
          if (SCRIPT_SCHEME.test(browserUrl(value))) problems.add(`${browserUrl(value).split(':')[0]!.toLowerCase()}: URL in ${attribute}`);
          if (attribute === 'style' && /expression\s*\(|javascript:|behavior\s*:|-moz-binding/i.test(value))
            problems.add('script in a style attribute');
          if (attribute === 'srcdoc') problems.add('srcdoc document');
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();
  return [...problems];
}

/** Problems found in a value used as a URL (a link, an id that readers may follow). */
export function scriptUrlIn(url: string): string[] {
  return SCRIPT_SCHEME.test(browserUrl(url)) ? [`script URL ${JSON.stringify(url.slice(0, 60))}`] : [];
}

/** Every string in a parsed XML or JSON document, with its path (attributes included). */
function collectStrings(node: unknown, path: string, out: { path: string; value: string }[]): void {
  if (typeof node === 'string') out.push({ path, value: node });
  else if (typeof node === 'number' || typeof node === 'boolean') out.push({ path, value: String(node) });
  else if (Array.isArray(node)) node.forEach((child, i) => collectStrings(child, `${path}[${i}]`, out));
  else if (typeof node === 'object' && node !== null) {
    for (const [key, child] of Object.entries(node)) collectStrings(child, `${path}/${key}`, out);
  }
}

/**
 * Elements whose text a reader may render as HTML: Atom text constructs (feedmerge writes them type="html"),
 * RSS titles (plain text by the spec, but many readers render them), descriptions and content.
 */
const HTML_PATH = /\/(title|subtitle|summary|content|description|content:encoded|rights)(\[\d+\])?(\/#text)?$/;
/** Elements and attributes a reader follows as links. */
const URL_PATH = /\/(link|guid|id|url|uri|icon|logo|docs|comments)(\[\d+\])?(\/#text)?$|\/@_(href|src|url|uri)$/;

/**
 * Checks a published XML feed (Atom or RSS): well-formed, no HTML-bearing element (after XML decoding, i.e.
 * the HTML a reader renders) carries active content, and no link or id carries a script URL.
 */
export function checkPublishedXml(xml: string): string[] {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) return [`not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`];
  const forbidden = forbiddenXmlCharacters(xml);
  if (forbidden.length > 0) return forbidden;
  const parser = new XMLParser({
    ignoreAttributes: false,
    processEntities: true,
    htmlEntities: false,
    parseTagValue: false,
    trimValues: false,
  });
  const strings: { path: string; value: string }[] = [];
  collectStrings(parser.parse(xml), '', strings);
  return strings.flatMap(({ path, value }) =>
    [...(HTML_PATH.test(path) ? activeContentIn(value) : []), ...(URL_PATH.test(path) ? scriptUrlIn(value) : [])].map(
      (p) => `${path}: ${p}`,
    ),
  );
}

/**
 * Checks a published JSON Feed: parseable, HTML fields (content_html) inert, URL fields without script schemes.
 * Titles and summaries are plain text by the JSON Feed spec and are not checked as HTML.
 */
export function checkPublishedJson(json: string): string[] {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (error) {
    return [`not JSON: ${(error as Error).message}`];
  }
  const strings: { path: string; value: string }[] = [];
  collectStrings(data, '', strings);
  return strings.flatMap(({ path, value }) => {
    const html = /content_html$/.test(path) ? activeContentIn(value) : [];
    const url = /\/(url|external_url|home_page_url|feed_url|icon|favicon|image|banner_image)$/.test(path) ? scriptUrlIn(value) : [];
    return [...html, ...url].map((p) => `${path}: ${p}`);
  });
}

/**
 * Checks the HTML index page: its body (where stories go) carries no active content, and the head nothing but
 * the page's own meta, alternate links, title and one inline style.
 */
export function checkPublishedHtml(html: string | readonly string[]): string[] {
  if (typeof html !== 'string') return html.flatMap((page) => checkPublishedHtml(page));
  const bodyAt = html.search(/<body[\s>]/i);
  const head = bodyAt === -1 ? '' : html.slice(0, bodyAt);
  const body = bodyAt === -1 ? html : html.slice(bodyAt);
  const allowedInHead = /^element <(meta|link|style)>$/;
  return [
    ...activeContentIn(head)
      .filter((p) => !allowedInHead.test(p))
      .map((p) => `head: ${p}`),
    ...activeContentIn(body).map((p) => `body: ${p}`),
  ];
}

/**
 * XML 1.0 Char production (section 2.2): C0 controls but tab/LF/CR, U+FFFE/U+FFFF and lone surrogates are
 * forbidden, as literal or reference.
 */
const FORBIDDEN_CHAR =
  // eslint-disable-next-line no-control-regex -- matching the forbidden characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** The same code points as hexadecimal references (after `&#`): 0-8, B, C, E-1F, D800-DFFF, FFFE, FFFF. */
const FORBIDDEN_HEX = /x0*(?:[0-8bcef]|1[0-9a-f]|d[89a-f][0-9a-f]{2}|fff[ef])/.source;
/** And as decimal references: 0-8, 11, 12, 14-31, 55296-57343, 65534, 65535. */
const FORBIDDEN_DECIMAL = /0*(?:[0-8]|1[124-9]|2\d|3[01]|5529[6-9]|55[3-9]\d\d|56\d{3}|57[0-2]\d\d|573[0-3]\d|5734[0-3]|6553[45])/.source;
const FORBIDDEN_REFERENCE = new RegExp(`&#(?:${FORBIDDEN_HEX}|${FORBIDDEN_DECIMAL});`, 'i');

/** Characters (literal or referenced) that make a document unreadable to a conforming XML parser. */
export function forbiddenXmlCharacters(xml: string): string[] {
  const literal = FORBIDDEN_CHAR.exec(xml);
  // Inside CDATA "&#1;" is six characters of text, not a reference.
  const reference = FORBIDDEN_REFERENCE.exec(xml.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, ''));
  return [
    ...(literal
      ? [`forbidden character U+${literal[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')} at ${literal.index}`]
      : []),
    ...(reference ? [`forbidden character reference ${reference[0]}`] : []),
  ];
}
