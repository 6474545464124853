import { describe, expect, it } from 'vitest';
import { loadUciSample, scoreClustering } from '../bench/cluster-data.js';
import { writeFeedInstance } from '../bench/pipeline.js';
import type { ClusterLevel } from '../src/model.js';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/temp.js';

// Issue #6's quality floors, end to end: the real UCI headlines written as one RSS feed per outlet,
// (or as one aggregator feed), read, stored and clustered by the real CLI, and scored from `clusters --json`
// against the Google News labels.
describe('the UCI sample through feeds, end to end', () => {
  const labelled = loadUciSample();

  function clusterThroughFeeds(level: ClusterLevel, layout: 'outlets' | 'aggregator' = 'outlets') {
    const config = writeFeedInstance(
      tempDir(),
      labelled.map((l) => l.input),
      level,
      layout,
    );
    const run = runCli(['run', '--config', config]);
    expect(run.status, run.stderr).toBe(0);
    const listed = runCli(['clusters', '--json', '--config', config]);
    const { clusters } = JSON.parse(listed.stdout) as { clusters: { id: string; items: { link: string }[] }[] };
    const clusterOfLink = new Map(clusters.flatMap((c) => c.items.map((item) => [item.link, c.id] as const)));
    const predicted = labelled.map((l) => clusterOfLink.get(`https://example.org/${encodeURIComponent(l.input.id)}`));
    expect(predicted.filter((p) => p === undefined)).toHaveLength(0);
    return scoreClustering(
      predicted as string[],
      labelled.map((l) => l.story),
    );
  }

  it('stories level (issue 13 floors): pairwise and B-cubed precision >= 0.90 with B-cubed F1 >= 0.60', () => {
    const scores = clusterThroughFeeds('stories');
    expect(scores.pairPrecision).toBeGreaterThanOrEqual(0.9);
    expect(scores.bcubedPrecision).toBeGreaterThanOrEqual(0.9);
    expect(scores.bcubedF1).toBeGreaterThanOrEqual(0.6);
  });

  it('stories level, one aggregator feed crediting each outlet with <source>: the same floors', () => {
    const scores = clusterThroughFeeds('stories', 'aggregator');
    expect(scores.pairPrecision).toBeGreaterThanOrEqual(0.9);
    expect(scores.bcubedPrecision).toBeGreaterThanOrEqual(0.9);
    expect(scores.bcubedF1).toBeGreaterThanOrEqual(0.6);
  });

  it('duplicates level: pairwise precision >= 0.97, and it does merge', () => {
    const scores = clusterThroughFeeds('duplicates');
    expect(scores.pairPrecision).toBeGreaterThanOrEqual(0.97);
    expect(scores.clusters).toBeLessThan(labelled.length);
  });
});
