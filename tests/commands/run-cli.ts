import { runCliAsync } from '../helpers/cli.js';

/** Runs the real CLI asynchronously. */
export const cli = runCliAsync;

/** Parses `feeds --json --all` output. */
export function feedsOf(stdout: string): Record<string, unknown>[] {
  return (JSON.parse(stdout) as { feeds: Record<string, unknown>[] }).feeds;
}
