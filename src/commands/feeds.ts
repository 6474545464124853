import type { Command } from 'commander';
import type { SourceState } from '../model.js';
import { configFrom, withStore, type GlobalOptions } from './context.js';

interface FeedsOptions extends GlobalOptions {
  readonly json?: boolean;
  readonly all?: boolean;
}

/** `feedmerge feeds [--json]`: every feed with its health. Subcommands manage feeds (add, remove). */
export function registerFeeds(program: Command): Command {
  return program
    .command('feeds')
    .description('list feeds with their status, last error and item count (subcommands: add, remove, reset)')
    .option('--json', 'print machine-readable JSON: {"feeds":[{url,name,status,lastError,lastFetchedAt,items}]}')
    .option('--all', 'include the seed listings too')
    .action(async (_options: FeedsOptions, command: Command) => {
      const options = command.optsWithGlobals<FeedsOptions>();
      const config = await configFrom(options);
      const sources = await withStore(config, (store) => store.sources.list());
      const shown = sources.filter((source) => options.all || source.kind === 'feed');
      process.stdout.write(options.json ? `${JSON.stringify({ feeds: shown.map(feedJson) }, null, 2)}\n` : feedsText(shown));
    });
}

/** The `feeds --json` shape (a contract: extend, never rename). */
function feedJson(source: SourceState): Record<string, unknown> {
  return {
    url: source.url,
    name: source.name,
    status: source.status,
    lastError: source.lastError,
    lastFetchedAt: source.lastFetchedAt,
    items: source.items,
    kind: source.kind,
    origin: source.origin,
    schedule: source.schedule,
    nextFetchAt: source.nextFetchAt,
    errorCount: source.errorCount,
    title: source.title,
  };
}

function feedsText(sources: readonly SourceState[]): string {
  if (sources.length === 0) return 'No feeds. Add one with `feedmerge feeds add URL` or in the config file.\n';
  return sources
    .map((s) => {
      const line = `${s.status.padEnd(12)} ${String(s.items).padStart(5)} items  ${s.name}  <${s.url}>`;
      return s.lastError ? `${line}\n             ${s.lastError}` : line;
    })
    .join('\n')
    .concat('\n');
}
