import type { Command } from 'commander';
import { acquireRunLock } from '../lock.js';
import { createLogger } from '../log.js';
import { summarise, summaryLine } from '../model.js';
import { runPipeline } from '../pipeline.js';
import { createProgress } from '../progress.js';
import { configFrom, withStore, type GlobalOptions } from './context.js';

interface RunOptions extends GlobalOptions {
  readonly force?: boolean;
}

/** `feedmerge run`: one pass (read, store, cluster, publish), for cron and `npm start`. */
export function registerRun(program: Command): void {
  program
    .command('run')
    .description('one pass: read every source, store new items, cluster them, publish the merged feeds')
    .option('--force', 'also read feeds whose own schedule says not yet (backoff, Retry-After and 410 still apply)')
    .action(async (_options: RunOptions, command: Command) => {
      const options = command.optsWithGlobals<RunOptions>();
      const config = configFrom(options);
      // Quiet unless someone is watching: cron mails whatever a job prints, so success must print nothing.
      const watched = process.stderr.isTTY === true && !options.quiet;
      const log = createLogger(options.verbose ? 'verbose' : watched ? 'normal' : 'quiet');
      // Taken before the database is opened: a second instance leaves at once (exit 75) without touching it.
      const lock = await acquireRunLock(config.database, {
        onCompromised: (error) => log.warn(`lock: ${error.message}; another run may now start`),
      });
      try {
        // The crontab is the default schedule: every feed is read on each run, except feeds with a `schedule`
        // of their own (read when due) and feeds held by backoff, Retry-After or 410. --force reads those too,
        // except the holds.
        const report = await withStore(config, (store) =>
          runPipeline(config, store, {
            log,
            progress: createProgress(),
            force: options.force ?? false,
            ignoreDefaultSchedule: true,
          }),
        );
        log.info(summarise(report), summaryLine(report));
      } finally {
        await lock.release();
      }
    });
}
