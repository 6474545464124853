/**
 * Many workers on one PostgreSQL database (issue 17): items/s of 1, 2, 4 and 8 `feedmerge run` processes
 * started together against one database, reading 2,000 feeds from a 127.0.0.1 origin that answers each after
 * 200 ms, and SQLite against PostgreSQL with one worker. Prints the speed-up per worker count and checks that
 * each feed was fetched once. Needs PostgreSQL installed (a throwaway cluster is started, as in the tests).
 * Run: npx tsx bench/workers.ts   (FEEDMERGE_BENCH_WORKERS=1,2,4,8, FEEDMERGE_BENCH_FEEDS=2000,
 * FEEDMERGE_BENCH_DELAY_MS=200)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPostgres } from '../tests/helpers/postgres.js';
import { loadUciSample } from './cluster-data.js';
import { README_NODE_OPTIONS } from './node-options.js';

const BUILT_CLI = fileURLToPath(new URL('../bin/feedmerge.js', import.meta.url));

const escapeXml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A 127.0.0.1 origin serving `feeds` RSS documents (the UCI headlines dealt round-robin), logging every request. */
export interface FeedOrigin {
  readonly url: string;
  /** Requests per path. */
  readonly hits: Map<string, number>;
  /** When each request arrived (ms since the epoch), in order. */
  readonly times: number[];
  /** Items the origin serves in all. */
  readonly items: number;
  close(): Promise<void>;
}

/** Starts the origin; each answer waits `delayMs` first, as a distant server would. */
export async function startFeedOrigin(feeds: number, delayMs: number): Promise<FeedOrigin> {
  const sample = loadUciSample().map((l) => l.input);
  const documents = Array.from({ length: feeds }, (_, i) => {
    const entries = sample
      .filter((_, j) => j % feeds === i)
      .map(
        (item) =>
          `<item><title>${escapeXml(item.title)}</title><link>https://example.org/${encodeURIComponent(item.id)}</link>` +
          `<guid isPermaLink="false">${escapeXml(item.id)}</guid><pubDate>${new Date(item.time).toUTCString()}</pubDate></item>`,
      );
    const channel = `<title>Feed ${i}</title><link>https://example.org/</link><description>Feed ${i}</description>`;
    return `<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>${channel}${entries.join('\n')}</channel></rss>\n`;
  });
  const hits = new Map<string, number>();
  const times: number[] = [];
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    times.push(Date.now());
    const match = /^\/feed\/(\d+)\.xml$/.exec(path);
    setTimeout(() => {
      const body = match ? documents[Number(match[1])] : undefined;
      if (body === undefined) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' }).end(body);
    }, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    times,
    items: sample.length,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A config reading every feed of the origin into `database`, with enough fetch slots for one host. */
export function writeWorkerConfig(dir: string, origin: FeedOrigin, feeds: number, database: string): string {
  const lines = Array.from({ length: feeds }, (_, i) => `  - url: ${origin.url}/feed/${i}.xml\n    name: Outlet ${i}`);
  const config = join(dir, 'feedmerge.yaml');
  writeFileSync(
    config,
    `root: .\ndatabase: ${JSON.stringify(database)}\noutput: public\nseeds: []\nfeeds:\n${lines.join('\n')}\n` +
      `fetch:\n  concurrency: 16\n  perHostConcurrency: 16\n`,
  );
  return config;
}

/** Runs `count` `feedmerge run` processes at once, started as the README starts them; resolves with the wall time
 * once all have exited 0. */
export async function runWorkers(config: string, count: number, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<void>((resolve, reject) => {
          const child = spawn(process.execPath, [...README_NODE_OPTIONS, BUILT_CLI, 'run', '--config', config], {
            stdio: ['ignore', 'ignore', 'pipe'],
            env,
          });
          let stderr = '';
          child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
          child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`feedmerge run exited ${code}: ${stderr}`))));
        }),
    ),
  );
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Prints items/s per worker count and the speed-up over one worker. */
export async function main(): Promise<void> {
  const workerCounts = (process.env.FEEDMERGE_BENCH_WORKERS ?? '1,2,4,8').split(',').map(Number);
  const feeds = Number(process.env.FEEDMERGE_BENCH_FEEDS ?? 2000);
  const delayMs = Number(process.env.FEEDMERGE_BENCH_DELAY_MS ?? 200);
  const postgres = await startPostgres();
  const origin = await startFeedOrigin(feeds, delayMs);
  try {
    console.log(`${feeds} feeds (${origin.items} items) from a 127.0.0.1 origin answering after ${delayMs} ms; workers started together`);
    console.log('  engine       workers   seconds    items/s   speed-up   fetches/feed   start s   reading s   tail s');
    let startedAt = 0;
    const line = (engine: string, workers: number, seconds: number, base: number): void => {
      // The fixed costs: from the start to the first request (start-up), and from the last answer to the end
      // (clustering and publishing); reading is what lies between.
      const first = (Math.min(...origin.times) - startedAt) / 1000;
      const lastAnswer = (Math.max(...origin.times) + delayMs - startedAt) / 1000;
      const reading = (lastAnswer - first).toFixed(2);
      const phases = `${first.toFixed(2).padStart(9)} ${reading.padStart(11)} ${(seconds - lastAnswer).toFixed(2).padStart(8)}`;
      const counts = [...origin.hits.values()];
      const once =
        counts.length === feeds && counts.every((n) => n === 1)
          ? '1'
          : `${Math.min(...counts)}-${Math.max(...counts)} (${counts.length} feeds)`;
      console.log(
        `  ${engine.padEnd(10)} ${String(workers).padStart(8)} ${seconds.toFixed(2).padStart(9)} ${Math.round(origin.items / seconds)
          .toString()
          .padStart(10)} ${(base / seconds).toFixed(2).padStart(9)}x   ${once.padEnd(12)} ${phases}`,
      );
    };
    const sqliteDir = mkdtempSync(join(tmpdir(), 'feedmerge-workers-'));
    try {
      origin.hits.clear();
      origin.times.length = 0;
      const config = writeWorkerConfig(sqliteDir, origin, feeds, 'data/feedmerge.db');
      startedAt = Date.now();
      const seconds = await runWorkers(config, 1);
      line('SQLite', 1, seconds, seconds);
    } finally {
      rmSync(sqliteDir, { recursive: true, force: true });
    }
    let base = 0;
    for (const workers of workerCounts) {
      const dir = mkdtempSync(join(tmpdir(), 'feedmerge-workers-'));
      try {
        origin.hits.clear();
        origin.times.length = 0;
        const config = writeWorkerConfig(dir, origin, feeds, await postgres.createDatabase());
        startedAt = Date.now();
        const seconds = await runWorkers(config, workers);
        if (base === 0) base = seconds; // the speed-up is over the first count (1 by default)
        line('PostgreSQL', workers, seconds, base);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    await origin.close();
    postgres.stop();
  }
}

if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
