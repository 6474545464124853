import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../../src/model.js';
import { SqliteStore as Store, type PruneCounts } from '../../src/store/index.js';
import { rawItem, storeItem } from '../helpers/items.js';
import { tempDir } from '../helpers/temp.js';

const OLDER = '2026-01-05T00:00:00.000Z';
const RECENT = '2026-05-20T00:00:00.000Z';
const NOW = '2026-06-01T00:00:00.000Z';
const MAIN = 'https://main.example/feed';

const old = rawItem('old', { guid: 'old', published: OLDER });
const recent = rawItem('new', { guid: 'new', published: RECENT });

/** What pruneExpired asks of the store: delete what is older than 90 days before `now`, except `keep`. */
function prune(store: Store, now: string, keep: readonly string[] = []): PruneCounts {
  const cutoffMs = Date.parse(now) - 90 * DAY_MS;
  return store.transaction(() => store.retention.prune(new Date(cutoffMs).toISOString(), cutoffMs, keep, now));
}

function openWithMain(): Store {
  const store = Store.open(join(tempDir(), 'feedmerge.db'));
  store.sources.declare({ kind: 'feed', url: MAIN, name: 'Main', origin: 'config' }, OLDER);
  return store;
}

describe('RetentionRepository tombstones', () => {
  it('keep a pruned item its source still lists from coming back, until the source stops listing it', () => {
    const store = openWithMain();
    const oldId = storeItem(store, MAIN, old, OLDER, 'OLD');
    storeItem(store, MAIN, recent, RECENT, 'NEW');
    expect(prune(store, NOW, ['NEW'])).toMatchObject({ items: 1, clusters: 1, tombstones: 0 });
    expect(store.items.get(oldId)).toBeUndefined();

    // The feed still lists the old item on the next runs: nothing is inserted, nothing to cluster.
    for (const at of ['2026-06-02T00:00:00.000Z', '2026-08-01T00:00:00.000Z']) {
      expect(store.transaction(() => store.items.upsert(MAIN, [old, recent], at))).toMatchObject({ inserted: 0 });
    }
    expect(store.items.get(oldId)).toBeUndefined();
    expect(store.items.unclustered()).toEqual([]);

    // Seen on 2026-08-01, the tombstone outlives a prune on 2026-09-01 ...
    expect(prune(store, '2026-09-01T00:00:00.000Z', ['NEW'])).toMatchObject({ tombstones: 0 });
    // ... but not one after the feed stopped listing the item for the retention period: then it may return.
    expect(prune(store, '2026-11-15T00:00:00.000Z', ['NEW'])).toMatchObject({ tombstones: 1 });
    expect(store.transaction(() => store.items.upsert(MAIN, [old], '2026-11-16T00:00:00.000Z'))).toMatchObject({ inserted: 1 });
    expect(store.integrityCheck()).toBe('ok');
    store.close();
  });

  it('are forgotten with a removed source', () => {
    const store = openWithMain();
    storeItem(store, MAIN, old, OLDER, 'OLD');
    prune(store, NOW);
    store.transaction(() => store.sources.remove(MAIN));
    store.sources.declare({ kind: 'feed', url: MAIN, name: 'Main', origin: 'config' }, RECENT);
    // Re-added, the feed starts afresh: what it lists is read again.
    expect(store.transaction(() => store.items.upsert(MAIN, [old], RECENT))).toMatchObject({ inserted: 1 });
    store.close();
  });
});
