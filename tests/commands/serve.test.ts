import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/index.js';
import { CLI, makeInstance, REPO } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';

const GUARDIAN = readFileSync(join(REPO, 'tests', 'fixtures', 'feeds', 'real', 'guardian.rss'));
/** Every feed response takes longer than the 2 s schedule: a tick always arrives while a run is in flight. */
const SLOW_MS = 2500;

function waitFor(check: () => boolean, what: string, timeoutMs = Number.POSITIVE_INFINITY): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = (): void => {
      if (check()) resolve();
      else if (Date.now() - started > timeoutMs) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(poll, 20);
    };
    poll();
  });
}

describe('feedmerge serve', () => {
  it('serves, fetches a feed on its own schedule without overlap, and on SIGTERM stops the run in flight and exits 0', async () => {
    let hits = 0;
    let inFlight = 0;
    let maxInFlight = 0;
    const origin = createServer((_req, res) => {
      hits++;
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      setTimeout(() => {
        inFlight--;
        res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(GUARDIAN);
      }, SLOW_MS);
    });
    await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
    const feedUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}/feed.rss`;
    const dir = tempDir();
    // Every 2 seconds: shorter than a run (listings + a 2.5 s fetch), so ticks arrive while a run is in flight.
    const config = makeInstance(dir, `feeds:\n  - url: ${feedUrl}\n    name: Guardian\n    schedule: "*/2 * * * * *"\n`);

    const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--config', config], {
      cwd: REPO,
      env: { ...process.env, FEEDMERGE_CONFIG: '' },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await waitFor(() => /listening on (http:\/\/[^\s"]+)/.test(stderr), 'the server');
      const base = /listening on (http:\/\/[^\s"]+)/.exec(stderr)![1]!;
      await waitFor(() => hits >= 3, 'three scheduled fetches');
      const health = (await (await fetch(`${base}healthz`)).json()) as { jobs: { name: string }[] };
      expect(health.jobs.map((job) => job.name)).toContain('schedule:*/2 * * * * *');
      const atom = await fetch(`${base}feeds/all.atom`);
      expect(atom.status).toBe(200);
      expect(await atom.text()).toContain('<feed');

      await waitFor(() => inFlight === 1, 'a fetch in flight');
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
      origin.close();
    }
    expect(maxInFlight).toBe(1);
    const lines = stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { msg: string; tags?: string[] });
    const signalAt = lines.findIndex((line) => line.msg.startsWith('serve: SIGTERM'));
    expect(signalAt).toBeGreaterThan(0);
    // The run in flight at the signal stopped at once (the fetch in flight abandoned, nothing stored for it),
    // logged its summary, then the daemon stopped.
    expect(lines.slice(signalAt + 1).some((line) => line.msg.startsWith('run: ') && line.msg.includes('stopped early'))).toBe(true);
    expect(lines.at(-1)!.msg).toBe('serve: stopped');
    expect(lines.some((line) => /waits for it|merged into the waiting one/.test(line.msg))).toBe(true);

    const database = join(dir, 'data', 'feedmerge.db');
    expect(existsSync(`${database}.lock`)).toBe(false);
    const store = SqliteStore.open(database);
    try {
      expect(store.integrityCheck()).toBe('ok');
      expect(store.sources.get(feedUrl)).toMatchObject({ status: expect.stringMatching(/^(ok|not-modified)$/) });
      expect(store.sources.get(feedUrl)!.items).toBeGreaterThan(0);
    } finally {
      store.close();
    }
  });

  it('refuses an invalid schedule in the config with one line naming the key, exit 1', async () => {
    const dir = tempDir();
    const config = makeInstance(dir, 'schedule:\n  default: "every hour"\n');
    const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--config', config], {
      cwd: REPO,
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('schedule.default: invalid cron expression "every hour"');
  });
});
