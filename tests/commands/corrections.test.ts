import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeInstance, runCli } from '../helpers/cli.js';

interface ClustersJson {
  clusters: { id: string; items: { id: string; source: string; outlet: string | null }[] }[];
}

// One instance for the whole story of corrections (tempDir would remove it after the first test).
const dir = mkdtempSync(join(tmpdir(), 'feedmerge-corrections-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const config = makeInstance(dir);
const cli = (...args: string[]) => runCli([...args, '--config', config]);
const stories = (): ClustersJson['clusters'] => (JSON.parse(cli('clusters', '--json').stdout) as ClustersJson).clusters;
const storyOf = (itemId: string): { id: string; items: string[] } => {
  const story = stories().find((s) => s.items.some((i) => i.id === itemId))!;
  return { id: story.id, items: story.items.map((i) => i.id).sort() };
};

let splitItem: string;
let splitFrom: { id: string; items: string[] };
let older: string;
let newer: string;

beforeAll(() => {
  expect(cli('run').status).toBe(0);
  const all = stories();
  const big = all.find((s) => s.items.length >= 3)!;
  splitFrom = { id: big.id, items: big.items.map((i) => i.id).sort() };
  splitItem = big.items.find((i) => i.id !== big.id)!.id;
  const singles = all.filter((s) => s.items.length === 1);
  [older, newer] = [singles[0]!.id, singles[1]!.id];
}, 120_000);

describe('corrections by hand', () => {
  it('split: the item becomes a story of its own, in clusters --json, the feeds and the pages at once, and after a re-run', () => {
    const result = cli('split', splitItem);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Correction 1: item \w+ taken out of story \w+; \d+ published files? updated\.\n$/);
    const check = (): void => {
      expect(storyOf(splitItem)).toEqual({ id: `${splitItem}-split`, items: [splitItem] });
      expect(storyOf(splitFrom.id).items).toEqual(splitFrom.items.filter((id) => id !== splitItem));
      expect(readFileSync(join(dir, 'public', 'all.atom'), 'utf8')).toContain(`urn:feedmerge:cluster:${splitItem}-split`);
      expect(existsSync(join(dir, 'public', 'stories', `${splitItem}-split.html`))).toBe(true);
    };
    check();
    expect(cli('run').status).toBe(0);
    check();
    expect(cli('split', splitItem).status).toBe(1);
    const mate = splitFrom.items.find((id) => id !== splitItem)!;
    expect(cli('explain', splitItem, mate).stdout).toMatch(/By hand: split by hand on \d{4}-\d\d-\d\d \(correction 1\)/);
    const json = JSON.parse(cli('explain', mate, splitItem, '--json').stdout) as { corrections: { n: number; kind: string }[] };
    expect(json.corrections).toMatchObject([{ n: 1, kind: 'split' }]);
  });

  it('merge: the older id survives, the other forwards to it, and it survives a re-run', () => {
    const result = cli('merge', newer, older);
    expect(result.status).toBe(0);
    const survivor = storyOf(older).id;
    expect(storyOf(newer).id).toBe(survivor);
    expect(storyOf(older).items).toHaveLength(2);
    const merged = survivor === older ? newer : older;
    expect(readFileSync(join(dir, 'public', 'stories', `${merged}.html`), 'utf8')).toContain(`url=../stories/${survivor}.html`);
    expect(cli('run').status).toBe(0);
    expect(storyOf(newer).id).toBe(survivor);
  });

  it('both hold after a cluster.level change re-clusters every item, and both are listed', () => {
    writeFileSync(config, `${readFileSync(config, 'utf8')}cluster:\n  level: duplicates\n`);
    const run = cli('run');
    expect(run.status).toBe(0);
    expect(storyOf(splitItem).items).toEqual([splitItem]);
    expect(storyOf(older).id).toBe(storyOf(newer).id);
    const listed = JSON.parse(cli('corrections', '--json').stdout) as {
      corrections: { n: number; kind: string; undoneAt: string | null }[];
    };
    expect(listed.corrections.map((c) => [c.n, c.kind, c.undoneAt])).toEqual([
      [1, 'split', null],
      [2, 'merge', null],
    ]);
    expect(cli('corrections').stdout).toMatch(
      /^ {2}1 {2}\S+ {2}split item \w+ out of story \w+\n {2}2 {2}\S+ {2}merged story \w+ into \w+\n$/,
    );
  });

  it('undo: the merge is taken back, later runs no longer obey it, and it is listed as undone', () => {
    expect(cli('corrections', 'undo', '2').status).toBe(0);
    expect(storyOf(older).id).not.toBe(storyOf(newer).id);
    expect(cli('run').status).toBe(0);
    expect(storyOf(older).id).not.toBe(storyOf(newer).id);
    expect(cli('corrections').stdout).toMatch(/undone/);
    const again = cli('corrections', 'undo', '2');
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/no active correction 2/);
  });
});
