import type { RawItem } from '../../model.js';
import { toIsoDate } from './dates.js';
import { itemIdentity, resolveLink } from './identity.js';
import { toPlainText } from '../../text/plain-text.js';
import { stripTruncation } from '../truncation.js';

/** An item as a format adapter found it, before cleaning: text may hold HTML, links may be relative. */
export interface ItemDraft {
  readonly guid: string | null;
  /** The GUID may be used as the article link (RSS isPermaLink, the default). */
  readonly guidIsLink: boolean;
  readonly link: string | null;
  /** Base URL for relative links in this item (xml:base chain, else the document URL). */
  readonly base: string | null;
  readonly title: string | null;
  readonly summaryHtml: string | null;
  readonly contentHtml: string | null;
  readonly authors: readonly string[];
  readonly published: unknown;
  readonly updated: unknown;
  readonly categories: readonly string[];
  /** The original outlet when the feed carries another's item (RSS/Atom `<source>`). */
  readonly outlet: string | null;
}

/** Summaries feed the clustering, which needs the teaser, not a whole article: longer text is cut here. */
const MAX_SUMMARY_CHARS = 4000;
/** A headline longer than this is a paragraph pasted into <title>. */
const MAX_TITLE_CHARS = 500;
/** Title made from the summary when an item has none (microblog posts in JSON Feed). */
const DERIVED_TITLE_CHARS = 120;

/** Cleans a draft into a RawItem (plain text, absolute links, ISO dates, identity); null when it has nothing to show. */
export function finishItem(draft: ItemDraft, position: number, sourceUrl: string, now: Date): RawItem | null {
  const guid = clean(draft.guid);
  let link = resolveLink(draft.link, draft.base);
  if (!link && guid && draft.guidIsLink) link = resolveLink(guid, null);
  const summarySource = draft.summaryHtml ?? draft.contentHtml;
  const { text: summaryText, truncated } = stripTruncation(toPlainText(summarySource));
  const summary = cut(summaryText, MAX_SUMMARY_CHARS);
  let title = cut(toPlainText(draft.title), MAX_TITLE_CHARS);
  if (!title) title = cut(summary, DERIVED_TITLE_CHARS) || (link ?? '');
  if (!title && !summary) return null;
  const published = toIsoDate(draft.published, now);
  const updated = toIsoDate(draft.updated, now);
  const authors = [...new Set(draft.authors.map((a) => toPlainText(a)).filter(Boolean))];
  const categories = [...new Set(draft.categories.map((c) => toPlainText(c)).filter(Boolean))];
  return {
    identity: itemIdentity({ guid, link, title, sourceUrl }),
    guid,
    link,
    title,
    summary,
    contentHtml: clean(draft.contentHtml),
    author: authors.length > 0 ? authors.join(', ') : null,
    outlet: cut(toPlainText(draft.outlet), MAX_TITLE_CHARS) || null,
    published: published ?? updated,
    updated,
    categories,
    position,
    truncated,
  };
}

function clean(value: string | null | undefined): string | null {
  const text = value?.trim();
  return text ? text : null;
}

function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const slice = text.slice(0, max);
  const space = slice.lastIndexOf(' ');
  // Cut at a word boundary unless that would drop most of the text.
  return `${(space > max * 0.8 ? slice.slice(0, space) : slice).trimEnd()}…`;
}
