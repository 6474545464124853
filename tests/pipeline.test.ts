import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { appendFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig, type Config } from '../src/config.js';
import { createLogger, silentLogger } from '../src/log.js';
import { publishFeeds, runPipeline } from '../src/pipeline.js';
import { itemId, SqliteBackend, SqliteStore } from '../src/store/index.js';
import { REPO } from './helpers/cli.js';
import { rawItem } from './helpers/items.js';
import { tempDir } from './helpers/temp.js';

const ATOM = readFileSync(join(REPO, 'tests/fixtures/feeds/own/atom-xml-base.atom'));
const RSS = readFileSync(join(REPO, 'tests/fixtures/feeds/own/latin1.rss'));

interface Origin {
  readonly url: string;
  readonly requests: { path: string; headers: IncomingHttpHeaders }[];
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A feed origin on 127.0.0.1: /atom with an ETag, /busy answering 503 Retry-After, /broken serving HTML. */
async function startOrigin(): Promise<Origin> {
  const requests: Origin['requests'] = [];
  const server = createServer((request, response) => {
    requests.push({ path: request.url ?? '', headers: request.headers });
    if (request.url === '/atom') {
      if (request.headers['if-none-match'] === '"v1"') return response.writeHead(304).end();
      return response.writeHead(200, { 'content-type': 'application/atom+xml', etag: '"v1"' }).end(ATOM);
    }
    if (request.url === '/rss') return response.writeHead(200, { 'content-type': 'application/rss+xml' }).end(RSS);
    if (request.url === '/busy') return response.writeHead(503, { 'retry-after': '3600' }).end('busy');
    return response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><html><body>Not a feed</body></html>');
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

function configFor(dir: string, origin: Origin, level: 'stories' | 'duplicates' = 'stories'): Config {
  return parseConfig(
    {
      cluster: { level },
      database: 'db.sqlite',
      output: 'public',
      seeds: [join(REPO, 'seeds')],
      feeds: [
        { url: `${origin.url}/atom`, name: 'Atom origin' },
        { url: `${origin.url}/rss`, name: 'Latin-1 origin' },
        { url: `${origin.url}/busy`, name: 'Busy origin' },
        { url: `${origin.url}/broken`, name: 'Broken origin' },
      ],
      fetch: { timeoutSeconds: 5 },
    },
    join(dir, 'feedmerge.yaml'),
  );
}

describe('runPipeline with feeds', () => {
  it('keeps the good items, names every bad feed, then sends conditional requests and honours Retry-After', async () => {
    const dir = tempDir();
    const origin = await startOrigin();
    const config = configFor(dir, origin);
    const store = SqliteStore.open(config.database);
    try {
      const run = () => runPipeline(config, new SqliteBackend(store), { log: silentLogger(), ignoreDefaultSchedule: true });
      const first = await run();
      const outcome = Object.fromEntries(first.sources.map((s) => [s.name, s]));
      expect(outcome['Atom origin']).toMatchObject({ outcome: 'read' });
      expect(outcome['Latin-1 origin']).toMatchObject({ outcome: 'read' });
      expect(outcome['Busy origin']).toMatchObject({ outcome: 'error' });
      expect(outcome['Busy origin']!.error).toContain(`${origin.url}/busy`);
      expect(outcome['Broken origin']).toMatchObject({ outcome: 'error' });
      expect(outcome['Broken origin']!.error).toContain(`${origin.url}/broken`);
      expect(first.errors).toBe(2);
      const itemsAfterFirst = store.items.count();
      const latin1 = store.sources.get(`${origin.url}/rss`)!;
      expect(latin1.items).toBeGreaterThan(0);

      origin.requests.length = 0;
      const second = await run();
      expect(second.newItems).toBe(0);
      expect(store.items.count()).toBe(itemsAfterFirst);
      const paths = origin.requests.map((request) => request.path);
      expect(paths).not.toContain('/busy');
      const atomRequest = origin.requests.find((request) => request.path === '/atom')!;
      expect(atomRequest.headers['if-none-match']).toBe('"v1"');
      expect(second.sources.find((s) => s.name === 'Atom origin')).toMatchObject({ outcome: 'not-modified' });
      expect(store.sources.get(`${origin.url}/busy`)).toMatchObject({ status: 'error' });
      expect(store.integrityCheck()).toBe('ok');
    } finally {
      store.close();
    }
  });

  it('works out the features of the items it reads while it waits, and clustering takes them', async () => {
    const dir = tempDir();
    const origin = await startOrigin();
    const config = configFor(dir, origin);
    const store = SqliteStore.open(config.database);
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    try {
      await runPipeline(config, new SqliteBackend(store), { log: createLogger('verbose', sink) });
      const records = lines.map((line) => JSON.parse(line) as { msg: string; newItems?: number; featuresAhead?: number });
      const placing = records.find((record) => record.msg.startsWith('cluster: placing'));
      const placed = records.find((record) => record.msg.startsWith('cluster: placed'));
      expect(placing?.newItems).toBe(store.items.count());
      // Taken by clustering, so worked out under the very text and source name clustering reads from the store.
      expect(placed?.featuresAhead).toBeGreaterThan(0);
      expect(placed?.featuresAhead).toBeLessThanOrEqual(placing!.newItems!);
      expect(store.items.unclustered()).toHaveLength(0);
    } finally {
      store.close();
    }
  });

  it('re-clusters every item when the clustering level changes', async () => {
    const dir = tempDir();
    const origin = await startOrigin();
    const stories = configFor(dir, origin);
    const store = SqliteStore.open(stories.database);
    try {
      await runPipeline(stories, new SqliteBackend(store), { log: silentLogger() });
      expect(store.meta.get('cluster.level')).toBe('stories');
      const before = store.clusters.latest().length;
      await runPipeline(configFor(dir, origin, 'duplicates'), new SqliteBackend(store), { log: silentLogger() });
      expect(store.meta.get('cluster.level')).toBe('duplicates');
      expect(store.items.unclustered()).toHaveLength(0);
      expect(store.clusters.latest().length).toBeGreaterThanOrEqual(before);
    } finally {
      store.close();
    }
  });
});

describe('runPipeline with listings', () => {
  it('reads at most fetch.maxItems entries of a listing, with a warning, and refuses one too large or binary alone', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'seeds'));
    const line = 'Officials said on Tuesday that the harbour would reopen after the storm, and traders welcomed the news. ';
    // 30 entries (a line each, 3 KB in all), and 10,000 bytes of one paragraph.
    writeFileSync(join(dir, 'seeds', 'long.txt'), Array.from({ length: 30 }, (_, i) => `${line}${i}`).join('\n'));
    writeFileSync(join(dir, 'seeds', 'large.txt'), 'x'.repeat(10_000));
    // A gzip-compressed capture named .txt: refused, never segmented into stories of garbled bytes.
    writeFileSync(join(dir, 'seeds', 'packed.txt'), Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x4f, 0x66]));
    const config = parseConfig(
      { database: 'db.sqlite', output: 'public', seeds: ['seeds'], fetch: { maxItems: 12, maxBodyBytes: 9999 } },
      join(dir, 'feedmerge.yaml'),
    );
    const store = SqliteStore.open(config.database);
    try {
      const report = await runPipeline(config, new SqliteBackend(store), { log: silentLogger() });
      const outcome = Object.fromEntries(report.sources.map((s) => [s.name, s]));
      expect(outcome['long']).toMatchObject({ outcome: 'read', newItems: 12 });
      expect(outcome['long']!.warning).toBe(
        `listing "long" (${join(dir, 'seeds', 'long.txt')}): 30 entries in one document; read the first 12 (fetch.maxItems)`,
      );
      expect(outcome['large']).toMatchObject({ outcome: 'error', newItems: 0 });
      expect(outcome['large']!.error).toBe(
        `listing "large" (${join(dir, 'seeds', 'large.txt')}): fetch: file too large (10000 bytes, limit 9999)`,
      );
      expect(outcome['packed']).toMatchObject({ outcome: 'error', newItems: 0 });
      expect(outcome['packed']!.error).toBe(
        `listing "packed" (${join(dir, 'seeds', 'packed.txt')}): listing: not text ` +
          '(binary data, 12 bytes, starting with 1f 8b 08 00 00 00 00 00)',
      );
      expect(store.items.count()).toBe(12);
    } finally {
      store.close();
    }
  });

  it('does not read again a listing file still as it was (its stamp); one written since is read', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'seeds'));
    const path = join(dir, 'seeds', 'wire.txt');
    writeFileSync(path, 'Officials said on Tuesday that the harbour would reopen after the storm.\n\nTraders welcomed the news.\n');
    const later = new Date(statSync(path).mtimeMs + 3_600_000);
    const configWith = (maxBodyBytes: number): Config =>
      parseConfig({ database: 'db.sqlite', output: 'public', seeds: ['seeds'], fetch: { maxBodyBytes } }, join(dir, 'feedmerge.yaml'));
    const store = SqliteStore.open(configWith(1000).database);
    const run = async (maxBodyBytes: number) =>
      (await runPipeline(configWith(maxBodyBytes), new SqliteBackend(store), { log: silentLogger(), now: () => later })).sources[0]!;
    try {
      expect(await run(1000)).toMatchObject({ outcome: 'read', newItems: 2 });
      expect(store.sources.get(path)!.etag).toMatch(/^file:/);
      // A cap below its size would refuse the file if it were opened: it is not.
      expect(await run(10)).toMatchObject({ outcome: 'not-modified' });
      appendFileSync(path, 'More.\n');
      expect((await run(10)).error).toMatch(/: fetch: file too large \(\d+ bytes, limit 10\)$/);
    } finally {
      store.close();
    }
  });
});

describe('publishFeeds', () => {
  it("fills every feed from a run's stories, which all share its change time, latest published first", async () => {
    const dir = tempDir();
    const url = 'https://example.org/feed';
    const config = parseConfig(
      {
        database: 'db.sqlite',
        output: 'public',
        feeds: [{ url, name: 'Example' }],
        publish: {
          feeds: [
            { name: 'all', limit: 50 },
            { name: 'volcanoes', keywords: ['volcano'], limit: 10 },
          ],
        },
      },
      join(dir, 'feedmerge.yaml'),
    );
    const now = '2026-01-01T00:00:00.000Z';
    const sqlite = SqliteStore.open(config.database);
    try {
      const store = new SqliteBackend(sqlite);
      await store.sources.declare([{ kind: 'feed', url, name: 'Example', origin: 'config' }], now);
      // 600 stories of one run, published an hour apart: the five published first, at the end of the feeds' order
      // (past the first pages a publish reads), mention a volcano.
      const items = Array.from({ length: 600 }, (_, i) =>
        rawItem(`n${i}`, {
          title: i < 5 ? `Volcano erupts, day ${i}` : `Story number ${i}`,
          published: new Date(Date.parse('2025-11-01T00:00:00.000Z') + i * 3_600_000).toISOString(),
        }),
      );
      await store.storeReads([{ url, items, state: {} }], now);
      const ids = items.map((item) => itemId(url, item.identity));
      await store.clusters.apply({ assignments: ids.map((id) => ({ itemId: id, clusterId: id })), merges: [] }, now);
      await publishFeeds(config, store, Date.parse(now));
      const titles = (name: string): string[] =>
        (JSON.parse(readFileSync(join(config.output, `${name}.json`), 'utf8')) as { items: { title: string }[] }).items.map(
          (item) => item.title,
        );
      expect(titles('volcanoes')).toEqual([4, 3, 2, 1, 0].map((i) => `Volcano erupts, day ${i}`));
      expect(titles('all')).toEqual(Array.from({ length: 50 }, (_, k) => `Story number ${599 - k}`));
    } finally {
      sqlite.close();
    }
  });
});
