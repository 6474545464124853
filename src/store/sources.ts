import type { SourceSpec, SourceState, SourceStateChange, SourceStatus } from '../model.js';
import type { Statement } from 'better-sqlite3';
import type { Db } from './db.js';

export interface SourceRow {
  url: string;
  kind: SourceState['kind'];
  name: string;
  origin: SourceState['origin'];
  schedule: string | null;
  status: SourceStatus;
  last_error: string | null;
  last_fetched_at: string | null;
  next_fetch_at: string | null;
  retry_not_before: string | null;
  error_count: number;
  etag: string | null;
  last_modified: string | null;
  content_hash: string | null;
  title: string | null;
  items: number;
}

export const columnOf: Record<Exclude<keyof SourceStateChange, 'newUrl'>, string> = {
  status: 'status',
  lastError: 'last_error',
  lastFetchedAt: 'last_fetched_at',
  nextFetchAt: 'next_fetch_at',
  retryNotBefore: 'retry_not_before',
  errorCount: 'error_count',
  etag: 'etag',
  lastModified: 'last_modified',
  contentHash: 'content_hash',
  title: 'title',
};

/** The sources table: what to read and how each source fared. */
export class SourceRepository {
  private readonly selectAll;
  private readonly selectOne;
  private readonly insert;
  private readonly updateDeclared;
  private readonly deleteOne;
  private readonly rename;
  private readonly selectOrigin;
  /** UPDATE statements by the set of columns they change, prepared once each. */
  private readonly updates = new Map<string, Statement>();

  constructor(private readonly db: Db) {
    const select = `SELECT s.*, (SELECT COUNT(*) FROM items i WHERE i.source_url = s.url) AS items FROM sources s`;
    this.selectAll = db.prepare<[], SourceRow>(`${select} ORDER BY s.kind DESC, s.name, s.url`);
    this.selectOne = db.prepare<[string], SourceRow>(`${select} WHERE s.url = ?`);
    this.insert = db.prepare(
      `INSERT INTO sources (url, kind, name, origin, schedule, created_at) VALUES (@url, @kind, @name, @origin, @schedule, @now)`,
    );
    this.updateDeclared = db.prepare(
      `UPDATE sources SET kind = @kind, name = @name, origin = @origin, schedule = @schedule WHERE url = @url`,
    );
    this.deleteOne = db.prepare(`DELETE FROM sources WHERE url = ?`);
    this.rename = db.prepare(`UPDATE sources SET url = @newUrl WHERE url = @url`);
    this.selectOrigin = db.prepare<[string], { origin: SourceState['origin'] }>(`SELECT origin FROM sources WHERE url = ?`);
  }

  /** Every source, feeds first, by name. */
  list(): SourceState[] {
    return this.selectAll.all().map(toState);
  }

  /** One source by URL/path, or undefined. */
  get(url: string): SourceState | undefined {
    const row = this.selectOne.get(url);
    return row ? toState(row) : undefined;
  }

  /**
   * Records a declared source. The declaring side owns its entry: the config (or the seeds folder) rewrites
   * name and schedule of its own entries on every run; a source added from the CLI keeps what the CLI said.
   */
  declare(spec: SourceSpec, now: string): void {
    const existing = this.selectOrigin.get(spec.url);
    const row = { url: spec.url, kind: spec.kind, name: spec.name, origin: spec.origin, schedule: spec.schedule ?? null, now };
    if (!existing) this.insert.run(row);
    else if (!(spec.origin === 'cli' && existing.origin !== 'cli')) this.updateDeclared.run(row);
  }

  /** Records a source the CLI subscribes to, taking over an entry the config file declared before (its
   * items and read state are kept; name, schedule and origin become the CLI's). */
  adopt(spec: SourceSpec, now: string): void {
    const row = { url: spec.url, kind: spec.kind, name: spec.name, origin: spec.origin, schedule: spec.schedule ?? null, now };
    if (this.selectOrigin.get(spec.url)) this.updateDeclared.run(row);
    else this.insert.run(row);
  }

  /** Applies what a reader learnt about a source; `newUrl` moves it (and its items) to a new URL. */
  update(url: string, change: SourceStateChange): string {
    const assignments: string[] = [];
    const values: Record<string, unknown> = { url };
    for (const [key, column] of Object.entries(columnOf) as [keyof typeof columnOf, string][]) {
      if (change[key] !== undefined) {
        assignments.push(`${column} = @${key}`);
        values[key] = change[key];
      }
    }
    if (assignments.length > 0) {
      const sql = `UPDATE sources SET ${assignments.join(', ')} WHERE url = @url`;
      let statement = this.updates.get(sql);
      if (!statement) this.updates.set(sql, (statement = this.db.prepare(sql)));
      statement.run(values);
    }
    if (change.newUrl && change.newUrl !== url && !this.selectOrigin.get(change.newUrl)) {
      this.rename.run({ url, newUrl: change.newUrl });
      return change.newUrl;
    }
    return url;
  }

  /** Deletes a source and (by cascade) its items. Returns whether it existed. */
  remove(url: string): boolean {
    return this.deleteOne.run(url).changes > 0;
  }
}

export function toState(row: SourceRow): SourceState {
  return {
    url: row.url,
    kind: row.kind,
    name: row.name,
    origin: row.origin,
    schedule: row.schedule,
    status: row.status,
    lastError: row.last_error,
    lastFetchedAt: row.last_fetched_at,
    nextFetchAt: row.next_fetch_at,
    retryNotBefore: row.retry_not_before,
    errorCount: row.error_count,
    etag: row.etag,
    lastModified: row.last_modified,
    contentHash: row.content_hash,
    title: row.title,
    items: row.items,
  };
}
