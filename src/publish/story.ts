import { storyTitleIndex } from '../cluster/story-title.js';
import type { Cluster, Item } from '../model.js';
import { toPlainText } from '../text/plain-text.js';
import { absoluteUrl, sanitizeContentHtml } from './sanitize.js';
import { cleanLine, cleanXmlText } from '../text/xml-text.js';

/** One outlet's version of a story, cleaned and ready to render (feeds and the HTML index share it). */
export interface StoryVersion {
  /** Source display name (the outlet we read it from). */
  readonly source: string;
  /** Original outlet from a byline when it differs from the source, else null. */
  readonly outlet: string | null;
  readonly title: string;
  readonly author: string | null;
  /** Absolute http(s) link to this version, or null (seed listings have none). */
  readonly link: string | null;
  /** ISO time: published, else first seen. */
  readonly date: string;
  /** Plain-text summary (from the summary, else the text of the content HTML), possibly empty. */
  readonly summary: string;
}

/** A cluster as subscribers see it: one entry crediting every outlet. */
export interface Story {
  readonly id: string;
  /** Stable entry id derived from the cluster id only (never from the base URL, which may change). */
  readonly entryId: string;
  readonly title: string;
  /** Alternate link: the earliest version that has a link, else the story page. */
  readonly link: string;
  /** The story's own page on the site (`<baseUrl>stories/<id>.html`), always linked from its entries. */
  readonly page: string;
  /** Every outlet credited: each source read and each original outlet a version names, first seen first. */
  readonly outlets: readonly string[];
  /** Links of the other versions, distinct, without the alternate one, at most MAX_RELATED. */
  readonly related: readonly string[];
  /** Ids of other stories on the same actors that are different events (the clustering's related stories). */
  readonly relatedStories: readonly string[];
  readonly published: string;
  readonly updated: string;
  /** Authors of the versions; when none names one, the outlets that carried it (at most MAX_AUTHORS). */
  readonly authors: readonly string[];
  readonly categories: readonly string[];
  /** Plain-text summary of the best version. */
  readonly summary: string;
  readonly versions: readonly StoryVersion[];
}

/**
 * Big stories are carried by dozens of outlets (the UCI sample averages 73 per story). Readers show authors on
 * one line and related links as a list, so both stop at this many; the content still credits every outlet.
 */
const MAX_AUTHORS = 10;
const MAX_RELATED = 20;

/** The anchor of a story on a listing page (index, latest, archive). */
export function storyAnchor(clusterId: string): string {
  return `story-${clusterId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

/** The story page's path relative to the site root: `stories/<id>.html` (any id becomes a safe file name). */
export function storyPagePath(clusterId: string): string {
  return `stories/${clusterId.replace(/[^A-Za-z0-9_-]/g, '_')}.html`;
}

/**
 * The entry id of a cluster: `urn:feedmerge:cluster:<id>` (RFC 8141 syntax; characters outside the URN
 * character set percent-encoded so any store id yields a valid URN).
 */
function clusterEntryId(clusterId: string): string {
  const nss = [...new TextEncoder().encode(clusterId)]
    .map((byte) => {
      const c = String.fromCharCode(byte);
      return /[A-Za-z0-9()+,.:=@;$_!*'-]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
  return `urn:feedmerge:cluster:${nss}`;
}

/** Builds the publishable view of a cluster; `baseUrl` (ending in "/") locates the story page. */
export function describeCluster(cluster: Cluster, baseUrl: string): Story {
  const versions = cluster.items.map(describeVersion);
  const linked = versions.filter((v): v is StoryVersion & { link: string } => v.link !== null);
  const earliestLinked = [...linked].sort((a, b) => compareIso(a.date, b.date))[0];
  const page = `${baseUrl}${storyPagePath(cluster.id)}`;
  const link = earliestLinked?.link ?? page;
  const related = unique(linked.map((v) => v.link))
    .filter((url) => url !== link)
    .slice(0, MAX_RELATED);
  const dates = versions.map((v) => v.date).sort(compareIso);
  const best = versions[storyTitleIndex(cluster.items)];
  const authors = unique(versions.flatMap((v) => (v.author === null ? [] : [v.author])));
  return {
    id: cluster.id,
    entryId: clusterEntryId(cluster.id),
    title: best?.title || cleanLine(cluster.title) || 'Untitled story',
    link,
    page,
    outlets: clusterOutlets(cluster.items),
    related,
    relatedStories: cluster.related,
    published: dates[0] ?? cluster.published,
    updated: cluster.updated,
    authors: (authors.length > 0 ? authors : unique(versions.map((v) => v.outlet ?? v.source))).slice(0, MAX_AUTHORS),
    categories: uniqueFolded(cluster.items.flatMap((item) => item.categories.map(cleanLine)).filter((c) => c !== '')),
    summary: best?.summary ?? '',
    versions,
  };
}

/**
 * The outlets that carried a story: every source read and every original outlet a version credits ("Popular
 * Resistance (via Kawsachun News)" counts both), case-insensitively distinct. The one count of coverage: the
 * index ranking, the `minOutlets` filter and every "N outlets" shown use it.
 */
export function clusterOutlets(items: readonly Item[]): string[] {
  return uniqueFolded(
    items.flatMap((item) => {
      const source = cleanLine(item.sourceName) || item.sourceUrl;
      const outlet = item.outlet === null ? '' : cleanLine(item.outlet);
      return outlet === '' ? [source] : [source, outlet];
    }),
  );
}

function describeVersion(item: Item): StoryVersion {
  const link = item.link === null ? null : absoluteUrl(item.link, null);
  const source = cleanLine(item.sourceName) || item.sourceUrl;
  const outlet = item.outlet === null ? null : cleanLine(item.outlet);
  let summary = cleanLine(item.summary);
  if (summary === '' && item.contentHtml !== null) {
    summary = toPlainText(sanitizeContentHtml(item.contentHtml, link ?? item.sourceUrl));
  }
  return {
    source,
    outlet: outlet !== null && outlet !== '' && outlet.toLowerCase() !== source.toLowerCase() ? outlet : null,
    title: cleanLine(item.title),
    author: item.author === null ? null : cleanLine(item.author) || null,
    link: link !== null && /^https?:/i.test(link) ? link : null,
    date: item.published ?? item.firstSeenAt,
    summary: cleanXmlText(summary),
  };
}

function compareIso(a: string, b: string): number {
  return Date.parse(a) - Date.parse(b) || (a < b ? -1 : a > b ? 1 : 0);
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** Distinct values, case-insensitively, keeping the first spelling seen. */
function uniqueFolded(values: readonly string[]): string[] {
  const seen = new Map<string, string>();
  for (const value of values) if (!seen.has(value.toLowerCase())) seen.set(value.toLowerCase(), value);
  return [...seen.values()];
}
