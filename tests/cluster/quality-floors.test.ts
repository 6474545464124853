import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { GOOGLENEWS_DEV_PATH, loadUciSample, UCI_SLICES } from '../../bench/cluster-data.js';
import {
  clusterGoogleNews,
  clusterInOneRun,
  clusterInSteps,
  determinismCheck,
  explainConsistency,
  builtCli,
  inProcessCli,
  ISSUE_13_FLOORS as F,
} from '../../bench/cluster-eval.js';
import { tempDir } from '../helpers/temp.js';

// Issue 13's floors, end to end through the real (built) CLI (`run`, then `clusters --json`, `explain --json`), exactly
// as the issue will be checked (bench/cluster-eval.ts prints the same figures: `npx tsx bench/cluster-eval.ts --check`).
// The UCI ones take about 8 minutes on 2 cores (24 runs of each slice), too long for `npm test`, which checks the same
// floors in process (uci-quality.test.ts); they run with FEEDMERGE_QUALITY=1:
//   FEEDMERGE_QUALITY=1 npx vitest run tests/cluster/quality-floors.test.ts
const enabled = process.env.FEEDMERGE_QUALITY === '1';

describe.skipIf(!enabled)('issue 13 quality floors (FEEDMERGE_QUALITY=1)', () => {
  for (const slice of UCI_SLICES) {
    const labelled = loadUciSample(slice.path);

    const floors = `B-cubed precision >= ${F.uciBcubedPrecision}, F1 >= ${F.uciBcubedF1}`;
    const steps24 = `24 runs in time order: the same floors, F1 within ${F.uciStepsF1Tolerance}, story ids never move to a newer id`;
    it(`${slice.name}, one run: ${floors}; ${steps24}`, async () => {
      // Both measured first, then every floor checked (soft), so one failure does not hide the others.
      const { scores: one } = await clusterInOneRun(tempDir(), labelled, { runner: builtCli });
      const steps = await clusterInSteps(tempDir(), labelled, 24, { runner: builtCli });
      const s = steps.scores;
      expect.soft(one.missing + s.missing, 'items missing from clusters --json').toBe(0);
      expect.soft(one.bcubedPrecision, 'one run: B-cubed precision').toBeGreaterThanOrEqual(F.uciBcubedPrecision);
      expect.soft(one.bcubedF1, 'one run: B-cubed F1').toBeGreaterThanOrEqual(F.uciBcubedF1);
      expect.soft(s.bcubedPrecision, '24 runs: B-cubed precision').toBeGreaterThanOrEqual(F.uciBcubedPrecision);
      expect.soft(s.bcubedF1, '24 runs: B-cubed F1').toBeGreaterThanOrEqual(F.uciBcubedF1);
      expect.soft(Math.abs(s.bcubedF1 - one.bcubedF1), '|F1(24 runs) - F1(one run)|').toBeLessThanOrEqual(F.uciStepsF1Tolerance);
      expect.soft(steps.stability.toNewer, `items moved to a newer story id\n${steps.stability.examples.join('\n')}`).toBe(0);
      expect.soft(steps.stability.vanished, `items no longer listed\n${steps.stability.examples.join('\n')}`).toBe(0);
    }, 900_000);
  }

  it('explain --json: sameStory equals membership in clusters --json for every sampled pair', async () => {
    const labelled = loadUciSample(UCI_SLICES[1]!.path);
    const { instance } = await clusterInOneRun(tempDir(), labelled, { runner: builtCli });
    const check = await explainConsistency(instance.config, { pairs: 150, runner: inProcessCli });
    expect(check.failures, check.examples.join('\n')).toBe(0);
    expect(check.sameStoryField, 'explain --json has no "sameStory" field').toBe(true);
    expect(check.sameStoryMismatches, check.examples.join('\n')).toBe(0);
  }, 600_000);

  it('same input, same stories: one slice read from two folders (other paths, feed files in another order)', async () => {
    const labelled = loadUciSample(UCI_SLICES[0]!.path);
    const check = await determinismCheck(tempDir('feedmerge-where-'), tempDir('feedmerge-elsewhere-other-'), labelled, {
      runner: builtCli,
    });
    expect({ onlyInA: check.onlyInA, onlyInB: check.onlyInB }).toEqual({ onlyInA: 0, onlyInB: 0 });
    expect(check.storiesB).toBe(check.storiesA);
  }, 300_000);
});

// GoogleNews-TS is not committed (benchmarks read it from ../shared/data, which CI has beside the repo): skipped
// where it is absent. About 10 s, so it runs with every `npm test`.
describe.skipIf(!existsSync(GOOGLENEWS_DEV_PATH))('issue 13 GoogleNews floors', () => {
  it(
    `GoogleNews-dev as one aggregator feed: NMI >= ${F.googleNmi} with titles only and with title + snippet, ` +
      `snippets never cost more than ${F.googleSnippetTolerance}`,
    async () => {
      const titles = await clusterGoogleNews(tempDir(), GOOGLENEWS_DEV_PATH, false, { runner: builtCli });
      const withSnippet = await clusterGoogleNews(tempDir(), GOOGLENEWS_DEV_PATH, true, { runner: builtCli });
      expect.soft(titles.missing + withSnippet.missing, 'items missing from clusters --json').toBe(0);
      expect.soft(titles.nmi, 'NMI, titles only').toBeGreaterThanOrEqual(F.googleNmi);
      expect.soft(withSnippet.nmi, 'NMI, title + snippet').toBeGreaterThanOrEqual(F.googleNmi);
      expect
        .soft(withSnippet.nmi, 'NMI, title + snippet against titles only')
        .toBeGreaterThanOrEqual(titles.nmi - F.googleSnippetTolerance);
    },
    300_000,
  );
});
