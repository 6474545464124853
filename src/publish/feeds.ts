import { Feed, type Item as FeedItem } from 'feed';
import { js2xml, xml2js, type ElementCompact } from 'xml-js';
import type { OutputFeedConfig } from '../config.js';
import { DAY_MS, type Cluster } from '../model.js';
import { counted, renderStoryContentHtml } from './story-html.js';
import { clusterOutlets, describeCluster, type Story } from './story.js';
import { cleanLine, escapeHtml, escapeText, guardCdataHtml } from '../text/xml-text.js';

/** Where the merged feeds live and what they are called. */
export interface SiteInfo {
  readonly title: string;
  /** Public base URL, ending with '/', e.g. http://localhost:8080/ */
  readonly baseUrl: string;
}

/** One output feed in its three formats. */
export interface RenderedFeed {
  readonly name: string;
  readonly atom: string;
  readonly rss: string;
  readonly json: string;
}

/** The three published formats with their file extensions (also the server's routes). */
export const FEED_FORMATS = ['atom', 'rss', 'json'] as const;
export type FeedFormat = (typeof FEED_FORMATS)[number];

/** The public URL of one output feed file. */
export function feedUrl(site: SiteInfo, name: string, format: FeedFormat): string {
  return `${site.baseUrl}feeds/${name}.${format}`;
}

/**
 * Whether `loaded` (the newest stories, see ClusterRepository.newest) holds every feed's full selection: it has
 * `limit` stories, or reaches back past its `maxAgeDays` (nothing older can be selected).
 */
export function fillsEveryFeed(loaded: readonly Cluster[], feeds: readonly OutputFeedConfig[], now?: number): boolean {
  const oldest = loaded.length === 0 ? Number.POSITIVE_INFINITY : Math.min(...loaded.map((cluster) => Date.parse(cluster.updated)));
  return feeds.every(
    (feed) =>
      selectClusters(loaded, feed, now).length >= feed.limit ||
      (feed.maxAgeDays !== undefined && now !== undefined && oldest < now - feed.maxAgeDays * DAY_MS),
  );
}

/**
 * A feed's stories: the filters (sources by name or URL, keywords, excludeKeywords, minOutlets, and maxAgeDays
 * when the run's clock `now` is given), newest first by cluster `updated`, at most `limit`.
 */
export function selectClusters(clusters: readonly Cluster[], feed: OutputFeedConfig, now?: number): Cluster[] {
  const sources = feed.sources?.map((s) => s.trim().toLowerCase());
  const keywords = feed.keywords?.map(keywordPattern);
  const excluded = feed.excludeKeywords?.map(keywordPattern) ?? [];
  const since = feed.maxAgeDays === undefined || now === undefined ? undefined : now - feed.maxAgeDays * DAY_MS;
  return clusters
    .filter((cluster) => {
      if (since !== undefined && Date.parse(cluster.updated) < since) return false;
      if (feed.minOutlets !== undefined && clusterOutlets(cluster.items).length < feed.minOutlets) return false;
      if (sources !== undefined && sources.length > 0) {
        const carried = cluster.items.some(
          (item) => sources.includes(item.sourceName.trim().toLowerCase()) || sources.includes(item.sourceUrl.toLowerCase()),
        );
        if (!carried) return false;
      }
      if ((keywords !== undefined && keywords.length > 0) || excluded.length > 0) {
        const text = cluster.items.map((item) => `${item.title}\n${item.summary}`).join('\n');
        if (keywords !== undefined && keywords.length > 0 && !keywords.some((pattern) => pattern.test(text))) return false;
        if (excluded.some((pattern) => pattern.test(text))) return false;
      }
      return true;
    })
    .map((cluster) => ({ cluster, updated: Date.parse(cluster.updated), published: Date.parse(cluster.published) }))
    .sort(compareNewestFirst)
    .slice(0, feed.limit)
    .map(({ cluster }) => cluster);
}

/**
 * A keyword matches as a whole word, case-insensitively ("AI" must not match "said"); letters and digits of
 * any script count as word characters.
 */
function keywordPattern(keyword: string): RegExp {
  const escaped = keyword.trim().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, 'iu');
}

/**
 * Newest update first; ties broken by publication then id so the order never depends on input order. On times
 * parsed once per story, not per comparison (12,292 stories: 0.3 s of a run's publishing, twice: issue 18).
 */
function compareNewestFirst(
  a: { readonly cluster: Cluster; readonly updated: number; readonly published: number },
  b: { readonly cluster: Cluster; readonly updated: number; readonly published: number },
): number {
  return b.updated - a.updated || b.published - a.published || (a.cluster.id < b.cluster.id ? -1 : a.cluster.id > b.cluster.id ? 1 : 0);
}

/** Feed-level time when a feed has no entry: a fixed instant, so an empty feed is byte-stable too. */
const EMPTY_FEED_UPDATED = new Date(0);

/** Publishing options beyond the feed itself. */
export interface RenderOptions {
  /** WebSub hubs the feeds advertise (`<link rel="hub">`, JSON Feed `hubs`). */
  readonly hubs?: readonly string[];
}

/**
 * Renders one output feed in all three formats with the `feed` package. Deterministic: no clock reads.
 * What the package cannot express (link relations, several hubs, fully escaped category terms, JSON Feed 1.1)
 * is added to its parsed output, never patched into its text.
 */
export function renderFeed(
  clusters: readonly Cluster[],
  feed: OutputFeedConfig,
  site: SiteInfo,
  options: RenderOptions = {},
): RenderedFeed {
  const hubs = options.hubs ?? [];
  const stories = selectClusters(clusters, feed).map((cluster) => describeCluster(cluster, site.baseUrl));
  const updated = stories.reduce<Date>((max, s) => {
    const time = new Date(s.updated);
    return time.getTime() > max.getTime() ? time : max;
  }, EMPTY_FEED_UPDATED);
  // Input to the package: its XML writer splits only the first "]]>" of a CDATA section (see guardCdataHtml).
  const contents = new Map(stories.map((story) => [story.id, guardCdataHtml(renderStoryContentHtml(story))]));
  const build = (entry: (story: Story) => FeedItem): Feed => {
    const out = new Feed({
      id: `urn:feedmerge:feed:${feed.name}`,
      title: cleanLine(feed.title) || feed.name,
      description: `Stories merged from every outlet that carried them (${cleanLine(site.title)}).`,
      link: site.baseUrl,
      updated,
      generator: 'feedmerge',
      feedLinks: {
        atom: feedUrl(site, feed.name, 'atom'),
        rss: feedUrl(site, feed.name, 'rss'),
        json: feedUrl(site, feed.name, 'json'),
      },
      // Atom (RFC 4287 section 4.1.1) needs a feed author unless every entry has one.
      author: { name: cleanLine(site.title) || 'feedmerge', link: site.baseUrl },
    });
    for (const story of stories) out.addItem(entry(story));
    return out;
  };
  const common = (story: Story): Omit<FeedItem, 'title'> => ({
    id: story.entryId,
    link: story.link,
    date: new Date(story.updated),
    published: new Date(story.published),
    content: contents.get(story.id)!,
    author: story.authors.map((name) => ({ name })),
    // RSS and JSON read a category's `name` (written as escaped text).
    category: story.categories.length === 0 ? undefined : story.categories.map((name) => ({ name })),
  });
  const atom = build((story) => ({
    ...common(story),
    category: undefined, // added by completeAtom, fully escaped
    // Atom titles are written as type="html": the plain title is escaped once (which also breaks any "]]>").
    title: escapeText(story.title),
    description: escapeText(teaser(story)),
  })).atom1();
  const rss = build((story) => ({
    ...common(story),
    // RSS titles are plain text (the W3C validator warns "title should not contain HTML" on escaped markup).
    // Many readers render RSS titles as HTML anyway, so "<" and ">" are written as entities: an HTML reader
    // shows a literal "<script>" as text, never runs it. This also breaks up every "]]>" (the writer puts
    // titles in CDATA and splits only the first).
    title: story.title.replace(/[<>]/gu, (c) => (c === '<' ? '&lt;' : '&gt;')),
    description: escapeText(teaser(story)),
    // RSS <author> must be an e-mail address; names go to dc:creator, which readers show instead.
    author: undefined,
    extensions: story.authors.length > 0 ? [{ name: 'dc:creator', objects: { _text: story.authors.join(', ') } }] : undefined,
  })).rss2();
  const json = build((story) => ({ ...common(story), title: story.title, description: teaser(story) })).json1();
  return {
    name: feed.name,
    atom: completeAtom(atom, stories, hubs),
    rss: completeRss(rss, hubs),
    json: toJsonFeed11(json, stories, site, hubs),
  };
}

/** Outlets named in a teaser when the story has no summary (one or two lines in a reader's list). */
const TEASER_OUTLETS = 8;

/**
 * The entry summary: the best version's, else who carried the story. RSS readers and the W3C validator want
 * a description before content:encoded, so there always is one.
 */
function teaser(story: Story): string {
  if (story.summary !== '') return story.summary;
  const outlets = story.outlets;
  const named = outlets.slice(0, TEASER_OUTLETS).join(', ');
  const more = outlets.length > TEASER_OUTLETS ? ` and ${outlets.length - TEASER_OUTLETS} more` : '';
  return `Carried by ${counted(outlets.length, 'outlet')}: ${named}${more}.`;
}

/** How the `feed` package serialises XML (xml-js compact form, four-space indent): we write it back the same way. */
const XML_OUTPUT = { compact: true, spaces: 4 } as const;

/**
 * Parses XML the `feed` package wrote into xml-js's compact form. The parser decodes attribute values and the
 * writer does not encode them, so they are escaped again on the way in; text and CDATA pass through as written.
 */
function parseFeedXml(xml: string): ElementCompact {
  return xml2js(xml, { compact: true, attributeValueFn: escapeHtml }) as ElementCompact;
}

function elements(value: unknown): ElementCompact[] {
  return value === undefined ? [] : Array.isArray(value) ? (value as ElementCompact[]) : [value as ElementCompact];
}

/**
 * Completes the package's Atom document: each entry's link marked `alternate`, the story page and the other
 * versions as `related` links, categories with fully escaped terms (the package escapes only "&" in
 * attributes), and a `<link rel="hub">` per WebSub hub. Entries are in story order.
 */
function completeAtom(atom: string, stories: readonly Story[], hubs: readonly string[]): string {
  const document = parseFeedXml(atom);
  const feed = document['feed'] as ElementCompact;
  feed['link'] = [...elements(feed['link']), ...hubs.map((hub) => ({ _attributes: { rel: 'hub', href: escapeHtml(hub) } }))];
  feed['entry'] = elements(feed['entry']).map((entry, index) => {
    const story = stories[index]!;
    const { title, id, link, ...rest } = entry;
    const alternate = elements(link)[0]!;
    const related = [...(story.link === story.page ? [] : [story.page]), ...story.related];
    return {
      title,
      id,
      link: [
        { _attributes: { rel: 'alternate', ...alternate._attributes } },
        ...related.map((url) => ({ _attributes: { rel: 'related', href: escapeHtml(url) } })),
      ],
      ...(story.categories.length > 0 ? { category: story.categories.map((term) => ({ _attributes: { term: escapeHtml(term) } })) } : {}),
      ...rest,
    };
  });
  return js2xml(document, XML_OUTPUT);
}

/** Adds a WebSub `<atom:link rel="hub">` per hub to the package's RSS channel, after its `rel="self"` link. */
function completeRss(rss: string, hubs: readonly string[]): string {
  if (hubs.length === 0) return rss;
  const document = parseFeedXml(rss);
  const channel = (document['rss'] as ElementCompact)['channel'] as ElementCompact;
  channel['atom:link'] = [
    ...elements(channel['atom:link']),
    ...hubs.map((hub) => ({ _attributes: { href: escapeHtml(hub), rel: 'hub' } })),
  ];
  return js2xml(document, XML_OUTPUT);
}

/**
 * The `feed` package emits JSON Feed 1.0; its parsed document becomes 1.1 (https://jsonfeed.org/version/1.1):
 * `authors` arrays (the 1.0 `author` kept for older readers), WebSub `hubs`, and a `_feedmerge` extension
 * listing every outlet's version of each story.
 */
function toJsonFeed11(json: string, stories: readonly Story[], site: SiteInfo, hubs: readonly string[]): string {
  const document = JSON.parse(json) as Record<string, unknown> & { items: Record<string, unknown>[] };
  const author = { name: cleanLine(site.title) || 'feedmerge', url: site.baseUrl };
  const upgraded: Record<string, unknown> = {
    ...document,
    version: 'https://jsonfeed.org/version/1.1',
    authors: [author],
    author,
    ...(hubs.length > 0 ? { hubs: hubs.map((url) => ({ type: 'WebSub', url })) } : {}),
  };
  upgraded['items'] = document.items.map((item, index) => {
    const story = stories[index]!;
    const authors = story.authors.map((name) => ({ name }));
    return {
      ...item,
      ...(authors.length > 0 ? { authors } : {}),
      _feedmerge: {
        versions: story.versions.map((v) => ({
          source: v.source,
          outlet: v.outlet,
          title: v.title,
          author: v.author,
          url: v.link,
          date: v.date,
        })),
      },
    };
  });
  // Our own serialisation: "<" as \u003c (in JSON text it occurs only inside strings): the same JSON to every parser,
  // but no reader that shows a title as HTML, or a page that
  // inlines the file, ever meets a literal tag.
  return `${JSON.stringify(upgraded, null, 2).replaceAll('<', '\\u003c')}\n`;
}
