import { resolve } from 'node:path';
import type { Command } from 'commander';
import { FeedmergeError } from '../errors.js';
import { needsFileLock } from '../lock.js';
import { configFrom, withStore, type GlobalOptions } from './context.js';

/**
 * `feedmerge backup FILE`: a consistent copy of the SQLite database, safe while a run or `serve` writes it
 * (no lock taken: the copy is one read snapshot). Restoring is described in README.md ("Backups").
 */
export function registerBackup(program: Command): void {
  program
    .command('backup')
    .description('write a consistent copy of the database to FILE (safe while a run is writing; see README "Backups")')
    .argument('<file>', 'where to write the copy (replaced if it exists)')
    .action(async (file: string, _options: GlobalOptions, command: Command) => {
      const config = await configFrom(command.optsWithGlobals<GlobalOptions>());
      if (!needsFileLock(config.database)) {
        throw new FeedmergeError('backup: the database is PostgreSQL; back it up with pg_dump');
      }
      const target = resolve(file);
      if (target === config.database || target.startsWith(`${config.database}-`)) {
        throw new FeedmergeError(`backup: ${target} is the database itself (or one of its files); name another file`);
      }
      const pages = await withStore(config, (store) => store.backup(target));
      process.stdout.write(`Backed up ${config.database} to ${target} (${pages} pages, integrity_check ok).\n`);
    });
}
