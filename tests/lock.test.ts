import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LockedError } from '../src/errors.js';
import { acquireRunLock, lockPathFor, readLockHolder } from '../src/lock.js';
import { makeInstance, runCliAsync } from './helpers/cli.js';
import { tempDir } from './helpers/temp.js';

const cli = runCliAsync;

/** The pid of a process that has exited (and been reaped): no process holds it now. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

/** A lock directory as a holder with this pid left it (fresh: no ageing needed for a dead local holder). */
function plantLock(database: string, holder: { pid: number; host?: string; since?: string }): string {
  const path = lockPathFor(database);
  mkdirSync(path, { recursive: true });
  const record = { host: hostname(), since: '2026-01-01T00:00:00.000Z', processStart: null, token: 'planted', ...holder };
  writeFileSync(join(path, 'holder.json'), JSON.stringify(record));
  return path;
}

describe('run lock', () => {
  it('a second process exits at once with code 75 and one line naming the live holder', async () => {
    const dir = tempDir();
    const config = makeInstance(dir);
    const database = join(dir, 'data', 'feedmerge.db');
    const held = await acquireRunLock(database);
    try {
      const second = await cli(['run', '--config', config]);
      expect(second.status).toBe(75);
      const lines = second.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        new RegExp(
          `^feedmerge: lock: another feedmerge run \\(pid ${process.pid}, since \\S+\\) is working on ` +
            `${database} \\(lock ${database}\\.lock\\); try again later$`,
        ),
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
  });

  it('takes over at once the lock of a holder that is no longer running on this host, with one info line', async () => {
    const dir = tempDir();
    const config = makeInstance(dir);
    const database = join(dir, 'data', 'feedmerge.db');
    const pid = await deadPid();
    plantLock(database, { pid });
    const quiet = await cli(['run', '--config', config]);
    expect(quiet.stderr).toBe(''); // cron mails nothing for it
    expect(quiet.status).toBe(0);
    expect(existsSync(lockPathFor(database))).toBe(false);

    plantLock(database, { pid });
    const verbose = await cli(['run', '--verbose', '--config', config]);
    expect(verbose.status).toBe(0);
    const takeovers = verbose.stderr.split('\n').filter((line) => line.includes('took over'));
    expect(takeovers).toHaveLength(1);
    expect(takeovers[0]).toContain(`from pid ${pid} (no longer running)`);
  });

  it("waits for another host's holder until its lock is stale, and takes over an old-style lock once stale", async () => {
    const dir = tempDir();
    const config = makeInstance(dir);
    const database = join(dir, 'data', 'feedmerge.db');
    const path = plantLock(database, { pid: 4242, host: 'elsewhere.example' });
    const blocked = await cli(['run', '--config', config]);
    expect(blocked.status).toBe(75);
    expect(blocked.stderr).toContain('(pid 4242 on elsewhere.example, since 2026-01-01T00:00:00.000Z)');
    const tenMinutesAgo = new Date(Date.now() - 600_000);
    utimesSync(join(path, 'holder.json'), tenMinutesAgo, tenMinutesAgo);
    const taken = await cli(['run', '--config', config]);
    expect(taken.status).toBe(0);

    // An empty lock directory (proper-lockfile's, before the holder was recorded): the refresh time decides.
    mkdirSync(path);
    expect((await cli(['run', '--config', config])).status).toBe(75);
    utimesSync(path, tenMinutesAgo, tenMinutesAgo);
    const old = await cli(['run', '--config', config]);
    expect(old.stderr).toBe('');
    expect(old.status).toBe(0);
    expect(existsSync(path)).toBe(false);
  });

  it('in-process: a held lock refuses a second holder until released, and records who holds it', async () => {
    const database = join(tempDir(), 'db', 'x.db');
    const first = await acquireRunLock(database);
    expect(readLockHolder(first.path)).toMatchObject({ pid: process.pid, host: hostname() });
    await expect(acquireRunLock(database)).rejects.toBeInstanceOf(LockedError);
    await first.release();
    await first.release(); // idempotent
    const second = await acquireRunLock(database);
    await second.release();
  });

  it("two processes racing for a dead holder's lock: exactly one gets it", async () => {
    const database = join(tempDir(), 'db', 'x.db');
    plantLock(database, { pid: await deadPid() });
    const results = await Promise.allSettled([acquireRunLock(database), acquireRunLock(database), acquireRunLock(database)]);
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected' && r.reason instanceof LockedError)).toHaveLength(2);
    await (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof acquireRunLock>>>).value.release();
  });

  it('PostgreSQL databases take no file lock (their workers claim work in the database)', async () => {
    const lock = await acquireRunLock('postgres://feedmerge@db.example/feedmerge');
    expect(lock.path).toBe('');
    await lock.release();
  });
});
