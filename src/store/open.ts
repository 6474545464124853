import { StorageError } from '../errors.js';
import type { Store } from './store.js';

/*
 * Opening a database loads only its own engine: a worker on PostgreSQL never loads better-sqlite3 and the
 * SQLite store's modules, nor SQLite the pg driver (issue 17: four workers starting together on two cores).
 */

/** Whether a `database` setting names a PostgreSQL server rather than a SQLite file. */
export function isPostgresUrl(database: string): boolean {
  return /^postgres(ql)?:\/\//i.test(database);
}

/**
 * Opens the configured database: a `postgres://` or `postgresql://` URL opens PostgreSQL (the password from
 * the URL or the usual PG* variables), anything else is a SQLite file, created and migrated if needed.
 * Throws StorageError: one line naming the database and the remedy.
 */
export async function openStore(database: string, options: { readonly readonly?: boolean } = {}): Promise<Store> {
  if (isPostgresUrl(database)) {
    const { openPostgres } = await import('./postgres.js');
    return openPostgres(database);
  }
  const { SqliteStore, SqliteBackend } = await import('./sqlite.js');
  try {
    return new SqliteBackend(SqliteStore.open(database, options));
  } catch (error) {
    throw error instanceof StorageError ? error.naming(database) : new StorageError(String(error), { cause: error, database });
  }
}
