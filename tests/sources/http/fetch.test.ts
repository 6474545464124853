import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FetchError } from '../../../src/errors.js';
import { isBlockedAddress } from '../../../src/sources/http/address-guard.js';
import { fetchHttp, HttpStatusError, readFileSource, type HttpRequest } from '../../../src/sources/http/fetch.js';
import { startFeedServer, type FeedTestServer } from '../feed-test-server.js';
import { tempDir } from '../../helpers/temp.js';

const GUARDIAN = readFileSync(new URL('../../fixtures/feeds/real/guardian.rss', import.meta.url));
const VERSION = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

let server: FeedTestServer;
beforeAll(async () => {
  server = await startFeedServer();
});
afterAll(async () => server.close());

// A guard against a hang only: the test server compresses each answer as it is asked (brotli of this fixture takes
// ~0.2 s on a quiet core, seconds under stress-ng); the tests about the timeout pass their own.
const get = (path: string, options: Partial<HttpRequest> = {}) =>
  fetchHttp({
    url: `${server.base}${path}`,
    timeoutMs: 60_000,
    maxBodyBytes: 1024 * 1024,
    maxRedirects: 5,
    blockPrivateAddresses: false,
    ...options,
  });

describe('fetchHttp', () => {
  it('names feedmerge and its version, asks for compression and sends validators', async () => {
    const first = await get('/real/guardian.rss');
    expect(first.kind).toBe('ok');
    const sent = server.requests.at(-1)!.headers;
    expect(sent['user-agent']).toBe(`feedmerge/${VERSION} (+https://github.com/feedmerge/feedmerge)`);
    expect(sent['accept-encoding']).toBe('gzip, deflate, br');
    if (first.kind !== 'ok') return;
    expect(first.body.equals(GUARDIAN)).toBe(true);
    expect(first.etag).toMatch(/^"/);
    const second = await get('/real/guardian.rss', { etag: first.etag, lastModified: first.lastModified });
    expect(second.kind).toBe('not-modified');
    expect(server.requests.at(-1)!.headers['if-none-match']).toBe(first.etag);
    expect(server.requests.at(-1)!.headers['if-modified-since']).toBe('Mon, 02 Jun 2025 10:00:00 GMT');
  });

  for (const coding of ['gzip', 'deflate', 'deflate-raw', 'br']) {
    it(`decodes ${coding} bodies`, async () => {
      const result = await get(`/${coding}`);
      expect(result.kind === 'ok' && result.body.equals(GUARDIAN)).toBe(true);
    });
  }

  it('follows redirects; only an all-permanent chain moves the feed', async () => {
    const moved = await get('/moved');
    expect(moved.kind === 'ok' && moved.permanentUrl).toBe(`${server.base}/real/guardian.rss`);
    const temporary = await get('/temporary');
    expect(temporary.kind === 'ok' && temporary.permanentUrl).toBeNull();
  });

  it('refuses redirect loops, too many redirects and non-http targets', async () => {
    await expect(get('/loop-a')).rejects.toThrow(/^fetch: redirect loop/);
    await expect(get('/moved', { maxRedirects: 1 })).rejects.toThrow('fetch: too many redirects (more than 1)');
    await expect(get('/to-file')).rejects.toThrow(/unsupported scheme file:/);
  });

  it('keeps status and Retry-After of error responses', async () => {
    const error = await get('/503').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpStatusError);
    expect((error as HttpStatusError).status).toBe(503);
    expect((error as HttpStatusError).retryAfter).toBe('7200');
    expect((error as Error).message).toBe('fetch: HTTP 503 Service Unavailable');
  });

  it('gives up on a server that never answers, or stops mid-body, after the total timeout', async () => {
    await expect(get('/hang', { timeoutMs: 300 })).rejects.toThrow('fetch: timed out after 0.3 s');
    await expect(get('/trickle', { timeoutMs: 300 })).rejects.toThrow('fetch: timed out after 0.3 s');
  });

  it('stops reading at the body cap: streamed, declared and decompressed', async () => {
    await expect(get('/huge')).rejects.toThrow('fetch: body too large (more than 1048576 bytes)');
    await expect(get('/big-declared')).rejects.toThrow('fetch: body too large (52428800 bytes, limit 1048576)');
    await expect(get('/gzip-bomb')).rejects.toThrow('fetch: body too large (more than 1048576 bytes)');
    await expect(get('/deflate-raw-bomb')).rejects.toThrow('fetch: body too large (more than 1048576 bytes)');
  });

  it('reports a closed port in one line', async () => {
    await expect(
      fetchHttp({ url: 'http://127.0.0.1:1/feed', timeoutMs: 2000, maxBodyBytes: 1000, maxRedirects: 5, blockPrivateAddresses: false }),
    ).rejects.toThrow('fetch: connection refused');
  });
});

describe('SSRF guard', () => {
  it('refuses loopback by IP literal, by name, as IPv6 and IPv4-mapped IPv6', async () => {
    const port = new URL(server.base).port;
    const requestsBefore = server.requests.length;
    for (const host of ['127.0.0.1', 'localhost', '[::1]', '[::ffff:127.0.0.1]', '[::ffff:7f00:1]']) {
      const error = await fetchHttp({
        url: `http://${host}:${port}/real/guardian.rss`,
        timeoutMs: 2000,
        maxBodyBytes: 1_000_000,
        maxRedirects: 5,
        blockPrivateAddresses: true,
      }).catch((e: unknown) => e);
      expect(error, host).toBeInstanceOf(FetchError);
      expect((error as Error).message, host).toMatch(/^fetch: refused to connect to .*private, loopback or link-local address/);
    }
    expect(server.requests.length).toBe(requestsBefore); // nothing reached the server
  });

  it('classifies addresses', () => {
    const blocked = [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '100.127.255.255',
      '0.0.0.0',
      '255.255.255.255',
      '224.0.0.1',
      '::',
      '::1',
      'fc00::1',
      'fd12:3456::1',
      'fe80::1',
      '::ffff:10.0.0.1',
      '::ffff:a00:1',
      '::ffff:192.168.0.1',
      '64:ff9b::7f00:1',
      '::127.0.0.1',
      'not-an-ip',
    ];
    const allowed = [
      '8.8.8.8',
      '1.1.1.1',
      '172.32.0.1',
      '100.128.0.1',
      '192.169.0.1',
      '2606:4700::1111',
      '::ffff:8.8.8.8',
      '2001:4860:4860::8888',
    ];
    for (const address of blocked) expect(isBlockedAddress(address), address).toBe(true);
    for (const address of allowed) expect(isBlockedAddress(address), address).toBe(false);
  });
});

describe('readFileSource', () => {
  it('reads a file with its hash and refuses missing or over-size files', async () => {
    const path = new URL('../../fixtures/feeds/real/guardian.rss', import.meta.url).pathname;
    const file = await readFileSource(path, 10_000_000);
    expect(file.body.equals(GUARDIAN)).toBe(true);
    expect(file.contentHash).toMatch(/^[0-9a-f]{64}$/);
    await expect(readFileSource('/nonexistent/feed.xml', 1000)).rejects.toThrow('fetch: /nonexistent/feed.xml: file not found');
    await expect(readFileSource(path, 1000)).rejects.toThrow(/^fetch: file too large/);
  });

  it('refuses a folder or a FIFO as not a regular file, without waiting for a writer', async () => {
    const dir = tempDir();
    const fifo = join(dir, 'feed.xml');
    execFileSync('mkfifo', [fifo]);
    await expect(readFileSource(fifo, 1000)).rejects.toThrow(`fetch: ${fifo} is not a regular file`);
    await expect(readFileSource(dir, 1000)).rejects.toThrow(`fetch: ${dir} is not a regular file`);
  });
});
