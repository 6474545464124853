import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeInstance, REPO } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';
import { cli, feedsOf } from './run-cli.js';

const GUARDIAN = readFileSync(join(REPO, 'tests', 'fixtures', 'feeds', 'real', 'guardian.rss'));

describe('feeds add / remove', () => {
  it('adds a feed to the database, refuses bad input and duplicates with one line and exit 1, removes it', async () => {
    const dir = tempDir();
    const config = makeInstance(dir, 'feeds:\n  - url: https://config.example/feed.xml\n    name: FromConfig\n');
    const c = ['--config', config];

    const added = await cli(['feeds', 'add', 'https://www.news.example/rss', '--name', 'News', '--schedule', '0 * * * *', ...c]);
    expect(added.stderr).toBe('');
    expect(added.status).toBe(0);
    const plain = await cli(['feeds', 'add', 'https://www.plain.example/feed', ...c]);
    expect(plain.status).toBe(0);

    const failures: [string[], RegExp][] = [
      [['feeds', 'add', 'https://www.news.example/rss'], /feeds add: https:\/\/www\.news\.example\/rss is already subscribed as "News"/],
      [['feeds', 'add', 'https://config.example/feed.xml'], /is already in the config file .*feedmerge\.yaml/],
      [['feeds', 'add', 'ftp://files.example/feed'], /unsupported scheme/],
      [['feeds', 'add', 'http://'], /not a valid URL/],
      [['feeds', 'add', 'news.example/feed'], /cannot read .*news\.example\/feed/],
      [['feeds', 'add', 'https://ok.example/', '--schedule', '0 25 * * *'], /invalid cron expression "0 25 \* \* \*"/],
      [['feeds', 'remove', 'https://config.example/feed.xml'], /declared in the config file .*; remove it there/],
      [['feeds', 'remove', 'https://unknown.example/'], /no feed https:\/\/unknown\.example\//],
    ];
    for (const [args, message] of failures) {
      const result = await cli([...args, ...c]);
      expect(result.status, args.join(' ')).toBe(1);
      const lines = result.stderr.trim().split('\n');
      expect(lines, args.join(' ')).toHaveLength(1);
      expect(lines[0]).toMatch(/^feedmerge: /);
      expect(lines[0]).toMatch(message);
    }

    let feeds = feedsOf((await cli(['feeds', '--json', ...c])).stdout);
    expect(feeds).toEqual([
      expect.objectContaining({ url: 'https://www.news.example/rss', name: 'News', origin: 'cli', schedule: '0 * * * *', status: 'new' }),
      expect.objectContaining({ url: 'https://www.plain.example/feed', name: 'plain.example', origin: 'cli', schedule: null }),
    ]);

    const removed = await cli(['feeds', 'remove', 'https://www.news.example/rss', ...c]);
    expect(removed.status).toBe(0);
    feeds = feedsOf((await cli(['feeds', '--json', ...c])).stdout);
    expect(feeds.map((feed) => feed.url)).toEqual(['https://www.plain.example/feed']);
  });

  it('a feed added from the CLI is read by the next run; removing it deletes its items', async () => {
    const dir = tempDir();
    const config = makeInstance(dir);
    const file = join(dir, 'guardian.rss');
    writeFileSync(file, GUARDIAN);
    expect((await cli(['feeds', 'add', file, '--name', 'Guardian', '--config', config])).status).toBe(0);
    const run = await cli(['run', '--config', config]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const [feed] = feedsOf((await cli(['feeds', '--json', '--config', config])).stdout);
    expect(feed).toMatchObject({ url: file, name: 'Guardian', status: 'ok', origin: 'cli' });
    expect(feed!.items as number).toBeGreaterThan(0);
    const clusters = JSON.parse((await cli(['clusters', '--json', '--config', config])).stdout) as {
      clusters: { items: { source: string }[] }[];
    };
    expect(clusters.clusters.some((cluster) => cluster.items.some((item) => item.source === 'Guardian'))).toBe(true);

    const removed = await cli(['feeds', 'remove', file, '--config', config]);
    expect(removed.stdout).toContain(`and its ${String(feed!.items)} items`);
    const after = JSON.parse((await cli(['clusters', '--json', '--config', config])).stdout) as typeof clusters;
    expect(after.clusters.some((cluster) => cluster.items.some((item) => item.source === 'Guardian'))).toBe(false);
  });

  it('subscribes again, from the CLI, a feed taken out of the config file, keeping its items', async () => {
    const dir = tempDir();
    const file = join(dir, 'guardian.rss');
    writeFileSync(file, GUARDIAN);
    const config = makeInstance(dir, `feeds:\n  - url: ${JSON.stringify(file)}\n    name: Guardian\n`);
    expect((await cli(['run', '--config', config])).status).toBe(0);
    const [before] = feedsOf((await cli(['feeds', '--json', '--config', config])).stdout);
    expect(before).toMatchObject({ url: file, origin: 'config' });

    writeFileSync(config, readFileSync(config, 'utf8').replace(/feeds:[\s\S]*$/, ''));
    const added = await cli(['feeds', 'add', file, '--name', 'The Guardian', '--config', config]);
    expect(added.stderr).toBe('');
    expect(added.status).toBe(0);
    expect(added.stdout).toContain(`its ${String(before!.items)} items and state are kept`);
    const [after] = feedsOf((await cli(['feeds', '--json', '--config', config])).stdout);
    expect(after).toMatchObject({ url: file, name: 'The Guardian', origin: 'cli', items: before!.items, status: 'ok' });
    // Now it is the CLI's: adding it once more is a duplicate.
    const again = await cli(['feeds', 'add', file, '--config', config]);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/already subscribed as "The Guardian"/);
  });

  it('feeds reset lets a feed that answered 410 Gone be read again', async () => {
    let gone = true;
    let hits = 0;
    const server = createServer((_req, res) => {
      hits++;
      if (gone) res.writeHead(410).end('gone');
      else res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(GUARDIAN);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/feed.rss`;
    try {
      const dir = tempDir();
      const config = makeInstance(dir);
      expect((await cli(['feeds', 'add', url, '--config', config])).status).toBe(0);
      const first = await cli(['run', '--config', config]);
      expect(first.status).toBe(0);
      expect(first.stderr).toContain(url);
      expect(feedsOf((await cli(['feeds', '--json', '--config', config])).stdout)[0]).toMatchObject({ status: 'gone' });

      gone = false;
      await cli(['run', '--force', '--config', config]);
      expect(hits).toBe(1); // gone stays gone, even for a forced run

      const reset = await cli(['feeds', 'reset', url, '--config', config]);
      expect(reset.status).toBe(0);
      expect(reset.stdout).toContain('was gone');
      const again = await cli(['run', '--config', config]);
      expect(again.stderr).toBe('');
      expect(hits).toBe(2);
      expect(feedsOf((await cli(['feeds', '--json', '--config', config])).stdout)[0]).toMatchObject({ status: 'ok', errorCount: 0 });
    } finally {
      server.close();
    }
  });
});
