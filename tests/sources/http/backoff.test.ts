import { describe, expect, it } from 'vitest';
import { backoffDelayMs, parseRetryAfter } from '../../../src/sources/http/backoff.js';
import { nextCronTime } from '../../../src/cron.js';

const HOUR = 3600_000;

describe('backoff and Retry-After', () => {
  it('grows exponentially within [1 h, 24 h] whatever the jitter', () => {
    for (const random of [0, 0.5, 0.999]) {
      const delays = [1, 2, 3, 4, 5, 6, 7, 50, 1000].map((n) => backoffDelayMs(n, () => random));
      expect(delays.every((d) => d >= HOUR && d <= 24 * HOUR)).toBe(true);
      expect(delays.at(-1)).toBe(24 * HOUR);
    }
    expect(backoffDelayMs(3, () => 0.5)).toBe(4 * HOUR);
    expect(backoffDelayMs(2, () => 0)).toBe(1.5 * HOUR);
    expect(backoffDelayMs(2, () => 1)).toBe(2.5 * HOUR);
  });
  it('reads Retry-After as seconds or an HTTP date, capped at a week, ignoring junk and the past', () => {
    const now = new Date('2025-06-02T12:00:00Z');
    expect(parseRetryAfter('120', now)?.toISOString()).toBe('2025-06-02T12:02:00.000Z');
    expect(parseRetryAfter('Wed, 04 Jun 2025 00:00:00 GMT', now)?.toISOString()).toBe('2025-06-04T00:00:00.000Z');
    expect(parseRetryAfter('99999999999', now)?.toISOString()).toBe('2025-06-09T12:00:00.000Z');
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter('Mon, 02 Jun 2025 11:00:00 GMT', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });
  it('computes the next cron time strictly after now', () => {
    const now = new Date(2025, 5, 2, 12, 0, 0);
    expect(nextCronTime('*/30 * * * *', now)).toEqual(new Date(2025, 5, 2, 12, 30, 0));
    expect(nextCronTime('15 3 * * *', now)).toEqual(new Date(2025, 5, 3, 3, 15, 0));
    expect(nextCronTime('0 9 * * 1', now)).toEqual(new Date(2025, 5, 9, 9, 0, 0)); // 2025-06-02 is a Monday
    expect(nextCronTime('0 0 1 1 *', now)).toEqual(new Date(2026, 0, 1, 0, 0, 0));
  });
});
