import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StorageError } from '../../src/errors.js';
import { storyHeadsSql } from '../../src/store/clusters.js';
import { itemId, SqliteStore as Store } from '../../src/store/index.js';
import { rawItem as raw } from '../helpers/items.js';
import { tempDir } from '../helpers/temp.js';

const T0 = '2026-01-01T00:00:00.000Z';
const T1 = '2026-01-02T00:00:00.000Z';

function openWithSource(dir: string): Store {
  const store = Store.open(join(dir, 'db', 'feedmerge.db'));
  store.sources.declare({ kind: 'feed', url: 'https://example.org/feed', name: 'Example', origin: 'config' }, T0);
  return store;
}

describe('Store', () => {
  it("loads the newest stories page by page in the feeds' order, cutting a group of equal change times, until told it has enough", () => {
    const store = openWithSource(tempDir());
    const url = 'https://example.org/feed';
    // 300 stories changed at T0 (one run), published an hour apart, then 700 changed one second apart after it.
    const at = (i: number): string => (i < 300 ? T0 : new Date(Date.parse(T1) + i * 1000).toISOString());
    const published = (i: number): string => new Date(Date.parse('2025-12-01T00:00:00.000Z') + i * 3_600_000).toISOString();
    store.transaction(() => {
      for (let i = 0; i < 1000; i++) {
        store.items.upsert(url, [raw(`n${i}`, { published: published(i) })], at(i));
        store.clusters.apply(
          { assignments: [{ itemId: itemId(url, `n${i}`), clusterId: `C${String(i).padStart(4, '0')}` }], merges: [] },
          at(i),
        );
      }
      // A story left without members (its item moved to another) is never loaded.
      store.items.upsert(url, [raw('moved', { published: published(1000) })], at(999));
      store.clusters.apply({ assignments: [{ itemId: itemId(url, 'moved'), clusterId: 'EMPTY' }], merges: [] }, at(999));
      store.clusters.apply({ assignments: [{ itemId: itemId(url, 'moved'), clusterId: 'C0999' }], merges: [] }, at(999));
    });
    const all = store.clusters.latest();
    const ten = store.clusters.newest((loaded) => loaded.length >= 10);
    // The first page: the 256 latest stories, but the one without members.
    expect(ten.map((c) => c.id)).toEqual(all.slice(0, 255).map((c) => c.id));
    // The second page (512: the 445 other stories left, then 67 of the T0 group) cuts that group in the feeds'
    // order: the latest published first (C0299, C0298...), whatever their ids say.
    const deep = store.clusters.newest((loaded) => loaded.length >= 500);
    const latestPublishedFirst = Array.from({ length: 67 }, (_, k) => `C${String(299 - k).padStart(4, '0')}`);
    expect(deep.map((c) => c.id)).toEqual([...all.slice(0, 700).map((c) => c.id), ...latestPublishedFirst]);
    expect(store.clusters.newest(() => false)).toHaveLength(1000);
    store.close();
  });

  it("reads the stories' order from the members index alone, which holds no unclustered item", () => {
    const dir = tempDir();
    openWithSource(dir).close();
    const db = new Database(join(dir, 'db', 'feedmerge.db'), { readonly: true });
    const plan = (sql: string): string =>
      db
        .prepare<Record<string, string | number>, { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
        .all({ before: '~', skip: 0 })
        .map((row) => row.detail)
        .join(' | ');
    expect(plan(storyHeadsSql((name) => `@${name}`, ''))).toContain('SEARCH i USING COVERING INDEX items_cluster (cluster_id=?)');
    expect(plan(`SELECT id FROM items WHERE cluster_id IS NULL`)).not.toContain('items_cluster');
    db.close();
  });

  it('creates the file, applies migrations and passes the integrity check', () => {
    const store = openWithSource(tempDir());
    expect(store.integrityCheck()).toBe('ok');
    expect(store.sources.list().map((s) => [s.url, s.status, s.items])).toEqual([['https://example.org/feed', 'new', 0]]);
    store.close();
  });

  it('stores each item once, whatever it is re-read, and updates a changed one in place', () => {
    const store = openWithSource(tempDir());
    const url = 'https://example.org/feed';
    const first = store.transaction(() => store.items.upsert(url, [raw('a'), raw('b')], T0));
    expect(first).toMatchObject({ inserted: 2, updated: 0 });
    const again = store.transaction(() => store.items.upsert(url, [raw('a'), raw('b')], T1));
    expect(again).toMatchObject({ inserted: 0, updated: 0 });
    const edited = store.transaction(() => store.items.upsert(url, [raw('a', { title: 'New title' })], T1));
    expect(edited).toMatchObject({ inserted: 0, updated: 1 });
    expect(store.items.count()).toBe(2);
    const item = store.items.get(itemId(url, 'a'))!;
    expect(item).toMatchObject({ title: 'New title', firstSeenAt: T0, changedAt: T1, sourceName: 'Example' });
    store.close();
  });

  it('keeps cluster ids stable, moves `updated` only on growth, and records merges', () => {
    const store = openWithSource(tempDir());
    const url = 'https://example.org/feed';
    store.transaction(() => store.items.upsert(url, [raw('a'), raw('b'), raw('c')], T0));
    const [a, b, c] = ['a', 'b', 'c'].map((id) => itemId(url, id)) as [string, string, string];
    store.transaction(() =>
      store.clusters.apply(
        {
          assignments: [
            { itemId: a, clusterId: a },
            { itemId: b, clusterId: b },
          ],
          merges: [],
        },
        T0,
      ),
    );
    expect(
      store.clusters
        .latest()
        .map((cl) => [cl.id, cl.updated])
        .sort(),
    ).toEqual(
      [
        [a, T0],
        [b, T0],
      ].sort(),
    );

    store.transaction(() => store.clusters.apply({ assignments: [{ itemId: c, clusterId: a }], merges: [] }, T1));
    expect(store.clusters.latest().map((cl) => [cl.id, cl.updated])).toEqual([
      [a, T1],
      [b, T0],
    ]);

    store.transaction(() => store.clusters.apply({ assignments: [], merges: [{ from: b, into: a }] }, T1));
    const [merged] = store.clusters.latest();
    expect(store.clusters.latest()).toHaveLength(1);
    expect(merged!.id).toBe(a);
    expect(merged!.items.map((item) => item.id).sort()).toEqual([a, b, c].sort());
    store.close();
  });

  it('keeps what a reader learnt about a source, and moves it on a permanent redirect', () => {
    const store = openWithSource(tempDir());
    const url = 'https://example.org/feed';
    store.transaction(() => store.items.upsert(url, [raw('a')], T0));
    store.sources.update(url, { status: 'error', lastError: 'HTTP 503', retryNotBefore: T1, errorCount: 2, etag: '"x"' });
    expect(store.sources.get(url)).toMatchObject({
      status: 'error',
      lastError: 'HTTP 503',
      retryNotBefore: T1,
      errorCount: 2,
      etag: '"x"',
    });
    const moved = store.sources.update(url, { status: 'ok', newUrl: 'https://example.org/new-feed' });
    expect(moved).toBe('https://example.org/new-feed');
    expect(store.sources.get(url)).toBeUndefined();
    expect(store.sources.get(moved)).toMatchObject({ status: 'ok', items: 1 });
    expect(store.items.get(itemId(url, 'a'))).toMatchObject({ sourceUrl: moved });
    store.close();
  });

  it('rolls a failed transaction back whole', () => {
    const store = openWithSource(tempDir());
    expect(() =>
      store.transaction(() => {
        store.items.upsert('https://example.org/feed', [raw('a')], T0);
        throw new Error('crash mid-write');
      }),
    ).toThrow('crash mid-write');
    expect(store.items.count()).toBe(0);
    store.close();
  });

  it('refuses a corrupt file with one clear line', () => {
    const dir = tempDir();
    const path = join(dir, 'broken.db');
    writeFileSync(path, 'this is not a database, just some text long enough to fill a header '.repeat(20));
    expect(() => Store.open(path)).toThrow(StorageError);
    expect(() => Store.open(path)).toThrow(/broken\.db: file is not a database or is corrupt/);
  });
});
