import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Parser from 'rss-parser';
import { describe, expect, it } from 'vitest';
import { makeInstance, runCli } from './helpers/cli.js';
import { tempDir } from './helpers/temp.js';

interface ClustersJson {
  clusters: { id: string; title: string; updated: string; items: Record<string, unknown>[] }[];
}

function snapshot(dir: string): Record<string, string> {
  const names = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((name) => statSync(join(dir, name)).isFile());
  return Object.fromEntries(names.map((name) => [name, readFileSync(join(dir, name), 'utf8')]));
}

describe('feedmerge CLI end to end', () => {
  it('runs on the seeds, publishes valid merged Atom, and a re-run changes nothing', async () => {
    const dir = tempDir();
    const config = makeInstance(dir);
    // Started from another folder, as cron does: paths come from the config file, not the working folder.
    const first = runCli(['run', '--config', config], { cwd: '/' });
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);

    const atom = readFileSync(join(dir, 'public', 'all.atom'), 'utf8');
    const feed = await new Parser().parseString(atom);
    expect(feed.items.length).toBeGreaterThan(20);

    const clusters = JSON.parse(runCli(['clusters', '--json', '--config', config]).stdout) as ClustersJson;
    const item = clusters.clusters[0]!.items[0]!;
    expect(Object.keys(item)).toEqual(
      expect.arrayContaining(['id', 'source', 'sourceUrl', 'title', 'summary', 'link', 'guid', 'author', 'published']),
    );
    const lima = clusters.clusters.filter((cluster) => cluster.items.some((i) => /On The Lima Group/.test(String(i.title))));
    expect(lima).toHaveLength(1);
    expect(new Set(lima[0]!.items.map((i) => i.source))).toEqual(new Set(['001_d5c45327172d3cd9', '003_4a58f07a8f25fa52']));
    const partOne = clusters.clusters.find((c) => c.items.some((i) => /South America, Part I$/.test(String(i.title))))!;
    const partTwo = clusters.clusters.find((c) => c.items.some((i) => /South America, Part II$/.test(String(i.title))))!;
    expect(partOne.id).not.toBe(partTwo.id);
    expect(atom).toContain('Orinoco Tribune');

    const published = snapshot(join(dir, 'public'));
    const mtimes = readdirSync(join(dir, 'public')).map((name) => statSync(join(dir, 'public', name)).mtimeMs);
    const second = runCli(['run', '--config', config]);
    expect(second.status).toBe(0);
    expect(snapshot(join(dir, 'public'))).toEqual(published);
    expect(readdirSync(join(dir, 'public')).map((name) => statSync(join(dir, 'public', name)).mtimeMs)).toEqual(mtimes);
    const again = JSON.parse(runCli(['clusters', '--json', '--config', config]).stdout) as ClustersJson;
    expect(again).toEqual(clusters);
  });

  it('reports an unreachable feed in one line naming it and still completes the run', () => {
    const dir = tempDir();
    const config = makeInstance(dir, 'feeds:\n  - url: http://127.0.0.1:9/feed.xml\n    name: Nowhere\nfetch:\n  timeoutSeconds: 5\n');
    const result = runCli(['run', '--config', config]);
    expect(result.status).toBe(0);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('http://127.0.0.1:9/feed.xml');
    const feeds = JSON.parse(runCli(['feeds', '--json', '--config', config]).stdout) as { feeds: Record<string, unknown>[] };
    expect(feeds.feeds).toEqual([
      expect.objectContaining({ url: 'http://127.0.0.1:9/feed.xml', name: 'Nowhere', status: 'error', items: 0 }),
    ]);
    expect(String(feeds.feeds[0]!.lastError)).toMatch(/\S/);
    expect(Object.keys(feeds.feeds[0]!)).toEqual(expect.arrayContaining(['url', 'name', 'status', 'lastError', 'lastFetchedAt', 'items']));
  });

  it('stops on an invalid config with one line naming the key, exit 1', () => {
    const dir = tempDir();
    const config = makeInstance(dir, 'cluster:\n  level: nope\n');
    const result = runCli(['run', '--config', config]);
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('cluster.level');
  });

  it('stops on a missing config, exit 1', () => {
    const result = runCli(['run', '--config', '/nonexistent/x.yaml']);
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe('feedmerge: config: /nonexistent/x.yaml: file not found');
  });

  it('reads a listing file dropped into the seeds folder on the next run', () => {
    const dir = tempDir();
    const config = makeInstance(dir);
    expect(runCli(['run', '--config', config]).status).toBe(0);
    writeFileSync(
      join(dir, 'seeds', 'zz_new.txt'),
      'Brand New Story About Lima Water\n\nMore than 2000 people marched in Lima against the privatisation of water services.\n',
    );
    expect(runCli(['run', '--config', config]).status).toBe(0);
    const clusters = JSON.parse(runCli(['clusters', '--json', '--config', config]).stdout) as ClustersJson;
    expect(clusters.clusters.some((c) => c.items.some((i) => i.source === 'zz_new'))).toBe(true);
  });

  it('prints help and usage errors', () => {
    const help = runCli(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('clusters');
    const bad = runCli(['frobnicate']);
    expect(bad.status).toBe(64);
    expect(bad.stderr).toContain("unknown command 'frobnicate'");
  });
});
