import type { Command } from 'commander';
import { acquireRunLock } from '../lock.js';
import { createLogger } from '../log.js';
import type { RunReport } from '../model.js';
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

/** The per-run summary as structured log fields. */
export function summarise(report: RunReport): Record<string, unknown> {
  return {
    sources: report.sources.length,
    read: report.sources.filter((s) => s.outcome === 'read').length,
    notModified: report.sources.filter((s) => s.outcome === 'not-modified').length,
    skipped: report.sources.filter((s) => s.outcome === 'skipped').length,
    newItems: report.newItems,
    updatedItems: report.updatedItems,
    newClusters: report.newClusters,
    errors: report.errors,
    filesWritten: report.filesWritten.length,
    ms: Date.parse(report.finishedAt) - Date.parse(report.startedAt),
  };
}

/** The per-run summary as one readable line. */
export function summaryLine(report: RunReport): string {
  const s = summarise(report);
  return `run: ${s.sources} sources (${s.read} read, ${s.notModified} unchanged, ${s.skipped} not due, ${s.errors} failed), ${s.newItems} new items, ${s.newClusters} new stories, ${s.filesWritten} files written in ${s.ms} ms`;
}
