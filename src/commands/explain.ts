import type { Command } from 'commander';
import { FeedmergeError } from '../errors.js';
import { DAY_MS, type ClusterInput } from '../model.js';
import { configFrom, withStore, type GlobalOptions } from './context.js';

interface ExplainOptions extends GlobalOptions {
  readonly json?: boolean;
}

/** `feedmerge explain <itemA> <itemB>`: the scores and the reason two items were or were not merged. */
export function registerExplain(program: Command): void {
  program
    .command('explain')
    .description('show the similarity scores of two items and why they are (not) one story')
    .argument('<itemA>', 'item id (see `feedmerge clusters`)')
    .argument('<itemB>', 'item id')
    .option('--json', 'print the explanation as JSON')
    .action(async (idA: string, idB: string, _options: ExplainOptions, command: Command) => {
      const options = command.optsWithGlobals<ExplainOptions>();
      const config = await configFrom(options);
      const { explainPair, formatExplanation } = await import('../cluster/index.js');
      await withStore(config, async (store) => {
        const input = async (id: string): Promise<ClusterInput> => {
          const found = await store.items.getClusterInput(id);
          if (!found) throw new FeedmergeError(`explain: no item with id "${id}" (ids are listed by \`feedmerge clusters\`)`);
          return found;
        };
        const a = await input(idA);
        const b = await input(idB);
        // Rare-word weights depend on the batch: score against the items a run would see beside these two.
        const windowMs = config.cluster.windowDays * DAY_MS;
        const context = [
          ...(await store.items.clusteredBetween(Math.min(a.time, b.time) - windowMs, Math.max(a.time, b.time) + windowMs)),
          ...(await store.items.unclustered()),
        ];
        const explanation = explainPair(a, b, config.cluster, context);
        const itemA = (await store.items.get(a.id))!;
        const itemB = (await store.items.get(b.id))!;
        const sameCluster = itemA.clusterId !== null && itemA.clusterId === itemB.clusterId;
        // Corrections by hand overrule the scores: every run obeys them after clustering.
        const { correctionsOfPair } = await import('../cluster/corrections.js');
        const active = (await store.corrections.list()).filter((c) => c.undoneAt === null);
        const corrections = correctionsOfPair(a.id, b.id, active);
        if (options.json) {
          process.stdout.write(`${JSON.stringify({ ...explanation, sameCluster, corrections }, null, 2)}\n`);
        } else {
          const stored = `Stored clusters: ${sameCluster ? `both in ${itemA.clusterId}` : `${itemA.clusterId ?? 'none'} vs ${itemB.clusterId ?? 'none'}`}`;
          const byHand = corrections.map((c) => `By hand: ${c.reason}\n`).join('');
          process.stdout.write(`${formatExplanation(explanation)}\n${stored}\n${byHand}`);
        }
      });
    });
}
