import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from '../helpers/cli.js';

const TSX = join(REPO, 'node_modules', '.bin', 'tsx');
const CLI = join(REPO, 'src', 'cli.ts');

/** Runs the real CLI without blocking this process (so a test's own HTTP server on 127.0.0.1 keeps answering). */
export function cli(args: readonly string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [CLI, ...args], { cwd: REPO, env: { ...process.env, FEEDMERGE_CONFIG: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Parses `feeds --json --all` output. */
export function feedsOf(stdout: string): Record<string, unknown>[] {
  return (JSON.parse(stdout) as { feeds: Record<string, unknown>[] }).feeds;
}
