import { once } from 'node:events';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { SqliteStore } from '../../src/store/index.js';
import { makeInstance } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';
import { checkPublishedHtml, checkPublishedJson, checkPublishedXml } from './active-content.js';
import { runCliAsync, snapshotFolder, type Finished } from './cli-process.js';
import { hostileAtom, hostileJsonFeed, hostileListing, hostileRss } from './payloads.js';

/**
 * The whole pipeline (real CLI, real SQLite, a hostile origin on 127.0.0.1) against everything the internet
 * may send at once: the run completes, each bad source fails alone in one line, and what is published is
 * well-formed and inert.
 */

const SECRET = 'TOP-SECRET-c41d9e';
const HUGE_BYTES = 50 * 1024 * 1024;
let server: Server;
let base: string;
let hugeBytesSent = 0;
let dir: string;
let config: string;
let run: Finished;

/** A deterministic word salad (LCG), so 100,000 titles are distinct but not near-duplicates of each other. */
function titles(count: number): string[] {
  const words = 'harbour council budget river vaccine election storm court museum railway bank strike drought tariff school orbit'.split(
    ' ',
  );
  let seed = 12345;
  const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  return Array.from({ length: count }, (_, i) => `${Array.from({ length: 6 }, () => words[next() % words.length]).join(' ')} ${i}`);
}

beforeAll(async () => {
  dir = tempDir('feedmerge-hostile-');
  const secretPath = join(dir, 'secret.txt');
  writeFileSync(secretPath, SECRET);
  const lol = [
    '<!ENTITY lol "lol">',
    ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`),
  ].join('');
  const many = titles(100_000)
    .map((t, i) => `<item><guid>m${i}</guid><title>${t}</title></item>`)
    .join('');
  const routes: Record<string, () => Buffer | string> = {
    '/rss': hostileRss,
    '/atom': hostileAtom,
    '/json': hostileJsonFeed,
    '/bomb': () =>
      `<?xml version="1.0"?><!DOCTYPE rss [${lol}]>` +
      '<rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title></item></channel></rss>',
    '/xxe': () =>
      `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://${secretPath}">]>` +
      '<rss version="2.0"><channel><title>x</title><item><guid>x</guid><title>leak &xxe; here</title></item></channel></rss>',
    '/xxe-dtd': () =>
      `<?xml version="1.0"?><!DOCTYPE rss SYSTEM "file://${secretPath}">` +
      '<rss version="2.0"><channel><title>x</title><item><guid>y</guid><title>external DTD</title></item></channel></rss>',
    '/deep': () =>
      '<rss version="2.0"><channel><title>deep</title><item><title>t</title>' +
      `<description>${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}</description></item></channel></rss>`,
    '/many': () => `<?xml version="1.0"?><rss version="2.0"><channel><title>many</title>${many}</channel></rss>`,
    '/invalid-utf8': () =>
      Buffer.concat([
        Buffer.from('<rss version="2.0"><channel><title>u</title><item><guid>u</guid><title>bad '),
        Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0xed, 0xa0, 0x80]),
        Buffer.from(' bytes</title></item></channel></rss>'),
      ]),
  };
  const gzipBomb = gzipSync(Buffer.alloc(200 * 1024 * 1024, 0x20)); // 200 MB of spaces in ~200 KB
  server = createServer((req, res) => {
    const path = req.url ?? '/';
    if (path === '/huge') {
      // 50 MB of a valid-looking feed, streamed without Content-Length: only a streamed cap can stop it.
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      const chunk = Buffer.from(`<item><title>${'x'.repeat(1000)}</title></item>`);
      res.write('<rss version="2.0"><channel><title>huge</title>');
      const pump = (): void => {
        while (hugeBytesSent < HUGE_BYTES && !res.destroyed) {
          hugeBytesSent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        if (!res.destroyed) res.end('</channel></rss>');
      };
      pump();
      return;
    }
    if (path === '/gzip-bomb') {
      res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-encoding': 'gzip' });
      return void res.end(gzipBomb);
    }
    const route = routes[path];
    if (!route) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': path === '/json' ? 'application/feed+json' : 'application/rss+xml' });
    res.end(route());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const feeds = ['rss', 'atom', 'json', 'bomb', 'xxe', 'xxe-dtd', 'deep', 'many', 'invalid-utf8', 'huge', 'gzip-bomb'];
  config = makeInstance(
    dir,
    `feeds:\n${feeds.map((f) => `  - url: ${base}/${f}\n    name: hostile-${f}`).join('\n')}\n` +
      'fetch:\n  timeoutSeconds: 60\n  maxItems: 10000\n  maxBodyBytes: 10485760\n' +
      'publish:\n  feeds:\n    - { name: all, limit: 2000 }\n' +
      '    - { name: hostile, sources: [hostile-rss, hostile-atom, hostile-json, hostile-listing], limit: 1000 }\n',
  );
  writeFileSync(join(dir, 'seeds', 'hostile-listing.txt'), hostileListing());
  // 10 MB with no blank line (just under fetch.maxBodyBytes above, so it is read): ~92,000 lines, an entry each.
  const line = 'Officials said on Tuesday that the harbour would reopen after the storm, and traders welcomed the news. ';
  writeFileSync(
    join(dir, 'seeds', 'ten-mb-no-blank-lines.txt'),
    Array.from({ length: Math.ceil(9_500_000 / line.length) }, (_, i) => `${line}${i}`).join('\n'),
  );
  writeFileSync(join(dir, 'seeds', 'ten-mb-one-line.txt'), line.repeat(Math.ceil(10_000_000 / line.length)));
  run = await runCliAsync(['run', '--config', config]);
});

afterAll(() => {
  server?.closeAllConnections();
  server?.close();
});

describe('a run against hostile origins and listings', () => {
  it('completes (exit 0), each failing source reported alone on one line', () => {
    expect(run.status, run.stderr).toBe(0);
    for (const line of run.stderr.trim().split('\n').filter(Boolean)) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('refuses the entity bomb, the 50 MB body, the gzip bomb and deep nesting, and reads the rest, long documents cut', async () => {
    const feeds = JSON.parse((await runCliAsync(['feeds', '--json', '--config', config])).stdout) as {
      feeds: { name: string; status: string; lastError: string | null; items: number }[];
    };
    const byName = new Map(feeds.feeds.map((f) => [f.name, f]));
    for (const name of ['bomb', 'huge', 'gzip-bomb', 'deep']) {
      const feed = byName.get(`hostile-${name}`)!;
      expect(feed.status, name).toBe('error');
      expect(feed.lastError, name).toMatch(/^\S.*$/);
      expect(feed.items, name).toBe(0);
    }
    for (const name of ['rss', 'atom', 'json', 'many', 'invalid-utf8']) expect(byName.get(`hostile-${name}`)!.status, name).toBe('ok');
    expect(byName.get('hostile-many')!.items).toBeGreaterThan(1000);
    expect(byName.get('hostile-many')!.items).toBeLessThanOrEqual(10_000);
    // Cut, but not silently: one warning line names the feed.
    expect(run.stderr).toMatch(
      /feed \\"hostile-many\\" \(http:[^)]*\/many\): 100000 entries in one document; read the first 10000 \(fetch\.maxItems\)/,
    );
    // So is a listing: the 10 MB one without a blank line makes a paragraph of each line.
    expect(run.stderr).toMatch(
      /listing \\"ten-mb-no-blank-lines\\" \([^)]*\): \d+ entries in one document; read the first 10000 \(fetch\.maxItems\)/,
    );
    // The cap stopped reading the 50 MB body: most of it was never even sent.
    expect(hugeBytesSent).toBeLessThan(HUGE_BYTES / 2);
  });

  it('publishes well-formed, inert feeds and index page, without the secret file anywhere', () => {
    const published = join(dir, 'public');
    expect(
      readdirSync(published)
        .filter((name) => !name.endsWith('.html') && name !== 'stories')
        .sort(),
    ).toEqual(['all.atom', 'all.json', 'all.rss', 'hostile.atom', 'hostile.json', 'hostile.rss']);
    // Every page of the written site: index, latest and archive pages, every story page.
    const pages = [
      ...readdirSync(published).filter((name) => name.endsWith('.html')),
      ...readdirSync(join(published, 'stories')).map((name) => join('stories', name)),
    ];
    expect(pages.length).toBeGreaterThan(3);
    for (const page of pages) expect(checkPublishedHtml(readFileSync(join(published, page), 'utf8')), page).toEqual([]);
    for (const name of ['all', 'hostile']) {
      expect(checkPublishedXml(readFileSync(join(published, `${name}.atom`), 'utf8')), name).toEqual([]);
      expect(checkPublishedXml(readFileSync(join(published, `${name}.rss`), 'utf8')), name).toEqual([]);
      expect(checkPublishedJson(readFileSync(join(published, `${name}.json`), 'utf8')), name).toEqual([]);
    }
    const atom = readFileSync(join(published, 'hostile.atom'), 'utf8');
    const loaded = loadConfig(config);
    const store = SqliteStore.open(loaded.database);
    try {
      expect(store.integrityCheck()).toBe('ok');
    } finally {
      store.close();
    }
    for (const name of readdirSync(published, { recursive: true, encoding: 'utf8' })) {
      if (!name.endsWith('stories')) expect(readFileSync(join(published, name), 'utf8')).not.toContain(SECRET);
    }
    for (const name of readdirSync(join(dir, 'data')).filter((n) => !n.endsWith('.lock')))
      expect(readFileSync(join(dir, 'data', name)).includes(SECRET)).toBe(false);
    // Not vacuous: the hostile feeds' and listing's harmless text is published.
    expect(atom).toMatch(/Title \d+/);
    expect(atom).toMatch(/Headline number \d+/);
  });

  it('a second run over the same hostile input changes nothing', async () => {
    const published = join(dir, 'public');
    const before = snapshotFolder(published);
    const again = await runCliAsync(['run', '--config', config]);
    expect(again.status).toBe(0);
    expect(snapshotFolder(published)).toEqual(before);
  });
});
