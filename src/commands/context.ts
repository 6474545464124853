import { loadConfig, type Config } from '../config.js';
import { Store, wrapStorageError } from '../store/index.js';

/** Options every command accepts. */
export interface GlobalOptions {
  readonly config?: string;
  readonly verbose?: boolean;
  readonly quiet?: boolean;
}

/** Loads the config named by --config (else FEEDMERGE_CONFIG, else the shipped default). */
export function configFrom(options: GlobalOptions): Config {
  return loadConfig(options.config ?? process.env.FEEDMERGE_CONFIG ?? undefined);
}

/** Runs `work` with the configured database open, closing it whatever happens. */
export async function withStore<T>(config: Config, work: (store: Store) => Promise<T> | T): Promise<T> {
  const store = Store.open(config.database);
  try {
    return await work(store);
  } catch (error) {
    // A statement outside Store.transaction (a run's bookkeeping, a read) fails with a bare SQLite error such
    // as "database is locked"; the operator gets the same one line naming the file and the remedy.
    const code = (error as { code?: unknown }).code;
    throw typeof code === 'string' && code.startsWith('SQLITE') ? wrapStorageError(error, config.database) : error;
  } finally {
    store.close();
  }
}
