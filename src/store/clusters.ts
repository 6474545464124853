import { correctionDecisions, type CorrectionStep } from '../cluster/corrections.js';
import { storyTitle } from '../cluster/story-title.js';
import type { Cluster, ClusteringResult, Item, StoredDecision } from '../model.js';
import type { Db } from './db.js';
import { DecisionRepository } from './decisions.js';
import type { ItemRepository } from './items.js';
import type { ApplyResult } from './store.js';

export interface ClusterRow {
  id: string;
  created_at: string;
  updated_at: string;
}

/** Stories in the first page `newest` reads; each further page is twice as large. */
export const NEWEST_FIRST_PAGE = 256;

/** A change time later than every stored one (ISO times start with a digit): `newest` starts before it. */
export const AFTER_EVERY_CHANGE = '~';

/** Stories whose members one query loads (one query each cost 1 s of a 63,660-item run: issue 18). */
const MEMBERS_PER_QUERY = 1000;

/** The clusters table: stories, with stable ids and a record of merges. */
export class ClusterRepository {
  private readonly insert;
  private readonly touchOne;
  private readonly markMerged;
  private readonly selectLive;
  private readonly selectHeads;
  private readonly selectMergedInto;
  private readonly selectRelatedOfMany;
  private readonly decisions: DecisionRepository;

  constructor(
    private readonly db: Db,
    private readonly items: ItemRepository,
  ) {
    this.insert = db.prepare(`INSERT OR IGNORE INTO clusters (id, created_at, updated_at) VALUES (?, ?, ?)`);
    this.touchOne = db.prepare(`UPDATE clusters SET updated_at = ? WHERE id = ? AND updated_at < ?`);
    this.markMerged = db.prepare(`UPDATE clusters SET merged_into = ?, updated_at = ? WHERE id = ?`);
    this.selectLive = db.prepare<[number], ClusterRow>(
      `SELECT id, created_at, updated_at FROM clusters WHERE merged_into IS NULL ORDER BY updated_at DESC, id LIMIT ?`,
    );
    this.selectHeads = db.prepare<{ before: string; skip: number }, ClusterRow>(storyHeadsSql((name) => `@${name}`, ''));
    this.selectMergedInto = db.prepare<[string], { merged_into: string | null }>(`SELECT merged_into FROM clusters WHERE id = ?`);
    // One scan for a page of stories: per story, `b = ?` has no index and read the whole table each time
    // (2.3 s of a 63,660-item run's publishing: issue 18).
    this.selectRelatedOfMany = db.prepare<[string, string], { story: string; other: string }>(
      relatedStoriesSql((column) => `${column} IN (SELECT value FROM json_each(?))`),
    );
    this.decisions = new DecisionRepository(db);
  }

  /**
   * Records the clustering core's decisions: new clusters are created, clusters that gain a member or absorb
   * another move their `updated` to `now`. Call inside a transaction.
   */
  apply(result: ClusteringResult, now: string): ApplyResult {
    let newClusters = 0;
    const grown = new Set<string>();
    const created = new Set<string>();
    for (const { clusterId } of result.assignments) {
      // One statement a story, not one a member (issue 18); a story created here that takes more members grew too.
      if (created.has(clusterId)) grown.add(clusterId);
      else if (grown.has(clusterId)) continue;
      else if (this.insert.run(clusterId, now, now).changes > 0) {
        created.add(clusterId);
        newClusters++;
      } else grown.add(clusterId);
    }
    this.items.assign(result.assignments);
    for (const { from, into } of result.merges) {
      this.items.moveCluster(from, into);
      this.markMerged.run(into, now, from);
      grown.add(into);
    }
    this.touch([...grown], now);
    this.decisions.record(result.decisions ?? [], result.related ?? [], now);
    return { newClusters, grownClusters: grown.size, merged: result.merges.length };
  }

  /** Moves `updated` of these clusters to `now` (a member's text changed or it gained one). */
  touch(ids: readonly string[], now: string): void {
    for (const id of ids) this.touchOne.run(now, id, now);
  }

  /** Live clusters, most recently updated first, with their members. */
  latest(limit: number = Number.MAX_SAFE_INTEGER): Cluster[] {
    return this.withMembers(this.selectLive.all(limit));
  }

  /**
   * The most recently changed stories in the feeds' order (see storyHeadsSql), loaded page by page (256 stories,
   * then twice as many each time) until `enough` says so or none is left. Every story not loaded comes later in
   * that order than every one loaded, so a feed's selection that `enough` accepts is complete: publishing reads a
   * handful of pages, not the whole history, nor all of a run's stories when they share its change time (a first
   * run's 13,398: 1 s of its publishing, and as much on every run after it: issue 18). One synchronous read, so
   * no write of this process comes between two pages.
   */
  newest(enough: (loaded: readonly Cluster[]) => boolean): Cluster[] {
    const loaded: Cluster[] = [];
    let page = NEWEST_FIRST_PAGE;
    for (let before = AFTER_EVERY_CHANGE; ;) {
      const heads = this.selectHeads.all({ before, skip: page - 1 });
      if (heads.length === 0) return loaded;
      for (let start = 0; start < heads.length; start += page, page *= 2) {
        loaded.push(...this.withMembers(heads.slice(start, start + page)));
        if (enough(loaded)) return loaded;
      }
      before = heads[heads.length - 1]!.updated_at;
    }
  }

  /** The stories of these rows with their members (one query a page); a story left without members is dropped. */
  private withMembers(rows: readonly ClusterRow[]): Cluster[] {
    const clusters: Cluster[] = [];
    for (let start = 0; start < rows.length; start += MEMBERS_PER_QUERY) {
      const page = rows.slice(start, start + MEMBERS_PER_QUERY);
      const ids = page.map((row) => row.id);
      const members = this.items.inClusters(ids);
      const related = this.relatedOfMany(ids);
      for (const row of page) {
        const items = members.get(row.id) ?? [];
        if (items.length > 0) clusters.push(toCluster(row, items, related.get(row.id) ?? []));
      }
    }
    return clusters;
  }

  /**
   * Carries out the steps that make the stories obey the corrections (see cluster/corrections.ts): an item
   * moved to a story (created, or revived if it had been merged away), or a story merged into another. Every
   * story touched moves its `updated` to `now`. Call inside a transaction.
   */
  correct(steps: readonly CorrectionStep[], now: string): void {
    const touched = new Set<string>();
    for (const step of steps) {
      if (step.kind === 'move') {
        const from = this.db
          .prepare<[string], { cluster_id: string | null }>(`SELECT cluster_id FROM items WHERE id = ?`)
          .get(step.itemId)?.cluster_id;
        this.insert.run(step.to, now, now);
        this.db.prepare(`UPDATE clusters SET merged_into = NULL WHERE id = ?`).run(step.to);
        this.items.assign([{ itemId: step.itemId, clusterId: step.to }]);
        if (from) touched.add(from);
        touched.add(step.to);
      } else {
        this.db.prepare(`UPDATE clusters SET merged_into = NULL WHERE id = ?`).run(step.into);
        this.items.moveCluster(step.from, step.into);
        this.markMerged.run(step.into, now, step.from);
        touched.add(step.into);
      }
    }
    this.touch([...touched], now);
    this.decisions.record(correctionDecisions(steps), [], now);
  }

  /** One live story by id (the server renders a story page `run` has not written). */
  get(id: string): Cluster | undefined {
    const row = this.db
      .prepare<[string], ClusterRow>(`SELECT id, created_at, updated_at FROM clusters WHERE id = ? AND merged_into IS NULL`)
      .get(id);
    return row ? toCluster(row, this.items.inCluster(row.id), this.relatedOf(row.id)) : undefined;
  }

  /** Follows merge records to the surviving story id (the server's 301 for a merged-away story page). */
  resolve(id: string): string | undefined {
    let current = id;
    for (let hops = 0; hops < 1000; hops++) {
      const row = this.selectMergedInto.get(current);
      if (!row) return undefined;
      if (!row.merged_into) return current;
      current = row.merged_into;
    }
    return undefined;
  }

  /**
   * The ids merged (directly or through a chain) into one of `live`, each with the live id it forwards to:
   * old story pages and links keep working after a merge.
   */
  mergedInto(live: readonly string[]): { from: string; to: string }[] {
    const rows = this.db
      .prepare<[], { id: string; merged_into: string }>(`SELECT id, merged_into FROM clusters WHERE merged_into IS NOT NULL`)
      .all();
    return followMerges(rows, live);
  }

  /** Forgets every cluster (items become unclustered): used when the clustering level changes. */
  reset(): void {
    this.db.prepare(`UPDATE items SET cluster_id = NULL WHERE cluster_id IS NOT NULL`).run();
    this.db.prepare(`DELETE FROM clusters`).run();
    this.decisions.reset();
  }

  placementOf(itemId: string): StoredDecision | undefined {
    return this.decisions.placementOf(itemId);
  }

  mergeOf(storyId: string): StoredDecision | undefined {
    return this.decisions.mergeOf(storyId);
  }

  /** Live stories recorded as related to this one (merged-away ids followed to their survivor), sorted. */
  private relatedOf(id: string): string[] {
    return this.relatedOfMany([id]).get(id) ?? [];
  }

  /** `relatedOf` for many stories in one query: only those with a related story are keys. */
  private relatedOfMany(ids: readonly string[]): Map<string, string[]> {
    const json = JSON.stringify(ids);
    return relatedByStory(this.selectRelatedOfMany.all(json, json));
  }
}

/**
 * Live stories with members, in the feeds' order: latest change first, then the latest earliest member (its
 * publication time, else when it was first seen), then id; whole groups of equal change times, from the latest
 * one before `before` down to that of the story `skip` places further (or to the end). `param(name)`: the engine's
 * placeholder for a named parameter; `collate`: what makes text compare as bytes (PostgreSQL: COLLATE "C").
 */
export function storyHeadsSql(param: (name: 'before' | 'skip') => string, collate: string): string {
  const before = param('before');
  return `SELECT c.id, c.created_at, c.updated_at FROM clusters c JOIN items i ON i.cluster_id = c.id
    WHERE c.merged_into IS NULL AND c.updated_at < ${before} AND c.updated_at >= COALESCE((
      SELECT updated_at FROM clusters WHERE merged_into IS NULL AND updated_at < ${before}
      ORDER BY updated_at DESC LIMIT 1 OFFSET ${param('skip')}), '')
    GROUP BY c.id ORDER BY c.updated_at DESC, MIN(COALESCE(i.published, i.first_seen_at)${collate}) DESC, c.id`;
}

/** The rows of relatedStoriesSql as each story's related ones, in their order. */
export function relatedByStory(rows: readonly { readonly story: string; readonly other: string }[]): Map<string, string[]> {
  const others = new Map<string, string[]>();
  for (const { story, other } of rows) {
    const list = others.get(story);
    if (list) list.push(other);
    else others.set(story, [other]);
  }
  return others;
}

/**
 * The stories related to some stories (`isOne(column)`: the engine's test that a column holds one of their ids), as
 * (story, other) rows: each merged-away id followed to its surviving story, never the story itself, sorted. Merges
 * are followed in the query: a query per related id was 0.1 s of a 63,660-item run's publishing (issue 18).
 */
export function relatedStoriesSql(isOne: (column: string) => string): string {
  return `WITH RECURSIVE pair(story, other) AS (
      SELECT a, b FROM related_stories WHERE ${isOne('a')}
      UNION SELECT b, a FROM related_stories WHERE ${isOne('b')}
    ), live(story, other, hops) AS (
      SELECT story, other, 0 FROM pair
      UNION ALL SELECT l.story, c.merged_into, l.hops + 1 FROM live l JOIN clusters c ON c.id = l.other
      WHERE c.merged_into IS NOT NULL AND l.hops < 1000
    )
    SELECT DISTINCT l.story AS story, l.other AS other FROM live l JOIN clusters c ON c.id = l.other
    WHERE c.merged_into IS NULL AND l.other <> l.story ORDER BY 1, 2`;
}

export function toCluster(row: ClusterRow, items: readonly Item[], related: readonly string[]): Cluster {
  const published = items.map(itemTime).sort()[0] ?? row.created_at;
  return { id: row.id, title: storyTitle(items), published, updated: row.updated_at, items, related };
}

/** An item's time: its publication date, else when feedmerge first saw it. */
function itemTime(item: Item): string {
  return item.published ?? item.firstSeenAt;
}

/** Merge records followed to their end: every merged id whose chain ends in one of `live`, sorted by id. */
export function followMerges(
  rows: readonly { id: string; merged_into: string }[],
  live: readonly string[],
): { from: string; to: string }[] {
  const wanted = new Set(live);
  const next = new Map(rows.map((row) => [row.id, row.merged_into]));
  const out: { from: string; to: string }[] = [];
  for (const row of rows) {
    let to = row.merged_into;
    for (let hops = 0; next.has(to) && hops < 1000; hops++) to = next.get(to)!;
    if (wanted.has(to)) out.push({ from: row.id, to });
  }
  return out.sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
}
