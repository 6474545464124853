import { appendFileSync, mkdtempSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SourceState } from '../../src/model.js';
import { readFeeds, type FeedFetchOptions, type FeedReadOutcome } from '../../src/sources/read-feeds.js';
import { feedSource, startFeedServer, type FeedTestServer } from './feed-test-server.js';

// Tells which files were opened and read (the stamp test); reads go through as they are.
const readFileSource = vi.hoisted(() => vi.fn());
vi.mock('../../src/sources/http/fetch.js', async (original) => {
  const fetch = await original<typeof import('../../src/sources/http/fetch.js')>();
  readFileSource.mockImplementation(fetch.readFileSource);
  return { ...fetch, readFileSource };
});

const NOW = new Date('2025-06-02T12:00:00Z');
const OPTIONS: FeedFetchOptions = {
  // Long enough for a busy machine to answer from 127.0.0.1; '/hang' takes all of it.
  timeoutMs: 3000,
  maxBodyBytes: 1024 * 1024,
  maxItems: 10_000,
  maxRedirects: 5,
  concurrency: 8,
  perHostConcurrency: 2,
  blockPrivateAddresses: false,
  defaultSchedule: '*/30 * * * *',
};

let server: FeedTestServer;
beforeAll(async () => {
  server = await startFeedServer();
});
afterAll(async () => server.close());

/** Applies a patch the way the store would, for the "next run" half of a test. */
function apply(source: SourceState, outcome: FeedReadOutcome): SourceState {
  const { newUrl, ...state } = outcome.state;
  return { ...source, ...state, url: newUrl ?? source.url };
}

describe('readFeeds', () => {
  it('reads good feeds and names every bad one, in input order, without throwing', async () => {
    const good = ['/own/atom-xml-base.atom', '/own/latin1.rss', '/own/json-feed-1.1.json', '/gzip', '/real/encoding.rss'];
    const bad = [
      '/hostile/billion-laughs.xml',
      '/hostile/html-page.html',
      '/500',
      '/404',
      '/hang',
      '/huge',
      '/loop-a',
      '/empty',
      '/hostile/malformed.xml',
    ];
    const sources = [...good, ...bad].map((path) => feedSource(`${server.base}${path}`, { name: `N${path}` }));
    const seen: string[] = [];
    const outcomes = await readFeeds(sources, OPTIONS, NOW, (outcome) => seen.push(outcome.url));
    expect(outcomes.map((o) => o.url)).toEqual(sources.map((s) => s.url));
    expect(new Set(seen)).toEqual(new Set(sources.map((s) => s.url)));
    for (const outcome of outcomes.slice(0, good.length)) {
      expect(outcome.outcome, outcome.url).toBe('read');
      expect(outcome.items.length).toBeGreaterThan(0);
      expect(outcome.state).toMatchObject({ status: 'ok', lastError: null, errorCount: 0, retryNotBefore: null });
      expect(outcome.state.nextFetchAt).toBe(new Date(Math.ceil((NOW.getTime() + 1) / 1_800_000) * 1_800_000).toISOString());
    }
    expect(outcomes[1]!.items[0]!.title).toBe('Câmara aprova orçamento para 2025');
    for (const [index, outcome] of outcomes.slice(good.length).entries()) {
      const path = bad[index]!;
      expect(outcome.outcome, path).toBe('error');
      expect(outcome.items).toEqual([]);
      const escaped = path.replace(/[/.]/g, '\\$&');
      expect(outcome.error, path).toMatch(
        new RegExp(`^feed "N${escaped}" \\(http://127\\.0\\.0\\.1:\\d+${escaped}\\): .+, retry after 2025-`),
      );
      expect(outcome.error).not.toContain('\n');
      expect(outcome.state.status).toBe('error');
      expect(outcome.state.errorCount).toBe(1);
      const hold = Date.parse(outcome.state.retryNotBefore!) - NOW.getTime();
      expect(hold).toBeGreaterThanOrEqual(3600_000);
      expect(hold).toBeLessThanOrEqual(24 * 3600_000);
    }
    expect(outcomes.find((o) => o.url.endsWith('/500'))!.error).toContain('HTTP 500 Internal Server Error');
    expect(outcomes.find((o) => o.url.endsWith('/hang'))!.error).toContain('timed out after 3 s');
  });

  it('sends conditional requests on the next run and treats 304 as not modified', async () => {
    const source = feedSource(`${server.base}/real/heise.atom`);
    const [first] = await readFeeds([source], OPTIONS, NOW);
    expect(first!.outcome).toBe('read');
    expect(first!.state.etag).toBeTruthy();
    const later = new Date(NOW.getTime() + 3600_000);
    const [second] = await readFeeds([apply(source, first!)], OPTIONS, later);
    expect(server.requests.at(-1)!.headers['if-none-match']).toBe(first!.state.etag);
    expect(second!.outcome).toBe('not-modified');
    expect(second!.items).toEqual([]);
    expect(second!.state.status).toBe('not-modified');
  });

  it('skips parsing when a server without validators sends the same bytes again', async () => {
    const source = feedSource(`${server.base}/no-validators`);
    const [first] = await readFeeds([source], OPTIONS, NOW);
    const [second] = await readFeeds([apply(source, first!)], OPTIONS, new Date(NOW.getTime() + 3600_000));
    expect(first!.outcome).toBe('read');
    expect(second!.outcome).toBe('not-modified');
  });

  it('honours Retry-After, stays away inside it even when forced, and comes back after it', async () => {
    const source = feedSource(`${server.base}/503`, { name: 'Busy' });
    const [first] = await readFeeds([source], OPTIONS, NOW);
    expect(first!.state.retryNotBefore).toBe(new Date(NOW.getTime() + 7200_000).toISOString()); // 2 h > max 1.25 h backoff
    expect(first!.error).toBe(`feed "Busy" (${source.url}): HTTP 503 Service Unavailable, retry after 2025-06-02T14:00:00.000Z`);
    const requests = server.requests.length;
    const stored = apply(source, first!);
    const inside = new Date(NOW.getTime() + 3600_000);
    const [skippedRun] = await readFeeds([stored], { ...OPTIONS, force: true }, inside);
    expect(skippedRun!.outcome).toBe('skipped');
    expect(server.requests.length).toBe(requests);
    const [after] = await readFeeds([stored], OPTIONS, new Date(NOW.getTime() + 7300_000));
    expect(after!.outcome).toBe('error');
    expect(after!.state.errorCount).toBe(2);
    const [tooMany] = await readFeeds([feedSource(`${server.base}/429`)], OPTIONS, NOW);
    expect(tooMany!.state.retryNotBefore).toBe('2025-06-04T00:00:00.000Z');
  });

  it('force ignores the schedule but not the backoff; unforced runs respect the schedule', async () => {
    const scheduled = feedSource(`${server.base}/real/heraldsun.rss`, {
      status: 'ok',
      nextFetchAt: new Date(NOW.getTime() + 600_000).toISOString(),
      retryNotBefore: null,
    });
    expect((await readFeeds([scheduled], OPTIONS, NOW))[0]!.outcome).toBe('skipped');
    expect((await readFeeds([scheduled], { ...OPTIONS, force: true }, NOW))[0]!.outcome).toBe('read');
    const held: SourceState = { ...scheduled, status: 'error', retryNotBefore: scheduled.nextFetchAt };
    expect((await readFeeds([held], { ...OPTIONS, force: true }, NOW))[0]!.outcome).toBe('skipped');
  });

  it('marks 410 as gone and never fetches it again until reset', async () => {
    const source = feedSource(`${server.base}/410`);
    const [first] = await readFeeds([source], OPTIONS, NOW);
    expect(first!.state.status).toBe('gone');
    expect(first!.error).toMatch(/HTTP 410 Gone: polling stopped until the feed is reset$/);
    const requests = server.requests.length;
    const [again] = await readFeeds([apply(source, first!)], { ...OPTIONS, force: true }, new Date(NOW.getTime() + 86400_000 * 30));
    expect(again!.outcome).toBe('skipped');
    expect(server.requests.length).toBe(requests);
  });

  it('moves a permanently redirected feed', async () => {
    const [outcome] = await readFeeds([feedSource(`${server.base}/moved`)], OPTIONS, NOW);
    expect(outcome!.outcome).toBe('read');
    expect(outcome!.state.newUrl).toBe(`${server.base}/real/guardian.rss`);
    const [temporary] = await readFeeds([feedSource(`${server.base}/temporary`)], OPTIONS, NOW);
    expect(temporary!.state.newUrl).toBeUndefined();
  });

  it('refuses private addresses when the guard is on, with a clear error', async () => {
    const [outcome] = await readFeeds(
      [feedSource(`${server.base}/real/guardian.rss`, { name: 'Inside' })],
      { ...OPTIONS, blockPrivateAddresses: true },
      NOW,
    );
    expect(outcome!.outcome).toBe('error');
    expect(outcome!.error).toMatch(
      /^feed "Inside" \(.+\): refused to connect to 127\.0\.0\.1 \(127\.0\.0\.1\): private, loopback or link-local address/,
    );
  });

  it('keeps per-host concurrency within its limit', async () => {
    const sources = Array.from({ length: 6 }, (_, i) => feedSource(`${server.base}/hang?${i}`));
    const started = server.requests.length;
    server.resetPeak();
    const outcomes = await readFeeds(sources, { ...OPTIONS, timeoutMs: 300, perHostConcurrency: 2 }, NOW);
    expect(outcomes.every((o) => o.outcome === 'error')).toBe(true);
    expect(server.requests.length - started).toBe(6);
    // Server-side counts race with socket teardown after each client timeout; createLimiter's own test pins the limit.
    expect(server.peakHanging()).toBeLessThan(6);
  });

  it('reads local files and reports unchanged files as not modified', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'feedmerge-read-'));
    const path = join(dir, 'feed.rss');
    writeFileSync(
      path,
      '<rss version="2.0"><channel><title>Local</title><item><title>One</title><link>https://l.example/1</link></item></channel></rss>',
    );
    const source = feedSource(path, { name: 'Local' });
    const [first] = await readFeeds([source], OPTIONS, NOW);
    expect(first!.outcome).toBe('read');
    expect(first!.items[0]!.link).toBe('https://l.example/1');
    const [second] = await readFeeds([apply(source, first!)], { ...OPTIONS, force: true }, NOW);
    expect(second!.outcome).toBe('not-modified');
    expect(second!.state.etag).toBeNull(); // the file was written after NOW: too fresh to vouch for
    const [missing] = await readFeeds([feedSource(join(dir, 'nope.xml'), { name: 'Gone file' })], OPTIONS, NOW);
    expect(missing!.error).toMatch(/^feed "Gone file" \(.+nope\.xml\): .+nope\.xml: file not found, retry after/);
  });

  it('does not read again a file still as it was (its stamp, as etag); a written one, or one too fresh to vouch for, is read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'feedmerge-stamp-'));
    const path = join(dir, 'feed.rss');
    const feed = (title: string): string =>
      `<rss version="2.0"><channel><title>Local</title><item><title>${title}</title>` +
      '<link>https://l.example/1</link></item></channel></rss>';
    writeFileSync(path, feed('One'));
    const { mtimeMs } = statSync(path);
    const later = new Date(mtimeMs + 3_600_000);
    const reads = (): string[] => readFileSource.mock.calls.map(([read]) => read as string).filter((read) => read === path);
    readFileSource.mockClear();

    // Written a second before the run: read, but no stamp kept (a write within the same clock tick would keep it).
    const [fresh] = await readFeeds([feedSource(path, { name: 'Local' })], OPTIONS, new Date(mtimeMs + 1000));
    expect(fresh).toMatchObject({ outcome: 'read', state: { etag: null } });
    const [first] = await readFeeds([feedSource(path, { name: 'Local' })], OPTIONS, later);
    expect(first!.state.etag).toMatch(/^file:\d+:\d+:\d+:\d+:\d+$/);
    expect(reads()).toHaveLength(2);

    let source = apply(feedSource(path, { name: 'Local' }), first!);
    const [still] = await readFeeds([source], { ...OPTIONS, force: true }, later);
    expect(still!.outcome).toBe('not-modified');
    expect(apply(source, still!).etag).toBe(first!.state.etag);
    expect(reads()).toHaveLength(2);

    // Replaced by another file (a new inode, however quick the write), then grown in place: read each time.
    writeFileSync(`${path}.new`, feed('Two'));
    renameSync(`${path}.new`, path);
    const [replaced] = await readFeeds([source], { ...OPTIONS, force: true }, later);
    expect(replaced!.items.map((item) => item.title)).toEqual(['Two']);
    source = apply(source, replaced!);
    appendFileSync(path, '\n');
    const [grown] = await readFeeds([source], { ...OPTIONS, force: true }, later);
    expect(grown!.outcome).toBe('read');
    expect(grown!.state.etag).toMatch(/^file:/);
    expect(grown!.state.etag).not.toBe(replaced!.state.etag);
    expect(reads()).toHaveLength(4);
  });
});
