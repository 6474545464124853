import type { Command } from 'commander';
import { acquireRunLock } from '../lock.js';
import { createLogger } from '../log.js';
import { pruneExpired, pruneSummary } from '../retention.js';
import { configFrom, withStore, type GlobalOptions } from './context.js';

/** `feedmerge prune`: delete stories older than retention.days (for cron; `serve` prunes daily by itself). */
export function registerPrune(program: Command): void {
  program
    .command('prune')
    .description('delete stories not updated for retention.days, except those a published feed still shows')
    .action(async (_options: GlobalOptions, command: Command) => {
      const options = command.optsWithGlobals<GlobalOptions>();
      const config = configFrom(options);
      const watched = process.stderr.isTTY === true && !options.quiet;
      const log = createLogger(options.verbose ? 'verbose' : watched ? 'normal' : 'quiet');
      const lock = await acquireRunLock(config.database);
      try {
        const report = await withStore(config, (store) => pruneExpired(config, store, new Date()));
        log.info(report, pruneSummary(report));
      } finally {
        await lock.release();
      }
    });
}
