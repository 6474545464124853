import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { OutputFeedConfig } from '../../src/config.js';
import type { Cluster, Item } from '../../src/model.js';
import type { SiteInfo } from '../../src/publish/feeds.js';

/** Folder of the publish fixtures (input JSON, golden outputs, the Atom schema). */
export const FIXTURES = fileURLToPath(new URL('../fixtures/publish/', import.meta.url));

/** The fixture clusters: two UCI news stories, a seed-listing story without links, a hostile story. */
export function loadClusters(): Cluster[] {
  // Written before stories had related ones: none.
  return (JSON.parse(readFileSync(`${FIXTURES}clusters.json`, 'utf8')) as Omit<Cluster, 'related'>[]).map((c) => ({ related: [], ...c }));
}

/** A fixed site so golden files never depend on the machine. */
export const SITE: SiteInfo = { title: 'feedmerge test', baseUrl: 'http://localhost:8080/' };

/** An output feed config with the defaults config.ts gives. */
export function outputFeed(over: Partial<OutputFeedConfig> = {}): OutputFeedConfig {
  return { name: 'all', title: 'All stories', sources: undefined, keywords: undefined, limit: 50, ...over };
}

/** A stored item with every field filled, for table tests. */
export function makeItem(over: Partial<Item> & { id: string }): Item {
  return {
    identity: over.id,
    guid: null,
    link: null,
    title: 'A title',
    summary: '',
    contentHtml: null,
    author: null,
    outlet: null,
    published: null,
    updated: null,
    categories: [],
    position: 0,
    truncated: false,
    sourceUrl: '/seeds/a.txt',
    sourceName: 'Outlet A',
    firstSeenAt: '2026-01-01T00:00:00.000Z',
    changedAt: '2026-01-01T00:00:00.000Z',
    clusterId: null,
    ...over,
  };
}

/** A cluster of the given items (published = earliest, updated as given). */
export function makeCluster(id: string, updated: string, items: readonly Item[]): Cluster {
  const times = items.map((i) => i.published ?? i.firstSeenAt).sort();
  return { id, title: items[0]?.title ?? '', published: times[0] ?? updated, updated, items, related: [] };
}
