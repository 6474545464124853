import { ParseError } from '../../errors.js';
import { escapeText } from '../../text/xml-text.js';
import type { ItemDraft } from './feed-item.js';

/** A JSON Feed document as adapters see it: feed metadata plus item drafts. */
interface JsonFeedDraft {
  readonly title: string | null;
  readonly link: string | null;
  readonly items: readonly ItemDraft[];
}

/** Reads JSON Feed 1.0 / 1.1 (https://jsonfeed.org/version/1.1) into drafts; throws ParseError on anything else. */
export function readJsonFeed(text: string, documentUrl: string | null): JsonFeedDraft {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    // V8 quotes the offending input, newlines included; the message stays one line.
    throw new ParseError(`parse: invalid JSON (${(error as Error).message.replace(/\s+/g, ' ')})`, { cause: error });
  }
  if (!isObject(data)) throw new ParseError('parse: JSON document is not a JSON Feed (not an object)');
  const version = str(data.version);
  if (!version || !/^https?:\/\/jsonfeed\.org\/version\/1(\.\d+)?\/?$/.test(version)) {
    throw new ParseError(`parse: JSON document is not a JSON Feed (version ${version ? `"${version.slice(0, 60)}"` : 'missing'})`);
  }
  if (!Array.isArray(data.items)) throw new ParseError('parse: JSON Feed has no "items" array');
  const feedAuthors = authorsOf(data);
  const items = data.items.filter(isObject).map((item): ItemDraft => {
    const itemAuthors = authorsOf(item);
    // JSON Feed text fields are plain text; escaping lets them share the HTML-to-text path without losing "<".
    const contentHtml = str(item.content_html) ?? (str(item.content_text) ? escapeText(str(item.content_text)!) : null);
    return {
      guid: str(item.id) ?? (typeof item.id === 'number' ? String(item.id) : null),
      guidIsLink: false,
      link: str(item.url) ?? str(item.external_url),
      base: documentUrl,
      title: str(item.title) === null ? null : escapeText(str(item.title)!),
      summaryHtml: str(item.summary) ? escapeText(str(item.summary)!) : null,
      contentHtml,
      authors: itemAuthors.length > 0 ? itemAuthors : feedAuthors,
      published: item.date_published,
      updated: item.date_modified,
      categories: Array.isArray(item.tags) ? item.tags.filter((tag): tag is string => typeof tag === 'string') : [],
      outlet: null,
    };
  });
  return { title: str(data.title), link: str(data.home_page_url), items };
}

/** JSON Feed 1.1 `authors` array, or 1.0's single `author`. */
function authorsOf(node: Record<string, unknown>): string[] {
  const list = Array.isArray(node.authors) ? node.authors : isObject(node.author) ? [node.author] : [];
  return list
    .filter(isObject)
    .map((author) => str(author.name))
    .filter((name): name is string => name !== null);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}
