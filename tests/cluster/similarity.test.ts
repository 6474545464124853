import { describe, expect, it } from 'vitest';
import { extractFeatures } from '../../src/cluster/normalize.js';
import { buildIdf, judgeDuplicate, scorePair } from '../../src/cluster/similarity.js';
import { THRESHOLDS } from '../../src/cluster/thresholds.js';
import type { ClusterInput } from '../../src/model.js';
import { item } from './helpers.js';

const TEXT =
  'Shares of the bitcoin exchange fell sharply on Monday after regulators in Tokyo opened an inquiry ' +
  'into the missing coins and the chief executive declined to comment on the losses.';

function verdict(a: ClusterInput, b: ClusterInput) {
  const fa = extractFeatures(a, THRESHOLDS.containmentWords);
  const fb = extractFeatures(b, THRESHOLDS.containmentWords);
  return judgeDuplicate(scorePair(fa, fb, buildIdf([fa, fb])));
}

describe('judgeDuplicate: the same source', () => {
  const title = 'Sector Update: Consumer stocks lead the Nasdaq higher';

  it('takes a verbatim headline repeated within hours as one article', () => {
    expect(verdict(item('a', title, 'NASDAQ', 0), item('b', title, 'NASDAQ', 2)).duplicate).toBe(true);
  });

  it('takes the same headline a day later, with nothing else to compare, as a recurring title', () => {
    const v = verdict(item('a', title, 'NASDAQ', 0), item('b', title, 'NASDAQ', 24));
    expect(v).toMatchObject({ duplicate: false, rule: 'title-too-late' });
  });

  it('still takes it as one article a day later when the texts match', () => {
    const v = verdict(item('a', title, 'NASDAQ', 0, { summary: TEXT }), item('b', title, 'NASDAQ', 24, { summary: TEXT }));
    expect(v).toMatchObject({ duplicate: true, rule: 'same-source-repeat' });
  });
});
