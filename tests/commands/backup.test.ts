import { copyFileSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { makeInstance, runCliAsync } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';
import { startCli } from '../reliability/cli-process.js';
import { makeCrashInstance } from '../reliability/crash-instance.js';

/** `feedmerge backup FILE` (issue #14): a consistent copy with SQLite's online backup, safe during a run. */

function integrity(file: string): string {
  const db = new Database(file, { readonly: true });
  try {
    return String(db.pragma('integrity_check', { simple: true }));
  } finally {
    db.close();
  }
}

describe('feedmerge backup', () => {
  it('copies the database while a run writes it: every copy passes integrity_check and restores', async () => {
    const dir = tempDir('feedmerge-backup-');
    // Hundreds of listing files: the run writes for a while, one transaction each.
    const config = makeCrashInstance(dir, 'http://127.0.0.1:9/feed.xml', { rows: 1200, outputFeeds: 1 });
    const data = join(dir, 'data');
    const run = startCli(['run', '--config', config]);
    // The run is writing once its write-ahead log exists.
    await new Promise<void>((resolve) => {
      const poll = (): void => void (existsSync(join(data, 'feedmerge.db-wal')) ? resolve() : setTimeout(poll, 5));
      poll();
    });
    const copies: string[] = [];
    let finished = false;
    void run.done.then(() => (finished = true));
    // Back up again and again while the run is writing (at least once, however fast the run).
    do {
      const file = join(dir, `copy-${copies.length}.db`);
      const backup = await runCliAsync(['backup', file, '--config', config]);
      expect(backup.stderr).toBe('');
      expect(backup.status).toBe(0);
      expect(backup.stdout).toMatch(/^Backed up .* to .*copy-\d+\.db \(\d+ pages, integrity_check ok\)\.\n$/);
      copies.push(file);
    } while (!finished && copies.length < 5);
    expect((await run.done).status).toBe(0);
    for (const file of copies) expect(integrity(file)).toBe('ok');
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);

    // Restore (README "Backups"): stop feedmerge, put the copy in place, drop the old -wal/-shm, start again.
    const last = copies.at(-1)!;
    for (const suffix of ['', '-wal', '-shm']) rmSync(join(data, `feedmerge.db${suffix}`), { force: true });
    copyFileSync(last, join(data, 'feedmerge.db'));
    const feeds = await runCliAsync(['feeds', '--json', '--all', '--config', config]);
    expect(feeds.status).toBe(0);
    const again = await runCliAsync(['run', '--config', config]);
    expect(again.status).toBe(0);
    expect(integrity(join(data, 'feedmerge.db'))).toBe('ok');
  });

  it('refuses to overwrite the database itself, with one line and exit 1', async () => {
    const dir = tempDir();
    const config = makeInstance(dir);
    expect((await runCliAsync(['run', '--config', config])).status).toBe(0);
    const result = await runCliAsync(['backup', join(dir, 'data', 'feedmerge.db'), '--config', config]);
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('is the database itself');
  });
});
