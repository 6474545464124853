import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { googleNewsItems, loadGoogleNews, loadUciSample, nmi, UCI_DEV2_PATH } from '../../bench/cluster-data.js';
import {
  clusterInOneRun,
  clusterInSteps,
  cutTimes,
  determinismCheck,
  explainConsistency,
  builtCli,
  inProcessCli,
  linkGroups,
  linkOf,
  scoreClusters,
  type ClusterJson,
} from '../../bench/cluster-eval.js';
import { tempDir } from '../helpers/temp.js';

// The issue 13 measurement harness itself (bench/cluster-eval.ts): its loaders, scores and CLI plumbing.
// The floors it measures are in quality-floors.test.ts.
describe('issue 13 harness: data and scores', () => {
  it('reads the second UCI slice, and GoogleNews-TS files (the benchmark reads the real one from ../shared/data)', () => {
    const dev2 = loadUciSample(UCI_DEV2_PATH);
    expect(dev2.length).toBe(6721);
    expect(new Set(dev2.map((i) => i.story)).size).toBe(109);
    const path = join(tempDir(), 'googlenews.tsv');
    writeFileSync(
      path,
      'story\ttitle\tsnippet\n' +
        '1\tgala london\tsinger attends gala\n1\tprince william gala\tinvite gala dinner\n2\tnokia lumia launch\tphone\n',
    );
    const docs = loadGoogleNews(path);
    expect(docs.length).toBe(3);
    expect(new Set(docs.map((d) => d.story)).size).toBe(2);
    const items = googleNewsItems(docs, true);
    expect(new Set(items.map((i) => i.input.time)).size).toBe(docs.length);
    expect(new Set(items.map((i) => i.input.sourceName)).size).toBe(docs.length);
    expect(items[0]!.input.summary).toBe(docs[0]!.snippet);
    expect(googleNewsItems(docs, false)[0]!.input.summary).toBe('');
  });

  it('NMI: 1 for the same partition under other names, sqrt and arithmetic normalisations', () => {
    expect(nmi(['a', 'a', 'b', 'b'], ['x', 'x', 'y', 'y'])).toBeCloseTo(1, 12);
    // I = ln 2, H(pred) = ln 4, H(gold) = ln 2
    expect(nmi(['a', 'b', 'c', 'd'], ['x', 'x', 'y', 'y'])).toBeCloseTo(Math.SQRT1_2, 12);
    expect(nmi(['a', 'b', 'c', 'd'], ['x', 'x', 'y', 'y'], 'arithmetic')).toBeCloseTo(2 / 3, 12);
    expect(nmi(['a', 'a', 'a', 'a'], ['x', 'x', 'y', 'y'])).toBe(0);
    // I = (2/3) ln 2, H(pred) = ln 3, H(gold) = ln 2
    const pred = ['0', '0', '1', '1', '2', '2'];
    const gold = ['0', '0', '0', '1', '1', '1'];
    expect(nmi(pred, gold)).toBeCloseTo(((2 / 3) * Math.LN2) / Math.sqrt(Math.log(3) * Math.LN2), 12);
    expect(nmi(pred, gold, 'arithmetic')).toBeCloseTo((2 * (2 / 3) * Math.LN2) / (Math.log(3) + Math.LN2), 12);
  });

  it('cut times: N equally spaced, the last one takes every item', () => {
    const items = [0, 10, 240].map((t, i) => ({
      id: String(i),
      sourceName: 's',
      title: 't',
      summary: '',
      author: null,
      outlet: null,
      time: t,
      truncated: false,
    }));
    expect(cutTimes(items, 24)).toEqual(Array.from({ length: 24 }, (_, k) => (k + 1) * 10));
  });

  it('scores clusters --json by item link; an unlisted item counts as missing', () => {
    const labelled = loadUciSample().slice(0, 3);
    const clusters: ClusterJson[] = [
      {
        id: 'c1',
        title: '',
        published: '',
        items: [labelled[0]!, labelled[1]!].map((l) => ({ id: l.input.id, link: linkOf(l.input.id), title: l.input.title })),
      },
    ];
    const s = scoreClusters(clusters, labelled);
    expect(s.missing).toBe(1);
    expect(s.clusters).toBe(2);
    expect(linkGroups(clusters).size).toBe(1);
  });
});

describe('issue 13 harness: through the real CLI', () => {
  // The first 600 headlines of the UCI sample in time order (a few hours of news).
  const head = [...loadUciSample()].sort((a, b) => a.input.time - b.input.time).slice(0, 600);

  it('one run lists every item; explain --json agrees with clusters --json on the stored cluster (sameCluster)', async () => {
    const { scores, instance } = await clusterInOneRun(tempDir(), head, { runner: builtCli });
    expect(scores.missing).toBe(0);
    expect(scores.clusters).toBeLessThan(head.length);
    const check = await explainConsistency(instance.config, { pairs: 60, runner: inProcessCli });
    expect(check.failures, check.examples.join('\n')).toBe(0);
    expect(check.pairs).toBe(60);
    expect(check.pairsSameStory).toBeGreaterThan(0);
    expect(check.sameClusterMismatches).toBe(0);
    // The recorded verdict (issue 13) is the membership, for every sampled pair.
    expect(check.sameStoryField).toBe(true);
    expect(check.sameStoryMismatches, check.examples.join('\n')).toBe(0);
  }, 180_000);

  it('runs in time order: the feeds grow to every item, story ids recorded after each run', async () => {
    const steps = await clusterInSteps(tempDir(), head, 3, { runner: builtCli });
    expect(steps.trace.map((t) => t.items)).toEqual([...steps.trace.map((t) => t.items)].sort((a, b) => a - b));
    expect(steps.trace.at(-1)!.items).toBe(head.length);
    expect(steps.scores.missing).toBe(0);
    expect(steps.stability.vanished).toBe(0);
    expect(steps.stability.toNewer).toBe(0);
  }, 180_000);

  it('same input, same stories: the first 2,000 headlines read from two folders (other paths, feed files in another order)', async () => {
    const labelled = [...loadUciSample()].sort((a, b) => a.input.time - b.input.time).slice(0, 2000);
    const check = await determinismCheck(tempDir('feedmerge-where-'), tempDir('feedmerge-elsewhere-other-'), labelled, {
      runner: builtCli,
    });
    expect({ onlyInA: check.onlyInA, onlyInB: check.onlyInB }).toEqual({ onlyInA: 0, onlyInB: 0 });
    expect(check.storiesB).toBe(check.storiesA);
  }, 300_000);
});
