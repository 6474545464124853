import type pg from 'pg';
import type { RawItem } from '../model.js';
import { contentHash, ITEM_CONTENT_COLUMNS, itemContentValues, itemId } from './items.js';
import type { UpsertResult } from './store.js';

type Queryable = pg.Pool | pg.PoolClient;

interface KnownItem {
  readonly source_url: string;
  readonly identity: string;
  readonly id: string;
  readonly content_hash: string;
  readonly position: number;
  readonly cluster_id: string | null;
}

/** PostgreSQL's type of each content column (ITEM_CONTENT_COLUMNS), for the arrays `unnest` inserts from. */
const CONTENT_TYPES: Record<(typeof ITEM_CONTENT_COLUMNS)[number], string> = {
  guid: 'text',
  link: 'text',
  title: 'text',
  summary: 'text',
  content_html: 'text',
  author: 'text',
  outlet: 'text',
  published: 'text',
  updated: 'text',
  categories: 'text',
  position: 'int',
  truncated: 'int',
  content_hash: 'text',
};

/** Column types of a new item row: id, source_url, identity, the content, first_seen_at, changed_at, sort_time. */
const INSERT_TYPES = ['text', 'text', 'text', ...ITEM_CONTENT_COLUMNS.map((column) => CONTENT_TYPES[column]), 'text', 'text', 'bigint'];

/** New items, one array per column: a batch in one statement, stored once per (source, identity). */
const INSERT_ITEMS = `INSERT INTO items (id, source_url, identity, ${ITEM_CONTENT_COLUMNS.join(', ')}, first_seen_at, changed_at, sort_time)
  SELECT * FROM unnest(${INSERT_TYPES.map((type, i) => `$${i + 1}::${type}[]`).join(', ')})
  ON CONFLICT (source_url, identity) DO NOTHING RETURNING source_url`;

/** A changed item's content ($2...), change time and publication time, by id ($1). */
const UPDATE_CONTENT = `UPDATE items SET ${ITEM_CONTENT_COLUMNS.map((column, i) => `${column} = $${i + 2}`).join(', ')},
  changed_at = $${ITEM_CONTENT_COLUMNS.length + 2}, sort_time = COALESCE($${ITEM_CONTENT_COLUMNS.length + 3}::bigint, sort_time)
  WHERE id = $1`;

/** One source's items to upsert. */
export interface SourceItems {
  readonly url: string;
  readonly items: readonly RawItem[];
}

/**
 * As ItemRepository.upsert, for several sources in a few statements (issue 17: one round trip per statement
 * was most of a worker's database time): new identities inserted (ON CONFLICT: stored once), changed ones
 * updated, tombstones honoured. Returns each source's result, in order. A source listed twice is upserted
 * one read after the other, so the second sees the first.
 */
export async function upsertSources(c: Queryable, reads: readonly SourceItems[], now: string): Promise<UpsertResult[]> {
  const urls = reads.filter((read) => read.items.length > 0).map((read) => read.url);
  if (new Set(urls).size !== urls.length) {
    const results: UpsertResult[] = [];
    for (const read of reads) results.push(...(await upsertSources(c, [read], now)));
    return results;
  }
  if (urls.length === 0) return reads.map(() => ({ inserted: 0, updated: 0, changedClusters: [] }));
  const { rows: known } = await c.query<KnownItem>(
    `SELECT source_url, identity, id, content_hash, position, cluster_id FROM items WHERE source_url = ANY($1::text[])`,
    [urls],
  );
  const existing = new Map(known.map((row) => [`${row.source_url}\n${row.identity}`, row]));
  const { rows: buried } = await c.query<{ source_url: string; identity: string }>(
    `SELECT source_url, identity FROM pruned_items WHERE source_url = ANY($1::text[])`,
    [urls],
  );
  const tombstones = new Set(buried.map((row) => `${row.source_url}\n${row.identity}`));
  const nowMs = Date.parse(now);
  const fresh: unknown[][] = [];
  const seen: { source: string; identity: string }[] = [];
  const moved: { id: string; position: number }[] = [];
  const planned = [];
  for (const read of reads) {
    const freshHere = new Map<string, unknown[]>();
    let updated = 0;
    const changedClusters = new Set<string>();
    for (const item of read.items) {
      const key = `${read.url}\n${item.identity}`;
      const hash = contentHash(item);
      const publishedTime = item.published ? Date.parse(item.published) : null;
      const values = itemContentValues(item, hash);
      const row = existing.get(key);
      if (!row) {
        if (tombstones.has(key)) {
          seen.push({ source: read.url, identity: item.identity });
          continue;
        }
        if (freshHere.has(item.identity)) updated++;
        freshHere.set(item.identity, [
          itemId(read.url, item.identity),
          read.url,
          item.identity,
          ...values,
          now,
          now,
          publishedTime ?? nowMs,
        ]);
      } else if (row.content_hash !== hash) {
        await c.query(UPDATE_CONTENT, [row.id, ...values, now, publishedTime]);
        updated++;
        if (row.cluster_id) changedClusters.add(row.cluster_id);
      } else if (row.position !== item.position) {
        moved.push({ id: row.id, position: item.position });
      }
    }
    fresh.push(...freshHere.values());
    planned.push({ url: read.url, updated, changedClusters: [...changedClusters] });
  }
  if (moved.length > 0) {
    await c.query(`UPDATE items SET position = v.position FROM unnest($1::text[], $2::int[]) AS v(id, position) WHERE items.id = v.id`, [
      moved.map((m) => m.id),
      moved.map((m) => m.position),
    ]);
  }
  if (seen.length > 0) {
    await c.query(
      `UPDATE pruned_items SET last_seen_at = $1 FROM unnest($2::text[], $3::text[]) AS v(source_url, identity)
       WHERE pruned_items.source_url = v.source_url AND pruned_items.identity = v.identity`,
      [now, seen.map((s) => s.source), seen.map((s) => s.identity)],
    );
  }
  const inserted = new Map<string, number>();
  if (fresh.length > 0) {
    const column = (i: number): unknown[] => fresh.map((row) => row[i]);
    const { rows } = await c.query<{ source_url: string }>(
      INSERT_ITEMS,
      Array.from({ length: INSERT_TYPES.length }, (_, i) => column(i)),
    );
    for (const row of rows) inserted.set(row.source_url, (inserted.get(row.source_url) ?? 0) + 1);
  }
  return planned.map(({ url, updated, changedClusters }) => ({ inserted: inserted.get(url) ?? 0, updated, changedClusters }));
}
