import type { Command } from 'commander';
import { FeedmergeError } from '../errors.js';
import { needsFileLock } from '../lock.js';
import { configFrom, type GlobalOptions } from './context.js';

/**
 * `feedmerge migrate-to <postgres-url>`: copies the configured SQLite database into an empty PostgreSQL
 * database (issue 17), checks the counts, and says what to change in the config.
 */
export function registerMigrateTo(program: Command): void {
  program
    .command('migrate-to')
    .description('copy the SQLite database (items, stories, merges, feed state, tombstones, runs) into an empty PostgreSQL database')
    .argument('<url>', 'postgres://user[:password]@host[:port]/database (or set the password in PGPASSWORD)')
    .action(async (url: string, _options: GlobalOptions, command: Command) => {
      const config = await configFrom(command.optsWithGlobals<GlobalOptions>());
      const { isPostgresUrl } = await import('../store/open.js');
      if (!isPostgresUrl(url)) throw new FeedmergeError(`migrate-to: ${url} is not a postgres:// or postgresql:// URL`);
      if (!needsFileLock(config.database)) throw new FeedmergeError('migrate-to: the configured database is already PostgreSQL');
      const { acquireRunLock } = await import('../lock.js');
      // No run may write the SQLite file while it is copied.
      const lock = await acquireRunLock(config.database);
      try {
        const { copySqliteToPostgres } = await import('../store/migrate-to.js');
        const { redactUrl } = await import('../store/postgres.js');
        const counts = await copySqliteToPostgres(config.database, url);
        const summary = Object.entries(counts)
          .map(([table, n]) => `${n} ${table}`)
          .join(', ');
        process.stdout.write(
          `Copied ${config.database} to ${redactUrl(url)}: ${summary} (counts checked).\n` +
            `Now set in ${config.configPath}:\n  database: ${redactUrl(url)}\n` +
            `(keep the password out of the file: PGPASSWORD or ~/.pgpass). The SQLite file is left as it was.\n`,
        );
      } finally {
        await lock.release();
      }
    });
}
