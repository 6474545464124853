import type { Command } from 'commander';
import type { CorrectionStep } from '../cluster/corrections.js';
import type { Config } from '../config.js';
import { FeedmergeError } from '../errors.js';
import type { StoredCorrection } from '../store/corrections.js';
import type { Store } from '../store/index.js';
import { configFrom, withStore, type GlobalOptions } from './context.js';

interface ListOptions extends GlobalOptions {
  readonly json?: boolean;
}

/**
 * `feedmerge split <itemId>`, `feedmerge merge <storyA> <storyB>`, `feedmerge corrections [--json]` and
 * `feedmerge corrections undo <n>`: corrections by hand, stored in their own table, obeyed by every later run
 * (and by re-clustering after a level change); the feeds and pages are published again at once.
 */
export function registerCorrections(program: Command): void {
  program
    .command('split')
    .description('take an item out of its story: it becomes a story of its own and never rejoins that one automatically')
    .argument('<itemId>', 'the item, as `clusters --json` shows it')
    .action(async (itemId: string, _options: GlobalOptions, command: Command) => {
      const config = await configFrom(command.optsWithGlobals<GlobalOptions>());
      const line = await correcting(config, async (store, now) => {
        const item = await store.items.get(itemId);
        if (!item) throw new FeedmergeError(`split: no item ${itemId} (\`feedmerge clusters --json\` lists them)`);
        if (!item.clusterId) throw new FeedmergeError(`split: item ${itemId} is in no story yet; run \`feedmerge run\` first`);
        const mates = (await store.items.inCluster(item.clusterId)).map((member) => member.id).filter((id) => id !== itemId);
        if (mates.length === 0) throw new FeedmergeError(`split: item ${itemId} is already a story of its own (${item.clusterId})`);
        const n = await store.corrections.add({ kind: 'split', at: now, itemId, fromStory: item.clusterId, apartFrom: mates });
        return `Correction ${n}: item ${itemId} taken out of story ${item.clusterId}`;
      });
      process.stdout.write(`${line}.\n`);
    });

  program
    .command('merge')
    .description('make two stories one: the older id survives, the other redirects to it')
    .argument('<storyA>', 'a story id, as `clusters --json` shows it')
    .argument('<storyB>', 'the other story')
    .action(async (storyA: string, storyB: string, _options: GlobalOptions, command: Command) => {
      const config = await configFrom(command.optsWithGlobals<GlobalOptions>());
      const line = await correcting(config, async (store, now) => {
        const [a, b] = await Promise.all(
          [storyA, storyB].map(async (id) => {
            const live = await store.clusters.resolve(id);
            const story = live === undefined ? undefined : await store.clusters.get(live);
            if (!story || story.items.length === 0) throw new FeedmergeError(`merge: no story ${id} (\`feedmerge clusters\` lists them)`);
            return story;
          }),
        );
        if (a!.id === b!.id) throw new FeedmergeError(`merge: ${storyA} and ${storyB} are already one story (${a!.id})`);
        // The older story survives: its id is the one subscribers have seen longest.
        const [into, from] =
          Date.parse(a!.published) < Date.parse(b!.published) || (a!.published === b!.published && a!.id < b!.id) ? [a!, b!] : [b!, a!];
        const n = await store.corrections.add({
          kind: 'merge',
          at: now,
          into: into.id,
          intoItems: into.items.map((item) => item.id),
          from: from.id,
          fromItems: from.items.map((item) => item.id),
        });
        return `Correction ${n}: story ${from.id} merged into ${into.id}`;
      });
      process.stdout.write(`${line}.\n`);
    });

  const corrections = program
    .command('corrections')
    .description('list the corrections made by hand (subcommand: undo)')
    .option('--json', 'print machine-readable JSON: {"corrections":[{n,kind,at,undoneAt,...}]}')
    .action(async (_options: ListOptions, command: Command) => {
      const options = command.optsWithGlobals<ListOptions>();
      const config = await configFrom(options);
      const list = await withStore(config, (store) => store.corrections.list());
      process.stdout.write(options.json ? `${JSON.stringify({ corrections: list }, null, 2)}\n` : correctionsText(list));
    });

  corrections
    .command('undo')
    .description('undo correction <n>: the stories go back to what they were, and later runs no longer obey it')
    .argument('<n>', 'the correction number `feedmerge corrections` shows')
    .action(async (value: string, _options: GlobalOptions, command: Command) => {
      const config = await configFrom(command.optsWithGlobals<GlobalOptions>());
      const n = Number(value);
      if (!Number.isInteger(n) || n <= 0) throw new FeedmergeError(`corrections undo: <n> must be a correction number, got "${value}"`);
      const line = await correcting(config, async (store, now) => {
        const correction = (await store.corrections.list()).find((c) => c.n === n);
        if (!correction || correction.undoneAt !== null)
          throw new FeedmergeError(`corrections undo: no active correction ${n} (\`feedmerge corrections\` lists them)`);
        await store.corrections.undo(n, now);
        await store.clusters.correct(await undoSteps(store, correction), now);
        return `Correction ${n} undone`;
      });
      process.stdout.write(`${line}.\n`);
    });
}

/** What puts the stories back as they were before a correction. */
async function undoSteps(store: Store, correction: StoredCorrection): Promise<CorrectionStep[]> {
  const storyOf = async (id: string): Promise<string | null> => (await store.items.get(id))?.clusterId ?? null;
  if (correction.kind === 'split') {
    for (const mate of correction.apartFrom) {
      const story = await storyOf(mate);
      if (story !== null) return [{ kind: 'move', itemId: correction.itemId, to: story, correction: correction.n }];
    }
    return [];
  }
  const steps: CorrectionStep[] = [];
  for (const id of correction.fromItems) {
    if ((await storyOf(id)) !== null) steps.push({ kind: 'move', itemId: id, to: correction.from, correction: correction.n });
  }
  return steps;
}

/**
 * Runs a correction under the run lock (a run in flight finishes first), then makes the stories obey every
 * correction and publishes the feeds and pages again, so the change shows at once.
 */
async function correcting(config: Config, work: (store: Store, now: string) => Promise<string>): Promise<string> {
  const { acquireRunLock } = await import('../lock.js');
  const { obeyCorrections, publishFeeds } = await import('../pipeline.js');
  const lock = await acquireRunLock(config.database);
  try {
    return await withStore(config, async (store) => {
      const now = new Date();
      const line = await work(store, now.toISOString());
      await obeyCorrections(store, now.toISOString());
      const written = await publishFeeds(config, store, now.getTime());
      return `${line}; ${written.length} published file${written.length === 1 ? '' : 's'} updated`;
    });
  } finally {
    await lock.release();
  }
}

function correctionsText(list: readonly StoredCorrection[]): string {
  if (list.length === 0) return 'No corrections yet: `feedmerge split <itemId>` or `feedmerge merge <storyA> <storyB>` make one.\n';
  return list
    .map((c) => {
      const what = c.kind === 'split' ? `split item ${c.itemId} out of story ${c.fromStory}` : `merged story ${c.from} into ${c.into}`;
      return `${String(c.n).padStart(3)}  ${c.at}  ${what}${c.undoneAt === null ? '' : `  (undone ${c.undoneAt})`}`;
    })
    .join('\n')
    .concat('\n');
}
