import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { runPipeline } from '../../src/pipeline.js';
import { pingHubs } from '../../src/publish/websub.js';
import { SqliteBackend, SqliteStore } from '../../src/store/index.js';
import { REPO } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';

/** A WebSub hub on 127.0.0.1 that records every publish ping; `/flaky` fails twice before accepting. */
interface Hub {
  readonly url: string;
  readonly pings: { path: string; type: string; params: [string, string][] }[];
}

let server: Server;
let hub: Hub;
let flakyFailures = 0;

beforeAll(async () => {
  const pings: Hub['pings'] = [];
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const params = [...new URLSearchParams(Buffer.concat(chunks).toString('utf8'))];
      pings.push({ path: request.url ?? '', type: request.headers['content-type'] ?? '', params });
      const failing = (request.url === '/flaky' && flakyFailures++ < 2) || request.url === '/broken';
      response.writeHead(failing ? 503 : 204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  hub = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, pings };
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const FAST = { attempts: 3, backoffMs: 10, timeoutMs: 2_000 };

describe('WebSub publish pings through real runs', () => {
  it('advertises the hubs, pings once per changed feed per run, none without news; a failing hub never fails the run', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'seeds'));
    for (const name of ['000_5999d533efebccf1.txt', '001_d5c45327172d3cd9.txt'])
      copyFileSync(join(REPO, 'seeds', name), join(dir, 'seeds', name));
    // A hub that answers 500 every time and one nobody listens on: both logged, neither fails the run.
    const deadPort = `http://127.0.0.1:9/hub`;
    const config = parseConfig(
      {
        database: 'db.sqlite',
        output: 'public',
        seeds: ['seeds'],
        baseUrl: 'https://news.example/',
        publish: {
          feeds: [{ name: 'all' }, { name: 'castillo', keywords: ['Castillo'] }, { name: 'volcano', keywords: ['volcano'] }],
          websub: { hubs: [`${hub.url}/hub`, `${hub.url}/broken`, deadPort] },
        },
      },
      join(dir, 'feedmerge.yaml'),
    );
    const store = SqliteStore.open(config.database);
    try {
      const run = () => runPipeline(config, new SqliteBackend(store), { log: silentLogger(), websub: FAST });
      const atHub = () => hub.pings.filter((p) => p.path === '/hub');

      await run();
      // Every feed is new: one ping per feed, form-encoded, naming each format's self URL.
      expect(atHub().map((p) => p.params.filter(([k]) => k === 'hub.url').map(([, v]) => v))).toEqual(
        expect.arrayContaining([
          ['https://news.example/feeds/all.atom', 'https://news.example/feeds/all.rss', 'https://news.example/feeds/all.json'],
          [
            'https://news.example/feeds/castillo.atom',
            'https://news.example/feeds/castillo.rss',
            'https://news.example/feeds/castillo.json',
          ],
          ['https://news.example/feeds/volcano.atom', 'https://news.example/feeds/volcano.rss', 'https://news.example/feeds/volcano.json'],
        ]),
      );
      expect(atHub()).toHaveLength(3);
      for (const ping of atHub()) {
        expect(ping.type).toBe('application/x-www-form-urlencoded');
        expect(ping.params[0]).toEqual(['hub.mode', 'publish']);
      }
      // The broken hub (503 every time) was tried three times per feed, then given up.
      expect(hub.pings.filter((p) => p.path === '/broken')).toHaveLength(9);

      // The feeds advertise every hub and themselves.
      const atom = readFileSync(join(dir, 'public', 'all.atom'), 'utf8');
      expect(atom).toContain(`<link rel="hub" href="${hub.url}/hub"/>`);
      expect(atom).toContain(`<link rel="hub" href="${deadPort}"/>`);
      expect(atom).toContain('<link rel="self" href="https://news.example/feeds/all.atom"/>');
      const rss = readFileSync(join(dir, 'public', 'all.rss'), 'utf8');
      expect(rss).toContain(`<atom:link href="${hub.url}/hub" rel="hub"/>`);
      expect(rss).toContain('<atom:link href="https://news.example/feeds/all.rss" rel="self" type="application/rss+xml"/>');
      const json = JSON.parse(readFileSync(join(dir, 'public', 'all.json'), 'utf8')) as { hubs: unknown; feed_url: string };
      expect(json.hubs).toEqual([
        { type: 'WebSub', url: `${hub.url}/hub` },
        { type: 'WebSub', url: `${hub.url}/broken` },
        { type: 'WebSub', url: deadPort },
      ]);
      expect(json.feed_url).toBe('https://news.example/feeds/all.json');

      // No news: nobody is pinged.
      hub.pings.length = 0;
      await run();
      expect(hub.pings).toEqual([]);

      // News about Castillo only: "all" and "castillo" change, "volcano" does not.
      writeFileSync(
        join(dir, 'seeds', 'zz-new.txt'),
        'Castillo supporters march on Lima again\n\nThousands of supporters of Pedro Castillo marched ' +
          'through Lima on Thursday demanding his release, organisers said.\n',
      );
      await run();
      expect(
        atHub()
          .map((p) => p.params.find(([k]) => k === 'hub.url')![1])
          .sort(),
      ).toEqual(['https://news.example/feeds/all.atom', 'https://news.example/feeds/castillo.atom']);
    } finally {
      store.close();
    }
  }, 60_000);
});

describe('pingHubs', () => {
  it('retries a failing hub with backoff until it accepts', async () => {
    hub.pings.length = 0;
    const result = await pingHubs(
      [`${hub.url}/flaky`],
      [{ name: 'all', urls: ['https://news.example/feeds/all.atom'] }],
      silentLogger(),
      FAST,
    );
    expect(result).toEqual({ accepted: 1, failed: 0 });
    expect(hub.pings.filter((p) => p.path === '/flaky')).toHaveLength(3);
  });

  it('pings nobody for a feed without changed formats', async () => {
    hub.pings.length = 0;
    await expect(pingHubs([`${hub.url}/hub`], [{ name: 'all', urls: [] }], silentLogger(), FAST)).resolves.toEqual({
      accepted: 0,
      failed: 0,
    });
    expect(hub.pings).toEqual([]);
  });
});
