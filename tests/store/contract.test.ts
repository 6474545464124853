import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageError } from '../../src/errors.js';
import type { RunReport } from '../../src/model.js';
import { itemId, openStore, type Store } from '../../src/store/index.js';
import { rawItem as raw } from '../helpers/items.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { tempDir } from '../helpers/temp.js';

/**
 * The storage contract (issue 17): the same calls give the same answers on SQLite and on PostgreSQL, so the
 * pipeline, the commands and publishing need not know which engine they use.
 */

const T0 = '2026-01-01T00:00:00.000Z';
const T1 = '2026-01-02T00:00:00.000Z';
const FEED = 'https://example.org/feed';
const OTHER = 'https://example.org/other';

let postgres: TestPostgres;
beforeAll(async () => {
  postgres = await startPostgres();
});
afterAll(() => postgres?.stop());

const engines: { name: string; open: () => Promise<Store> }[] = [
  { name: 'SQLite', open: () => openStore(join(tempDir(), 'feedmerge.db')) },
  { name: 'PostgreSQL', open: async () => openStore(await postgres.createDatabase()) },
];

describe.each(engines)('Store on $name', ({ open }) => {
  async function withStore(work: (store: Store) => Promise<void>): Promise<void> {
    const store = await open();
    try {
      await store.sources.declare(
        [
          { kind: 'feed', url: FEED, name: 'Example', origin: 'config' },
          { kind: 'feed', url: OTHER, name: 'Other', origin: 'config', schedule: '0 * * * *' },
        ],
        T0,
      );
      await work(store);
    } finally {
      await store.close();
    }
  }

  it('stores items once, updates changed ones in place, and counts per source', async () => {
    await withStore(async (store) => {
      const [first] = await store.storeReads([{ url: FEED, items: [raw('a'), raw('b')], state: { status: 'ok', etag: '"v1"' } }], T0);
      expect(first).toEqual({ inserted: 2, updated: 0, changedClusters: [] });
      const [again] = await store.storeReads([{ url: FEED, items: [raw('a'), raw('b')], state: {} }], T1);
      expect(again).toEqual({ inserted: 0, updated: 0, changedClusters: [] });
      const [edited] = await store.storeReads([{ url: FEED, items: [raw('a', { title: 'New title' })], state: {} }], T1);
      expect(edited).toMatchObject({ inserted: 0, updated: 1 });
      const item = await store.items.get(itemId(FEED, 'a'));
      expect(item).toMatchObject({ title: 'New title', firstSeenAt: T0, changedAt: T1, sourceName: 'Example', categories: ['world'] });
      expect(await store.items.count()).toBe(2);
      expect(await store.sources.get(FEED)).toMatchObject({ status: 'ok', etag: '"v1"', items: 2 });
      expect((await store.sources.list()).map((s) => s.name)).toEqual(['Example', 'Other']);
      expect((await store.items.unclustered()).map((i) => i.id).sort()).toEqual([itemId(FEED, 'a'), itemId(FEED, 'b')].sort());
    });
  });

  it('a CLI declaration never rewrites a config entry; adopting takes it over', async () => {
    await withStore(async (store) => {
      await store.sources.declare([{ kind: 'feed', url: FEED, name: 'From CLI', origin: 'cli' }], T1);
      expect(await store.sources.get(FEED)).toMatchObject({ name: 'Example', origin: 'config' });
      await store.sources.adopt([{ kind: 'feed', url: FEED, name: 'Taken over', origin: 'cli' }], T1);
      expect(await store.sources.get(FEED)).toMatchObject({ name: 'Taken over', origin: 'cli' });
    });
  });

  it('moves a source and its items to a new URL, and removes a source with its items', async () => {
    await withStore(async (store) => {
      await store.storeReads([{ url: FEED, items: [raw('a')], state: {} }], T0);
      const moved = 'https://example.org/moved';
      expect(await store.sources.update(FEED, { status: 'ok', newUrl: moved })).toBe(moved);
      expect(await store.sources.get(FEED)).toBeUndefined();
      expect(await store.items.get(itemId(FEED, 'a'))).toMatchObject({ sourceUrl: moved });
      expect(await store.sources.remove(moved)).toBe(true);
      expect(await store.sources.remove(moved)).toBe(false);
      expect(await store.items.count()).toBe(0);
    });
  });

  it('records stories, grows and merges them, and reads them newest first', async () => {
    await withStore(async (store) => {
      await store.storeReads([{ url: FEED, items: [raw('a'), raw('b'), raw('c')], state: {} }], T0);
      const [a, b, c] = ['a', 'b', 'c'].map((id) => itemId(FEED, id)) as [string, string, string];
      const created = await store.clusters.apply(
        {
          assignments: [
            { itemId: a, clusterId: a },
            { itemId: b, clusterId: b },
          ],
          merges: [],
        },
        T0,
      );
      expect(created).toMatchObject({ newClusters: 2, merged: 0 });
      expect(await store.clusters.apply({ assignments: [{ itemId: c, clusterId: a }], merges: [] }, T1)).toMatchObject({
        newClusters: 0,
        grownClusters: 1,
      });
      let latest = await store.clusters.latest();
      expect(latest.map((cluster) => [cluster.id, cluster.updated])).toEqual([
        [a, T1],
        [b, T0],
      ]);
      expect(await store.clusters.apply({ assignments: [], merges: [{ from: b, into: a }] }, T1)).toMatchObject({ merged: 1 });
      latest = await store.clusters.latest();
      expect(latest.map((cluster) => cluster.id)).toEqual([a]);
      expect(latest[0]!.items.map((item) => item.id).sort()).toEqual([a, b, c].sort());
      expect((await store.clusters.newest(() => true)).map((cluster) => cluster.id)).toEqual([a]);
      expect((await store.items.clusteredBetween(0, Date.parse('2030-01-01'))).map((i) => i.clusterId)).toEqual([a, a, a]);
      // A member's text changes: its story's change time moves.
      const [edited] = await store.storeReads(
        [{ url: FEED, items: [raw('a', { summary: 'changed' })], state: {} }],
        '2026-01-03T00:00:00.000Z',
      );
      expect(edited!.changedClusters).toEqual([a]);
      expect((await store.clusters.latest())[0]!.updated).toBe('2026-01-03T00:00:00.000Z');
      await store.clusters.reset();
      expect(await store.clusters.latest()).toEqual([]);
      expect(await store.items.unclustered()).toHaveLength(3);
    });
  });

  it("reads a run's stories, all changed at once, in the feeds' order: latest earliest member first, then id", async () => {
    await withStore(async (store) => {
      // 300 stories of one run, their items published in pairs an hour apart, and one story left without members.
      const at = (i: number): string => new Date(Date.parse('2025-12-01T00:00:00.000Z') + Math.floor(i / 2) * 3_600_000).toISOString();
      const identities = Array.from({ length: 301 }, (_, i) => `n${String(i).padStart(3, '0')}`);
      await store.storeReads([{ url: FEED, items: identities.map((id, i) => raw(id, { published: at(i) })), state: {} }], T0);
      const ids = identities.map((id) => itemId(FEED, id));
      await store.clusters.apply({ assignments: ids.map((id) => ({ itemId: id, clusterId: id })), merges: [] }, T0);
      await store.clusters.apply({ assignments: [{ itemId: ids[300]!, clusterId: ids[0]! }], merges: [] }, T0);
      const feedOrder = ids
        .slice(0, 300)
        .map((id, i) => ({ id, published: at(i) }))
        .sort((x, y) => (x.published > y.published ? -1 : x.published < y.published ? 1 : x.id < y.id ? -1 : 1))
        .map((story) => story.id);
      // The first page (256 stories) cuts the run's stories in that order.
      expect((await store.clusters.newest(() => true)).map((cluster) => cluster.id)).toEqual(feedOrder.slice(0, 256));
      expect((await store.clusters.newest(() => false)).map((cluster) => cluster.id)).toEqual(feedOrder);
    });
  });

  it('lists each story related both ways, a merged-away one under its survivor, never the story itself', async () => {
    await withStore(async (store) => {
      await store.storeReads([{ url: FEED, items: ['a', 'b', 'c', 'd'].map((id) => raw(id)), state: {} }], T0);
      const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((id) => itemId(FEED, id)) as [string, string, string, string];
      const assignments = [a, b, c, d].map((id) => ({ itemId: id, clusterId: id }));
      const related = [
        { a, b, cosine: 0.3 },
        { a: c, b: a, cosine: 0.3 },
        { a: d, b: c, cosine: 0.2 },
      ];
      await store.clusters.apply({ assignments, merges: [], related }, T0);
      const relatedOf = async (): Promise<Record<string, readonly string[]>> =>
        Object.fromEntries((await store.clusters.latest()).map((cluster) => [cluster.id, cluster.related]));
      expect(await relatedOf()).toEqual({ [a]: [b, c].sort(), [b]: [a], [c]: [a, d].sort(), [d]: [c] });
      await store.clusters.apply({ assignments: [], merges: [{ from: d, into: a }] }, T1);
      expect(await relatedOf()).toEqual({ [a]: [b, c].sort(), [b]: [a], [c]: [a] });
    });
  });

  it('keeps runs and meta', async () => {
    await withStore(async (store) => {
      expect(await store.runs.last()).toBeNull();
      const id = await store.runs.start(T0);
      const report = { startedAt: T0, finishedAt: T1, sources: [], newItems: 0 } as unknown as RunReport;
      await store.runs.finish(id, report, 'ok');
      expect(await store.runs.last()).toEqual(report);
      expect(await store.meta.get('cluster.level')).toBeUndefined();
      await store.meta.set('cluster.level', 'stories');
      await store.meta.set('cluster.level', 'duplicates');
      expect(await store.meta.get('cluster.level')).toBe('duplicates');
    });
  });

  it('prunes old stories and leaves tombstones that keep them from coming back', async () => {
    await withStore(async (store) => {
      const old = { published: '2025-01-01T00:00:00.000Z' };
      await store.storeReads([{ url: FEED, items: [raw('old', old), raw('new')], state: {} }], '2025-01-01T00:00:00.000Z');
      const [o, n] = [itemId(FEED, 'old'), itemId(FEED, 'new')];
      await store.clusters.apply({ assignments: [{ itemId: o, clusterId: o }], merges: [] }, '2025-01-01T00:00:00.000Z');
      await store.clusters.apply({ assignments: [{ itemId: n, clusterId: n }], merges: [] }, T0);
      const cutoff = '2025-06-01T00:00:00.000Z';
      const counts = await store.retention.prune(cutoff, Date.parse(cutoff), [], T1);
      expect(counts).toMatchObject({ items: 1, clusters: 1, mergeRecords: 0 });
      expect((await store.clusters.latest()).map((cluster) => cluster.id)).toEqual([n]);
      const [again] = await store.storeReads([{ url: FEED, items: [raw('old', old)], state: {} }], T1);
      expect(again).toMatchObject({ inserted: 0 });
    });
  });

  it('claims every wanted feed for one worker', async () => {
    await withStore(async (store) => {
      const request = { urls: [FEED, OTHER], limit: 100, now: new Date(T0), leaseMs: 60_000, runStartedAt: T0, force: false };
      expect((await store.sources.claim(request)).map((s) => s.url).sort()).toEqual([FEED, OTHER].sort());
    });
  });
});

describe('PostgreSQL specifics', () => {
  it('gives a claimed feed to one worker only, until its read is stored or its lease expires', async () => {
    const url = await postgres.createDatabase();
    const [one, two] = [await openStore(url), await openStore(url)];
    try {
      await one.sources.declare([{ kind: 'feed', url: FEED, name: 'Example', origin: 'config' }], T0);
      const request = { urls: [FEED], limit: 10, now: new Date(T0), leaseMs: 60_000, runStartedAt: T0, force: false };
      expect(await one.sources.claim(request)).toHaveLength(1);
      expect(await two.sources.claim(request)).toHaveLength(0);
      // A dead worker's claim comes back once the lease is over.
      expect(await two.sources.claim({ ...request, now: new Date(Date.parse(T0) + 61_000) })).toHaveLength(1);
      // A stored read ends the claim; the feed is not due again before its next time.
      await two.storeReads([{ url: FEED, items: [raw('a')], state: { lastFetchedAt: T0, nextFetchAt: '2026-01-01T00:30:00.000Z' } }], T0);
      expect(await one.sources.claim({ ...request, now: new Date(Date.parse(T0) + 62_000) })).toHaveLength(0);
      const next = { ...request, now: new Date('2026-01-01T00:30:00.000Z'), runStartedAt: '2026-01-01T00:30:00.000Z' };
      expect(await one.sources.claim(next)).toHaveLength(1);
    } finally {
      await one.close();
      await two.close();
    }
  });

  it('never gives a feed read for this due time to a worker that claims just before the next one', async () => {
    // Read at 00:29:58 for the 00:00 schedule (next: 00:30); a worker of the same cron run claiming at 00:30:01 - 60 s
    // slack would take 00:30 as due (a scheduler tick fires a little early) and read the feed a second time.
    const url = await postgres.createDatabase();
    const [one, two] = [await openStore(url), await openStore(url)];
    try {
      await one.sources.declare([{ kind: 'feed', url: FEED, name: 'Example', origin: 'config' }], T0);
      const readAt = '2026-01-01T00:29:58.000Z';
      const request = {
        urls: [FEED],
        limit: 10,
        now: new Date(readAt),
        leaseMs: 60_000,
        runStartedAt: '2026-01-01T00:29:57.000Z',
        force: false,
      };
      expect(await one.sources.claim(request)).toHaveLength(1);
      await one.storeReads(
        [{ url: FEED, items: [raw('a')], state: { lastFetchedAt: readAt, nextFetchAt: '2026-01-01T00:30:00.000Z' } }],
        readAt,
      );
      // Another worker of the same run, and one started a moment after the read: neither reads it again.
      expect(await two.sources.claim({ ...request, now: new Date('2026-01-01T00:29:59.500Z') })).toHaveLength(0);
      const later = { ...request, now: new Date('2026-01-01T00:29:59.500Z'), runStartedAt: '2026-01-01T00:29:59.000Z' };
      expect(await two.sources.claim(later)).toHaveLength(0);
      // The 00:30 tick finds it read 2 s before (as on SQLite, the slack); the 01:00 tick reads it (it was once stuck there).
      const tick = (at: string): typeof request => ({ ...request, now: new Date(at), runStartedAt: at });
      expect(await two.sources.claim(tick('2026-01-01T00:30:00.000Z'))).toHaveLength(0);
      expect(await two.sources.claim(tick('2026-01-01T01:00:00.000Z'))).toHaveLength(1);
    } finally {
      await one.close();
      await two.close();
    }
  });

  it('tells a worker ending its reading whether others still read, and forgets a worker whose session ended', async () => {
    const url = await postgres.createDatabase();
    const [one, two] = [await openStore(url), await openStore(url)];
    try {
      // Two workers reading together: the first to end sees the other still reading; the other, last, sees none.
      let endTwo = (): void => undefined;
      const twoReading = new Promise<void>((resolve) => (endTwo = resolve));
      let twoStarted = (): void => undefined;
      const started = new Promise<void>((resolve) => (twoStarted = resolve));
      const second = two.reading(async () => {
        twoStarted();
        await twoReading;
      });
      await started;
      expect((await one.reading(async () => 'read')).othersReading).toBe(true);
      endTwo();
      expect((await second).othersReading).toBe(false);
      expect(await one.reading(async () => 'alone')).toEqual({ result: 'alone', othersReading: false });
    } finally {
      await one.close();
      await two.close();
    }
    // A worker that dies while reading (its session ends with it) no longer counts.
    const three = await openStore(url);
    const four = await openStore(url);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    let dieNow = (): void => undefined;
    let threeStarted = (): void => undefined;
    const started = new Promise<void>((resolve) => (threeStarted = resolve));
    const reading = three.reading(
      () =>
        new Promise<void>((resolve) => {
          dieNow = resolve;
          threeStarted();
        }),
    );
    try {
      await started;
      expect((await four.reading(async () => undefined)).othersReading).toBe(true);
      // With a timeout, pg_terminate_backend returns once the backend is gone, its locks with it (PostgreSQL 14+).
      const killed = await admin.query(
        `SELECT pg_terminate_backend(pid, 60000) FROM pg_locks
         WHERE locktype = 'advisory' AND objsubid = 2 AND granted AND pid <> pg_backend_pid()`,
      );
      expect(killed.rowCount).toBe(1);
      expect((await four.reading(async () => undefined)).othersReading).toBe(false);
    } finally {
      // Ended even when an expectation fails: a reading never ended holds its pooled client, and close() would wait for it.
      dieNow();
      await reading.catch(() => undefined);
      await admin.end();
      await three.close().catch(() => undefined);
      await four.close();
    }
  });

  it('names the database without its password in one line, with the remedy', async () => {
    const error = await openStore('postgres://feedmerge:s3cret@127.0.0.1:1/feedmerge').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    const message = (error as Error).message;
    expect(message).toMatch(/^store: postgres:\/\/feedmerge:\*\*\*@127\.0\.0\.1:1\/feedmerge: cannot connect/);
    expect(message).not.toContain('s3cret');
    expect(message.split('\n')).toHaveLength(1);
  });
});
