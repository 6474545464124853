import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
/** The built CLI, as installed (tests/helpers/build.ts rebuilds dist/ before the suite when src/ changed). */
export const CLI = join(REPO, 'bin', 'feedmerge.js');

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real CLI in a child process (stderr is not a TTY there, so logs are JSON lines). */
export function runCli(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): CliResult {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? REPO,
    env: { ...process.env, FEEDMERGE_CONFIG: '', ...options.env },
    encoding: 'utf8',
    // The default 1 MiB would cut `clusters --json` of a large corpus short.
    maxBuffer: 256 * 1024 * 1024,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A throw-away instance: the real seeds copied into `dir/seeds` and a config at `dir/config/feedmerge.yaml`. */
export function makeInstance(dir: string, extraYaml = ''): string {
  cpSync(join(REPO, 'seeds'), join(dir, 'seeds'), { recursive: true });
  mkdirSync(join(dir, 'config'), { recursive: true });
  const path = join(dir, 'config', 'feedmerge.yaml');
  writeFileSync(path, `root: ..\ndatabase: data/feedmerge.db\noutput: public\nseeds: [seeds]\n${extraYaml}`);
  return path;
}

/** Runs the real CLI without blocking this process (so a test's own HTTP server or lock keeps working). */
export function runCliAsync(args: readonly string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO, env: { ...process.env, FEEDMERGE_CONFIG: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
