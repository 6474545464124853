import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { FeedmergeError, LockedError } from './errors.js';

/** A held run lock. */
interface RunLock {
  /** The lock directory beside the database ('' when the database needs none, e.g. PostgreSQL). */
  readonly path: string;
  /** Releases the lock; safe to call twice. */
  release(): Promise<void>;
}

/** Who holds a lock: written into the lock directory as `holder.json`. */
interface LockHolder {
  readonly pid: number;
  readonly host: string;
  /** When the lock was taken (ISO 8601). */
  readonly since: string;
  /** The holder's start time in clock ticks since boot (/proc/<pid>/stat field 22): tells a reused pid apart. */
  readonly processStart: string | null;
  /** Random per acquisition: proves a lock directory is still the one we (or a dead holder) made. */
  readonly token: string;
}

/** Options of acquireRunLock. */
interface LockOptions {
  /**
   * A holder on another host (a shared or network folder) cannot be asked whether it lives; its lock is
   * refreshed every quarter of this and taken over once not refreshed for this long. A minute: a long
   * synchronous clustering pass may delay a refresh by tens of seconds. A holder on this host is checked
   * directly and never waited for once dead.
   */
  readonly staleMs?: number;
  /** Called if the lock is lost while held (its directory removed or taken over). */
  readonly onCompromised?: (error: Error) => void;
  /** Told (one line) when a dead holder's lock is taken over. */
  readonly onTakeover?: (message: string) => void;
}

const DEFAULT_STALE_MS = 60_000;
const HOLDER_FILE = 'holder.json';

/** The lock path for a database: `<database>.lock`, a directory holding `holder.json`. */
export function lockPathFor(databasePath: string): string {
  return `${databasePath}.lock`;
}

/** True when the database is a server (PostgreSQL) URL: its workers coordinate in the database, not with a file lock. */
export function needsFileLock(database: string): boolean {
  return !/^postgres(ql)?:\/\//i.test(database);
}

/**
 * Takes the run lock of a database at once, or throws LockedError naming the live holder: two runs never
 * write one SQLite database together (a cron `run` and a `serve` run, or two overlapping cron runs). A lock
 * whose holder is no longer running on this host (killed, OOM, reboot) is taken over at once.
 */
export async function acquireRunLock(database: string, options: LockOptions = {}): Promise<RunLock> {
  if (!needsFileLock(database)) return { path: '', release: async () => undefined };
  const path = lockPathFor(database);
  const staleMs = options.staleMs ?? DEFAULT_STALE_MS;
  const me: LockHolder = {
    pid: process.pid,
    host: hostname(),
    since: new Date().toISOString(),
    processStart: processStartOf(process.pid),
    token: randomBytes(12).toString('hex'),
  };
  try {
    mkdirSync(dirname(database), { recursive: true });
    // Two rounds: a dead holder's lock is moved aside in the first, ours is made in the second.
    for (let attempt = 0; ; attempt += 1) {
      if (create(path, me)) break;
      const found = inspect(path, staleMs);
      if (found.state === 'gone') continue;
      if (found.state === 'live' || attempt >= 3) throw lockedError(database, path, found.holder);
      if (takeOver(path, found.holder)) options.onTakeover?.(takeoverMessage(path, found.holder, found.reason));
    }
  } catch (error) {
    if (error instanceof LockedError) throw error;
    throw new FeedmergeError(`lock: cannot create ${path}: ${(error as Error).message}`, { cause: error });
  }
  return hold(path, me, staleMs, options.onCompromised ?? (() => undefined));
}

/** Reads the holder of a lock directory, or null (none, or not ours to parse: an older feedmerge's empty directory). */
export function readLockHolder(path: string): LockHolder | null {
  try {
    const value = JSON.parse(readFileSync(join(path, HOLDER_FILE), 'utf8')) as Partial<LockHolder>;
    if (typeof value.pid !== 'number' || typeof value.host !== 'string' || typeof value.token !== 'string') return null;
    return {
      pid: value.pid,
      host: value.host,
      since: String(value.since ?? ''),
      processStart: value.processStart ?? null,
      token: value.token,
    };
  } catch {
    return null;
  }
}

/**
 * Makes the lock directory whole in one step: a temp directory with holder.json is renamed into place, so
 * no one ever sees a lock without its holder. False when a lock is already there.
 */
function create(path: string, me: LockHolder): boolean {
  const temp = mkdtempSync(join(dirname(path), `.${basename(path)}.new-`));
  try {
    writeFileSync(join(temp, HOLDER_FILE), `${JSON.stringify(me)}\n`, { flag: 'wx' });
    // rename() would replace an existing *empty* directory (an older feedmerge's lock): look first.
    if (exists(path)) return false;
    renameSync(temp, path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST') return false;
    throw error;
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

type Inspection =
  | { readonly state: 'gone' }
  | { readonly state: 'live'; readonly holder: LockHolder | null }
  | { readonly state: 'dead'; readonly holder: LockHolder | null; readonly reason: string };

/** Whether the lock at `path` is held by a live process. */
function inspect(path: string, staleMs: number): Inspection {
  const holder = readLockHolder(path);
  const modified = modifiedAt(holder ? join(path, HOLDER_FILE) : path);
  if (modified === null) return { state: 'gone' };
  if (holder && holder.host === hostname()) {
    if (isRunning(holder)) return { state: 'live', holder };
    return { state: 'dead', holder, reason: 'no longer running' };
  }
  // Another host's holder (or an unreadable one): only the refresh time tells whether it still lives.
  const age = Date.now() - modified;
  if (age <= staleMs) return { state: 'live', holder };
  return { state: 'dead', holder, reason: `not refreshed for ${Math.round(age / 1000)} s` };
}

/**
 * Moves a dead holder's lock aside and removes it. The move is atomic, so of two processes taking over the
 * same lock only one succeeds; one that finds it moved a lock other than the dead one puts it back.
 */
function takeOver(path: string, dead: LockHolder | null): boolean {
  const aside = `${path}.stale-${randomBytes(6).toString('hex')}`;
  try {
    renameSync(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  const moved = readLockHolder(aside);
  if ((moved?.token ?? null) !== (dead?.token ?? null)) {
    // Someone else took over between our look and our move: theirs is live. Give it back.
    try {
      renameSync(aside, path);
    } catch {
      /* the lock path is taken again: both are live claims, the newer one stands */
    }
    return false;
  }
  rmSync(aside, { recursive: true, force: true });
  return true;
}

/** Keeps a taken lock fresh for other hosts and notices when it is lost. */
function hold(path: string, me: LockHolder, staleMs: number, onCompromised: (error: Error) => void): RunLock {
  let released = false;
  let compromised = false;
  const stillMine = (): boolean => readLockHolder(path)?.token === me.token;
  const timer = setInterval(
    () => {
      if (compromised) return;
      if (!stillMine()) {
        compromised = true;
        onCompromised(new Error(`lock ${path} was removed or taken over while held`));
        return;
      }
      const now = new Date();
      try {
        utimesSync(join(path, HOLDER_FILE), now, now);
      } catch {
        /* checked again at the next tick */
      }
    },
    Math.max(1000, Math.floor(staleMs / 4)),
  );
  // The refresh must never keep a finished command alive.
  timer.unref();
  return {
    path,
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      if (stillMine()) rmSync(path, { recursive: true, force: true });
    },
  };
}

/** Whether a holder on this host is still the process that took the lock (not a later one reusing its pid). */
function isRunning(holder: LockHolder): boolean {
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to another user; that is still a live holder.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (holder.processStart === null) return true;
  const start = processStartOf(holder.pid);
  return start === null || start === holder.processStart;
}

/** A process's start time in clock ticks since boot (Linux /proc), or null where /proc is not available. */
function processStartOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may contain spaces: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null; // field 22 overall: starttime
  } catch {
    return null;
  }
}

function modifiedAt(path: string): number | null {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return null;
  }
}

function exists(path: string): boolean {
  try {
    readdirSync(path);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

function describeHolder(holder: LockHolder | null): string {
  if (!holder) return 'another feedmerge run';
  const where = holder.host === hostname() ? '' : ` on ${holder.host}`;
  return `another feedmerge run (pid ${holder.pid}${where}, since ${holder.since})`;
}

function lockedError(database: string, path: string, holder: LockHolder | null): LockedError {
  return new LockedError(`lock: ${describeHolder(holder)} is working on ${database} (lock ${path}); try again later`);
}

function takeoverMessage(path: string, holder: LockHolder | null, reason: string): string {
  const who = holder ? `pid ${holder.pid}${holder.host === hostname() ? '' : ` on ${holder.host}`}` : 'an unknown holder';
  return `lock: took over ${path} from ${who} (${reason})`;
}
