import type { Config } from '../config.js';
import type { Logger, Verbosity } from '../log.js';
import type { Store } from '../store/index.js';

/*
 * Every module a command needs beyond commander is imported when the command runs, not when the program is
 * built: `feedmerge --help` then loads commander and these registration modules only (issue #14: the CLI
 * started in 1.1 s when every module, SQLite, pino, zod and the clustering, loaded eagerly).
 */

/** Options every command accepts. */
export interface GlobalOptions {
  readonly config?: string;
  readonly verbose?: boolean;
  readonly quiet?: boolean;
}

/** Loads the config named by --config (else FEEDMERGE_CONFIG, else the shipped default). */
export async function configFrom(options: GlobalOptions): Promise<Config> {
  const { loadConfig } = await import('../config.js');
  return loadConfig(options.config ?? process.env.FEEDMERGE_CONFIG ?? undefined);
}

/** A logger at the given verbosity (pino, loaded on first use). */
export async function loggerFor(verbosity: Verbosity): Promise<Logger> {
  const { createLogger } = await import('../log.js');
  return createLogger(verbosity);
}

/** Runs `work` with the configured database open, closing it whatever happens. */
export async function withStore<T>(config: Config, work: (store: Store) => Promise<T> | T): Promise<T> {
  const { openStore } = await import('../store/open.js');
  const store = await openStore(config.database);
  try {
    return await work(store);
  } catch (error) {
    // A statement outside Store.transaction (a run's bookkeeping, a read) fails with a bare SQLite error such
    // as "database is locked"; the operator gets the same one line naming the file and the remedy.
    throw store.storageError(error);
  } finally {
    await store.close();
  }
}
