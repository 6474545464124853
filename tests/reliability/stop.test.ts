import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeInstance } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';
import { runCliAsync, snapshotFolder, startCli, type Running } from './cli-process.js';
import { makeCrashInstance, originFeed } from './crash-instance.js';

/**
 * Prompt stop (issue #14): SIGTERM or SIGINT stops `run` and `serve` within 5 s even with feed requests
 * hanging: the request in flight is abandoned (no error, no backoff), nothing more is read, the database stays
 * sound, published files stay as they were, and the next run reads what was left, clusters what was stored
 * and ends with exactly the items of an uninterrupted run.
 */

const FEEDS = 30;
/** Feeds below this answer at once; the others hang while the origin holds (a slow origin mid-run). */
const PROMPT_FEEDS = 6;

/** An origin serving FEEDS feeds of 10 items each; `hold` makes most of them hang until released. */
class HangingOrigin {
  hold = false;
  private readonly held: ServerResponse[] = [];
  private readonly waiters: (() => void)[] = [];
  private readonly server: Server;
  private readonly bodies = Array.from({ length: FEEDS }, () => originFeed(10));

  constructor() {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const index = Number(/\/feed\/(\d+)\.xml$/.exec(req.url ?? '')?.[1] ?? -1);
      const body = this.bodies[index];
      if (!body) return void res.writeHead(404).end();
      if (this.hold && index >= PROMPT_FEEDS) {
        this.held.push(res);
        for (const wake of this.waiters.splice(0)) wake();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' }).end(body);
    });
  }

  async start(): Promise<string> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Resolves once a request is hanging: the run is mid-way through its feeds. */
  requestHanging(): Promise<void> {
    return this.held.length > 0 ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Ends every hanging request (as a failing origin would) and answers the next ones at once. */
  release(): void {
    this.hold = false;
    for (const res of this.held.splice(0)) res.destroy();
  }

  close(): void {
    this.release();
    this.server.closeAllConnections();
    this.server.close();
  }
}

interface ClustersJson {
  clusters: { items: { id: string; source: string; title: string }[] }[];
}

const origin = new HangingOrigin();
let dir: string;
let config: string;
let database: string;
let reference: string[];

async function storedItems(): Promise<string[]> {
  const result = await runCliAsync(['clusters', '--json', '--config', config]);
  expect(result.status).toBe(0);
  const data = JSON.parse(result.stdout) as ClustersJson;
  return data.clusters.flatMap((c) => c.items.map((i) => `${i.source}\t${i.id}\t${i.title}`)).sort();
}

function expectSoundDatabase(): { unclustered: number; errors: number } {
  const db = new Database(database, { readonly: true });
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const unclustered = (db.prepare('SELECT count(*) AS n FROM items WHERE cluster_id IS NULL').get() as { n: number }).n;
    const errors = (db.prepare("SELECT count(*) AS n FROM sources WHERE status = 'error' OR error_count > 0").get() as { n: number }).n;
    return { unclustered, errors };
  } finally {
    db.close();
  }
}

/** Sends `signal` once a feed request hangs; resolves with the process's end and the time it took after the signal. */
async function stopMidRun(running: Running, signal: NodeJS.Signals) {
  await origin.requestHanging();
  const sent = performance.now();
  running.child.kill(signal);
  const finished = await running.done;
  return { ...finished, afterSignalMs: performance.now() - sent };
}

beforeAll(async () => {
  const base = await origin.start();
  dir = tempDir('feedmerge-stop-');
  const feeds = Array.from({ length: FEEDS }, (_, i) => `  - url: ${base}/feed/${i}.xml\n    name: Origin ${i}`).join('\n');
  // fetch.timeoutSeconds far above the 5 s: only the stop may end a hanging request.
  config = makeInstance(dir, `feeds:\n${feeds}\nfetch:\n  timeoutSeconds: 300\n  concurrency: 4\n`);
  database = join(dir, 'data', 'feedmerge.db');
  const clean = await runCliAsync(['run', '--config', config]);
  expect(clean.stderr).toBe('');
  expect(clean.status).toBe(0);
  reference = await storedItems();
  expect(reference.length).toBeGreaterThan(FEEDS * 10);
});

afterAll(() => origin.close());

function freshInstance(): void {
  rmSync(join(dir, 'data'), { recursive: true, force: true });
  rmSync(join(dir, 'public'), { recursive: true, force: true });
}

describe('stopping a run', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('run: %s mid-run exits %i within 5 s; the next run ends with exactly the items of a clean run', async (signal, code) => {
    freshInstance();
    origin.hold = true;
    const stopped = await stopMidRun(startCli(['run', '--config', config]), signal);
    origin.release();
    expect(stopped.status).toBe(code);
    expect(stopped.afterSignalMs).toBeLessThan(5000);
    const lines = stopped.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(`^feedmerge: run: stopped by ${signal}: \\d+ sources read and stored, \\d+ left unread; the next run`),
    );
    // Sound, nothing published yet, no feed blamed for the abandoned requests, and stored items wait to be clustered.
    const state = expectSoundDatabase();
    expect(state.errors).toBe(0);
    expect(state.unclustered).toBeGreaterThan(0);
    expect(snapshotFolder(join(dir, 'public'))).toEqual({});

    const next = await runCliAsync(['run', '--config', config]);
    expect(next.stderr).toBe('');
    expect(next.status).toBe(0);
    expect(expectSoundDatabase().unclustered).toBe(0);
    expect(await storedItems()).toEqual(reference);
  });

  it('run: SIGTERM while thousands of new items are being clustered exits 143 within 5 s; the next run clusters them', async () => {
    const big = tempDir('feedmerge-stop-cluster-');
    const bigConfig = makeCrashInstance(big, 'http://127.0.0.1:9/feed.xml', { rows: 3000, outputFeeds: 1 });
    const running = startCli(['run', '--verbose', '--config', bigConfig]);
    // The clustering step has begun once it logs what it places (debug, shown by --verbose).
    await new Promise<void>((resolve) => {
      const look = (): void =>
        void (/cluster: placing [1-9]\d{3,} new items/.test(running.stderrSoFar()) ? resolve() : setTimeout(look, 5));
      look();
    });
    const sent = performance.now();
    running.child.kill('SIGTERM');
    const stopped = await running.done;
    expect(performance.now() - sent).toBeLessThan(5000);
    expect(stopped.status).toBe(143);
    const db = new Database(join(big, 'data', 'feedmerge.db'), { readonly: true });
    const count = (sql: string): number => (db.prepare(sql).get() as { n: number }).n;
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(count('SELECT count(*) AS n FROM items WHERE cluster_id IS NULL')).toBe(count('SELECT count(*) AS n FROM items'));
    } finally {
      db.close();
    }
    const next = await runCliAsync(['run', '--config', bigConfig]);
    expect(next.status).toBe(0);
    const after = new Database(join(big, 'data', 'feedmerge.db'), { readonly: true });
    try {
      expect((after.prepare('SELECT count(*) AS n FROM items WHERE cluster_id IS NULL').get() as { n: number }).n).toBe(0);
    } finally {
      after.close();
    }
  });

  it('serve: SIGTERM mid-run exits 0 within 5 s, published files untouched; the next run completes', async () => {
    // Published files from a completed run first: the stopped run must leave them exactly as they are.
    freshInstance();
    expect((await runCliAsync(['run', '--config', config])).status).toBe(0);
    const published = snapshotFolder(join(dir, 'public'));
    rmSync(join(dir, 'data'), { recursive: true, force: true });
    origin.hold = true;
    const running = startCli(['serve', '--port', '0', '--config', config]);
    const stopped = await stopMidRun(running, 'SIGTERM');
    origin.release();
    expect(stopped.status).toBe(0);
    expect(stopped.afterSignalMs).toBeLessThan(5000);
    const messages = stopped.stderr
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(messages.at(-1)).toBe('serve: stopped');
    expect(messages.some((msg) => msg.startsWith('run: ') && msg.includes('stopped early'))).toBe(true);
    expect(expectSoundDatabase().errors).toBe(0);
    expect(snapshotFolder(join(dir, 'public'))).toEqual(published);

    const next = await runCliAsync(['run', '--config', config]);
    expect(next.stderr).toBe('');
    expect(next.status).toBe(0);
    expect(await storedItems()).toEqual(reference);
  });
});
