import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFeedOrigin, writeWorkerConfig, type FeedOrigin } from '../bench/workers.js';
import { CLI, REPO, runCli, runCliAsync } from './helpers/cli.js';
import { startPostgres, type TestPostgres } from './helpers/postgres.js';
import { tempDir } from './helpers/temp.js';

/**
 * Workers on PostgreSQL that stop or die (issue 17): SIGTERM while holding the cluster lock and while waiting
 * for it, SIGTERM and SIGKILL while feeds are claimed. Every wait is on an event (a log line, a request at
 * the origin, a lock seen in pg_locks), never on the clock; a lease's end is stood in for by ageing the claim.
 */

const CLUSTER_LOCK = `hashtext('feedmerge:cluster-publish')`;

let postgres: TestPostgres;
beforeAll(async () => {
  postgres = await startPostgres();
});
afterAll(() => postgres?.stop());

interface Worker {
  readonly exited: Promise<number | null>;
  readonly stderr: () => string;
  kill(signal: NodeJS.Signals): void;
}

/** A `feedmerge run --verbose` in the background (debug lines tell where it is). */
function startRun(config: string): Worker {
  const child = spawn(process.execPath, [CLI, 'run', '--verbose', '--config', config], {
    cwd: REPO,
    env: { ...process.env, FEEDMERGE_CONFIG: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
  return { exited, stderr: () => stderr, kill: (signal) => child.kill(signal) };
}

/** Resolves once `check` holds, checking again after every `interval` (a condition, not a fixed sleep). */
async function waitFor(check: () => boolean | Promise<boolean>, interval = 20): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, interval));
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const count = async (client: pg.Client, sql: string): Promise<number> => (await client.query<{ n: number }>(sql)).rows[0]!.n;

interface ClustersJson {
  clusters: { id: string; items: { id: string }[] }[];
}

/** Every stored item in exactly one story, no story twice; returns how many items the stories hold. */
function storiesAreSound(config: string): number {
  const listed = runCli(['clusters', '--json', '--config', config]);
  expect(listed.status, listed.stderr).toBe(0);
  const { clusters } = JSON.parse(listed.stdout) as ClustersJson;
  const ids = clusters.map((c) => c.id);
  expect(new Set(ids).size).toBe(ids.length);
  const members = clusters.flatMap((c) => c.items.map((i) => i.id));
  expect(new Set(members).size).toBe(members.length);
  return members.length;
}

describe('a worker stopped around the cluster lock', () => {
  let origin: FeedOrigin;
  beforeAll(async () => {
    origin = await startFeedOrigin(100, 0); // 6,366 items: clustering runs in a worker thread for seconds
  });
  afterAll(() => origin?.close());

  it('SIGTERM while clustering under the lock: exit 143, the lock let go, nothing half applied; the next run clusters all', async () => {
    const url = await postgres.createDatabase();
    const config = writeWorkerConfig(tempDir(), origin, 100, url);
    const worker = startRun(config);
    await waitFor(() => worker.stderr().includes('cluster: placing'));
    await withClient(url, async (client) => {
      // Held by the worker (the placing line is written under it): this session cannot take it.
      expect((await client.query<{ got: boolean }>(`SELECT pg_try_advisory_lock(${CLUSTER_LOCK}) AS got`)).rows[0]!.got).toBe(false);
      worker.kill('SIGTERM');
      expect(await worker.exited).toBe(143);
      expect((await client.query<{ got: boolean }>(`SELECT pg_try_advisory_lock(${CLUSTER_LOCK}) AS got`)).rows[0]!.got).toBe(true);
      await client.query(`SELECT pg_advisory_unlock(${CLUSTER_LOCK})`);
      expect(await count(client, `SELECT COUNT(*)::int AS n FROM items`)).toBe(origin.items);
      // A stop during clustering applies none of it (nothing placed, no story).
      expect(await count(client, `SELECT COUNT(*)::int AS n FROM items WHERE cluster_id IS NOT NULL`)).toBe(0);
      expect(await count(client, `SELECT COUNT(*)::int AS n FROM clusters`)).toBe(0);
    });
    const next = await runCliAsync(['run', '--config', config]);
    expect(next.status, next.stderr).toBe(0);
    expect(storiesAreSound(config)).toBe(origin.items);
  });

  it('SIGTERM while waiting for the lock another holds: exit 143 at once, what it read stays stored', async () => {
    const url = await postgres.createDatabase();
    const config = writeWorkerConfig(tempDir(), origin, 100, url);
    await withClient(url, async (holder) => {
      await holder.query(`SELECT pg_advisory_lock(${CLUSTER_LOCK})`);
      const worker = startRun(config);
      // The worker has read every feed and now waits for the lock this test holds.
      await waitFor(
        async () => (await count(holder, `SELECT COUNT(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`)) > 0,
      );
      worker.kill('SIGTERM');
      // Exits while the lock is still held here: the wait was given up, not sat out.
      expect(await worker.exited).toBe(143);
      expect(await count(holder, `SELECT COUNT(*)::int AS n FROM items`)).toBe(origin.items);
      expect(await count(holder, `SELECT COUNT(*)::int AS n FROM items WHERE cluster_id IS NOT NULL`)).toBe(0);
      await holder.query(`SELECT pg_advisory_unlock(${CLUSTER_LOCK})`);
    });
    const next = await runCliAsync(['run', '--config', config]);
    expect(next.status, next.stderr).toBe(0);
    expect(storiesAreSound(config)).toBe(origin.items);
  });
});

/** An origin whose answers can be held back: `holding` keeps every response open until `release()`. */
async function startHoldingOrigin(feeds: number): Promise<{
  url: string;
  hits: string[];
  held: () => number;
  holding: boolean;
  release(): void;
  close(): Promise<void>;
}> {
  const document = (i: number): string =>
    `<?xml version="1.0"?><rss version="2.0"><channel><title>Feed ${i}</title>` +
    `<link>https://example.org/</link><description>d</description>` +
    [0, 1]
      .map(
        (j) =>
          `<item><title>Outlet ${i} reports event number ${i * 2 + j} in detail</title><link>https://example.org/${i}/${j}</link>` +
          `<guid isPermaLink="false">${i}-${j}</guid><pubDate>${new Date(Date.UTC(2026, 0, 1, 0, i)).toUTCString()}</pubDate></item>`,
      )
      .join('') +
    `</channel></rss>`;
  const waiting: { res: ServerResponse; i: number }[] = [];
  const state = {
    url: '',
    hits: [] as string[],
    holding: true,
    held: () => waiting.length,
    release() {
      state.holding = false;
      for (const { res } of waiting.splice(0)) res.destroy();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = createServer((req, res) => {
    const match = /^\/feed\/(\d+)\.xml$/.exec(req.url ?? '');
    if (!match || Number(match[1]) >= feeds) return void res.writeHead(404).end();
    state.hits.push(req.url!);
    if (state.holding) waiting.push({ res, i: Number(match[1]) });
    else res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(document(Number(match[1])));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

describe('claims of a worker that stops or dies while reading', () => {
  const FEEDS = 30;

  /** Four fetch slots: a worker claims six feeds (its slots and half as many again) and waits on four. */
  function config(origin: { url: string }, database: string): string {
    const file = join(tempDir(), 'feedmerge.yaml');
    const feeds = Array.from({ length: FEEDS }, (_, i) => `  - url: ${origin.url}/feed/${i}.xml\n    name: Outlet ${i}`);
    writeFileSync(
      file,
      `root: .\ndatabase: ${JSON.stringify(database)}\noutput: public\nseeds: []\nfeeds:\n${feeds.join('\n')}\n` +
        `fetch:\n  concurrency: 4\n  perHostConcurrency: 4\n`,
    );
    return file;
  }

  it("SIGKILL: the dead worker's feeds wait for its lease, then the next run reads exactly those", async () => {
    const origin = await startHoldingOrigin(FEEDS);
    try {
      const url = await postgres.createDatabase();
      const file = config(origin, url);
      const dead = startRun(file);
      await waitFor(() => origin.held() === 4);
      dead.kill('SIGKILL');
      await dead.exited;
      origin.release();
      const claimedByDead = await withClient(url, async (client) =>
        (await client.query<{ url: string }>(`SELECT url FROM sources WHERE claimed_until > now() ORDER BY url`)).rows.map((r) => r.url),
      );
      expect(claimedByDead).toHaveLength(6);

      // Another worker reads every other feed, and leaves the dead worker's alone while its lease lasts.
      origin.hits.length = 0;
      const other = await runCliAsync(['run', '--config', file]);
      expect(other.status, other.stderr).toBe(0);
      const path = (feed: string): string => new URL(feed).pathname;
      expect(origin.hits.sort()).toEqual(
        Array.from({ length: FEEDS }, (_, i) => `/feed/${i}.xml`)
          .filter((p) => !claimedByDead.map(path).includes(p))
          .sort(),
      );

      // The lease ends (aged here rather than waited for): the next run reads exactly the dead worker's feeds.
      await withClient(url, (client) =>
        client.query(`UPDATE sources SET claimed_until = now() - interval '1 second' WHERE claimed_until IS NOT NULL`),
      );
      origin.hits.length = 0;
      const after = await runCliAsync(['run', '--config', file]);
      expect(after.status, after.stderr).toBe(0);
      expect(origin.hits.sort()).toEqual(claimedByDead.map(path).sort());
      expect(storiesAreSound(file)).toBe(FEEDS * 2);
    } finally {
      origin.release();
      await origin.close();
    }
  });

  it('SIGTERM: the feeds it claimed and did not read are given back at once', async () => {
    const origin = await startHoldingOrigin(FEEDS);
    try {
      const url = await postgres.createDatabase();
      const file = config(origin, url);
      const stopped = startRun(file);
      await waitFor(() => origin.held() === 4);
      stopped.kill('SIGTERM');
      expect(await stopped.exited).toBe(143);
      origin.release();
      await withClient(url, async (client) => {
        expect(await count(client, `SELECT COUNT(*)::int AS n FROM sources WHERE claimed_until IS NOT NULL`)).toBe(0);
      });
      origin.hits.length = 0;
      const next = await runCliAsync(['run', '--config', file]);
      expect(next.status, next.stderr).toBe(0);
      expect(origin.hits).toHaveLength(FEEDS);
      expect(storiesAreSound(file)).toBe(FEEDS * 2);
    } finally {
      origin.release();
      await origin.close();
    }
  });
});
