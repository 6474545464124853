import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import lockfile from 'proper-lockfile';
import { FeedmergeError, LockedError } from './errors.js';

/** A held run lock. */
export interface RunLock {
  /** The lock directory beside the database. */
  readonly path: string;
  /** Releases the lock; safe to call twice. */
  release(): Promise<void>;
}

/** Options of acquireRunLock (tests shorten the stale time). */
export interface LockOptions {
  /**
   * A lock not refreshed for this long belongs to a dead process and is taken over. A minute: the holder
   * refreshes it every quarter of that, and a long synchronous clustering pass may delay a refresh by tens
   * of seconds; a crashed cron run is replaced by the next one a few minutes later anyway.
   */
  readonly staleMs?: number;
  /** Called if the lock is lost while held (its directory removed, or not refreshed in time). */
  readonly onCompromised?: (error: Error) => void;
}

const DEFAULT_STALE_MS = 60_000;

/** The lock path for a database: `<database>.lock`, a directory created atomically by proper-lockfile. */
export function lockPathFor(databasePath: string): string {
  return `${databasePath}.lock`;
}

/**
 * Takes the run lock of a database at once, or throws LockedError: two runs never write one database
 * together (a cron `run` and a `serve` run, or two overlapping cron runs).
 */
export async function acquireRunLock(databasePath: string, options: LockOptions = {}): Promise<RunLock> {
  const path = lockPathFor(databasePath);
  mkdirSync(dirname(databasePath), { recursive: true });
  const staleMs = options.staleMs ?? DEFAULT_STALE_MS;
  let releaseLock: () => Promise<void>;
  try {
    releaseLock = await lockfile.lock(databasePath, {
      lockfilePath: path,
      realpath: false,
      stale: staleMs,
      update: Math.max(1000, Math.floor(staleMs / 4)),
      retries: 0,
      onCompromised: options.onCompromised ?? (() => undefined),
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') {
      throw new LockedError(`lock: another feedmerge run is working on ${databasePath} (lock ${path}); try again later`, {
        cause: error,
      });
    }
    throw new FeedmergeError(`lock: cannot create ${path}: ${(error as Error).message}`, { cause: error });
  }
  let released = false;
  return {
    path,
    async release() {
      if (released) return;
      released = true;
      try {
        await releaseLock();
      } catch (error) {
        // Already released or compromised (taken over as stale): nothing of ours is left to remove.
        if ((error as NodeJS.ErrnoException).code !== 'ERELEASED') throw error;
      }
    },
  };
}
