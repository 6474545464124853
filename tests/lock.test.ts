import { existsSync, mkdirSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LockedError } from '../src/errors.js';
import { acquireRunLock, lockPathFor } from '../src/lock.js';
import { makeInstance, runCliAsync } from './helpers/cli.js';
import { tempDir } from './helpers/temp.js';

const cli = runCliAsync;

describe('run lock', () => {
  it('a second process exits at once with code 75 and one line while another holds the lock', async () => {
    const dir = tempDir();
    const config = makeInstance(dir);
    const database = join(dir, 'data', 'feedmerge.db');
    const held = await acquireRunLock(database);
    try {
      const second = await cli(['run', '--config', config]);
      expect(second.status).toBe(75);
      const lines = second.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toBe(
        `feedmerge: lock: another feedmerge run is working on ${database} (lock ${database}.lock); try again later`,
      );
      expect(existsSync(database)).toBe(false); // it left before opening the database
      const remove = await cli(['feeds', 'remove', 'https://example.org/feed', '--config', config]);
      expect(remove.status).toBe(75);
    } finally {
      await held.release();
    }
    const after = await cli(['run', '--config', config]);
    expect(after.stderr).toBe('');
    expect(after.status).toBe(0);
    expect(existsSync(lockPathFor(database))).toBe(false); // released on exit
  }, 60_000);

  it('takes over a stale lock left by a crashed run', async () => {
    const dir = tempDir();
    const config = makeInstance(dir);
    const lock = lockPathFor(join(dir, 'data', 'feedmerge.db'));
    mkdirSync(lock, { recursive: true });
    const tenMinutesAgo = new Date(Date.now() - 600_000);
    utimesSync(lock, tenMinutesAgo, tenMinutesAgo);
    const result = await cli(['run', '--config', config]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(existsSync(lock)).toBe(false);
  }, 60_000);

  it('in-process: a held lock refuses a second holder until released', async () => {
    const database = join(tempDir(), 'db', 'x.db');
    const first = await acquireRunLock(database);
    await expect(acquireRunLock(database)).rejects.toBeInstanceOf(LockedError);
    await first.release();
    await first.release(); // idempotent
    const second = await acquireRunLock(database);
    await second.release();
  });
});
