import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startDaemon, type Daemon } from '../../src/daemon.js';
import { createLogger } from '../../src/log.js';
import { makeInstance, runCliAsync } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';
import { originFeed } from '../reliability/crash-instance.js';

/**
 * Private sources stay private (issue #14): feeds behind HTTP Basic (URL userinfo, or username and
 * passwordFile in the config) and behind a token are read, and nothing the server answers publicly, nor any
 * log line, shows a credential; no public answer shows a local path.
 */

const SECRETS = ['PASSWORD123', 'SECRET123', 'SECRET456', 'FILEPASS789', 'alice'];
const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

let origin: Server;
let base: string;
let dir: string;
const seenAuth = new Map<string, string | undefined>();

const linklessFeed =
  '<?xml version="1.0"?><rss version="2.0"><channel><title>Members</title><link>' +
  'https://members.example/</link><description>d</description>' +
  '<item><guid isPermaLink="false">m1</guid><title>Harbour workers strike over pay in three ports</title>' +
  '<description><![CDATA[<p>Dock workers walked out, <a href="article/1">the union said</a>. <img ' +
  'src="pic.jpg"></p>]]></description></item>' +
  '</channel></rss>';

function startOrigin(): Server {
  const feed = originFeed(5);
  return createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0]!;
    seenAuth.set(path, req.headers.authorization);
    const allowed =
      (path === '/userinfo.xml' && req.headers.authorization === basic('alice', 'PASSWORD123')) ||
      (path === '/file-auth.xml' && req.headers.authorization === basic('bob', 'FILEPASS789')) ||
      (path === '/token.xml' && (req.url ?? '').includes('token=SECRET123')) ||
      path === '/public.xml';
    if (path === '/missing.xml') return void res.writeHead(404).end();
    if (!allowed) return void res.writeHead(401, { 'www-authenticate': 'Basic realm="feeds"' }).end();
    // The token feed's items have no link and relative links in their content: the feed URL is their base.
    const body = path === '/token.xml' ? linklessFeed : feed;
    res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(body);
  });
}

beforeAll(async () => {
  origin = startOrigin();
  origin.listen(0, '127.0.0.1');
  await once(origin, 'listening');
  const { port } = origin.address() as AddressInfo;
  base = `http://127.0.0.1:${port}`;
});

afterAll(() => {
  origin.closeAllConnections();
  origin.close();
});

function configYaml(extra = ''): string {
  return [
    'feeds:',
    `  - url: http://alice:PASSWORD123@127.0.0.1:${new URL(base).port}/userinfo.xml`,
    `  - url: ${base}/token.xml?token=SECRET123&page=1`,
    `  - url: ${base}/file-auth.xml`,
    '    username: bob',
    '    passwordFile: secrets/bob',
    `  - url: ${base}/missing.xml?apikey=SECRET456`,
    `  - url: ${base}/public.xml`,
    '    name: Public Wire',
    extra,
  ].join('\n');
}

/** A fresh instance (seed listings, the secret file) served by an in-process daemon once its first run is done. */
async function withDaemon<T>(yaml: string, work: (daemon: Daemon, logs: () => string) => Promise<T>): Promise<T> {
  dir = tempDir('feedmerge-private-');
  mkdirSync(join(dir, 'secrets'));
  writeFileSync(join(dir, 'secrets', 'bob'), 'FILEPASS789\n');
  const path = makeInstance(dir, yaml);
  let logged = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logged += chunk.toString();
      done();
    },
  });
  const daemon = await startDaemon(loadConfig(path), { log: createLogger('verbose', sink), host: '127.0.0.1', port: 0 });
  try {
    await daemon.queue.idle();
    return await work(daemon, () => logged);
  } finally {
    await daemon.stop();
  }
}

async function get(daemon: Daemon, path: string): Promise<{ status: number; type: string; body: string }> {
  const response = await fetch(new URL(path, daemon.url));
  return { status: response.status, type: response.headers.get('content-type') ?? '', body: await response.text() };
}

const PUBLIC_PATHS = [
  '/',
  '/index.html',
  '/latest.html',
  '/archive-1.html',
  '/opml',
  '/healthz',
  '/metrics',
  '/feeds/all.atom',
  '/feeds/all.rss',
  '/feeds/all.json',
  '/all.atom',
];

describe('private sources', () => {
  it('are read with their credentials and never shown publicly; listings by name, no local path anywhere', async () => {
    await withDaemon(configYaml(), async (daemon, logs) => {
      // Read: Basic from the URL's userinfo (never sent in the URL) and from username + passwordFile.
      expect(seenAuth.get('/userinfo.xml')).toBe(basic('alice', 'PASSWORD123'));
      expect(seenAuth.get('/file-auth.xml')).toBe(basic('bob', 'FILEPASS789'));
      expect(seenAuth.get('/public.xml')).toBeUndefined();
      const feeds = JSON.parse((await runCliAsync(['feeds', '--json', '--config', join(dir, 'config', 'feedmerge.yaml')])).stdout) as {
        feeds: { url: string; status: string }[];
      };
      expect(feeds.feeds.filter((feed) => feed.status === 'ok')).toHaveLength(4);

      // Every page: the fixed ones and each story page the latest page links to.
      const latest = (await get(daemon, '/latest.html')).body;
      const stories = [
        ...new Set([...latest.matchAll(/href="[^"]*?(\/?stories\/[A-Za-z0-9_-]+\.html)"/g)].map((m) => `/${m[1]!.replace(/^\//, '')}`)),
      ];
      expect(stories.length).toBeGreaterThan(10);
      const paths = [...PUBLIC_PATHS, ...stories];
      const answers = await Promise.all(paths.map(async (path) => ({ path, ...(await get(daemon, path)) })));
      for (const answer of answers) {
        expect(answer.status, answer.path).toBeLessThan(500);
        for (const secret of SECRETS) expect(answer.body, `${answer.path} shows ${secret}`).not.toContain(secret);
        expect(answer.body, `${answer.path} shows a local path`).not.toContain(dir);
        expect(answer.body, `${answer.path} shows a seed file`).not.toMatch(/seeds\/|\.txt\b/);
      }
      const opml = answers.find((a) => a.path === '/opml')!.body;
      expect(opml).toContain(`xmlUrl="${base}/public.xml"`);
      expect(opml).not.toContain('token.xml');
      expect(opml).not.toContain('userinfo.xml');
      expect(opml).not.toContain('file-auth.xml');

      const health = JSON.parse(answers.find((a) => a.path === '/healthz')!.body) as Record<string, unknown>;
      expect(health).toMatchObject({ ok: true, status: 'degraded', sources: { feeds: 5, byStatus: { error: 1 } } });
      expect(JSON.stringify(health)).not.toContain(base); // no per-source detail

      for (const secret of SECRETS.filter((s) => s !== 'alice')) expect(logs(), `the log shows ${secret}`).not.toContain(secret);
      expect(logs()).toContain('token=REDACTED');
    });
  });

  it('publish.opml: false turns /opml off, metrics: false turns /metrics off', async () => {
    await withDaemon(`${configYaml()}\npublish:\n  opml: false\nmetrics: false\n`, async (daemon) => {
      expect((await get(daemon, '/opml')).status).toBe(404);
      expect((await get(daemon, '/metrics')).status).toBe(404);
      expect((await get(daemon, '/feeds/all.atom')).status).toBe(200);
    });
  });
});

const promtool = spawnSync('promtool', ['--version']).status === 0;

describe('/metrics', () => {
  it('counts runs, fetches by outcome, errors by kind, sources by status and stored items', async () => {
    await withDaemon(configYaml(), async (daemon) => {
      const { status, type, body } = await get(daemon, '/metrics');
      expect(status).toBe(200);
      expect(type).toContain('text/plain');
      expect(body).toMatch(/^feedmerge_runs_total\{outcome="ok"\} 1$/m);
      expect(body).toMatch(/^feedmerge_run_duration_seconds_count\{outcome="ok"\} 1$/m);
      expect(body).toMatch(/^feedmerge_last_success_timestamp_seconds \d+(\.\d+)?(e\+\d+)?$/m);
      expect(body).toMatch(/^feedmerge_fetches_total\{outcome="read"\} 4$/m);
      expect(body).toMatch(/^feedmerge_fetches_total\{outcome="error"\} 1$/m);
      expect(body).toMatch(/^feedmerge_fetch_duration_seconds_count\{outcome="read"\} 4$/m);
      expect(body).toMatch(/^feedmerge_errors_total\{kind="http"\} 1$/m);
      expect(body).toMatch(/^feedmerge_sources\{kind="feed",status="ok"\} 4$/m);
      expect(body).toMatch(/^feedmerge_sources\{kind="listing",status="ok"\} \d+$/m);
      expect(body).toMatch(/^feedmerge_items [1-9]\d*$/m);
      expect(body).toMatch(/^feedmerge_items_stored_total [1-9]\d*$/m);
      expect(body).toMatch(/^feedmerge_stories_created_total [1-9]\d*$/m);
      expect(body).toMatch(/^feedmerge_story_merges_total \d+$/m);
      expect(body).toContain('feedmerge_process_cpu_seconds_total');
    });
  });

  it.skipIf(!promtool)('passes `promtool check metrics` (Debian package prometheus; .ci/run installs it)', async () => {
    await withDaemon(configYaml(), async (daemon) => {
      const { body } = await get(daemon, '/metrics');
      const check = spawnSync('promtool', ['check', 'metrics'], { input: body, encoding: 'utf8' });
      expect(`${check.stdout}${check.stderr}`).toBe('');
      expect(check.status).toBe(0);
    });
  });
});
