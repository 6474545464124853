import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFeedOrigin, writeWorkerConfig, type FeedOrigin } from '../../bench/workers.js';
import { CLI, REPO, runCli } from '../helpers/cli.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { tempDir } from '../helpers/temp.js';

/**
 * `serve` on PostgreSQL (issue 17): two daemons started together on one database share the first run's
 * feeds (each fetched once), every item lands in exactly one story, both serve the result, and SIGTERM ends each
 * with exit 0. Waits are on log lines and requests, never on the clock.
 */
const FEEDS = 40;

let postgres: TestPostgres;
let origin: FeedOrigin;
beforeAll(async () => {
  postgres = await startPostgres();
  origin = await startFeedOrigin(FEEDS, 0);
});
afterAll(async () => {
  await origin?.close();
  postgres?.stop();
});

interface Daemon {
  readonly lines: () => { msg: string }[];
  readonly exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
}

function startServe(config: string): Daemon {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--config', config], {
    cwd: REPO,
    env: { ...process.env, FEEDMERGE_CONFIG: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const lines = (): { msg: string }[] =>
    stderr
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { msg: string });
  return { lines, exited, kill: (signal) => child.kill(signal) };
}

/** Resolves once `check` holds, checking again after every `interval` (a condition, not a fixed sleep). */
async function waitFor(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('feedmerge serve on PostgreSQL', () => {
  it('two daemons share the feeds (each fetched once), every item lands in one story, both serve it, and SIGTERM exits 0', async () => {
    const url = await postgres.createDatabase();
    const config = writeWorkerConfig(tempDir(), origin, FEEDS, url);
    origin.hits.clear();
    const daemons = [startServe(config), startServe(config)];
    try {
      const ran = (d: Daemon): boolean => d.lines().some((line) => /^run: \d+ sources/.test(line.msg));
      await waitFor(() => daemons.every(ran));

      // Each feed fetched once between the two, every item stored once and in exactly one story.
      const fetches = [...origin.hits.values()];
      expect(fetches).toHaveLength(FEEDS);
      expect(fetches.filter((n) => n !== 1)).toEqual([]);
      const listed = runCli(['clusters', '--json', '--config', config]);
      expect(listed.status, listed.stderr).toBe(0);
      const { clusters } = JSON.parse(listed.stdout) as { clusters: { id: string; items: { id: string }[] }[] };
      const members = clusters.flatMap((c) => c.items.map((i) => i.id));
      expect(members).toHaveLength(origin.items);
      expect(new Set(members).size).toBe(members.length);
      expect(new Set(clusters.map((c) => c.id)).size).toBe(clusters.length);

      // Both serve the published feed and their health from the shared database.
      for (const daemon of daemons) {
        const base = /listening on (http:\/\/\S+)/.exec(daemon.lines().find((l) => l.msg.includes('listening on'))!.msg)![1]!;
        const atom = await fetch(`${base}feeds/all.atom`);
        expect(atom.status).toBe(200);
        expect(await atom.text()).toContain('<entry>');
        const health = (await (await fetch(`${base}healthz`)).json()) as {
          status: string;
          sources: { feeds: number; byStatus: { ok?: number } };
        };
        expect(health).toMatchObject({ status: 'ok', sources: { feeds: FEEDS, byStatus: { ok: FEEDS } } });
      }

      for (const daemon of daemons) daemon.kill('SIGTERM');
      expect(await Promise.all(daemons.map((d) => d.exited))).toEqual([0, 0]);
      for (const daemon of daemons) expect(daemon.lines().at(-1)!.msg).toBe('serve: stopped');
    } finally {
      for (const daemon of daemons) daemon.kill('SIGKILL');
    }
  });
});
