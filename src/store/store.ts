import type { CorrectionStep } from '../cluster/corrections.js';
import type { NewCorrection, StoredCorrection } from './corrections.js';
import type {
  Cluster,
  ClusteredInput,
  ClusteringResult,
  ClusterInput,
  Item,
  RawItem,
  RunReport,
  SourceSpec,
  SourceState,
  SourceStateChange,
  StoredDecision,
} from '../model.js';

/**
 * The one storage interface (issue 17): the pipeline, the commands, the daemon and publishing use this and
 * never know which engine is behind it (SQLite, the embedded default, or PostgreSQL for many workers). Every
 * method is atomic on its own: there is no transaction handle to pass around, so an engine keeps its own
 * (better-sqlite3's synchronous transactions, a pooled PostgreSQL client) inside the call.
 */
export interface Store {
  /** How messages name the database: the SQLite path, or the PostgreSQL URL without its password. */
  readonly name: string;
  /** `sqlite` or `postgres`. */
  readonly engine: 'sqlite' | 'postgres';
  readonly sources: SourceStore;
  readonly items: ItemStore;
  readonly clusters: ClusterStore;
  readonly runs: RunStore;
  readonly meta: MetaStore;
  readonly retention: RetentionStore;
  readonly corrections: CorrectionStore;

  /**
   * Stores several sources' reads, each whole (its items, its stories' change times, its state and the end of
   * its claim): a crash never leaves half a source. Returns what each source's upsert changed, in order.
   */
  storeReads(reads: readonly SourceRead[], now: string): Promise<UpsertResult[]>;

  /**
   * Runs `work` while holding the database-wide lock named `name` (clustering and publishing: one process at a
   * time). Waits for the lock when another process holds it, and tells `work` so (`waited`): the holder has
   * done that step for everything stored before, and `work` decides whether anything is left to do. A stop
   * (`signal`) while waiting ends the wait at once: `work` is not run, and the answer is null.
   */
  exclusive<T>(name: string, work: (waited: boolean) => Promise<T>, signal?: AbortSignal): Promise<T | null>;

  /**
   * Runs `work` (a run's reading) as one of the workers reading now, then tells whether others still are once
   * this one has stopped: each of them will cluster and publish after its reading, what this worker stored
   * too, so this one may leave that step to them (one pass, not one per worker). A worker that dies stops
   * counting at once (PostgreSQL: a shared advisory lock held by its session). Never others on SQLite.
   */
  reading<T>(work: () => Promise<T>): Promise<{ readonly result: T; readonly othersReading: boolean }>;

  /** An engine failure as one StorageError line naming the database and the remedy; any other error as it is. */
  storageError(error: unknown): unknown;

  /** A consistent copy into `file` (SQLite only; PostgreSQL has pg_dump). Returns the copy's size in pages. */
  backup(file: string): Promise<number>;

  close(): Promise<void>;
}

/** One source's read, to store: its items and the state change the reader decided. */
export interface SourceRead {
  readonly url: string;
  readonly items: readonly RawItem[];
  readonly state: SourceStateChange;
}

/** What storing one source's items changed. */
export interface UpsertResult {
  readonly inserted: number;
  readonly updated: number;
  /** Clusters whose member text changed (their `updated` must move). */
  readonly changedClusters: readonly string[];
}

/** What applying a clustering result changed. */
export interface ApplyResult {
  readonly newClusters: number;
  readonly grownClusters: number;
  readonly merged: number;
}

/** What one prune deleted. */
export interface PruneCounts {
  /** Items deleted (members of expired clusters, and old items never clustered). */
  readonly items: number;
  /** Live clusters deleted (expired, or left without members). */
  readonly clusters: number;
  /** Merge records deleted with the cluster they pointed to. */
  readonly mergeRecords: number;
  /** Run records deleted (the last run is always kept: `/healthz` shows it). */
  readonly runs: number;
  /** Tombstones dropped: pruned items their source has not listed for the retention period. */
  readonly tombstones: number;
}

/** Which due feeds a worker may read now (see SourceStore.claim). */
export interface ClaimRequest {
  /** Sources still wanted this run, by URL. */
  readonly urls: readonly string[];
  /** About this many (SQLite gives every one at once: its one writer reads them all in one go). */
  readonly limit: number;
  readonly now: Date;
  /** A claim not ended by storeReads expires after this long (a dead worker's feeds come back). */
  readonly leaseMs: number;
  /** The worker's run started then: with `force`, a feed read since then by anyone is not read again. */
  readonly runStartedAt: string;
  /** Read feeds whose own schedule says not yet (backoff, Retry-After and 410 still apply). */
  readonly force: boolean;
}

/** The sources table: what to read and how each source fared. */
interface SourceStore {
  /** Every source, feeds first, by name. */
  list(): Promise<SourceState[]>;
  /** One source by URL/path, or undefined. */
  get(url: string): Promise<SourceState | undefined>;
  /**
   * Records declared sources, all at once. The declaring side owns its entry: the config (or the seeds
   * folder) rewrites name and schedule of its own entries; a source added from the CLI keeps what the CLI said.
   */
  declare(specs: readonly SourceSpec[], now: string): Promise<void>;
  /** Records sources the CLI subscribes to, taking over entries the config declared before. */
  adopt(specs: readonly SourceSpec[], now: string): Promise<void>;
  /** Applies what a reader learnt about a source; `newUrl` moves it (and its items). Returns the URL now. */
  update(url: string, change: SourceStateChange): Promise<string>;
  /** Deletes a source and its items. Returns whether it existed. */
  remove(url: string): Promise<boolean>;
  /**
   * Claims up to `limit` of `urls` for this worker and returns their current state. SQLite (one writer, under
   * the run lock) gives them all; PostgreSQL claims due feeds nobody holds with FOR UPDATE SKIP LOCKED and a
   * lease, so any number of workers read each feed once per due time.
   */
  claim(request: ClaimRequest): Promise<SourceState[]>;
  /** Ends this worker's claims on these feeds, unread (a stopped run): others may read them at once. */
  release(urls: readonly string[]): Promise<void>;
}

/** The items table: every story read from every source, stored once. */
interface ItemStore {
  /** Items not yet assigned to a cluster, oldest first, as the clustering core reads them. */
  unclustered(): Promise<ClusterInput[]>;
  /** Clustered items whose time is within [fromMs, toMs]. */
  clusteredBetween(fromMs: number, toMs: number): Promise<ClusteredInput[]>;
  get(id: string): Promise<Item | undefined>;
  getClusterInput(id: string): Promise<ClusterInput | undefined>;
  /** Members of a cluster, earliest first. */
  inCluster(clusterId: string): Promise<Item[]>;
  count(): Promise<number>;
}

/** The clusters table: stories, with stable ids and a record of merges. */
interface ClusterStore {
  /** Records the clustering core's decisions in one transaction. */
  apply(result: ClusteringResult, now: string): Promise<ApplyResult>;
  /** Live clusters, most recently updated first, with their members. */
  latest(limit?: number): Promise<Cluster[]>;
  /** The most recently changed stories, page by page, until `enough` says so (see ClusterRepository.newest). */
  newest(enough: (loaded: readonly Cluster[]) => boolean): Promise<Cluster[]>;
  /** Forgets every cluster (items become unclustered): the clustering level changed. */
  reset(): Promise<void>;
  /** One live story by id (a story page `run` has not written), or undefined. */
  get(id: string): Promise<Cluster | undefined>;
  /** Follows merge records to the surviving story id; undefined when the id was never a story. */
  resolve(id: string): Promise<string | undefined>;
  /** Ids merged (directly or through a chain) into one of `live`, with the live id each forwards to. */
  mergedInto(live: readonly string[]): Promise<{ from: string; to: string }[]>;
  /** The latest recorded placement of an item (which story, compared with what, by which rule). */
  placementOf(itemId: string): Promise<StoredDecision | undefined>;
  /** The recorded merge that absorbed a story, if any. */
  mergeOf(storyId: string): Promise<StoredDecision | undefined>;
  /** Carries out correction steps (moves and merges) in one transaction; the stories touched move `updated`. */
  correct(steps: readonly CorrectionStep[], now: string): Promise<void>;
}

/** Splits and merges made by hand, obeyed by every later run. */
interface CorrectionStore {
  /** Records a correction; returns its number. */
  add(correction: NewCorrection): Promise<number>;
  /** Every correction, undone ones included, oldest first. */
  list(): Promise<StoredCorrection[]>;
  /** Marks correction `n` undone; false when there is no such active correction. */
  undo(n: number, at: string): Promise<boolean>;
}

/** The runs table: one row a run, with its report. */
interface RunStore {
  start(startedAt: string): Promise<number>;
  finish(id: number, report: RunReport, status: 'ok' | 'failed' | 'interrupted'): Promise<void>;
  last(): Promise<RunReport | null>;
}

/** Small key/value facts about the database itself. */
interface MetaStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
}

/** Deletes what has outlived the retention period (see RetentionRepository.prune). */
interface RetentionStore {
  prune(cutoffIso: string, cutoffMs: number, keep: readonly string[], nowIso: string): Promise<PruneCounts>;
}
