import type pg from 'pg';
import type { RawItem } from '../model.js';
import { contentHash, itemId } from './items.js';
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
      const values = [
        item.guid,
        item.link,
        item.title,
        item.summary,
        item.contentHtml,
        item.author,
        item.outlet,
        item.published,
        item.updated,
        JSON.stringify(item.categories),
        item.position,
        item.truncated ? 1 : 0,
        hash,
      ];
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
        await c.query(
          `UPDATE items SET guid = $2, link = $3, title = $4, summary = $5, content_html = $6, author = $7, outlet = $8, published = $9,
             updated = $10, categories = $11, position = $12, truncated = $13, content_hash = $14, changed_at = $15,
             sort_time = COALESCE($16::bigint, sort_time) WHERE id = $1`,
          [row.id, ...values, now, publishedTime],
        );
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
      `INSERT INTO items (id, source_url, identity, guid, link, title, summary, content_html, author, outlet, published, updated,
         categories, position, truncated, content_hash, first_seen_at, changed_at, sort_time)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
         $10::text[], $11::text[], $12::text[], $13::text[], $14::int[], $15::int[], $16::text[], $17::text[], $18::text[], $19::bigint[])
       ON CONFLICT (source_url, identity) DO NOTHING RETURNING source_url`,
      Array.from({ length: 19 }, (_, i) => column(i)),
    );
    for (const row of rows) inserted.set(row.source_url, (inserted.get(row.source_url) ?? 0) + 1);
  }
  return planned.map(({ url, updated, changedClusters }) => ({ inserted: inserted.get(url) ?? 0, updated, changedClusters }));
}
