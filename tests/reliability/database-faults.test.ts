import { chmodSync, closeSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { makeInstance } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';
import { openToEveryone, RUN_AS_NOBODY, runCliAsync, feedFiles, snapshotFolder } from './cli-process.js';

/** An instance on the real seeds that has completed one run: its config path, database and published files. */
async function publishedInstance(): Promise<{ dir: string; config: string; db: string; public: string; before: Record<string, string> }> {
  const dir = tempDir();
  const config = makeInstance(dir);
  const first = await runCliAsync(['run', '--config', config]);
  expect(first.stderr).toBe('');
  expect(first.status).toBe(0);
  const published = join(dir, 'public');
  const before = snapshotFolder(published);
  expect(feedFiles(before)).toEqual(['all.atom', 'all.json', 'all.rss']);
  // A new listing makes the next run want to store and publish something.
  writeFileSync(
    join(dir, 'seeds', 'zz-new.txt'),
    'A brand new headline about the harbour strike\n\nDock workers walked out on Monday over pay, the union said. Jane Roe reports.\n',
  );
  return { dir, config, db: join(dir, 'data', 'feedmerge.db'), public: published, before };
}

/** The run failed the way an operator can act on: exit 1, one line on stderr naming the problem, nothing published. */
function expectCleanFailure(result: { status: number | null; stderr: string }, reason: RegExp): void {
  expect(result.status).toBe(1);
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^feedmerge: /);
  expect(lines[0]).toMatch(reason);
}

describe('database faults: one clear line, exit 1, published files untouched', () => {
  it('a database locked by another process beyond the busy timeout', async () => {
    const instance = await publishedInstance();
    const holder = new Database(instance.db);
    holder.exec('BEGIN IMMEDIATE'); // the write lock, held past feedmerge's 5 s busy timeout
    try {
      const result = await runCliAsync(['run', '--config', instance.config]);
      expectCleanFailure(result, /locked/i);
      expect(result.stderr).toContain(instance.db);
      expect(snapshotFolder(instance.public)).toEqual(instance.before);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    const after = await runCliAsync(['run', '--config', instance.config]);
    expect(after.status).toBe(0);
    expect(readFileSync(join(instance.public, 'all.atom'), 'utf8')).toContain('harbour strike');
  });

  it('a read-only database file and folder', async () => {
    const instance = await publishedInstance();
    openToEveryone(instance.dir);
    chmodSync(instance.db, 0o444);
    chmodSync(join(instance.dir, 'data'), 0o555);
    chmodSync(instance.public, 0o555);
    try {
      const result = await runCliAsync(['run', '--config', instance.config], { uid: RUN_AS_NOBODY });
      expectCleanFailure(result, /read-only|readonly|cannot open|permission denied/i);
      expect(result.stderr).toContain(instance.db);
      expect(snapshotFolder(instance.public)).toEqual(instance.before);
    } finally {
      chmodSync(join(instance.dir, 'data'), 0o755);
      chmodSync(instance.public, 0o755);
      chmodSync(instance.db, 0o644);
    }
  });

  it('a file that is not a database at all', async () => {
    const instance = await publishedInstance();
    writeFileSync(instance.db, Buffer.alloc(64 * 1024, 'garbage! '));
    const result = await runCliAsync(['run', '--config', instance.config]);
    expectCleanFailure(result, /not a database|corrupt/i);
    expect(result.stderr).toContain(instance.db);
    expect(snapshotFolder(instance.public)).toEqual(instance.before);
  });

  it('a database whose pages are damaged behind an intact header', async () => {
    const instance = await publishedInstance();
    const size = statSync(instance.db).size;
    const fd = openSync(instance.db, 'r+');
    // Page 1 (the header and schema) stays; every later page is overwritten with noise.
    for (let offset = 4096; offset < size; offset += 4096) writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, offset);
    closeSync(fd);
    const result = await runCliAsync(['run', '--config', instance.config]);
    expectCleanFailure(result, /corrupt|malformed|not a database/i);
    expect(snapshotFolder(instance.public)).toEqual(instance.before);
  });

  it('a database path that cannot be created (its folder is a file)', async () => {
    const dir = tempDir();
    const config = makeInstance(dir, '');
    mkdirSync(join(dir, 'public'));
    writeFileSync(join(dir, 'public', 'all.atom'), 'previous');
    writeFileSync(join(dir, 'data'), 'a file where the data folder should be');
    const result = await runCliAsync(['run', '--config', config]);
    expectCleanFailure(result, /data/);
    expect(readdirSync(join(dir, 'public'))).toEqual(['all.atom']);
    rmSync(join(dir, 'data'));
  });
});

describe('publishing faults', () => {
  it('an output folder that cannot be written: exit 1, one line, previous files kept; the next run publishes', async () => {
    const instance = await publishedInstance();
    openToEveryone(instance.dir);
    chmodSync(instance.public, 0o555);
    // As nobody the database must be writable: hand it over, the published folder stays read-only.
    chmodSync(join(instance.dir, 'data'), 0o777);
    for (const name of readdirSync(join(instance.dir, 'data'))) chmodSync(join(instance.dir, 'data', name), 0o666);
    try {
      const result = await runCliAsync(['run', '--config', instance.config], { uid: RUN_AS_NOBODY });
      expectCleanFailure(result, /permission denied|EACCES/i);
      expect(snapshotFolder(instance.public)).toEqual(instance.before);
    } finally {
      chmodSync(instance.public, 0o755);
    }
    const after = await runCliAsync(['run', '--config', instance.config]);
    expect(after.status).toBe(0);
    expect(readFileSync(join(instance.public, 'all.atom'), 'utf8')).toContain('harbour strike');
    expect(
      readdirSync(instance.public)
        .filter((n) => !n.endsWith('.html') && n !== 'stories')
        .sort(),
    ).toEqual(['all.atom', 'all.json', 'all.rss']);
  });
});
