/**
 * Publishing figures on the UCI news sample (one cluster per STORY id): render, write, validate, serve.
 * Prints figures, asserts nothing. Run: npx tsx bench/publish.ts (or npm run bench)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { Cluster, Item } from '../src/model.js';
import { renderFeed } from '../src/publish/feeds.js';
import { startServer } from '../src/publish/server.js';
import { writeFeeds } from '../src/publish/write.js';
import { SITE, makeItem, outputFeed } from '../tests/publish/fixtures.js';
import { parseCsv } from './cluster-data.js';

const csv = readFileSync(fileURLToPath(new URL('../tests/fixtures/uci/uci-news-sample.csv', import.meta.url)), 'utf8');

/** Prints rendering, writing and serving figures. */
export async function main(): Promise<void> {
  const byStory = new Map<string, Item[]>();
  for (const row of parseCsv(csv).slice(1)) {
    if (row.length < 8) continue;
    const [id, title, url, publisher, category, story, host, timestamp] = row;
    const time = new Date(Number(timestamp)).toISOString();
    const item = makeItem({
      id: id!,
      title: title!,
      link: url!,
      sourceName: publisher!,
      sourceUrl: `https://${host}/feed`,
      published: time,
      firstSeenAt: time,
      categories: [category!],
    });
    byStory.set(story!, [...(byStory.get(story!) ?? []), item]);
  }
  const clusters: Cluster[] = [...byStory.entries()].map(([story, items]) => {
    const times = items.map((i) => i.published!).sort();
    return { id: story, title: items[0]!.title, published: times[0]!, updated: times.at(-1)!, items, related: [] };
  });
  const itemCount = clusters.reduce((n, c) => n + c.items.length, 0);
  console.log(`input: ${clusters.length} clusters, ${itemCount} items`);

  function time<T>(label: string, runs: number, fn: () => T): T {
    let result: T = fn();
    const start = performance.now();
    for (let i = 0; i < runs; i++) result = fn();
    console.log(`${label}: ${((performance.now() - start) / runs).toFixed(1)} ms/run (${runs} runs)`);
    return result;
  }

  const small = time('renderFeed limit 50 (3 formats)', 20, () => renderFeed(clusters, outputFeed(), SITE));
  const big = time(`renderFeed limit ${clusters.length} (3 formats)`, 3, () => renderFeed(clusters, outputFeed({ limit: 10_000 }), SITE));
  console.log(`sizes limit 50: atom ${small.atom.length} B, rss ${small.rss.length} B, json ${small.json.length} B`);
  console.log(`sizes all: atom ${big.atom.length} B, rss ${big.rss.length} B, json ${big.json.length} B`);

  const dir = mkdtempSync(join(tmpdir(), 'feedmerge-bench-'));
  try {
    time('writeFeeds, content changed (3 files, fsync)', 5, () =>
      writeFeeds(dir, [{ ...big, atom: `${big.atom}\n<!-- ${Math.random()} -->` }]),
    );
    time('writeFeeds, unchanged (compare only)', 20, () => writeFeeds(dir, [big]));
    writeFileSync(join(dir, 'big.atom'), big.atom);
    const jing = spawnSync(
      'jing',
      ['-c', fileURLToPath(new URL('../tests/fixtures/publish/atom.rnc', import.meta.url)), join(dir, 'big.atom')],
      { encoding: 'utf8' },
    );
    console.log(`jing on the ${clusters.length}-entry Atom feed: ${jing.status === 0 ? 'valid' : `INVALID\n${jing.stdout}${jing.stderr}`}`);

    writeFeeds(dir, [small]);
    const server = await startServer(
      {
        outputDir: dir,
        site: SITE,
        feeds: [outputFeed()],
        listSources: () => [],
        latestClusters: (n) => clusters.slice(0, n),
        health: () => ({ ok: true, lastRun: null }),
      },
      { host: '127.0.0.1', port: 0 },
    );
    const url = new URL(server.url);
    const get = (path: string, headers: Record<string, string>): Promise<number> =>
      new Promise((resolve, reject) => {
        const req = request({ host: url.hostname, port: url.port, path, headers, agent: false }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end();
      });
    const first = await new Promise<string>((resolve) =>
      request({ host: url.hostname, port: url.port, path: '/feeds/all.atom' }, (res) => {
        res.resume();
        resolve(String(res.headers['etag']));
      }).end(),
    );
    for (const [label, headers] of [
      ['GET /feeds/all.atom 200 identity', {}],
      ['GET /feeds/all.atom 200 gzip', { 'Accept-Encoding': 'gzip' }],
      ['GET /feeds/all.atom 304', { 'If-None-Match': first }],
    ] as const) {
      const n = 500;
      const start = performance.now();
      for (let i = 0; i < n; i++) await get('/feeds/all.atom', headers);
      console.log(`${label}: ${((performance.now() - start) / n).toFixed(2)} ms/request sequential (${n} requests, new connection each)`);
    }
    await server.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
