import { describe, expect, it } from 'vitest';
import { stripTruncation } from '../../src/sources/truncation.js';

describe('stripTruncation (listings and feeds)', () => {
  it.each([
    ['The port strike ended on Thursday [...]', 'The port strike ended on Thursday'],
    ['The port strike ended on Thursday […]', 'The port strike ended on Thursday'],
    ['The port strike ended on Thursday (...)', 'The port strike ended on Thursday'],
    ['The port strike ended on Thursday [. . .]', 'The port strike ended on Thursday'],
    ['The port strike ended on Thursday....', 'The port strike ended on Thursday'],
    ['The port strike ended on Thursday…', 'The port strike ended on Thursday'],
    ['The port strike ended on Thursday [...] [...]  ', 'The port strike ended on Thursday'],
  ])('strips the final mark of %j', (input, text) => {
    expect(stripTruncation(input)).toEqual({ text, truncated: true });
  });

  it('leaves a text without a final mark as it is (but for trailing spaces)', () => {
    expect(stripTruncation('Talks [...] went on. The strike ended.  ')).toEqual({
      text: 'Talks [...] went on. The strike ended.',
      truncated: false,
    });
    expect(stripTruncation('')).toEqual({ text: '', truncated: false });
  });
});
