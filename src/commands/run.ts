import type { Command } from 'commander';
import { InterruptedError } from '../errors.js';
import { acquireRunLock } from '../lock.js';
import { summarise, summaryLine } from '../model.js';
import { feedParser } from '../sources/feed/parse-pool.js';
import { onStopSignal } from '../stop.js';
import { configFrom, loggerFor, withStore, type GlobalOptions } from './context.js';

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
      const config = await configFrom(options);
      // Quiet unless someone is watching: cron mails whatever a job prints, so success must print nothing.
      const watched = process.stderr.isTTY === true && !options.quiet;
      const log = await loggerFor(options.verbose ? 'verbose' : watched ? 'normal' : 'quiet');
      // Taken before the database is opened: a second instance leaves at once (exit 75) without touching it.
      const lock = await acquireRunLock(config.database, {
        onCompromised: (error) => log.warn(`lock: ${error.message}; another run may now start`),
        onTakeover: (message) => log.info(message),
      });
      // SIGTERM/SIGINT: read no more sources, store the one in flight whole, leave clustering and publishing
      // to the next run; exit 143/130 (README, "Exit codes").
      const stop = onStopSignal((message) => log.info(`run: ${message}`));
      // Parsing threads for many feeds start now and load while the run starts; the run closes them after reading.
      const parser = feedParser(config.feeds.length);
      parser.warm();
      try {
        // Loaded while the database is opened (connecting, checking migrations): neither waits for the other.
        const modules = Promise.all([import('../pipeline.js'), import('../progress.js')]);
        modules.catch(() => undefined); // awaited below; a failure to open the database is the one reported
        // The crontab is the default schedule: every feed is read on each run, except feeds with a `schedule`
        // of their own (read when due) and feeds held by backoff, Retry-After or 410. --force reads those too,
        // except the holds.
        const report = await withStore(config, async (store) => {
          const [{ runPipeline }, { createProgress }] = await modules;
          return runPipeline(config, store, {
            log,
            progress: createProgress(),
            force: options.force ?? false,
            ignoreDefaultSchedule: true,
            signal: stop.signal,
            parser,
          });
        });
        if (report.interrupted) {
          const signal = stop.received ?? 'SIGTERM';
          throw new InterruptedError(
            `run: stopped by ${signal}: ${report.sources.length} sources read and stored, ${report.unread ?? 0} left unread; ` +
              'the next run reads them and clusters and publishes what is stored',
            signal,
          );
        }
        log.info(summarise(report), summaryLine(report));
      } finally {
        await parser.close();
        stop.dispose();
        await lock.release();
      }
    });
}
