import { request } from 'node:http';
import { mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import Parser from 'rss-parser';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSourceState, type RunReport, type SourceState } from '../../src/model.js';
import { renderFeed } from '../../src/publish/feeds.js';
import { acceptsGzip, requestPath, startServer, type RunningServer } from '../../src/publish/server.js';
import { writeFeeds } from '../../src/publish/write.js';
import { SITE, loadClusters, outputFeed } from './fixtures.js';

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

/** A raw HTTP exchange: the path goes out exactly as written (no client-side normalisation), no decompression. */
function call(server: RunningServer, path: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path, method: options.method ?? 'GET', headers: options.headers ?? {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const dir = mkdtempSync(join(tmpdir(), 'feedmerge-serve-'));
const clusters = loadClusters();
const feeds = [outputFeed(), outputFeed({ name: 'peru', title: 'Peru', keywords: ['Peruvians'] })];
let healthy = true;
const lastRun: RunReport = {
  startedAt: '2026-03-03T11:00:00.000Z',
  finishedAt: '2026-03-03T11:00:05.000Z',
  sources: [],
  newItems: 3,
  updatedItems: 0,
  newClusters: 1,
  filesWritten: [],
  errors: 0,
};
const sources: SourceState[] = [
  { ...newSourceState({ url: 'https://a.example/feed', kind: 'feed', name: 'A & co', origin: 'config' }), status: 'ok', items: 3 },
];
let server: RunningServer;

beforeAll(async () => {
  writeFeeds(
    dir,
    feeds.map((f) => renderFeed(clusters, f, SITE)),
  );
  // A fixed, whole-second mtime makes Last-Modified predictable.
  const when = new Date('2026-03-03T11:00:07.000Z');
  for (const ext of ['atom', 'rss', 'json']) utimesSync(join(dir, `all.${ext}`), when, when);
  server = await startServer(
    {
      outputDir: dir,
      site: SITE,
      feeds,
      listSources: () => sources,
      latestClusters: (limit) => clusters.slice(0, limit),
      story: (id) => (id === 'mergedaway' ? { movedTo: '5999d533efebccf1' } : undefined),
      health: () => ({ ok: healthy, lastRun, sources: sources.length }),
    },
    { host: '127.0.0.1', port: 0 },
  );
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('feeds', () => {
  it.each([
    ['atom', 'application/atom+xml; charset=utf-8'],
    ['rss', 'application/rss+xml; charset=utf-8'],
    ['json', 'application/feed+json; charset=utf-8'],
  ])('/feeds/all.%s is served with its content type, validators and caching headers', async (ext, type) => {
    const reply = await call(server, `/feeds/all.${ext}`);
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe(type);
    expect(reply.headers['etag']).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
    expect(reply.headers['last-modified']).toBe('Tue, 03 Mar 2026 11:00:07 GMT');
    expect(reply.headers['vary']).toBe('Accept-Encoding');
    expect(reply.headers['content-encoding']).toBeUndefined();
    expect(Number(reply.headers['content-length'])).toBe(reply.body.length);
    expect(reply.body.toString('utf8')).toBe(renderFeed(clusters, feeds[0]!, SITE)[ext as 'atom']);
  });

  it('a real feed client reads the served Atom and RSS', async () => {
    const parser = new Parser();
    const atom = await parser.parseURL(`${server.url}feeds/all.atom`);
    const rss = await parser.parseURL(`${server.url}feeds/all.rss`);
    expect(atom.items.map((i) => i.id)).toHaveLength(4);
    expect(rss.items.map((i) => i.guid)).toEqual(atom.items.map((i) => i.id));
  });

  it('304 on a matching If-None-Match, also when listed among others or weak', async () => {
    const first = await call(server, '/feeds/all.atom');
    const etag = first.headers['etag'] as string;
    for (const inm of [etag, `"nope", ${etag}`, `W/${etag}`, '*']) {
      const again = await call(server, '/feeds/all.atom', { headers: { 'If-None-Match': inm } });
      expect(again.status).toBe(304);
      expect(again.body.length).toBe(0);
      expect(again.headers['etag']).toBe(etag);
    }
    expect((await call(server, '/feeds/all.atom', { headers: { 'If-None-Match': '"other"' } })).status).toBe(200);
  });

  it('If-None-Match wins over If-Modified-Since (RFC 9110 13.1.3)', async () => {
    const reply = await call(server, '/feeds/all.atom', {
      headers: { 'If-None-Match': '"stale"', 'If-Modified-Since': 'Tue, 03 Mar 2026 12:00:00 GMT' },
    });
    expect(reply.status).toBe(200);
  });

  it.each([
    ['the same second', 'Tue, 03 Mar 2026 11:00:07 GMT', 304],
    ['later', 'Wed, 04 Mar 2026 00:00:00 GMT', 304],
    ['earlier', 'Tue, 03 Mar 2026 11:00:06 GMT', 200],
    ['garbage', 'not a date', 200],
  ])('If-Modified-Since %s', async (_, since, status) => {
    expect((await call(server, '/feeds/all.rss', { headers: { 'If-Modified-Since': since } })).status).toBe(status);
  });

  it('gzip when the client accepts it, with its own strong ETag that revalidates', async () => {
    const plain = await call(server, '/feeds/all.atom');
    const zipped = await call(server, '/feeds/all.atom', { headers: { 'Accept-Encoding': 'br;q=1, gzip;q=0.8' } });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(zipped.body).equals(plain.body)).toBe(true);
    expect(zipped.body.length).toBeLessThan(plain.body.length);
    expect(zipped.headers['etag']).not.toBe(plain.headers['etag']);
    const revalidated = await call(server, '/feeds/all.atom', {
      headers: { 'Accept-Encoding': 'gzip', 'If-None-Match': zipped.headers['etag'] as string },
    });
    expect(revalidated.status).toBe(304);
    const refused = await call(server, '/feeds/all.atom', { headers: { 'Accept-Encoding': 'gzip;q=0, identity' } });
    expect(refused.headers['content-encoding']).toBeUndefined();
  });

  it('HEAD gives the headers of GET without a body', async () => {
    const get = await call(server, '/feeds/all.json', { headers: { 'Accept-Encoding': 'gzip' } });
    const head = await call(server, '/feeds/all.json', { method: 'HEAD', headers: { 'Accept-Encoding': 'gzip' } });
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    for (const h of ['content-type', 'content-length', 'etag', 'last-modified', 'content-encoding'])
      expect(head.headers[h]).toBe(get.headers[h]);
  });

  it('a configured feed not yet written is 404, an unknown one too', async () => {
    expect((await call(server, '/feeds/peru.atom')).status).toBe(200);
    rmSync(join(dir, 'peru.rss'));
    expect((await call(server, '/feeds/peru.rss')).status).toBe(404);
    expect((await call(server, '/feeds/missing.atom')).status).toBe(404);
    expect((await call(server, '/feeds/all.xml')).status).toBe(404);
    expect((await call(server, '/feeds/')).status).toBe(404);
  });

  it('the query string does not matter', async () => {
    expect((await call(server, '/feeds/all.atom?utm_source=reader')).status).toBe(200);
  });
});

describe('hostile requests', () => {
  it.each([
    '/feeds/../../../etc/passwd',
    '/feeds/..%2f..%2fetc%2fpasswd',
    '/feeds/%2e%2e/%2e%2e/etc/passwd',
    '/feeds/%2E%2E%2Fall.atom',
    '/feeds/all.atom%00.json',
    '/feeds/all.atom%00',
    '/feeds/..%5c..%5cetc',
    '/feeds\\..\\all.atom',
    '//etc/passwd',
    '/feeds/%',
    '/feeds/./all.atom',
  ])('%s is refused', async (path) => {
    const reply = await call(server, path);
    expect(reply.status).toBe(400);
    expect(reply.body.toString()).not.toContain('root:');
  });

  it('other methods get 405 with Allow', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const reply = await call(server, '/feeds/all.atom', { method });
      expect(reply.status).toBe(405);
      expect(reply.headers['allow']).toBe('GET, HEAD');
    }
  });

  it('unknown paths are 404', async () => {
    for (const path of ['/nope', '/feeds', '/feeds/all.atom/', '/latest.html', '/opml/x', '/stories/nope', '/archive-0.html'])
      expect((await call(server, path)).status).toBe(404);
  });

  it('requestPath and acceptsGzip in isolation', () => {
    expect(requestPath('/feeds/all.atom?x=1#y')).toBe('/feeds/all.atom');
    expect(requestPath('/a/b/')).toBe('/a/b/');
    expect(requestPath('/a//b')).toBeNull();
    expect(requestPath('relative')).toBeNull();
    expect(acceptsGzip(undefined)).toBe(false);
    expect(acceptsGzip('deflate, br')).toBe(false);
    expect(acceptsGzip('*')).toBe(true);
    expect(acceptsGzip('*;q=0.5, gzip;q=0')).toBe(false);
    expect(acceptsGzip('GZIP')).toBe(true);
  });
});

it('a port already in use is reported, not swallowed', async () => {
  const port = Number(new URL(server.url).port);
  const deps = {
    outputDir: dir,
    site: SITE,
    feeds,
    listSources: () => [],
    latestClusters: () => [],
    health: () => ({ ok: true, lastRun: null }),
  };
  await expect(startServer(deps, { host: '127.0.0.1', port })).rejects.toThrow(/EADDRINUSE/);
});

describe('index, OPML and health', () => {
  it('/ is an HTML page with autodiscovery links for every feed and format', async () => {
    const reply = await call(server, '/');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(reply.headers['content-security-policy']).toContain("default-src 'none'");
    const html = reply.body.toString('utf8');
    expect(html).toContain('<link rel="alternate" type="application/atom+xml" title="All stories (Atom)" href="all.atom">');
    expect(html).toContain('<link rel="alternate" type="application/rss+xml" title="Peru (RSS)" href="peru.rss">');
    // The feeds answer at /<name>.<format> too, where the static site (public/) has them.
    expect((await call(server, '/peru.atom')).status).toBe(200);
    expect(html).toContain('id="story-5999d533efebccf1"');
    expect(html).not.toMatch(/<script|onerror|javascript:/i);
    const again = await call(server, '/', { headers: { 'If-None-Match': reply.headers['etag'] as string } });
    expect(again.status).toBe(304);
  });

  it('a story merged into another answers 301 to the surviving story; an unknown one 404', async () => {
    const moved = await call(server, '/stories/mergedaway');
    expect(moved.status).toBe(301);
    expect(moved.headers['location']).toBe('/stories/5999d533efebccf1.html');
    expect((await call(server, '/stories/unknown.html')).status).toBe(404);
  });

  it('/opml lists the sources', async () => {
    const reply = await call(server, '/opml');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('text/x-opml; charset=utf-8');
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(reply.body.toString()) as {
      opml: { body: { outline: { xmlUrl: string; text: string } } };
    };
    expect(doc.opml.body.outline).toMatchObject({ xmlUrl: 'https://a.example/feed', text: 'A & co' });
  });

  it('/healthz is 200 with the last run when ok, 503 otherwise, never cached', async () => {
    const ok = await call(server, '/healthz');
    expect(ok.status).toBe(200);
    expect(ok.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(ok.body.toString())).toEqual({ ok: true, lastRun, sources: 1 });
    healthy = false;
    try {
      const bad = await call(server, '/healthz');
      expect(bad.status).toBe(503);
      expect(JSON.parse(bad.body.toString()).ok).toBe(false);
    } finally {
      healthy = true;
    }
  });
});
