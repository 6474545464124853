import { renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { StorageError } from '../errors.js';
import { ClusterRepository } from './clusters.js';
import { asStorageError, openDatabase, wrapStorageError, type Db } from './db.js';
import { ItemRepository, type UpsertResult } from './items.js';
import type { RawItem, SourceStateChange } from '../model.js';
import { MetaRepository } from './meta.js';
import { RetentionRepository } from './retention.js';
import { RunRepository } from './runs.js';
import { SourceRepository } from './sources.js';

export { itemId } from './items.js';
export { itemTime } from './clusters.js';
export type { UpsertResult } from './items.js';

/** One source's read, to store: its items and the state change the reader decided. */
export interface SourceRead {
  readonly url: string;
  readonly items: readonly RawItem[];
  readonly state: SourceStateChange;
}
export type { PruneCounts } from './retention.js';

/** Pages per backup step: all of them, so the copy is one snapshot (sqlite3_backup_step takes a page count). */
const ALL_PAGES = 0x7fffffff;

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
      throw this.storageError(error);
    }
  }

  /**
   * Stores what several sources' reads produced, all in one transaction: each source's items, its stories'
   * change times and its state land together, so a crash never leaves half a source (a batch is one commit
   * instead of one per source: issue 18). Returns what each source's upsert changed, in order.
   */
  storeReads(reads: readonly SourceRead[], now: string): UpsertResult[] {
    return this.transaction(() =>
      reads.map((read) => {
        const result = this.items.upsert(read.url, read.items, now);
        this.clusters.touch(result.changedClusters, now);
        this.sources.update(read.url, read.state);
        return result;
      }),
    );
  }

  /** A SQLite failure (from a statement outside `transaction`, too) as a StorageError naming the file; any other error as it is. */
  storageError(error: unknown): unknown {
    return asStorageError(error, this.path);
  }

  /** `PRAGMA integrity_check`: "ok" when the file is sound. */
  integrityCheck(): string {
    return String(this.db.pragma('integrity_check', { simple: true }));
  }

  /**
   * Writes a consistent copy of the database to `file` with SQLite's online backup API, safe while another
   * process writes: the copy is made in one step under one read snapshot (WAL readers never block the writer,
   * and a step-wise copy would restart at every write), into a temp file beside `file` that is checked with
   * `integrity_check` and then renamed over it. Returns the copy's size in pages.
   */
  async backup(file: string): Promise<number> {
    const temp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
    try {
      const progress = await this.db.backup(temp, { progress: () => ALL_PAGES });
      const copy = new Database(temp, { fileMustExist: true });
      try {
        const check = String(copy.pragma('integrity_check', { simple: true }));
        if (check !== 'ok') throw new StorageError(`backup: the copy ${temp} failed integrity_check: ${check}`);
        // One self-contained file: a backup that needs its -wal beside it is easy to copy away incomplete.
        copy.pragma('journal_mode = DELETE');
      } finally {
        copy.close();
      }
      renameSync(temp, file);
      return progress.totalPages;
    } catch (error) {
      rmSync(temp, { force: true });
      const code = (error as { code?: string }).code;
      throw typeof code === 'string' && code.startsWith('SQLITE') ? wrapStorageError(error, this.path) : error;
    }
  }

  /** Closes the database (checkpointing the WAL). */
  close(): void {
    if (this.db.open) this.db.close();
  }
}
