import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileStamp } from '../../../src/sources/http/fetch.js';
import { discoverListings, readListingFile, seedFingerprint } from '../../../src/sources/listing/seeds.js';
import { tempDir } from '../../helpers/temp.js';

describe('discoverListings', () => {
  it('credits listings under the name given to their file or folder, else under the file name', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'ips'));
    mkdirSync(join(dir, 'misc'));
    for (const file of ['ips/2026-11-01.txt', 'ips/2026-11-02.txt', 'misc/a.txt', 'misc/b.txt', 'misc/notes.md'])
      writeFileSync(join(dir, file), 'Headline\n');
    const names = new Map([
      [join(dir, 'ips'), 'IPS News'],
      [join(dir, 'misc', 'b.txt'), 'Kawsachun News'],
    ]);
    const { specs, errors } = discoverListings([join(dir, 'ips'), join(dir, 'misc'), join(dir, 'missing')], names);
    expect(specs.map((spec) => [spec.url.slice(dir.length + 1), spec.name])).toEqual([
      ['ips/2026-11-01.txt', 'IPS News'],
      ['ips/2026-11-02.txt', 'IPS News'],
      ['misc/a.txt', 'a'],
      ['misc/b.txt', 'Kawsachun News'],
    ]);
    expect(errors).toEqual([{ path: join(dir, 'missing'), error: 'no such file or folder' }]);
  });
});

describe('seedFingerprint', () => {
  it('changes when a listing is added, rewritten or removed, and ignores what discoverListings ignores', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.txt'), 'Headline\n');
    const first = seedFingerprint([dir]);
    writeFileSync(join(dir, '.draft.txt'), 'editor swap file\n');
    writeFileSync(join(dir, 'notes.md'), 'not a listing\n');
    expect(seedFingerprint([dir])).toBe(first);
    writeFileSync(join(dir, 'b.txt'), 'Another headline\n');
    const added = seedFingerprint([dir]);
    expect(added).not.toBe(first);
    writeFileSync(join(dir, 'b.txt'), 'Another, longer headline\n');
    expect(seedFingerprint([dir])).not.toBe(added);
    rmSync(join(dir, 'b.txt'));
    expect(seedFingerprint([dir])).toBe(first);
    expect(seedFingerprint([join(dir, 'missing')])).toBe(`${join(dir, 'missing')}\tmissing`);
  });
});

describe('readListingFile', () => {
  it('reads the text without its BOM, hashes the bytes, and refuses a file over the size limit in one line', async () => {
    const dir = tempDir();
    const bytes = Buffer.from('\uFEFFHeadline one\n\nHeadline two\n', 'utf8');
    writeFileSync(join(dir, 'a.txt'), bytes);
    expect(await readListingFile(join(dir, 'a.txt'), bytes.length)).toEqual({
      text: 'Headline one\n\nHeadline two\n',
      // The hash of the bytes, as stored before: an unchanged file stays "unchanged" across versions.
      hash: createHash('sha256').update(bytes).digest('hex'),
      stamp: null, // just written: too fresh to vouch for
    });
    const { mtimeMs } = statSync(join(dir, 'a.txt'));
    expect((await readListingFile(join(dir, 'a.txt'), bytes.length, new Date(mtimeMs + 3000))).stamp).toBe(fileStamp(join(dir, 'a.txt')));
    await expect(readListingFile(join(dir, 'a.txt'), bytes.length - 1)).rejects.toThrow(
      `fetch: file too large (${bytes.length} bytes, limit ${bytes.length - 1})`,
    );
    await expect(readListingFile(join(dir, 'missing.txt'), 1000)).rejects.toThrow(/^fetch: .*missing\.txt: file not found$/);
  });

  it('refuses binary data named .txt (a gzip capture) in one line, and keeps text with tabs and accents', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'capture.txt'), Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x7a, 0x3c, 0x6e, 0x65, 0x00, 0x03, 0x48, 0x65]));
    await expect(readListingFile(join(dir, 'capture.txt'), 1000)).rejects.toThrow(
      /^listing: not text \(binary data, 12 bytes, starting with 1f 8b 08 00 7a 3c 6e 65\)$/,
    );
    writeFileSync(join(dir, 'text.txt'), 'Perú:\tla crisis\fcontinúa\r\n');
    expect((await readListingFile(join(dir, 'text.txt'), 1000)).text).toBe('Perú:\tla crisis\fcontinúa\r\n');
  });
});
