import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerBackup } from './commands/backup.js';
import { registerClusters } from './commands/clusters.js';
import { registerCorrections } from './commands/corrections.js';
import { registerExplain } from './commands/explain.js';
import { registerFeeds } from './commands/feeds.js';
import { registerFeedsManage } from './commands/feeds-manage.js';
import { registerMigrateTo } from './commands/migrate-to.js';
import { registerOpml } from './commands/opml.js';
import { registerPrune } from './commands/prune.js';
import { registerRun } from './commands/run.js';
import { registerServe } from './commands/serve.js';
import { describeError, FeedmergeError, InterruptedError, LockedError } from './errors.js';
import { ExitCode } from './exit-codes.js';
import { signalExitCode } from './stop.js';

const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Builds the command-line program: every command registered, none of their modules loaded yet. */
function buildProgram(): Command {
  const program = new Command('feedmerge')
    .description('Merge news from many outlets into one feed: each story once, with every outlet that carried it.')
    .version(version, '-V, --version')
    .option('-c, --config <file>', 'config file (default: $FEEDMERGE_CONFIG, else the shipped config/feedmerge.yaml)')
    .option('-v, --verbose', 'log every step')
    .option('-q, --quiet', 'log warnings and errors only')
    .showHelpAfterError('(run `feedmerge --help` for usage)')
    .exitOverride();
  registerRun(program);
  registerClusters(program);
  registerFeedsManage(registerFeeds(program));
  registerExplain(program);
  registerCorrections(program);
  registerServe(program);
  registerOpml(program);
  registerPrune(program);
  registerBackup(program);
  registerMigrateTo(program);
  return program;
}

/** Runs the CLI and exits with a documented code; every failure is one line on stderr. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv]);
    return ExitCode.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return ExitCode.ok;
      return ExitCode.usage;
    }
    process.stderr.write(`feedmerge: ${describeError(error)}\n`);
    if (error instanceof LockedError) return ExitCode.locked;
    if (error instanceof InterruptedError) return signalExitCode(error.signal);
    if (!(error instanceof FeedmergeError) && process.env.FEEDMERGE_DEBUG) console.error(error);
    return ExitCode.failed;
  }
}
