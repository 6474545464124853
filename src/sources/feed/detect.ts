/** What a document turned out to be, judged from its content (never from the URL or Content-Type alone). */
export type DocumentKind = 'json' | 'xml' | 'html' | 'empty' | 'unknown';

/** Only the start of a document is needed to tell its kind; comments and doctypes before the root fit here. */
const SNIFF_CHARS = 4096;

/** Tells a JSON document, an XML feed and an HTML page apart by their first significant characters. */
export function detectDocumentKind(text: string): DocumentKind {
  const head = text.slice(0, SNIFF_CHARS).replace(/^[\uFEFF\s]+/, '');
  if (head === '') return 'empty';
  if (head.startsWith('{') || head.startsWith('[')) return 'json';
  if (!head.startsWith('<')) return 'unknown';
  // Skip the prolog (declaration, comments, processing instructions, doctype) to reach the root element.
  // Each part can match only one way (a comment ends at its first "-->"): with lazy "[\s\S]*?" a comment could
  // span several, and a prolog of ~30 comments cut by the sniff window backtracked for minutes.
  const root = /^(?:<\?(?:(?!\?>)[\s\S])*\?>|<!--(?:(?!-->)[\s\S])*-->|<!DOCTYPE(?:[^<>[]|\[[^\]]*\])*>|\s)*<([A-Za-z_][\w:.-]*)/i.exec(
    head,
  );
  const name = root?.[1]?.toLowerCase() ?? '';
  if (name === 'html' || /^<!doctype\s+html\b/i.test(head)) return 'html';
  if (name === 'rss' || name === 'feed' || name === 'rdf:rdf' || name === 'channel' || name.endsWith(':rdf')) return 'xml';
  if (/^(head|body|div|p|title|meta|script)$/.test(name)) return 'html';
  return root ? 'xml' : 'unknown';
}

/** The first feed a web page advertises (<link rel="alternate" type="application/rss+xml" href=...>), for error messages. */
export function advertisedFeedUrl(html: string, base: string | null): string | null {
  for (const tag of html.slice(0, 200_000).match(/<link\b[^>]*>/gi) ?? []) {
    if (!/rel\s*=\s*["']?alternate/i.test(tag)) continue;
    if (!/type\s*=\s*["']?application\/(rss|atom|feed)\+(xml|json)/i.test(tag)) continue;
    const href = /href\s*=\s*["']([^"']+)["']/i.exec(tag)?.[1];
    if (!href) continue;
    try {
      return base ? new URL(href, base).href : new URL(href).href;
    } catch {
      continue;
    }
  }
  return null;
}
