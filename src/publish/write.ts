import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { dirname, join } from 'node:path';
import { describeError, FeedmergeError } from '../errors.js';
import { FEED_FORMATS, type RenderedFeed } from './feeds.js';

/** The file operations an atomic write needs (node:fs; replaceable only to inject faults in tests). */
export interface WriteIo {
  readonly openSync: typeof fs.openSync;
  readonly writeSync: (fd: number, data: Buffer, offset: number, length: number) => number;
  readonly fsyncSync: typeof fs.fsyncSync;
  readonly closeSync: typeof fs.closeSync;
  readonly renameSync: typeof fs.renameSync;
}

const nodeIo: WriteIo = {
  openSync: fs.openSync,
  writeSync: (fd, data, offset, length) => fs.writeSync(fd, data, offset, length),
  fsyncSync: fs.fsyncSync,
  closeSync: fs.closeSync,
  renameSync: fs.renameSync,
};

/**
 * Writes <outputDir>/<name>.atom|.rss|.json atomically (temp + fsync + rename); unchanged content is not rewritten.
 * Returns the paths written.
 */
export function writeFeeds(outputDir: string, feeds: readonly RenderedFeed[], io: WriteIo = nodeIo): string[] {
  fs.mkdirSync(outputDir, { recursive: true });
  removeAbandonedTemps(outputDir);
  const written: string[] = [];
  for (const feed of feeds) {
    for (const format of FEED_FORMATS) {
      const path = join(outputDir, `${feed.name}.${format}`);
      if (writeFileAtomic(path, Buffer.from(feed[format], 'utf8'), io)) written.push(path);
    }
  }
  if (written.length > 0) syncDirectory(outputDir);
  return written;
}

/**
 * Writes the site's pages (index, lists, story pages) under `outputDir` atomically, each only when its bytes
 * changed; list pages past the last one (`archive-N.html`) left from a longer list are removed. Returns the
 * paths written.
 */
export function writeSite(
  outputDir: string,
  pages: readonly { readonly path: string; readonly html: string }[],
  io: WriteIo = nodeIo,
): string[] {
  const written: string[] = [];
  const folders = new Set<string>();
  for (const page of pages) {
    const path = join(outputDir, page.path);
    const folder = dirname(path);
    if (!folders.has(folder)) {
      fs.mkdirSync(folder, { recursive: true });
      removeAbandonedTemps(folder);
      folders.add(folder);
    }
    if (writeFileAtomic(path, Buffer.from(page.html, 'utf8'), io)) written.push(path);
  }
  const wanted = new Set(pages.map((page) => page.path));
  for (const name of fs.readdirSync(outputDir)) {
    if (/^archive-\d+\.html$/.test(name) && !wanted.has(name)) fs.rmSync(join(outputDir, name), { force: true });
  }
  for (const folder of folders) if (written.some((path) => dirname(path) === folder)) syncDirectory(folder);
  return written;
}

/** The temp name writeFileAtomic gives: `<target>.<pid>.<12 hex>.tmp`. */
const TEMP_NAME = /\.(\d+)\.[0-9a-f]{12}\.tmp$/;

/**
 * Removes temp files whose writer is dead: a run killed between open and rename (SIGKILL, power loss) leaves
 * one behind, and without this every such crash would add a file to the public folder for good
 * (tests/reliability/crash.test.ts). A live writer's files are left alone.
 */
function removeAbandonedTemps(outputDir: string): void {
  for (const name of fs.readdirSync(outputDir)) {
    const pid = TEMP_NAME.exec(name)?.[1];
    if (pid === undefined || isAlive(Number(pid))) continue;
    fs.rmSync(join(outputDir, name), { force: true });
  }
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return false; // this process has no write in progress between two writeFeeds calls
  try {
    process.kill(pid, 0); // signal 0 only checks that the process exists
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by another user
  }
}

/**
 * Replaces `path` with `data` unless it already holds exactly those bytes (so its mtime, and the ETag and
 * Last-Modified the server derives from it, stay put). Readers see the old file or the new one, never a
 * partial one: the bytes go to a temp file in the same folder, are flushed, then renamed over the target.
 */
function writeFileAtomic(path: string, data: Buffer, io: WriteIo = nodeIo): boolean {
  if (sameContent(path, data)) return false;
  // Same folder as the target, so rename(2) stays on one file system and is atomic.
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  let fd: number | null = null;
  try {
    fd = io.openSync(temp, 'wx', 0o644);
    let offset = 0;
    while (offset < data.length) offset += io.writeSync(fd, data, offset, data.length - offset);
    io.fsyncSync(fd);
    io.closeSync(fd);
    fd = null;
    io.renameSync(temp, path);
    return true;
  } catch (error) {
    if (fd !== null) {
      try {
        fs.closeSync(fd);
      } catch {
        // Already failing; the original error is the one worth reporting.
      }
    }
    fs.rmSync(temp, { force: true });
    throw new FeedmergeError(`publish: cannot write ${path}: ${describeError(error)}`, { cause: error });
  }
}

function sameContent(path: string, data: Buffer): boolean {
  try {
    const stat = fs.statSync(path);
    return stat.isFile() && stat.size === data.length && fs.readFileSync(path).equals(data);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** Flushes the folder entry so the renames survive a crash (POSIX; a no-op where folders cannot be opened). */
function syncDirectory(dir: string): void {
  let fd: number | null = null;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Windows cannot open a folder; the rename is still atomic there, only its durability is weaker.
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}
