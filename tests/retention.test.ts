import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.js';
import type { RawItem } from '../src/model.js';
import { pruneExpired } from '../src/retention.js';
import { SqliteBackend, SqliteStore as Store } from '../src/store/index.js';
import { rawItem, storeItem } from './helpers/items.js';
import { tempDir } from './helpers/temp.js';

const OLD = '2026-01-10T00:00:00.000Z';
const OLDER = '2026-01-05T00:00:00.000Z';
const RECENT = '2026-05-20T00:00:00.000Z';
/** 90 days before NOW is 2026-03-03: OLD and OLDER are past it, RECENT is not. */
const NOW = new Date('2026-06-01T00:00:00.000Z');

const MAIN = 'https://main.example/feed';
const OTHER = 'https://other.example/feed';
const GONE = 'https://gone.example/feed';

function raw(identity: string, published: string | null): RawItem {
  return rawItem(identity, { guid: identity, published, categories: [] });
}

/** Stores one item of `source` first seen at `at`, in cluster `cluster` (created or grown at `at`). */
function add(store: Store, source: string, identity: string, published: string | null, at: string, cluster: string | null): string {
  return storeItem(store, source, raw(identity, published), at, cluster);
}

describe('pruneExpired', () => {
  it('deletes expired stories, merge records to them, empty stories and old unclustered items; keeps what a feed shows', async () => {
    const dir = tempDir();
    const config = parseConfig(
      {
        root: dir,
        retention: { days: 90 },
        publish: {
          feeds: [
            { name: 'all', limit: 1 },
            // The newest story carried by "Other" is old: this feed still shows it, so it must survive.
            { name: 'other', sources: ['Other'], limit: 1 },
          ],
        },
      },
      join(dir, 'feedmerge.yaml'),
    );
    const store = Store.open(join(dir, 'feedmerge.db'));
    for (const [url, name] of [
      [MAIN, 'Main'],
      [OTHER, 'Other'],
      [GONE, 'Gone'],
    ] as const) {
      store.sources.declare({ kind: 'feed', url, name, origin: 'config' }, OLDER);
    }
    const a = add(store, MAIN, 'a', OLDER, OLDER, 'A'); // expired story
    const m = add(store, MAIN, 'm', OLDER, OLDER, 'M'); // merged into A below
    store.transaction(() => store.clusters.apply({ assignments: [], merges: [{ from: 'M', into: 'A' }] }, OLD));
    const b = add(store, OTHER, 'b', OLD, OLD, 'B'); // old, but the "other" feed shows it
    const c = add(store, MAIN, 'c', RECENT, RECENT, 'C'); // fresh
    // Old cluster whose newest member was published recently (first seen long ago, e.g. a scheduled post).
    const e = add(store, MAIN, 'e', RECENT, OLD, 'E');
    add(store, GONE, 'd', RECENT, RECENT, 'D');
    store.transaction(() => store.sources.remove(GONE)); // D is left without members
    const u1 = add(store, MAIN, 'u1', OLDER, OLDER, null);
    const u2 = add(store, MAIN, 'u2', RECENT, RECENT, null);
    store.runs.start(OLDER);
    store.runs.start(OLD);

    const report = await pruneExpired(config, new SqliteBackend(store), NOW);

    expect(report).toMatchObject({ clusters: 2, mergeRecords: 1, items: 3, runs: 1, protectedStories: 1 });
    expect(report.cutoff).toBe('2026-03-03T00:00:00.000Z');
    for (const gone of [a, m, u1]) expect(store.items.get(gone)).toBeUndefined();
    for (const kept of [b, c, e, u2]) expect(store.items.get(kept)).toBeDefined();
    // A and D are gone (and M, the merge record pointing to A: report.mergeRecords).
    expect(
      store.clusters
        .latest()
        .map((cluster) => cluster.id)
        .sort(),
    ).toEqual(['B', 'C', 'E']);
    expect(store.integrityCheck()).toBe('ok');

    // Idempotent: a second prune finds nothing more to delete.
    expect(await pruneExpired(config, new SqliteBackend(store), NOW)).toMatchObject({ clusters: 0, mergeRecords: 0, items: 0, runs: 0 });
    store.close();
  });

  it('keeps everything younger than retention.days', async () => {
    const dir = tempDir();
    const config = parseConfig({ root: dir, retention: { days: 365 } }, join(dir, 'feedmerge.yaml'));
    const store = Store.open(join(dir, 'feedmerge.db'));
    store.sources.declare({ kind: 'feed', url: MAIN, name: 'Main', origin: 'config' }, OLDER);
    for (let i = 0; i < 60; i++) add(store, MAIN, `x${i}`, OLDER, OLDER, `X${i}`);
    expect(await pruneExpired(config, new SqliteBackend(store), NOW)).toMatchObject({ clusters: 0, items: 0 });
    expect(store.items.count()).toBe(60);
    store.close();
  });
});
