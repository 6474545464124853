import sanitizeHtml from 'sanitize-html';
import { cleanXmlText } from '../text/xml-text.js';

/**
 * HTML allowed to reach subscribers: text structure, links and images, nothing active.
 * Chosen after Miniflux's sanitizer allow-list (internal/reader/sanitizer): no script, style, iframe,
 * object, form or event handler survives, and only http(s)/mailto URLs do.
 */
const ALLOWED_TAGS = [
  'a',
  'abbr',
  'b',
  'blockquote',
  'br',
  'caption',
  'cite',
  'code',
  'dd',
  'del',
  'dfn',
  'div',
  'dl',
  'dt',
  'em',
  'figcaption',
  'figure',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'hr',
  'i',
  'img',
  'ins',
  'kbd',
  'li',
  'mark',
  'ol',
  'p',
  'pre',
  'q',
  's',
  'samp',
  'small',
  'span',
  'strong',
  'sub',
  'sup',
  'table',
  'tbody',
  'td',
  'tfoot',
  'th',
  'thead',
  'time',
  'tr',
  'u',
  'ul',
];

const ALLOWED_SCHEMES = ['http', 'https', 'mailto'];

/** Resolves a URL against a base and keeps it only when its scheme is allowed; null otherwise. */
export function absoluteUrl(url: string, base: string | null): string | null {
  let resolved: URL;
  try {
    resolved = base === null ? new URL(url.trim()) : new URL(url.trim(), base);
  } catch {
    return null;
  }
  const scheme = resolved.protocol.slice(0, -1).toLowerCase();
  return ALLOWED_SCHEMES.includes(scheme) ? resolved.href : null;
}

/** The base as an absolute http(s) URL (relative links in an item's HTML resolve against it), or null. */
function httpBase(base: string | null): string | null {
  if (base === null) return null;
  const url = absoluteUrl(base, null);
  if (url === null || !/^https?:/i.test(url)) return null;
  // A private feed's URL may be the base (an item without a link): its credentials (userinfo, a token in the
  // query) must not ride along into the links it resolves (issue #14). Relative links need neither.
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  parsed.search = '';
  parsed.hash = '';
  return parsed.href;
}

/**
 * Sanitises HTML for publication: allow-listed tags and attributes only, every link and image made absolute
 * against `base` (dropped when that is impossible or its scheme is not http/https/mailto), external links
 * marked `rel="noopener noreferrer"`, and characters XML 1.0 forbids removed.
 */
export function sanitizeContentHtml(html: string, base: string | null): string {
  const baseUrl = httpBase(base);
  const withUrl =
    (attribute: 'href' | 'src') =>
    (tagName: string, attribs: sanitizeHtml.Attributes): sanitizeHtml.Tag => {
      const { [attribute]: value, ...rest } = attribs;
      const url = value === undefined ? null : absoluteUrl(value, baseUrl);
      const extra: Record<string, string> = tagName === 'a' && url !== null ? { rel: 'noopener noreferrer' } : {};
      return { tagName, attribs: url === null ? rest : { [attribute]: url, ...rest, ...extra } };
    };
  const sanitized = sanitizeHtml(cleanXmlText(html), {
    allowedTags: ALLOWED_TAGS,
    allowedAttributes: {
      a: ['href', 'title', 'rel'],
      img: ['src', 'alt', 'title', 'width', 'height'],
      abbr: ['title'],
      time: ['datetime'],
      td: ['colspan', 'rowspan'],
      th: ['colspan', 'rowspan', 'scope'],
      ol: ['start'],
      blockquote: ['cite'],
    },
    allowedSchemes: ALLOWED_SCHEMES,
    allowedSchemesByTag: { img: ['http', 'https'] },
    allowProtocolRelative: false,
    // Content of these is dropped entirely, not unwrapped into visible text.
    nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'iframe', 'object', 'embed', 'template'],
    disallowedTagsMode: 'discard',
    transformTags: { a: withUrl('href'), img: withUrl('src') },
    exclusiveFilter: (frame) => frame.tag === 'img' && !frame.attribs['src'],
  });
  return cleanXmlText(sanitized).trim();
}
