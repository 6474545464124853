import Database from 'better-sqlite3';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFeedOrigin, writeWorkerConfig } from '../../bench/workers.js';
import { makeInstance, REPO, runCli, runCliAsync } from '../helpers/cli.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { tempDir } from '../helpers/temp.js';

let postgres: TestPostgres;
beforeAll(async () => {
  postgres = await startPostgres();
});
afterAll(() => postgres?.stop());

describe('feedmerge migrate-to', () => {
  it('copies a finished SQLite run into PostgreSQL: the same stories and feeds, and runs go on from there', async () => {
    const feed = join(REPO, 'tests', 'fixtures', 'feeds', 'real', 'guardian.rss');
    const config = makeInstance(tempDir(), `feeds:\n  - url: ${JSON.stringify(feed)}\n    name: Guardian\n`);
    expect(runCli(['run', '--config', config]).status).toBe(0);
    const before = runCli(['clusters', '--json', '--config', config]);
    const feedsBefore = runCli(['feeds', '--json', '--all', '--config', config]);
    expect(JSON.parse(before.stdout).clusters.length).toBeGreaterThan(10);

    const url = (await postgres.createDatabase()).replace('postgres@', 'postgres:secret@');
    const migrated = runCli(['migrate-to', url, '--config', config]);
    expect(migrated.status, migrated.stderr).toBe(0);
    expect(migrated.stdout).toMatch(/Copied .* \d+ sources, \d+ clusters, \d+ items/);
    expect(migrated.stdout).toContain('database: postgres://postgres:***@');
    expect(migrated.stdout).not.toContain('secret');

    // A second copy into the same database is refused: it is no longer empty.
    const again = runCli(['migrate-to', url, '--config', config]);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/not empty/);
    expect(again.stderr.trim().split('\n')).toHaveLength(1);

    writeFileSync(config, readFileSync(config, 'utf8').replace('database: data/feedmerge.db', `database: ${url}`));
    expect(runCli(['clusters', '--json', '--config', config]).stdout).toBe(before.stdout);
    expect(runCli(['feeds', '--json', '--all', '--config', config]).stdout).toBe(feedsBefore.stdout);
    const next = runCli(['run', '--force', '--config', config]);
    expect(next.status, next.stderr).toBe(0);
    const after = JSON.parse(runCli(['clusters', '--json', '--config', config]).stdout);
    expect(after.clusters.length).toBe(JSON.parse(before.stdout).clusters.length);
  });

  it('gives byte-identical clusters, feeds, corrections and explain (--json) after copying a run of 6,366 items', async () => {
    // Stories with merges, related stories, recorded decisions and a correction by hand: every table has rows.
    const origin = await startFeedOrigin(50, 0);
    const config = writeWorkerConfig(tempDir(), origin, 50, 'data/feedmerge.db');
    try {
      const run = await runCliAsync(['run', '--config', config]);
      expect(run.status, run.stderr).toBe(0);
    } finally {
      await origin.close();
    }
    const stories = JSON.parse(runCli(['clusters', '--json', '--config', config]).stdout) as {
      clusters: { id: string; related: string[]; items: { id: string }[] }[];
    };
    const [big, other, third] = stories.clusters.filter((c) => c.items.length >= 3);
    expect(third).toBeDefined();
    expect(stories.clusters.some((c) => c.related.length > 0)).toBe(true);
    expect(runCli(['split', big!.items[0]!.id, '--config', config]).status).toBe(0);
    // Merged by hand: a merge record (the merged-away id followed to the survivor), a decision, a correction.
    expect(runCli(['merge', other!.id, third!.id, '--config', config]).status).toBe(0);
    const database = new Database(join(dirname(config), 'data', 'feedmerge.db'), { readonly: true });
    try {
      expect(
        (database.prepare(`SELECT COUNT(*) AS n FROM clusters WHERE merged_into IS NOT NULL`).get() as { n: number }).n,
      ).toBeGreaterThan(0);
    } finally {
      database.close();
    }
    const views = (): string[] =>
      [
        ['clusters', '--json'],
        ['feeds', '--json', '--all'],
        ['corrections', '--json'],
        ['explain', big!.items[0]!.id, big!.items[1]!.id, '--json'],
        ['explain', other!.items[0]!.id, third!.items[0]!.id, '--json'],
      ].map((args) => {
        const shown = runCli([...args, '--config', config]);
        expect(shown.status, `${args.join(' ')}: ${shown.stderr}`).toBe(0);
        return shown.stdout;
      });
    const before = views();
    expect(before[0]!.length).toBeGreaterThan(1_000_000);

    const url = await postgres.createDatabase();
    const migrated = runCli(['migrate-to', url, '--config', config]);
    expect(migrated.status, migrated.stderr).toBe(0);
    writeFileSync(config, readFileSync(config, 'utf8').replace('database: "data/feedmerge.db"', `database: ${JSON.stringify(url)}`));
    expect(readFileSync(config, 'utf8')).toContain(url);
    const after = views();
    // Whole outputs compared, byte for byte (a mismatch prints the first differing line).
    after.forEach((text, i) => expect(text).toBe(before[i]));
  });
});
