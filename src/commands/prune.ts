import type { Command } from 'commander';
import { acquireRunLock } from '../lock.js';
import { configFrom, loggerFor, withStore, type GlobalOptions } from './context.js';

/** `feedmerge prune`: delete stories older than retention.days (for cron; `serve` prunes daily by itself). */
export function registerPrune(program: Command): void {
  program
    .command('prune')
    .description('delete stories not updated for retention.days, except those a published feed still shows')
    .action(async (_options: GlobalOptions, command: Command) => {
      const options = command.optsWithGlobals<GlobalOptions>();
      const config = await configFrom(options);
      const watched = process.stderr.isTTY === true && !options.quiet;
      const log = await loggerFor(options.verbose ? 'verbose' : watched ? 'normal' : 'quiet');
      const { pruneExpired, pruneSummary } = await import('../retention.js');
      const lock = await acquireRunLock(config.database, { onTakeover: (message) => log.info(message) });
      try {
        const report = await withStore(config, (store) => pruneExpired(config, store, new Date()));
        log.info(report, pruneSummary(report));
      } finally {
        await lock.release();
      }
    });
}
