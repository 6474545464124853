import { renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { StorageError } from '../errors.js';
import { ClusterRepository } from './clusters.js';
import { CorrectionRepository } from './corrections.js';
import { asStorageError, openDatabase, wrapStorageError, type Db } from './db.js';
import { ItemRepository } from './items.js';
import { MetaRepository } from './meta.js';
import { RetentionRepository } from './retention.js';
import { RunRepository } from './runs.js';
import { SourceRepository } from './sources.js';
import type { SourceRead, Store, UpsertResult } from './store.js';

/** Pages per backup step: all of them, so the copy is one snapshot (sqlite3_backup_step takes a page count). */
const ALL_PAGES = 0x7fffffff;

/** The SQLite engine, synchronous (better-sqlite3), one repository a table; `SqliteBackend` puts it behind `Store`. */
export class SqliteStore {
  readonly sources: SourceRepository;
  readonly items: ItemRepository;
  readonly clusters: ClusterRepository;
  readonly runs: RunRepository;
  readonly meta: MetaRepository;
  readonly retention: RetentionRepository;
  readonly corrections: CorrectionRepository;

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
    this.corrections = new CorrectionRepository(db);
  }

  /** Opens (creating and migrating if needed) the database at `path`. Throws StorageError. */
  static open(path: string, options: { readonly readonly?: boolean } = {}): SqliteStore {
    const db = openDatabase(path, options);
    try {
      return new SqliteStore(db, path);
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
      throw this.storageError(error);
    }
  }

  /** Closes the database (checkpointing the WAL). */
  close(): void {
    if (this.db.open) this.db.close();
  }
}

/**
 * The SQLite engine behind the async `Store` interface. better-sqlite3 is synchronous and fast; each call runs
 * to completion at once (its transactions never span an await), so wrapping costs one resolved promise a call.
 */
export class SqliteBackend implements Store {
  readonly engine = 'sqlite' as const;
  readonly name: string;
  readonly sources: Store['sources'];
  readonly items: Store['items'];
  readonly clusters: Store['clusters'];
  readonly runs: Store['runs'];
  readonly meta: Store['meta'];
  readonly retention: Store['retention'];
  readonly corrections: Store['corrections'];

  constructor(readonly engineStore: SqliteStore) {
    const s = engineStore;
    this.name = s.path;
    // Every call runs now, synchronously, and any SQLite failure becomes the one-line StorageError.
    const run = <T>(work: () => T): Promise<T> => {
      try {
        return Promise.resolve(work());
      } catch (error) {
        return Promise.reject(s.storageError(error));
      }
    };
    this.sources = {
      list: () => run(() => s.sources.list()),
      get: (url) => run(() => s.sources.get(url)),
      declare: (specs, now) => run(() => s.transaction(() => specs.forEach((spec) => s.sources.declare(spec, now)))),
      adopt: (specs, now) => run(() => s.transaction(() => specs.forEach((spec) => s.sources.adopt(spec, now)))),
      update: (url, change) => run(() => s.transaction(() => s.sources.update(url, change))),
      remove: (url) => run(() => s.transaction(() => s.sources.remove(url))),
      // One process writes (the run lock): every wanted source is this worker's; readFeeds decides what is due.
      claim: (request) =>
        run(() => {
          const wanted = new Set(request.urls);
          return s.sources.list().filter((source) => wanted.has(source.url));
        }),
      release: () => Promise.resolve(),
    };
    this.items = {
      unclustered: () => run(() => s.items.unclustered()),
      clusteredBetween: (from, to) => run(() => s.items.clusteredBetween(from, to)),
      get: (id) => run(() => s.items.get(id)),
      getClusterInput: (id) => run(() => s.items.getClusterInput(id)),
      inCluster: (id) => run(() => s.items.inCluster(id)),
      count: () => run(() => s.items.count()),
    };
    this.clusters = {
      apply: (result, now) => run(() => s.transaction(() => s.clusters.apply(result, now))),
      latest: (limit) => run(() => s.clusters.latest(limit)),
      newest: (enough) => run(() => s.clusters.newest(enough)),
      reset: () => run(() => s.transaction(() => s.clusters.reset())),
      get: (id) => run(() => s.clusters.get(id)),
      resolve: (id) => run(() => s.clusters.resolve(id)),
      mergedInto: (live) => run(() => s.clusters.mergedInto(live)),
      placementOf: (itemId) => run(() => s.clusters.placementOf(itemId)),
      mergeOf: (storyId) => run(() => s.clusters.mergeOf(storyId)),
      correct: (steps, now) => run(() => s.transaction(() => s.clusters.correct(steps, now))),
    };
    this.corrections = {
      add: (correction) => run(() => s.corrections.add(correction)),
      list: () => run(() => s.corrections.list()),
      undo: (n, at) => run(() => s.corrections.undo(n, at)),
    };
    this.runs = {
      start: (at) => run(() => s.runs.start(at)),
      finish: (id, report, status) => run(() => s.runs.finish(id, report, status)),
      last: () => run(() => s.runs.last()),
    };
    this.meta = {
      get: (key) => run(() => s.meta.get(key)),
      set: (key, value) => run(() => s.meta.set(key, value)),
    };
    this.retention = {
      prune: (cutoffIso, cutoffMs, keep, nowIso) => run(() => s.transaction(() => s.retention.prune(cutoffIso, cutoffMs, keep, nowIso))),
    };
  }

  storeReads(reads: readonly SourceRead[], now: string): Promise<UpsertResult[]> {
    try {
      return Promise.resolve(this.engineStore.storeReads(reads, now));
    } catch (error) {
      return Promise.reject(this.engineStore.storageError(error));
    }
  }

  /** One process works on a SQLite file at a time (the run lock), so there is nothing to wait for. */
  exclusive<T>(_name: string, work: (waited: boolean) => Promise<T>): Promise<T | null> {
    return work(false);
  }

  /** One process works on a SQLite file at a time (the run lock): nobody else reads. */
  async reading<T>(work: () => Promise<T>): Promise<{ readonly result: T; readonly othersReading: boolean }> {
    return { result: await work(), othersReading: false };
  }

  storageError(error: unknown): unknown {
    return this.engineStore.storageError(error);
  }

  backup(file: string): Promise<number> {
    return this.engineStore.backup(file);
  }

  close(): Promise<void> {
    this.engineStore.close();
    return Promise.resolve();
  }
}
