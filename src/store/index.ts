import { ClusterRepository } from './clusters.js';
import { openDatabase, wrapStorageError, type Db } from './db.js';
import { ItemRepository } from './items.js';
import { MetaRepository } from './meta.js';
import { RetentionRepository } from './retention.js';
import { RunRepository } from './runs.js';
import { SourceRepository } from './sources.js';

export { itemId } from './items.js';
export { wrapStorageError } from './db.js';
export { itemTime } from './clusters.js';
export type { PruneCounts } from './retention.js';

/** The database, one repository a table. Nothing outside store/ sees SQL or better-sqlite3. */
export class Store {
  readonly sources: SourceRepository;
  readonly items: ItemRepository;
  readonly clusters: ClusterRepository;
  readonly runs: RunRepository;
  readonly meta: MetaRepository;
  readonly retention: RetentionRepository;

  private constructor(
    private readonly db: Db,
    readonly path: string,
  ) {
    this.sources = new SourceRepository(db);
    this.items = new ItemRepository(db);
    this.clusters = new ClusterRepository(db, this.items);
    this.runs = new RunRepository(db);
    this.meta = new MetaRepository(db);
    this.retention = new RetentionRepository(db);
  }

  /** Opens (creating and migrating if needed) the database at `path`. Throws StorageError. */
  static open(path: string, options: { readonly readonly?: boolean } = {}): Store {
    const db = openDatabase(path, options);
    try {
      return new Store(db, path);
    } catch (error) {
      db.close();
      throw wrapStorageError(error, path);
    }
  }

  /** Runs `work` in one immediate transaction: all of it is stored, or none. SQLite errors become StorageError. */
  transaction<T>(work: () => T): T {
    try {
      return this.db.transaction(work).immediate();
    } catch (error) {
      const code = (error as { code?: string }).code;
      throw typeof code === 'string' && code.startsWith('SQLITE') ? wrapStorageError(error, this.path) : error;
    }
  }

  /** `PRAGMA integrity_check`: "ok" when the file is sound. */
  integrityCheck(): string {
    return String(this.db.pragma('integrity_check', { simple: true }));
  }

  /** Closes the database (checkpointing the WAL). */
  close(): void {
    if (this.db.open) this.db.close();
  }
}
