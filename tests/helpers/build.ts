import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * vitest globalSetup: CLI tests run the built CLI (bin/feedmerge.js -> dist/), as operators do and ten times
 * faster to start than through tsx; this rebuilds dist/ first when a source file is newer than the last build.
 */
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const STAMP = join(REPO, 'dist', '.build-stamp');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function builtAt(): number {
  try {
    return statSync(STAMP).mtimeMs;
  } catch {
    return 0;
  }
}

export default function setup(): void {
  const sources = Math.max(newestSource(join(REPO, 'src')), statSync(join(REPO, 'package.json')).mtimeMs);
  if (builtAt() >= sources) return;
  const started = Date.now();
  const result = spawnSync(process.execPath, [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], {
    cwd: REPO,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`build of dist/ failed:\n${result.stdout}${result.stderr}`);
  writeFileSync(STAMP, `${new Date(started).toISOString()}\n`);
}
