import type { OutputFeedConfig } from '../../src/config.js';
import type { Cluster, Item, RawItem } from '../../src/model.js';
import { renderFeed, type RenderedFeed, type SiteInfo } from '../../src/publish/feeds.js';
import { renderSite } from '../../src/publish/pages.js';
import { describeCluster } from '../../src/publish/story.js';
import { checkPublishedHtml, checkPublishedJson, checkPublishedXml } from './active-content.js';

/** A fixed site so outputs never depend on the machine. */
export const SITE: SiteInfo = { title: 'feedmerge hostile test', baseUrl: 'http://localhost:8080/' };

/** An output feed as config.ts would give it, large enough to publish everything. */
export const ALL_FEED: OutputFeedConfig = { name: 'all', title: 'All', sources: undefined, keywords: undefined, limit: 10_000 };

const SEEN = '2026-03-02T12:00:00.000Z';

/** Turns raw items (as a reader produced them) into stored items of one source, as the store would. */
export function storedItems(raw: readonly RawItem[], source = 'https://hostile.example/feed', name = 'Hostile'): Item[] {
  return raw.map((item, i) => ({
    ...item,
    id: `${i.toString(16).padStart(16, '0')}`,
    sourceUrl: source,
    sourceName: name,
    firstSeenAt: SEEN,
    changedAt: SEEN,
    clusterId: null,
  }));
}

/** Each item its own story, or `perCluster` items merged into one (so multi-version rendering is exercised). */
export function clustersOf(items: readonly Item[], perCluster = 1): Cluster[] {
  const clusters: Cluster[] = [];
  for (let i = 0; i < items.length; i += perCluster) {
    const members = items.slice(i, i + perCluster);
    const times = members.map((m) => m.published ?? m.firstSeenAt).sort();
    clusters.push({
      id: members[0]!.id,
      title: members[0]!.title,
      published: times[0]!,
      updated: times.at(-1)!,
      items: members,
      related: [],
    });
  }
  return clusters;
}

/** Renders the merged feeds and every page of the site (index, lists, story pages) for these clusters. */
export function renderAll(clusters: readonly Cluster[]): RenderedFeed & { html: string[] } {
  const stories = clusters.map((cluster) => describeCluster(cluster, SITE.baseUrl));
  const pages = renderSite({ site: SITE, feeds: [ALL_FEED], stories, redirects: [] });
  return { ...renderFeed(clusters, ALL_FEED, SITE), html: pages.map((page) => page.html) };
}

/** What is wrong with everything rendered for these clusters (feeds in three formats and every page): none. */
export function renderedProblems(clusters: readonly Cluster[]): string[] {
  const out = renderAll(clusters);
  return [...checkPublishedXml(out.atom), ...checkPublishedXml(out.rss), ...checkPublishedJson(out.json), ...checkPublishedHtml(out.html)];
}
