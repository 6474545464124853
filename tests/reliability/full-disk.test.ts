import * as fs from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFeeds, type WriteIo } from '../../src/publish/write.js';
import { tempDir } from '../helpers/temp.js';
import { feedFiles, snapshotFolder } from './cli-process.js';
import { checkPublishedJson, checkPublishedXml } from './active-content.js';
import { clustersOf, renderAll, storedItems } from './render-items.js';

/** The real file operations, except that the n-th temp file opened is /dev/full, whose writes fail with ENOSPC. */
function diskFullAfter(files: number): WriteIo {
  let opened = 0;
  return {
    openSync: (path, flags, mode) => (++opened > files ? fs.openSync('/dev/full', 'w') : fs.openSync(path, flags, mode)),
    writeSync: (fd, data, offset, length) => fs.writeSync(fd, data, offset, length),
    fsyncSync: fs.fsyncSync,
    closeSync: fs.closeSync,
    renameSync: fs.renameSync,
  };
}

function rendered(title: string) {
  const item = {
    identity: title,
    guid: null,
    link: 'https://example.com/a',
    title,
    summary: `${title} summary`,
    contentHtml: null,
    author: null,
    outlet: null,
    published: '2026-03-01T10:00:00.000Z',
    updated: null,
    categories: [],
    position: 0,
    truncated: false,
  };
  const out = renderAll(clustersOf(storedItems([item])));
  return [{ name: 'all', atom: out.atom, rss: out.rss, json: out.json }];
}

describe.runIf(fs.existsSync('/dev/full'))('a full disk while publishing', () => {
  for (const failAt of [0, 1, 2]) {
    it(`leaves each published file old or new, never partial (disk full from file ${failAt + 1} of 3)`, () => {
      const dir = tempDir();
      const out = join(dir, 'public');
      writeFeeds(out, rendered('Old headline'));
      const old = snapshotFolder(out);
      const next = rendered('New headline');
      expect(() => writeFeeds(out, next, diskFullAfter(failAt))).toThrow(/ENOSPC|no space/i);
      const after = snapshotFolder(out);
      // No temp file left behind, and the same three files.
      expect(feedFiles(after)).toEqual(['all.atom', 'all.json', 'all.rss']);
      for (const [name, bytes] of Object.entries(after)) {
        const format = name.split('.')[1] as 'atom' | 'rss' | 'json';
        expect([old[name], Buffer.from(next[0]![format]).toString('latin1')]).toContain(bytes);
        const text = Buffer.from(bytes, 'latin1').toString('utf8');
        expect(format === 'json' ? checkPublishedJson(text) : checkPublishedXml(text)).toEqual([]);
      }
      // Files before the failure are new, the failing one and those after it are old.
      const names = ['all.atom', 'all.rss', 'all.json'];
      names.forEach((name, i) => expect(after[name] === old[name]).toBe(i >= failAt));
      // Space is back: the next write completes.
      writeFeeds(out, next);
      expect(fs.readFileSync(join(out, 'all.atom'), 'utf8')).toContain('New headline');
    });
  }
});
