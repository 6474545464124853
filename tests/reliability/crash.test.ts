import { mkdirSync, readdirSync, readFileSync, rmSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLockHolder } from '../../src/lock.js';
import { tempDir } from '../helpers/temp.js';
import { checkPublishedHtml, checkPublishedJson, checkPublishedXml } from './active-content.js';
import { runCliAsync, snapshotFolder, startCli, type Finished } from './cli-process.js';
import { FeedOrigin, makeCrashInstance, originFeed } from './crash-instance.js';

/**
 * Crash safety: a `run` killed with SIGKILL at several points (first database write, mid-way through the
 * listings, while a feed body is half received, on the first file of the publish step) never leaves a
 * damaged database or a half-written feed, and the next run finishes the work with nothing lost and nothing
 * twice, compared with an uninterrupted run of the same instance.
 */

interface ClustersJson {
  clusters: { id: string; title: string; items: { id: string; source: string; title: string }[] }[];
}

/** What must come out the same however the runs were interrupted: stories as sets of item ids, and every item once. */
function outcome(json: string): { stories: string[]; items: string[] } {
  const data = JSON.parse(json) as ClustersJson;
  const items = data.clusters.flatMap((c) => c.items.map((i) => `${i.source}\t${i.id}\t${i.title}`)).sort();
  const stories = data.clusters
    .map(
      (c) =>
        `${c.id}: ${c.items
          .map((i) => i.id)
          .sort()
          .join(' ')}`,
    )
    .sort();
  return { stories, items };
}

let origin: FeedOrigin;
let dir: string;
let config: string;
let database: string;
let published: string;
let reference: { stories: string[]; items: string[] };

/** Kills the run when `trigger` fires (it receives the kill function), and waits for the process to end. */
async function killedRun(arm: (kill: () => void) => () => void): Promise<Finished & { pid: number | undefined }> {
  const running = startCli(['run', '--config', config]);
  const kill = (): void => void running.child.kill('SIGKILL');
  const disarm = arm(kill);
  const result = await running.done;
  disarm();
  return { ...result, pid: running.child.pid };
}

/** Fires after `count` changes of files in `folder` whose names match `pattern` (inotify, so it lands while the run works). */
function afterChanges(folder: string, pattern: RegExp, count: number): (kill: () => void) => () => void {
  return (kill) => {
    mkdirSync(folder, { recursive: true });
    let seen = 0;
    const watcher = watch(folder, (_event, name) => {
      if (name !== null && pattern.test(name) && ++seen === count) kill();
    });
    return () => watcher.close();
  };
}

/** After a kill: the database is sound and every published file is complete and well-formed. */
function expectSoundState(before: Record<string, string>): void {
  const db = new Database(database);
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('foreign_key_check')).toEqual([]);
  } finally {
    db.close();
  }
  const now = snapshotFolder(published);
  for (const [name, bytes] of Object.entries(now)) {
    if (name.endsWith('.tmp')) continue; // a temp file the kill interrupted: never served, removed by the next run
    const text = Buffer.from(bytes, 'latin1').toString('utf8');
    if (bytes === before[name]) continue;
    if (name.endsWith('.html')) {
      expect(checkPublishedHtml(text), name).toEqual([]);
      expect(text.trimEnd()).toMatch(/<\/html>$/);
      continue;
    }
    expect(name.endsWith('.json') ? checkPublishedJson(text) : checkPublishedXml(text), name).toEqual([]);
    expect(text.trimEnd()).toMatch(name.endsWith('.json') ? /\}$/ : /<\/(feed|rss)>$/);
  }
  for (const name of Object.keys(before)) if (!name.endsWith('.tmp')) expect(now[name], `${name} vanished`).toBeDefined();
}

/**
 * The killed run's lock directory stays behind, naming the dead process; the next run (started right after,
 * without ageing anything) takes it over at once instead of exiting 75.
 */
function expectDeadHoldersLock(killed: number | undefined): void {
  const holder = readLockHolder(`${database}.lock`);
  if (holder) expect(holder.pid).toBe(killed);
}

beforeAll(async () => {
  origin = new FeedOrigin(originFeed(60));
  const url = await origin.start();
  dir = tempDir('feedmerge-crash-');
  config = makeCrashInstance(dir, url, { rows: 1200, outputFeeds: 15 });
  database = join(dir, 'data', 'feedmerge.db');
  published = join(dir, 'public');
  // The reference: one uninterrupted run of the very same instance (same paths, so the same item ids).
  const run = await runCliAsync(['run', '--config', config]);
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  reference = outcome((await runCliAsync(['clusters', '--json', '--config', config])).stdout);
  expect(reference.items.length).toBeGreaterThan(1000);
  expect(reference.items.some((line) => line.startsWith('Slow Origin\t'))).toBe(true);
  rmSync(join(dir, 'data'), { recursive: true });
  rmSync(published, { recursive: true });
});

afterAll(() => origin?.close());

describe('a run killed with SIGKILL', () => {
  it('at its first database write, mid-listings, mid-feed and mid-publish: sound every time; the next run completes the work', async () => {
    const kills: { point: string; arm: (kill: () => void) => () => void; before?: () => void }[] = [
      { point: 'first database write', arm: afterChanges(join(dir, 'data'), /feedmerge\.db(-wal)?$/, 1) },
      { point: 'mid-listings', arm: afterChanges(join(dir, 'data'), /feedmerge\.db-wal$/, 150) },
      {
        point: 'feed body half received',
        before: () => (origin.mode = 'dribble'),
        arm: (kill) => {
          origin.onStalled = kill;
          return () => {
            origin.onStalled = () => undefined;
            origin.mode = 'prompt';
          };
        },
      },
      { point: 'first published file', arm: afterChanges(published, /\.tmp$/, 1) },
      { point: 'mid-publish', arm: afterChanges(published, /\.tmp$/, 20) },
    ];
    const landed: string[] = [];
    for (const { point, arm, before } of kills) {
      before?.();
      const previous = snapshotFolder(published);
      const result = await killedRun(arm);
      landed.push(`${point}: ${result.signal ?? `exit ${result.status}`}`);
      expectSoundState(previous);
      if (result.signal === 'SIGKILL') expectDeadHoldersLock(result.pid);
    }
    process.stdout.write(`kills: ${landed.join('; ')}\n`);
    // Most kills must really have landed mid-run, or this test proves nothing.
    expect(landed.filter((line) => line.endsWith('SIGKILL')).length, landed.join('; ')).toBeGreaterThanOrEqual(3);

    const final = await runCliAsync(['run', '--config', config]);
    expect(final.stderr).toBe('');
    expect(final.status).toBe(0);
    const after = outcome((await runCliAsync(['clusters', '--json', '--config', config])).stdout);
    // Nothing lost, nothing twice: the same items, each in exactly one story.
    expect(after.items).toEqual(reference.items);
    const members = after.stories.flatMap((line) => line.split(': ')[1]!.split(' '));
    expect(new Set(members).size).toBe(members.length);
    expect(members.length).toBe(reference.items.length);
    // Story grouping is compared loosely: undated listing items are clustered in order of first sight, and
    // the interrupted runs saw them at other moments than the reference did (greedy assignment is
    // order-sensitive), so a few borderline stories may group differently. Nearly all must match; since stories
    // consolidate (issue 13) they are larger, and one item placed otherwise changes a whole story line (measured
    // 0.944 of identical lines), so the bound is 0.9.
    const same = after.stories.filter((story) => reference.stories.includes(story)).length;
    expect(same / reference.stories.length).toBeGreaterThan(0.9);
    // Every output feed is published, complete, and no temp file is left in the public folder.
    const files = readdirSync(published, { recursive: true, encoding: 'utf8' }).sort();
    expect(files.filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(files.filter((name) => /^[^/]+\.(atom|rss|json)$/.test(name))).toHaveLength(16 * 3);
    expect(files.filter((name) => name.startsWith('stories/')).length).toBeGreaterThan(0);
    expectSoundState({});
    const atom = readFileSync(join(published, 'all.atom'), 'utf8');
    expect(atom).toContain('Slow Origin');
  }, 180_000);

  it('while publishing an update: each file is the old version or the new one, never a mix', async () => {
    const previous = snapshotFolder(published);
    writeFileSync(
      join(dir, 'seeds', 'zz-update.txt'),
      'Harbour workers strike over pay in three ports\n\n' +
        'Dock workers walked out on Monday over pay and staffing, the union said on Tuesday. Jane Roe reports.\n',
    );
    const result = await killedRun(afterChanges(published, /\.tmp$/, 4));
    expectSoundState(previous);
    if (result.signal === 'SIGKILL') expectDeadHoldersLock(result.pid);
    const final = await runCliAsync(['run', '--config', config]);
    expect(final.status).toBe(0);
    expect(readFileSync(join(published, 'all.atom'), 'utf8')).toContain('Harbour workers strike');
    expect(readdirSync(published, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  }, 90_000);
});
