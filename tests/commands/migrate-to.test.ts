import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeInstance, REPO, runCli } from '../helpers/cli.js';
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
});
