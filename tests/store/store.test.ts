import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StorageError } from '../../src/errors.js';
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
  it('loads the newest stories page by page, whole groups of equal change times, until told it has enough', () => {
    const store = openWithSource(tempDir());
    const url = 'https://example.org/feed';
    // 300 stories changed at T0 (one run), then 700 changed one second apart after it.
    const at = (i: number): string => (i < 300 ? T0 : new Date(Date.parse(T1) + i * 1000).toISOString());
    store.transaction(() => {
      for (let i = 0; i < 1000; i++) {
        store.items.upsert(url, [raw(`n${i}`)], at(i));
        store.clusters.apply(
          { assignments: [{ itemId: itemId(url, `n${i}`), clusterId: `C${String(i).padStart(4, '0')}` }], merges: [] },
          at(i),
        );
      }
    });
    const all = store.clusters.latest();
    const ten = store.clusters.newest((loaded) => loaded.length >= 10);
    expect(ten.map((c) => c.id)).toEqual(all.slice(0, 256).map((c) => c.id));
    // The second page (512) reaches into the T0 group: all 300 of it come along, whatever the page size.
    const deep = store.clusters.newest((loaded) => loaded.length >= 500);
    expect(deep).toHaveLength(1000);
    expect(new Set(deep.map((c) => c.id))).toEqual(new Set(all.map((c) => c.id)));
    expect(store.clusters.newest(() => false)).toHaveLength(1000);
    store.close();
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
