import { hostname } from 'node:os';
import pg from 'pg';
import { StorageError } from '../errors.js';
import type { Cluster, ClusteringResult, PlacementDecision, RunReport, SourceSpec, SourceState, SourceStateChange } from '../model.js';
import { correctionDecisions, type CorrectionStep } from '../cluster/corrections.js';
import { describeDecision } from '../cluster/decision-text.js';
import {
  AFTER_EVERY_CHANGE,
  followMerges,
  NEWEST_FIRST_PAGE,
  relatedByStory,
  relatedStoriesSql,
  storyHeadsSql,
  toCluster,
  type ClusterRow,
} from './clusters.js';
import { correctionDetail, toCorrection } from './corrections.js';
import { toDecision, type DecisionRow } from './decisions.js';
import { SELECT_ITEM, toClusterInput, toItem, type ItemRow } from './items.js';
import { pgMigrations } from './pg-migrations/index.js';
import { upsertSources } from './pg-upsert.js';
import { columnOf, toState, type SourceRow } from './sources.js';
import type { ApplyResult, ClaimRequest, PruneCounts, SourceRead, Store, UpsertResult } from './store.js';

/** Connections one process opens at most: fetch batches, the cluster lock and a read or two at once. */
const POOL_SIZE = 6;
/** A feed whose due time is this close is due now (a scheduler tick fires a little early; read-feeds.ts). */
const DUE_SLACK_SECONDS = 60;
/** Advisory lock key of schema migrations (any constant; `hashtext` keys name the others). */
const MIGRATION_LOCK = 0x6665_6d67;
/**
 * The shared advisory lock (MIGRATION_LOCK, READING_LOCK: the two-key form) every worker holds while it reads;
 * its holders are listed in pg_locks, and a worker whose session ends is gone from there at once.
 */
const READING_LOCK = 1;

type Queryable = pg.Pool | pg.PoolClient;

const ignore = (): void => undefined;

/** bigint (sort_time, counts) as a JS number: every value feedmerge stores is far below 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === pg.types.builtins.INT8
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/** The URL as messages show it: the password replaced by `***`. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.href;
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@');
  }
}

/** Opens a PostgreSQL database (issue 17), applying pending migrations. Throws StorageError. */
export async function openPostgres(url: string): Promise<Store> {
  const name = redactUrl(url);
  const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE, types, application_name: 'feedmerge' });
  // An idle client losing its server (restart, network) must not crash the process: the next query fails instead.
  pool.on('error', () => undefined);
  try {
    await migrate(pool);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw pgStorageError(error, name);
  }
  return new PostgresStore(pool, name);
}

async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    // Several workers starting together: one migrates, the others wait and find nothing left to do.
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
    const { rows } = await client.query<{ version: number }>('SELECT MAX(version) AS version FROM schema_version');
    const current = rows[0]?.version ?? 0;
    if (current > pgMigrations.length) {
      throw new StorageError(`schema version ${current} is newer than this feedmerge knows (${pgMigrations.length}); upgrade feedmerge`);
    }
    for (let version = current + 1; version <= pgMigrations.length; version++) {
      await client.query('BEGIN');
      try {
        await client.query(pgMigrations[version - 1]!);
        await client.query('INSERT INTO schema_version (version) VALUES ($1)', [version]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
}

/** PostgreSQL error codes and network failures an operator can act on, with the remedy. */
function reasonOf(error: unknown): string {
  const code = (error as { code?: string }).code ?? '';
  const message = error instanceof Error ? error.message : String(error);
  const reasons: Record<string, string> = {
    ECONNREFUSED: 'cannot connect: nothing listens there (is PostgreSQL running, are host and port right?)',
    ENOTFOUND: 'cannot connect: unknown host (check the host in the URL)',
    ETIMEDOUT: 'cannot connect: timed out (check the host, port and firewall)',
    '28P01': 'authentication failed (check the user and the password: in the URL or PGPASSWORD / ~/.pgpass)',
    '28000': 'authentication refused (check pg_hba.conf allows this user from this host)',
    '3D000': 'database does not exist (create it: createdb -O <user> <name>)',
    '42501': 'permission denied (grant the user the rights on this database, or use its owner)',
    '53300': 'too many connections (raise max_connections or run fewer workers)',
    '57P01': 'the server shut down (try again when it is back)',
    '57P03': 'the server is starting up (try again in a moment)',
    '53100': 'disk is full on the database server',
  };
  return reasons[code] ?? message.split('\n')[0]!;
}

/**
 * A failure while talking to PostgreSQL as one StorageError line naming the database (without its password).
 * Called only where the failure came from the database (opening it, `guard`, a transaction in `tx`): it is
 * known by where it was thrown, never by its text (pg's "Connection terminated" has no code).
 */
function pgStorageError(error: unknown, name: string): StorageError {
  return error instanceof StorageError ? error.naming(name) : new StorageError(reasonOf(error), { cause: error, database: name });
}

const SELECT_SOURCE = `SELECT s.url, s.kind, s.name, s.origin, s.schedule, s.status, s.last_error, s.last_fetched_at, s.next_fetch_at,
  s.retry_not_before, s.error_count, s.etag, s.last_modified, s.content_hash, s.title,
  (SELECT COUNT(*) FROM items i WHERE i.source_url = s.url)::int AS items FROM sources s`;

/** The PostgreSQL engine: a pool, every SQL statement of its own here, one transaction per call. */
class PostgresStore implements Store {
  readonly engine = 'postgres' as const;
  readonly sources: Store['sources'];
  readonly items: Store['items'];
  readonly clusters: Store['clusters'];
  readonly runs: Store['runs'];
  readonly meta: Store['meta'];
  readonly retention: Store['retention'];
  readonly corrections: Store['corrections'];
  /** This worker's name in claims: host and process, for an operator looking at `claimed_by`. */
  private readonly worker = `${hostname()}:${process.pid}`;

  constructor(
    private readonly pool: pg.Pool,
    readonly name: string,
  ) {
    const q = async <R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> =>
      (await this.guard(() => pool.query<R>({ text, values }))).rows;
    this.sources = {
      list: async () => (await q<SourceRow>(`${SELECT_SOURCE} ORDER BY s.kind DESC, s.name, s.url`)).map(toState),
      get: async (url) => {
        const [row] = await q<SourceRow>(`${SELECT_SOURCE} WHERE s.url = $1`, [url]);
        return row ? toState(row) : undefined;
      },
      declare: (specs, now) => this.tx((c) => declareSpecs(c, specs, now, false)),
      adopt: (specs, now) => this.tx((c) => declareSpecs(c, specs, now, true)),
      update: (url, change) => this.tx((c) => updateSource(c, url, change)),
      remove: async (url) => (await this.guard(() => pool.query('DELETE FROM sources WHERE url = $1', [url]))).rowCount! > 0,
      claim: (request) => this.claim(request),
      release: async (urls) => {
        if (urls.length === 0) return;
        await q(`UPDATE sources SET claimed_by = NULL, claimed_until = NULL WHERE url = ANY($1::text[]) AND claimed_by = $2`, [
          urls,
          this.worker,
        ]);
      },
    };
    this.items = {
      unclustered: async () =>
        (await q<ItemRow>(`${SELECT_ITEM} WHERE i.cluster_id IS NULL ORDER BY i.sort_time, i.id`)).map(toClusterInput),
      clusteredBetween: async (from, to) =>
        (
          await q<ItemRow>(`${SELECT_ITEM} WHERE i.cluster_id IS NOT NULL AND i.sort_time BETWEEN $1 AND $2 ORDER BY i.sort_time, i.id`, [
            from,
            to,
          ])
        ).map((row) => ({ ...toClusterInput(row), clusterId: row.cluster_id! })),
      get: async (id) => {
        const [row] = await q<ItemRow>(`${SELECT_ITEM} WHERE i.id = $1`, [id]);
        return row ? toItem(row) : undefined;
      },
      getClusterInput: async (id) => {
        const [row] = await q<ItemRow>(`${SELECT_ITEM} WHERE i.id = $1`, [id]);
        return row ? toClusterInput(row) : undefined;
      },
      inCluster: async (id) =>
        (await q<ItemRow>(`${SELECT_ITEM} WHERE i.cluster_id = $1 ORDER BY i.sort_time, i.position, i.id`, [id])).map(toItem),
      count: async () => (await q<{ n: number }>(`SELECT COUNT(*)::int AS n FROM items`))[0]!.n,
    };
    // Related stories of these, each merged-away id followed to its surviving story (the same query as on SQLite).
    const relatedStories = async (ids: readonly string[]): Promise<Map<string, string[]>> => {
      return relatedByStory(
        await q<{ story: string; other: string }>(
          relatedStoriesSql((column) => `${column} = ANY($1::text[])`),
          [ids],
        ),
      );
    };
    const withMembers = async (rows: readonly ClusterRow[]): Promise<Cluster[]> => {
      if (rows.length === 0) return [];
      const members = new Map<string, ReturnType<typeof toItem>[]>(rows.map((row) => [row.id, []]));
      const itemRows = await q<ItemRow>(
        `${SELECT_ITEM} WHERE i.cluster_id = ANY($1::text[]) ORDER BY i.cluster_id, i.sort_time, i.position, i.id`,
        [rows.map((row) => row.id)],
      );
      for (const row of itemRows) members.get(row.cluster_id!)?.push(toItem(row));
      const related = await relatedStories(rows.map((row) => row.id));
      return rows.flatMap((row) => {
        const items = members.get(row.id)!;
        return items.length > 0 ? [toCluster(row, items, related.get(row.id) ?? [])] : [];
      });
    };
    const live = `SELECT id, created_at, updated_at FROM clusters WHERE merged_into IS NULL`;
    this.clusters = {
      apply: (result, now) => this.tx((c) => applyClustering(c, result, now)),
      latest: async (limit = Number.MAX_SAFE_INTEGER) =>
        withMembers(await q<ClusterRow>(`${live} ORDER BY updated_at DESC, id LIMIT $1`, [limit])),
      newest: async (enough) => {
        // As ClusterRepository.newest on SQLite, with the same statement.
        const heads = storyHeadsSql((name) => (name === 'before' ? '$1' : '$2'), ' COLLATE "C"');
        const loaded: Cluster[] = [];
        let page = NEWEST_FIRST_PAGE;
        for (let before = AFTER_EVERY_CHANGE; ;) {
          const group = await q<ClusterRow>(heads, [before, page - 1]);
          if (group.length === 0) return loaded;
          for (let start = 0; start < group.length; start += page, page *= 2) {
            loaded.push(...(await withMembers(group.slice(start, start + page))));
            if (enough(loaded)) return loaded;
          }
          before = group[group.length - 1]!.updated_at;
        }
      },
      reset: () =>
        this.tx(async (c) => {
          await c.query(`UPDATE items SET cluster_id = NULL WHERE cluster_id IS NOT NULL`);
          await c.query(`DELETE FROM clusters`);
          await c.query(`DELETE FROM decisions`);
          await c.query(`DELETE FROM related_stories`);
        }),
      get: async (id) => (await withMembers(await q<ClusterRow>(`${live} AND id = $1`, [id])))[0],
      resolve: async (id) => {
        let current = id;
        for (let hops = 0; hops < 1000; hops++) {
          const [row] = await q<{ merged_into: string | null }>(`SELECT merged_into FROM clusters WHERE id = $1`, [current]);
          if (!row) return undefined;
          if (!row.merged_into) return current;
          current = row.merged_into;
        }
        return undefined;
      },
      mergedInto: async (ids) => {
        const rows = await q<{ id: string; merged_into: string }>(`SELECT id, merged_into FROM clusters WHERE merged_into IS NOT NULL`);
        return followMerges(rows, ids);
      },
      placementOf: async (itemId) =>
        (await q<DecisionRow>(`SELECT * FROM decisions WHERE item_id = $1 ORDER BY seq DESC LIMIT 1`, [itemId])).map(toDecision)[0],
      mergeOf: async (storyId) =>
        (
          await q<DecisionRow>(`SELECT * FROM decisions WHERE item_id IS NULL AND compared_with = $1 ORDER BY seq DESC LIMIT 1`, [storyId])
        ).map(toDecision)[0],
      correct: (steps, now) => this.tx((c) => correctClusters(c, steps, now)),
    };
    this.corrections = {
      add: async (correction) =>
        Number(
          (
            await q<{ n: string }>(`INSERT INTO corrections (kind, detail, made_at) VALUES ($1, $2, $3) RETURNING n`, [
              correction.kind,
              correctionDetail(correction),
              correction.at,
            ])
          )[0]!.n,
        ),
      list: async () =>
        (
          await q<{ n: number; kind: string; detail: string; made_at: string; undone_at: string | null }>(
            `SELECT n, kind, detail, made_at, undone_at FROM corrections ORDER BY n`,
          )
        ).map(toCorrection),
      undo: async (n, at) =>
        (await this.guard(() => pool.query(`UPDATE corrections SET undone_at = $1 WHERE n = $2 AND undone_at IS NULL`, [at, n])))
          .rowCount! > 0,
    };
    this.runs = {
      start: async (at) =>
        (await q<{ id: number }>(`INSERT INTO runs (started_at, status) VALUES ($1, 'running') RETURNING id`, [at]))[0]!.id,
      finish: async (id, report, status) => {
        await q(`UPDATE runs SET finished_at = $1, status = $2, report = $3 WHERE id = $4`, [
          report.finishedAt,
          status,
          JSON.stringify(report),
          id,
        ]);
      },
      last: async () => {
        const [row] = await q<{ report: string }>(`SELECT report FROM runs WHERE report IS NOT NULL ORDER BY id DESC LIMIT 1`);
        return row ? (JSON.parse(row.report) as RunReport) : null;
      },
    };
    this.meta = {
      get: async (key) => (await q<{ value: string }>(`SELECT value FROM meta WHERE key = $1`, [key]))[0]?.value,
      set: async (key, value) => {
        await q(`INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, [key, value]);
      },
    };
    this.retention = {
      prune: (cutoffIso, cutoffMs, keep, nowIso) => this.tx((c) => prune(c, cutoffIso, cutoffMs, keep, nowIso)),
    };
  }

  storeReads(reads: readonly SourceRead[], now: string): Promise<UpsertResult[]> {
    return this.tx(async (c) => {
      const results = await upsertSources(c, reads, now);
      const urls = new Set(reads.map((read) => read.url));
      if (urls.size < reads.length || reads.some((read) => read.state.newUrl !== undefined)) {
        // A source read twice, or moved: one read after the other, as the reader saw them.
        for (const [i, read] of reads.entries()) {
          await touchClusters(c, results[i]!.changedClusters, now);
          // The read ends this worker's claim on the feed; its state (validators, backoff, 410) is now everyone's.
          await updateSource(c, read.url, read.state, true);
        }
        return results;
      }
      // Otherwise one statement for the stories touched and one per shape of state change (issue 17: a
      // statement per source was a round trip each, 2,000 per run of 2,000 feeds).
      await touchClusters(c, [...new Set(results.flatMap((result) => result.changedClusters))], now);
      await updateSources(c, reads);
      return results;
    });
  }

  async exclusive<T>(name: string, work: (waited: boolean) => Promise<T>, signal?: AbortSignal): Promise<T | null> {
    const client = await this.hold();
    let destroy = false;
    try {
      const key = `feedmerge:${name}`;
      const { rows } = await this.guard(() => client.query<{ got: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS got', [key]));
      const waited = !rows[0]!.got;
      if (waited) {
        if (signal?.aborted) return null;
        // A stop while waiting cancels the wait (the holder may cluster for a while); the session is then closed,
        // so a lock granted as the cancel went out, or a cancel arriving late, never outlives it.
        const { rows: me } = await this.guard(() => client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'));
        const cancel = (): void => {
          destroy = true;
          void this.pool.query('SELECT pg_cancel_backend($1)', [me[0]!.pid]).catch(() => undefined);
        };
        signal?.addEventListener('abort', cancel, { once: true });
        try {
          await client.query('SELECT pg_advisory_lock(hashtext($1))', [key]);
        } catch (error) {
          if (signal?.aborted) return null;
          throw pgStorageError(error, this.name);
        } finally {
          signal?.removeEventListener('abort', cancel);
        }
        if (signal?.aborted) return null;
      }
      try {
        return await work(waited);
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtext($1))', [key]).catch(() => undefined);
      }
    } finally {
      client.release(destroy);
    }
  }

  async reading<T>(work: () => Promise<T>): Promise<{ readonly result: T; readonly othersReading: boolean }> {
    const client = await this.hold();
    try {
      await this.guard(() => client.query('SELECT pg_advisory_lock_shared($1, $2)', [MIGRATION_LOCK, READING_LOCK]));
      let result: T;
      try {
        result = await work();
      } finally {
        await client.query('SELECT pg_advisory_unlock_shared($1, $2)', [MIGRATION_LOCK, READING_LOCK]).catch(() => undefined);
      }
      // Asked once this worker's share is gone: of two workers ending together, one at least sees the other gone.
      const { rows } = await this.guard(() =>
        client.query<{ others: boolean }>(
          `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = $1 AND objid = $2 AND objsubid = 2
             AND database = (SELECT oid FROM pg_database WHERE datname = current_database())) AS others`,
          [MIGRATION_LOCK, READING_LOCK],
        ),
      );
      return { result, othersReading: rows[0]!.others };
    } finally {
      client.release();
    }
  }

  storageError(error: unknown): unknown {
    // Every statement runs in `guard` or `tx`, so a database failure is a StorageError already.
    return error instanceof StorageError ? error.naming(this.name) : error;
  }

  backup(): Promise<number> {
    return Promise.reject(
      new StorageError('backup copies SQLite files; back up PostgreSQL with pg_dump (see README, "Many workers on PostgreSQL")', {
        database: this.name,
      }),
    );
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /** Claims due feeds nobody holds: FOR UPDATE SKIP LOCKED, so concurrent workers never wait for or share one. */
  private async claim(request: ClaimRequest): Promise<SourceState[]> {
    const until = new Date(request.now.getTime() + request.leaseMs).toISOString();
    const now = request.now.toISOString();
    const claimed = await this.tx(async (c) => {
      const { rows } = await c.query<{ url: string }>(
        `WITH picked AS (
           SELECT url FROM sources
           WHERE url = ANY($1::text[]) AND (claimed_until IS NULL OR claimed_until < $2::timestamptz)
             AND CASE WHEN $3::boolean
               THEN last_fetched_at IS NULL OR last_fetched_at < $4
               ELSE (next_fetch_at IS NULL OR next_fetch_at::timestamptz <= $2::timestamptz + make_interval(secs => $5))
                 -- Not read since this run began (by another worker), nor within the slack: that read was for this due
                 -- time. (A feed read within the slack before its next time keeps that time, and is due at the one after.)
                 AND (last_fetched_at IS NULL
                   OR last_fetched_at::timestamptz < LEAST($4::timestamptz, $2::timestamptz - make_interval(secs => $5)))
             END
           ORDER BY url LIMIT $6
           FOR UPDATE SKIP LOCKED)
         UPDATE sources s SET claimed_by = $7, claimed_until = $8::timestamptz FROM picked WHERE s.url = picked.url RETURNING s.url`,
        [request.urls, now, request.force, request.runStartedAt, DUE_SLACK_SECONDS, request.limit, this.worker, until],
      );
      return rows.map((row) => row.url);
    });
    if (claimed.length === 0) return [];
    const { rows } = await this.guard(() =>
      this.pool.query<SourceRow>(`${SELECT_SOURCE} WHERE s.url = ANY($1::text[]) ORDER BY s.url`, [claimed]),
    );
    return rows.map(toState);
  }

  /**
   * A pooled client held through a long step (reading, the cluster lock). Losing its server while held (a restart,
   * pg_terminate_backend) fails its next query; without a listener the client's error event would end the process.
   */
  private async hold(): Promise<pg.PoolClient> {
    const client = await this.guard(() => this.pool.connect());
    client.on('error', ignore);
    const release = client.release.bind(client);
    client.release = (destroy?: Error | boolean) => {
      client.off('error', ignore);
      release(destroy);
    };
    return client;
  }

  /** Runs `work` in one transaction on one pooled client; any failure rolls back and becomes a StorageError. */
  private async tx<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.guard(() => this.pool.connect());
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw pgStorageError(error, this.name);
    } finally {
      client.release();
    }
  }

  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw pgStorageError(error, this.name);
    }
  }
}

async function declareSpecs(c: Queryable, specs: readonly SourceSpec[], now: string, adopt: boolean): Promise<void> {
  // Only new or changed declarations are written: every worker declares the whole config at start, and an
  // UPSERT would lock every row (claims skip locked rows) for nothing.
  const stored = await declaredRows(c, specs);
  const absent = specs.filter((spec) => !stored.has(spec.url));
  // New sources are inserted without touching a row another worker inserted meanwhile: with DO UPDATE, workers
  // starting together on an empty database each rewrote (and locked until their commit) all the rows the first
  // had inserted, and a worker claiming then found every feed locked, nothing to read, and ended (issue 17).
  const raced = new Set<string>();
  if (absent.length > 0) {
    const { rows } = await c.query<{ url: string }>(
      `INSERT INTO sources (url, kind, name, origin, schedule, created_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
       ON CONFLICT (url) DO NOTHING RETURNING url`,
      [
        absent.map((s) => s.url),
        absent.map((s) => s.kind),
        absent.map((s) => s.name),
        absent.map((s) => s.origin),
        absent.map((s) => s.schedule ?? null),
        absent.map(() => now),
      ],
    );
    const inserted = new Set(rows.map((row) => row.url));
    for (const spec of absent) if (!inserted.has(spec.url)) raced.add(spec.url);
  }
  // Those another worker inserted meanwhile are compared with what it stored, as the ones found at first.
  const current =
    raced.size > 0
      ? new Map([
          ...stored,
          ...(await declaredRows(
            c,
            specs.filter((spec) => raced.has(spec.url)),
          )),
        ])
      : stored;
  const changed = specs.filter((spec) => {
    const row = current.get(spec.url);
    return (
      row !== undefined &&
      (row.kind !== spec.kind || row.name !== spec.name || row.origin !== spec.origin || row.schedule !== (spec.schedule ?? null))
    );
  });
  if (changed.length === 0) return;
  // The declaring side owns its entry: a config declaration never rewrites a source the CLI added; adopting does.
  await c.query(
    `INSERT INTO sources (url, kind, name, origin, schedule, created_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
     ON CONFLICT (url) DO UPDATE SET kind = excluded.kind, name = excluded.name, origin = excluded.origin, schedule = excluded.schedule
     WHERE $7::boolean OR NOT (excluded.origin = 'cli' AND sources.origin <> 'cli')`,
    [
      changed.map((s) => s.url),
      changed.map((s) => s.kind),
      changed.map((s) => s.name),
      changed.map((s) => s.origin),
      changed.map((s) => s.schedule ?? null),
      changed.map(() => now),
      adopt,
    ],
  );
}

interface DeclaredRow {
  readonly url: string;
  readonly kind: string;
  readonly name: string;
  readonly origin: string;
  readonly schedule: string | null;
}

/** The stored declarations of these specs' sources, by URL. */
async function declaredRows(c: Queryable, specs: readonly SourceSpec[]): Promise<Map<string, DeclaredRow>> {
  const { rows } = await c.query<DeclaredRow>(`SELECT url, kind, name, origin, schedule FROM sources WHERE url = ANY($1::text[])`, [
    specs.map((s) => s.url),
  ]);
  return new Map(rows.map((row) => [row.url, row]));
}

async function updateSource(c: Queryable, url: string, change: SourceStateChange, endClaim = false): Promise<string> {
  const assignments: string[] = endClaim ? ['claimed_by = NULL', 'claimed_until = NULL'] : [];
  const values: unknown[] = [url];
  for (const [key, column] of Object.entries(columnOf) as [keyof typeof columnOf, string][]) {
    if (change[key] !== undefined) {
      values.push(change[key]);
      assignments.push(`${column} = $${values.length}`);
    }
  }
  if (assignments.length > 0) await c.query(`UPDATE sources SET ${assignments.join(', ')} WHERE url = $1`, values);
  if (change.newUrl && change.newUrl !== url) {
    const moved = await c.query(`UPDATE sources SET url = $2 WHERE url = $1 AND NOT EXISTS (SELECT 1 FROM sources WHERE url = $2)`, [
      url,
      change.newUrl,
    ]);
    if (moved.rowCount! > 0) return change.newUrl;
  }
  return url;
}

/** Column types of the state a read changes (columnOf), for the arrays `unnest` updates from. */
const STATE_TYPES: Record<keyof typeof columnOf, string> = {
  status: 'text',
  lastError: 'text',
  lastFetchedAt: 'text',
  nextFetchAt: 'text',
  retryNotBefore: 'text',
  errorCount: 'int',
  etag: 'text',
  lastModified: 'text',
  contentHash: 'text',
  title: 'text',
};

/**
 * As updateSource with endClaim for each read (distinct URLs, none moved): the reads changing the same fields
 * in one UPDATE from arrays.
 */
async function updateSources(c: Queryable, reads: readonly SourceRead[]): Promise<void> {
  const keys = Object.keys(columnOf) as (keyof typeof columnOf)[];
  const shapes = new Map<string, { fields: (keyof typeof columnOf)[]; reads: SourceRead[] }>();
  for (const read of reads) {
    const fields = keys.filter((key) => read.state[key] !== undefined);
    const shape = fields.join(',');
    const group = shapes.get(shape) ?? shapes.set(shape, { fields, reads: [] }).get(shape)!;
    group.reads.push(read);
  }
  for (const { fields, reads: group } of shapes.values()) {
    const assignments = ['claimed_by = NULL', 'claimed_until = NULL', ...fields.map((key) => `${columnOf[key]} = v.${columnOf[key]}`)];
    const arrays = fields.map((key, i) => `$${i + 2}::${STATE_TYPES[key]}[]`);
    await c.query(
      `UPDATE sources SET ${assignments.join(', ')}
       FROM unnest(${['$1::text[]', ...arrays].join(', ')}) AS v(url${fields.map((key) => `, ${columnOf[key]}`).join('')})
       WHERE sources.url = v.url`,
      [group.map((read) => read.url), ...fields.map((key) => group.map((read) => read.state[key]))],
    );
  }
}

async function touchClusters(c: Queryable, ids: readonly string[], now: string): Promise<void> {
  if (ids.length === 0) return;
  await c.query(`UPDATE clusters SET updated_at = $1 WHERE id = ANY($2::text[]) AND updated_at < $1`, [now, ids]);
}

/** As ClusterRepository.correct. */
async function correctClusters(c: Queryable, steps: readonly CorrectionStep[], now: string): Promise<void> {
  const touched = new Set<string>();
  for (const step of steps) {
    if (step.kind === 'move') {
      const { rows } = await c.query<{ cluster_id: string | null }>(`SELECT cluster_id FROM items WHERE id = $1`, [step.itemId]);
      await c.query(
        `INSERT INTO clusters (id, created_at, updated_at) VALUES ($1, $2, $2) ON CONFLICT (id) DO UPDATE SET merged_into = NULL`,
        [step.to, now],
      );
      await c.query(`UPDATE items SET cluster_id = $1 WHERE id = $2`, [step.to, step.itemId]);
      if (rows[0]?.cluster_id) touched.add(rows[0].cluster_id);
      touched.add(step.to);
    } else {
      await c.query(`UPDATE clusters SET merged_into = NULL WHERE id = $1`, [step.into]);
      await c.query(`UPDATE items SET cluster_id = $1 WHERE cluster_id = $2`, [step.into, step.from]);
      await c.query(`UPDATE clusters SET merged_into = $1, updated_at = $2 WHERE id = $3`, [step.into, now, step.from]);
      touched.add(step.into);
    }
  }
  await touchClusters(c, [...touched], now);
  await recordDecisions(c, correctionDecisions(steps), now);
}

/** As ClusterRepository.apply, in set statements. */
async function applyClustering(c: Queryable, result: ClusteringResult, now: string): Promise<ApplyResult> {
  const ids = result.assignments.map((a) => a.clusterId);
  const distinct = [...new Set(ids)];
  const { rows } = distinct.length
    ? await c.query<{ id: string }>(
        `INSERT INTO clusters (id, created_at, updated_at)
         SELECT id, $2, $2 FROM unnest($1::text[]) AS t(id) ON CONFLICT (id) DO NOTHING RETURNING id`,
        [distinct, now],
      )
    : { rows: [] };
  const created = new Set(rows.map((row) => row.id));
  // As on SQLite: a cluster is new once; every further assignment to it (or any to an older one) grows it.
  const grown = new Set<string>();
  const counted = new Set<string>();
  for (const id of ids) {
    if (created.has(id) && !counted.has(id)) counted.add(id);
    else grown.add(id);
  }
  if (result.assignments.length > 0) {
    await c.query(
      `UPDATE items SET cluster_id = v.cluster FROM unnest($1::text[], $2::text[]) AS v(item, cluster) WHERE items.id = v.item`,
      [result.assignments.map((a) => a.itemId), ids],
    );
  }
  for (const { from, into } of result.merges) {
    await c.query(`UPDATE items SET cluster_id = $1 WHERE cluster_id = $2`, [into, from]);
    await c.query(`UPDATE clusters SET merged_into = $1, updated_at = $2 WHERE id = $3`, [into, now, from]);
    grown.add(into);
  }
  await touchClusters(c, [...grown], now);
  await recordDecisions(c, result.decisions ?? [], now);
  const related = result.related ?? [];
  if (related.length > 0) {
    await c.query(
      `INSERT INTO related_stories (a, b, cosine) SELECT * FROM unnest($1::text[], $2::text[], $3::float8[])
       ON CONFLICT (a, b) DO UPDATE SET cosine = excluded.cosine`,
      [related.map((r) => r.a), related.map((r) => r.b), related.map((r) => r.cosine)],
    );
  }
  return { newClusters: created.size, grownClusters: grown.size, merged: result.merges.length };
}

/** As RetentionRepository.prune (same rules, same counts). */
async function prune(c: Queryable, cutoffIso: string, cutoffMs: number, keep: readonly string[], nowIso: string): Promise<PruneCounts> {
  await c.query(`CREATE TEMP TABLE prune_clusters (id TEXT COLLATE "C" PRIMARY KEY) ON COMMIT DROP`);
  const live = (
    await c.query(
      `INSERT INTO prune_clusters (id)
       SELECT c.id FROM clusters c
       WHERE c.merged_into IS NULL AND NOT (c.id = ANY($1::text[]))
         AND (NOT EXISTS (SELECT 1 FROM items i WHERE i.cluster_id = c.id)
              OR (c.updated_at < $2 AND NOT EXISTS (
                SELECT 1 FROM items i WHERE i.cluster_id = c.id AND (i.sort_time >= $3 OR i.first_seen_at >= $2))))`,
      [keep, cutoffIso, cutoffMs],
    )
  ).rowCount!;
  const merged = (
    await c.query(
      `INSERT INTO prune_clusters (id)
       WITH RECURSIVE gone(id) AS (SELECT id FROM prune_clusters UNION SELECT c.id FROM clusters c JOIN gone g ON c.merged_into = g.id)
       SELECT id FROM gone ON CONFLICT DO NOTHING`,
    )
  ).rowCount!;
  const tombstones = (await c.query(`DELETE FROM pruned_items WHERE last_seen_at < $1`, [cutoffIso])).rowCount!;
  await c.query(
    `INSERT INTO pruned_items (source_url, identity, pruned_at, last_seen_at)
     SELECT source_url, identity, $1, $1 FROM items WHERE cluster_id IN (SELECT id FROM prune_clusters)
     ON CONFLICT (source_url, identity) DO UPDATE SET pruned_at = excluded.pruned_at, last_seen_at = excluded.last_seen_at`,
    [nowIso],
  );
  await c.query(
    `INSERT INTO pruned_items (source_url, identity, pruned_at, last_seen_at)
     SELECT source_url, identity, $1, $1 FROM items WHERE cluster_id IS NULL AND sort_time < $2 AND first_seen_at < $3
     ON CONFLICT (source_url, identity) DO UPDATE SET pruned_at = excluded.pruned_at, last_seen_at = excluded.last_seen_at`,
    [nowIso, cutoffMs, cutoffIso],
  );
  const items =
    (await c.query(`DELETE FROM items WHERE cluster_id IN (SELECT id FROM prune_clusters)`)).rowCount! +
    (await c.query(`DELETE FROM items WHERE cluster_id IS NULL AND sort_time < $1 AND first_seen_at < $2`, [cutoffMs, cutoffIso]))
      .rowCount!;
  await c.query(`DELETE FROM clusters WHERE id IN (SELECT id FROM prune_clusters)`);
  const runs = (await c.query(`DELETE FROM runs WHERE started_at < $1 AND id < (SELECT MAX(id) FROM runs)`, [cutoffIso])).rowCount!;
  return { items, clusters: live, mergeRecords: merged, runs, tombstones };
}

/** Records clustering and correction decisions (the record `explain` reads). */
async function recordDecisions(c: Queryable, decisions: readonly PlacementDecision[], now: string): Promise<void> {
  if (decisions.length === 0) return;
  await c.query(
    `INSERT INTO decisions (item_id, story_id, compared_with, rule, score, threshold, detail, decided_at)
     SELECT d.item_id, d.story_id, d.compared_with, d.rule, d.score, d.threshold, d.detail, $8
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::float8[], $6::float8[], $7::text[])
       WITH ORDINALITY AS d(item_id, story_id, compared_with, rule, score, threshold, detail, n) ORDER BY d.n`,
    [
      decisions.map((d) => d.itemId),
      decisions.map((d) => d.storyId),
      decisions.map((d) => d.comparedWith),
      decisions.map((d) => d.rule),
      decisions.map((d) => d.score),
      decisions.map((d) => d.threshold),
      decisions.map(describeDecision),
      now,
    ],
  );
}
