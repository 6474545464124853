import type { Config } from './config.js';
import { DAY_MS } from './model.js';
import { fillsEveryFeed, selectClusters } from './publish/feeds.js';
import type { PruneCounts, Store } from './store/index.js';

/** What a prune did. */
interface PruneReport extends PruneCounts {
  /** ISO time before which stories were eligible for deletion. */
  readonly cutoff: string;
  /** Stories kept although old, because a published feed still shows them. */
  readonly protectedStories: number;
}

/**
 * Deletes stories (clusters and their items) not changed for `retention.days`, except those any output
 * feed still shows (its top `limit` after filters): a subscriber never sees a published entry vanish
 * because it aged, only because newer stories pushed it out. One transaction: all of it or nothing.
 */
export async function pruneExpired(config: Config, store: Store, now: Date): Promise<PruneReport> {
  const cutoffMs = now.getTime() - config.retention.days * DAY_MS;
  const cutoff = new Date(cutoffMs).toISOString();
  const clusters = await store.clusters.newest((loaded) => fillsEveryFeed(loaded, config.publish.feeds, now.getTime()));
  const shown = new Set(config.publish.feeds.flatMap((feed) => selectClusters(clusters, feed, now.getTime()).map((cluster) => cluster.id)));
  const counts = await store.retention.prune(cutoff, cutoffMs, [...shown], now.toISOString());
  const protectedStories = clusters.filter((cluster) => shown.has(cluster.id) && Date.parse(cluster.updated) < cutoffMs).length;
  return { ...counts, cutoff, protectedStories };
}

/** One log line describing a prune. */
export function pruneSummary(report: PruneReport): string {
  return [
    `prune: deleted ${report.clusters} stories, ${report.items} items, ${report.mergeRecords} merge records`,
    ` and ${report.runs} run records older than ${report.cutoff};`,
    ` kept ${report.protectedStories} old stories still shown in a published feed;`,
    ` forgot ${report.tombstones} pruned items their sources no longer list`,
  ].join('');
}
