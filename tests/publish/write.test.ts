import { existsSync, readFileSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RenderedFeed } from '../../src/publish/feeds.js';
import { writeFeeds, type WriteIo } from '../../src/publish/write.js';
import * as fs from 'node:fs';
import { tempDir } from '../helpers/temp.js';

const feed = (name: string, text: string): RenderedFeed => ({ name, atom: `atom ${text}`, rss: `rss ${text}`, json: `json ${text}` });

describe('writeFeeds', () => {
  it('writes the three files of each feed, creating the folder', () => {
    const dir = join(tempDir(), 'public', 'nested');
    const written = writeFeeds(dir, [feed('all', 'v1'), feed('tech', 't1')]);
    expect(written).toEqual(['all.atom', 'all.rss', 'all.json', 'tech.atom', 'tech.rss', 'tech.json'].map((f) => join(dir, f)));
    expect(readFileSync(join(dir, 'all.rss'), 'utf8')).toBe('rss v1');
    expect(readFileSync(join(dir, 'tech.json'), 'utf8')).toBe('json t1');
  });

  it('leaves an unchanged file alone: same inode, same mtime, not reported', () => {
    const dir = tempDir();
    writeFeeds(dir, [feed('all', 'v1')]);
    // Backdate the file so a rewrite could not go unnoticed within the clock's resolution.
    const past = new Date('2020-01-01T00:00:00Z');
    utimesSync(join(dir, 'all.atom'), past, past);
    const before = statSync(join(dir, 'all.atom'));
    expect(writeFeeds(dir, [feed('all', 'v1')])).toEqual([]);
    const after = statSync(join(dir, 'all.atom'));
    expect(after.ino).toBe(before.ino);
    expect(after.mtimeMs).toBe(past.getTime());
  });

  it('replaces a changed file by rename (new inode) and reports only what changed', () => {
    const dir = tempDir();
    writeFeeds(dir, [feed('all', 'v1')]);
    const before = statSync(join(dir, 'all.atom')).ino;
    const changed: RenderedFeed = { name: 'all', atom: 'atom v2', rss: 'rss v1', json: 'json v1' };
    expect(writeFeeds(dir, [changed])).toEqual([join(dir, 'all.atom')]);
    expect(readFileSync(join(dir, 'all.atom'), 'utf8')).toBe('atom v2');
    expect(statSync(join(dir, 'all.atom')).ino).not.toBe(before);
    expect(readdirSync(dir).sort()).toEqual(['all.atom', 'all.json', 'all.rss']);
  });

  it('a write failing half-way leaves the old file intact and no temp file behind', () => {
    const dir = tempDir();
    writeFeeds(dir, [feed('all', 'v1')]);
    let calls = 0;
    // Simulates ENOSPC after the first chunk: a real partial write, then the error.
    const failing: WriteIo = {
      openSync: fs.openSync,
      writeSync: (fd, data, offset) => {
        if (calls++ === 0) return fs.writeSync(fd, data, offset, 3);
        throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
      },
      fsyncSync: fs.fsyncSync,
      closeSync: fs.closeSync,
      renameSync: fs.renameSync,
    };
    expect(() => writeFeeds(dir, [feed('all', 'v2 much longer content')], failing)).toThrow(/ENOSPC/);
    expect(readFileSync(join(dir, 'all.atom'), 'utf8')).toBe('atom v1');
    expect(readdirSync(dir).sort()).toEqual(['all.atom', 'all.json', 'all.rss']);
  });

  it('a failing rename leaves the old file and removes the temp file', () => {
    const dir = tempDir();
    writeFeeds(dir, [feed('all', 'v1')]);
    const failing: WriteIo = {
      openSync: fs.openSync,
      writeSync: (fd, data, offset, length) => fs.writeSync(fd, data, offset, length),
      fsyncSync: fs.fsyncSync,
      closeSync: fs.closeSync,
      renameSync: () => {
        throw Object.assign(new Error('EIO: i/o error, rename'), { code: 'EIO' });
      },
    };
    expect(() => writeFeeds(dir, [feed('all', 'v2')], failing)).toThrow(/EIO/);
    expect(readFileSync(join(dir, 'all.atom'), 'utf8')).toBe('atom v1');
    expect(readdirSync(dir).sort()).toEqual(['all.atom', 'all.json', 'all.rss']);
  });

  it('refuses to replace a folder standing where a feed file should be', () => {
    const dir = tempDir();
    fs.mkdirSync(join(dir, 'all.atom'));
    fs.writeFileSync(join(dir, 'all.atom', 'keep'), 'x');
    expect(() => writeFeeds(dir, [feed('all', 'v1')])).toThrow();
    expect(existsSync(join(dir, 'all.atom', 'keep'))).toBe(true);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
