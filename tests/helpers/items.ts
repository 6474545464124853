import type { RawItem } from '../../src/model.js';
import { itemId, type SqliteStore } from '../../src/store/index.js';

/** A plain item as a reader would hand it to the store: `identity` names its link, title and summary. */
export function rawItem(identity: string, overrides: Partial<RawItem> = {}): RawItem {
  return {
    identity,
    guid: null,
    link: `https://example.org/${identity}`,
    title: `Title ${identity}`,
    summary: `Summary of ${identity}`,
    contentHtml: null,
    author: null,
    outlet: null,
    published: '2025-12-31T12:00:00.000Z',
    updated: null,
    categories: ['world'],
    position: 0,
    truncated: false,
    ...overrides,
  };
}

/** Stores `item` of `source`, first seen at `at`, in cluster `cluster` (created or grown at `at`); returns its id. */
export function storeItem(store: SqliteStore, source: string, item: RawItem, at: string, cluster: string | null): string {
  const id = itemId(source, item.identity);
  store.transaction(() => {
    store.items.upsert(source, [item], at);
    if (cluster) store.clusters.apply({ assignments: [{ itemId: id, clusterId: cluster }], merges: [] }, at);
  });
  return id;
}
