import type { Command } from 'commander';
import type { Cluster } from '../model.js';
import { configFrom, withStore, type GlobalOptions } from './context.js';

interface ClustersOptions extends GlobalOptions {
  readonly json?: boolean;
  readonly limit?: number;
}

/** `feedmerge clusters [--json]`: the stories and every outlet that carried each. */
export function registerClusters(program: Command): void {
  program
    .command('clusters')
    .description('list the stories (clusters), newest first, with every item that carried each')
    .option('--json', 'print machine-readable JSON: {"clusters":[{id,title,updated,items:[...]}]}')
    .option('--limit <n>', 'at most this many stories', (value) => positiveInteger(value, '--limit'))
    .action(async (_options: ClustersOptions, command: Command) => {
      const options = command.optsWithGlobals<ClustersOptions>();
      const config = await configFrom(options);
      const clusters = await withStore(config, (store) => store.clusters.latest(options.limit));
      process.stdout.write(options.json ? `${JSON.stringify({ clusters: clusters.map(clusterJson) }, null, 2)}\n` : clustersText(clusters));
    });
}

/** The `clusters --json` shape (a contract: extend, never rename). */
function clusterJson(cluster: Cluster): Record<string, unknown> {
  return {
    id: cluster.id,
    title: cluster.title,
    updated: cluster.updated,
    published: cluster.published,
    related: cluster.related,
    items: cluster.items.map((item) => ({
      id: item.id,
      source: item.sourceName,
      sourceUrl: item.sourceUrl,
      title: item.title,
      summary: item.summary,
      link: item.link,
      guid: item.guid,
      author: item.author,
      published: item.published,
      outlet: item.outlet,
      firstSeenAt: item.firstSeenAt,
    })),
  };
}

function clustersText(clusters: readonly Cluster[]): string {
  if (clusters.length === 0) return 'No stories yet: run `feedmerge run` first.\n';
  return clusters
    .map((cluster) => {
      const outlets = cluster.items.map(
        (item) => `    - ${item.sourceName}${item.outlet ? ` (via ${item.outlet})` : ''} [${item.id}]: ${item.title}`,
      );
      return [`${cluster.title}  [${cluster.id}, ${cluster.items.length} item${cluster.items.length === 1 ? '' : 's'}]`, ...outlets].join(
        '\n',
      );
    })
    .join('\n\n')
    .concat('\n');
}

/** Parses a positive integer option or fails with a clear message. */
export function positiveInteger(value: string, flag: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) throw new Error(`${flag} must be a positive integer, got "${value}"`);
  return number;
}
