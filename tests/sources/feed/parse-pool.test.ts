import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeError } from '../../../src/errors.js';
import { parseFeed } from '../../../src/sources/feed/parse.js';
import { runCli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/temp.js';

const REAL = new URL('../../fixtures/feeds/real/', import.meta.url).pathname;

/**
 * A run of many feeds parses them on other threads (src/sources/feed/parse-pool.ts, from 64 feeds, built CLI
 * only): what it stores must be what parsing on the main thread gives, failures included, class and message.
 */
describe('parsing on other threads', () => {
  it('starts its threads when warmed, before any document, parses alike, and ends them when closed', async () => {
    // The built module: from TypeScript sources the pool parses in-process (it has no built worker to start).
    const { feedParser } = (await import(
      new URL('../../../dist/sources/feed/parse-pool.js', import.meta.url).href
    )) as typeof import('../../../src/sources/feed/parse-pool.js');
    const ports = (): number => process.getActiveResourcesInfo().filter((kind) => kind === 'MessagePort').length;
    const before = ports();
    const parser = feedParser(100, 1);
    parser.warm();
    expect(ports()).toBe(before + 1);
    const path = join(
      REAL,
      readdirSync(REAL).find((name) => name.endsWith('.rss'))!,
    );
    const { result } = await parser.submit(readFileSync(path), { url: path });
    expect(await result).toEqual(await parseFeed(readFileSync(path), { url: path }));
    await parser.close();
    expect(ports()).toBe(before);
  });

  it('stores what parsing here gives, for every feed, and fails the broken ones with the same message', async () => {
    const dir = tempDir();
    const feeds: string[] = [];
    const documents = readdirSync(REAL).filter((name) => /\.(rss|atom)$/.test(name));
    for (let copy = 0; feeds.length < 80; copy++) {
      for (const name of documents) {
        const path = join(dir, `${copy}-${name}`);
        copyFileSync(join(REAL, name), path);
        feeds.push(path);
      }
    }
    const broken = {
      'empty.xml': '',
      'page.html': '<!doctype html><html><head><link rel="alternate" type="application/rss+xml" href="/feed"></head></html>',
      'junk.xml': 'hello, world',
      'bad.xml': '<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item><title>a</item></channel></rss>',
    };
    for (const [name, text] of Object.entries(broken)) {
      writeFileSync(join(dir, name), text);
      feeds.push(join(dir, name));
    }
    const config = join(dir, 'feedmerge.yaml');
    const list = feeds.map((path) => `  - url: ${JSON.stringify(path)}`).join('\n');
    writeFileSync(config, `root: .\ndatabase: data/feedmerge.db\noutput: public\nseeds: []\nfeeds:\n${list}\n`);
    expect(runCli(['run', '--config', config]).status).toBe(0);
    const listed = JSON.parse(runCli(['feeds', '--json', '--config', config]).stdout) as {
      feeds: { url: string; status: string; lastError: string | null; items: number }[];
    };
    const byUrl = new Map(listed.feeds.map((feed) => [feed.url, feed]));
    for (const path of feeds) {
      const stored = byUrl.get(path)!;
      try {
        const parsed = await parseFeed(readFileSync(path), { url: path });
        expect({ path, status: stored.status, items: stored.items }).toEqual({
          path,
          status: 'ok',
          items: new Set(parsed.items.map((item) => item.identity)).size,
        });
      } catch (error) {
        expect(stored.status).toBe('error');
        expect(stored.lastError).toContain(describeError(error).replace(/^parse: /, ''));
      }
    }
    for (const name of Object.keys(broken)) expect(byUrl.get(join(dir, name))!.status).toBe('error');
  });
});
