import { describe, expect, it } from 'vitest';
import { extractFeatures } from '../../src/cluster/normalize.js';
import { THRESHOLDS } from '../../src/cluster/thresholds.js';
import type { ClusterInput } from '../../src/model.js';
import { item } from './helpers.js';

/** A combining acute accent: any text carrying it takes the Unicode folding path, which then removes it. */
const MARK = '\u0301';

/** The features without the input they were extracted from. */
function features(input: ClusterInput): Record<string, unknown> {
  return Object.fromEntries(Object.entries(extractFeatures(input, THRESHOLDS.containmentWords)).filter(([key]) => key !== 'input'));
}

describe('extractFeatures', () => {
  it('folds printable ASCII exactly as the Unicode path does', () => {
    const texts = [
      'Peru`s  Congress [...] votes on   the 100,000 SOLES plan',
      'Markets rally [ . . . ] as Fed holds - Reuters',
      '  Leading and trailing spaces, Part II  ',
      'Two Words',
      'McDonald`s CEO: "We ARE back" [...]',
    ];
    for (const text of texts) {
      const ascii = item('a', text, 'Wire Service', 0, { summary: `${text} ${text}`, author: 'By Ana  RUIZ', outlet: 'El Comercio' });
      const marked = {
        ...ascii,
        title: `${text}${MARK}`,
        summary: `${ascii.summary}${MARK}`,
        author: `${ascii.author}${MARK}`,
        outlet: `${ascii.outlet}${MARK}`,
        sourceName: `${ascii.sourceName}${MARK}`,
      };
      expect(features(ascii)).toEqual(features(marked));
    }
  });

  it('drops truncation marks and unifies quotes and dashes', () => {
    const folded = extractFeatures(item('a', 'Peru\u2019s \u201cnew\u201d plan \u2014 explained [\u2026]', 'Wire', 0), 10);
    expect(folded.titleKey).toBe('peru\'s "new" plan - explained');
    expect(extractFeatures(item('b', 'Peru`s plan [...]', 'Wire', 0), 10).titleKey).toBe("peru's plan");
  });
});
