import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ParseError } from '../../errors.js';
import type { SourceSpec } from '../../model.js';
import { describeBinary, looksBinary } from '../../text/binary.js';
import { readFileSource } from '../http/fetch.js';

/** A seed path that could not be listed, reported as one line and otherwise ignored. */
interface SeedPathError {
  readonly path: string;
  readonly error: string;
}

/**
 * Finds the listing files under the configured seed paths: every `.txt` file of a folder (not recursive,
 * sorted by name, so a file dropped in is read on the next run), or a file named directly. A listing is
 * credited under the name `names` gives its path (or its folder's), else under its file name.
 */
export function discoverListings(
  paths: readonly string[],
  names: ReadonlyMap<string, string> = new Map(),
): { specs: SourceSpec[]; errors: SeedPathError[] } {
  const specs: SourceSpec[] = [];
  const errors: SeedPathError[] = [];
  const seen = new Set<string>();
  const add = (file: string, name: string | undefined): void => {
    if (seen.has(file)) return;
    seen.add(file);
    specs.push({ kind: 'listing', url: file, name: names.get(file) ?? name ?? listingName(file), origin: 'seed' });
  };
  for (const path of paths) {
    try {
      if (statSync(path).isDirectory()) {
        readdirSync(path, { withFileTypes: true })
          .filter((entry) => entry.isFile() && entry.name.toLowerCase().endsWith('.txt') && !entry.name.startsWith('.'))
          .map((entry) => entry.name)
          .sort()
          .forEach((name) => add(join(path, name), names.get(path)));
      } else add(path, names.get(path));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      errors.push({ path, error: code === 'ENOENT' ? 'no such file or folder' : String(code ?? error) });
    }
  }
  return { specs, errors };
}

/**
 * Names, sizes and modification times of the listing files discoverListings finds: changes when a file is
 * added, removed or rewritten. Costs a directory read and a stat a file, so it can run every minute.
 */
export function seedFingerprint(paths: readonly string[]): string {
  const { specs, errors } = discoverListings(paths);
  const parts = specs.map((spec) => {
    const info = statSync(spec.url, { throwIfNoEntry: false });
    return info ? `${spec.url}\t${info.size}\t${info.mtimeMs}` : `${spec.url}\tmissing`;
  });
  return [...parts, ...errors.map((error) => `${error.path}\tmissing`)].join('\n');
}

/** A listing's default name: its file name without `.txt`. */
export function listingName(path: string): string {
  // Split on both separators: a config written on Windows may name a seed with backslashes.
  const name = path.split(/[\\/]/u).pop() ?? path;
  return name.replace(/\.txt$/iu, '');
}

/**
 * Reads a listing file as text (UTF-8, BOM dropped; binary data is refused) with the hash that tells whether it
 * changed (SHA-256 of its bytes) and its stamp (see fileStamp; null when it changed too shortly before `now`).
 */
export async function readListingFile(
  path: string,
  maxBytes: number,
  now: Date = new Date(),
): Promise<{ text: string; hash: string; stamp: string | null }> {
  // As a feed file is read: one read of the size stat-ed, refused over fetch.maxBodyBytes (a 2 GB file dropped
  // into the seeds folder is one error line, not a run out of memory).
  const { body, contentHash, stamp } = await readFileSource(path, maxBytes, now);
  const text = body.toString('utf8').replace(/^\uFEFF/, '');
  // A binary file named .txt (or dropped into the seeds folder) would make stories of its garbled bytes.
  if (looksBinary(text)) throw new ParseError(`listing: not text (${describeBinary(body)})`);
  return { text, hash: contentHash, stamp };
}
