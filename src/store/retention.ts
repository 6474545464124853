import type { Db } from './db.js';
import type { PruneCounts } from './store.js';

/** Deletes what has outlived the retention period; the only place rows are deleted by age. */
export class RetentionRepository {
  private statements: ReturnType<RetentionRepository['prepare']> | undefined;

  constructor(private readonly db: Db) {}

  /**
   * Deletes clusters whose last change and every member's time are before the cutoff (unless listed in
   * `keep`: what a published feed still shows), live clusters with no members left, the merge records that
   * point (directly or through a chain) to a deleted cluster, the members of deleted clusters, unclustered
   * items older than the cutoff and old run records. Every deleted item leaves a tombstone (see
   * ItemRepository.upsert); tombstones unseen since the cutoff go. Call inside a transaction.
   */
  prune(cutoffIso: string, cutoffMs: number, keep: readonly string[], nowIso: string): PruneCounts {
    const s = (this.statements ??= this.prepare());
    s.clear.run();
    const live = s.collectLive.run({ cutoffIso, cutoffMs, keep: JSON.stringify(keep) }).changes;
    const withMerged = live + s.collectMerged.run().changes;
    const tombstones = s.dropTombstones.run({ cutoffIso }).changes;
    s.buryMembers.run({ nowIso });
    s.buryUnclustered.run({ cutoffIso, cutoffMs, nowIso });
    const items = s.deleteMembers.run().changes + s.deleteUnclustered.run({ cutoffIso, cutoffMs }).changes;
    s.deleteClusters.run();
    const runs = s.deleteRuns.run({ cutoffIso }).changes;
    s.clear.run();
    return { items, clusters: live, mergeRecords: withMerged - live, runs, tombstones };
  }

  private prepare() {
    // A temp table (per connection, never on disk in the database file) holds the ids being deleted.
    this.db.exec(`CREATE TEMP TABLE IF NOT EXISTS prune_clusters (id TEXT PRIMARY KEY)`);
    return {
      clear: this.db.prepare(`DELETE FROM temp.prune_clusters`),
      collectLive: this.db.prepare(`
        INSERT INTO temp.prune_clusters (id)
        SELECT c.id FROM clusters c
        WHERE c.merged_into IS NULL
          AND c.id NOT IN (SELECT value FROM json_each(@keep))
          AND (
            NOT EXISTS (SELECT 1 FROM items i WHERE i.cluster_id = c.id)
            OR (c.updated_at < @cutoffIso
                AND NOT EXISTS (SELECT 1 FROM items i
                                WHERE i.cluster_id = c.id AND (i.sort_time >= @cutoffMs OR i.first_seen_at >= @cutoffIso)))
          )`),
      collectMerged: this.db.prepare(`
        INSERT OR IGNORE INTO temp.prune_clusters (id)
        WITH RECURSIVE gone(id) AS (
          SELECT id FROM temp.prune_clusters
          UNION
          SELECT c.id FROM clusters c JOIN gone g ON c.merged_into = g.id
        )
        SELECT id FROM gone`),
      dropTombstones: this.db.prepare(`DELETE FROM pruned_items WHERE last_seen_at < @cutoffIso`),
      buryMembers: this.db.prepare(`
        INSERT OR REPLACE INTO pruned_items (source_url, identity, pruned_at, last_seen_at)
        SELECT source_url, identity, @nowIso, @nowIso FROM items WHERE cluster_id IN (SELECT id FROM temp.prune_clusters)`),
      buryUnclustered: this.db.prepare(`
        INSERT OR REPLACE INTO pruned_items (source_url, identity, pruned_at, last_seen_at)
        SELECT source_url, identity, @nowIso, @nowIso FROM items
        WHERE cluster_id IS NULL AND sort_time < @cutoffMs AND first_seen_at < @cutoffIso`),
      deleteMembers: this.db.prepare(`DELETE FROM items WHERE cluster_id IN (SELECT id FROM temp.prune_clusters)`),
      deleteUnclustered: this.db.prepare(
        `DELETE FROM items WHERE cluster_id IS NULL AND sort_time < @cutoffMs AND first_seen_at < @cutoffIso`,
      ),
      // One statement: SQLite checks the merged_into foreign keys at its end, when the whole chain is gone.
      deleteClusters: this.db.prepare(`DELETE FROM clusters WHERE id IN (SELECT id FROM temp.prune_clusters)`),
      deleteRuns: this.db.prepare(`DELETE FROM runs WHERE started_at < @cutoffIso AND id < (SELECT MAX(id) FROM runs)`),
    };
  }
}
