import { StorageError } from '../errors.js';
import type { Store } from './store.js';

/** Opens a PostgreSQL database (issue 17). */
export async function openPostgres(url: string): Promise<Store> {
  await Promise.resolve();
  throw new StorageError(`store: ${url.replace(/:[^:@/]*@/, ':***@')}: PostgreSQL is not supported yet`);
}
