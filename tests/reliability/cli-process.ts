import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, REPO } from '../helpers/cli.js';

/** A finished CLI process. */
export interface Finished {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A running CLI process: the child (to kill it) and its completion. */
export interface Running {
  readonly child: ChildProcess;
  readonly done: Promise<Finished>;
  /** What the process has written to stderr so far (to wait for a log line). */
  stderrSoFar(): string;
}

/**
 * Starts the real CLI asynchronously (so the test can act while it runs); `uid` runs it as another user (root
 * only). It runs the built CLI as one node process, so a signal reaches the program itself.
 */
export function startCli(args: readonly string[], options: { env?: NodeJS.ProcessEnv; uid?: number } = {}): Running {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: REPO,
    env: { ...process.env, FEEDMERGE_CONFIG: '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.uid }),
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<Finished>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
  return { child, done, stderrSoFar: () => stderr };
}

/** Runs the CLI to completion. */
export function runCliAsync(args: readonly string[], options: { env?: NodeJS.ProcessEnv; uid?: number } = {}): Promise<Finished> {
  return startCli(args, options).done;
}

/** Every file of a folder with its bytes (an empty record when the folder does not exist). */
export function snapshotFolder(dir: string): Record<string, string> {
  let names: string[];
  try {
    names = readdirSync(dir, { recursive: true, encoding: 'utf8' });
  } catch {
    return {};
  }
  return Object.fromEntries(names.filter((n) => statSync(join(dir, n)).isFile()).map((n) => [n, readFileSync(join(dir, n), 'latin1')]));
}

/** The published feed files of a snapshot (the site's HTML pages left out). */
export function feedFiles(snapshot: Record<string, string>): string[] {
  return Object.keys(snapshot)
    .filter((name) => /^[^/]+\.(atom|rss|json)$/.test(name))
    .sort();
}

/** Makes a folder tree readable (and folders enterable) by every user, so a test can run the CLI as `nobody`. */
export function openToEveryone(dir: string): void {
  const walk = (path: string): void => {
    const stat = statSync(path);
    chmodSync(path, stat.isDirectory() ? 0o755 : 0o644);
    if (stat.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
  };
  walk(dir);
}

/** Whether this process may run children as another user (root), else chmod alone restricts it. */
export const RUN_AS_NOBODY = process.getuid?.() === 0 ? 65534 : undefined;
