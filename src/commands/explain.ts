import type { Command } from 'commander';
import { FeedmergeError } from '../errors.js';
import { DAY_MS, type ClusterInput, type StoredDecision } from '../model.js';
import type { Store } from '../store/store.js';
import { configFrom, withStore, type GlobalOptions } from './context.js';

interface ExplainOptions extends GlobalOptions {
  readonly json?: boolean;
}

/** How one item came to be in its story: its placement, then every merge that carried that story along. */
interface ItemHistory {
  readonly itemId: string;
  readonly storyId: string | null;
  readonly steps: readonly StoredDecision[];
}

/** `feedmerge explain <itemA> <itemB>`: whether two items are one story, from the recorded decisions, then the
 * pair's similarity scores as extra information. */
export function registerExplain(program: Command): void {
  program
    .command('explain')
    .description(
      'tell whether two items are one story and how each came to be there (the recorded decisions), with their similarity scores',
    )
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
        const pairwise = explainPair(a, b, config.cluster, context);
        const historyA = await historyOf(store, a.id);
        const historyB = await historyOf(store, b.id);
        // The verdict is the stored membership, which the recorded decisions produced: never a re-derivation.
        const sameStory = historyA.storyId !== null && historyA.storyId === historyB.storyId;
        const reason = verdict(sameStory, historyA, historyB);
        // Corrections by hand overrule the scores: every run obeys them after clustering.
        const { correctionsOfPair } = await import('../cluster/corrections.js');
        const active = (await store.corrections.list()).filter((c) => c.undoneAt === null);
        const corrections = correctionsOfPair(a.id, b.id, active);
        if (options.json) {
          const json = {
            ...pairwise,
            merged: sameStory,
            reason,
            sameCluster: sameStory,
            sameStory,
            history: { a: historyA, b: historyB },
            corrections,
            pairwise: { merged: pairwise.merged, reason: pairwise.reason },
          };
          process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
        } else {
          const lines = [
            `${sameStory ? 'ONE STORY' : 'DIFFERENT STORIES'}: ${reason}`,
            ...corrections.map((c) => `By hand: ${c.reason}`),
            ...[historyA, historyB].flatMap((h) => [
              `How ${h.itemId} came to be in ${h.storyId ?? 'no story'}:`,
              ...h.steps.map((step) => `  - ${describeStep(step)}`),
            ]),
            '',
            'Pairwise scores (extra information; stories are decided item against story, not pair by pair):',
            formatExplanation(pairwise),
          ];
          process.stdout.write(`${lines.join('\n')}\n`);
        }
      });
    });
}

/** The placement of an item and the merges that moved its story, as recorded. */
async function historyOf(store: Store, itemId: string): Promise<ItemHistory> {
  const storyId = (await store.items.get(itemId))?.clusterId ?? null;
  const steps: StoredDecision[] = [];
  const placement = await store.clusters.placementOf(itemId);
  if (placement !== undefined) {
    steps.push(placement);
    const seen = new Set<string>();
    let story = placement.storyId;
    for (
      let merge = await store.clusters.mergeOf(story);
      merge !== undefined && !seen.has(story);
      merge = await store.clusters.mergeOf(story)
    ) {
      seen.add(story);
      steps.push(merge);
      story = merge.storyId;
    }
  }
  return { itemId, storyId, steps };
}

function verdict(sameStory: boolean, a: ItemHistory, b: ItemHistory): string {
  if (a.storyId === null || b.storyId === null)
    return `${a.storyId === null ? a.itemId : b.itemId} is not clustered yet (the next run places it)`;
  if (sameStory) return `both items are in story ${a.storyId}`;
  return `${a.itemId} is in story ${a.storyId}, ${b.itemId} in story ${b.storyId}`;
}

function describeStep(step: StoredDecision): string {
  const when = step.decidedAt.slice(0, 19).replace('T', ' ');
  if (step.itemId === null) return `${when}: story ${step.comparedWith} merged into ${step.storyId} (${step.rule}): ${step.detail}`;
  return `${when}: placed in ${step.storyId} (${step.rule}): ${step.detail}`;
}
