import { describe, expect, it } from 'vitest';
import { toIsoDate } from '../../../src/sources/feed/dates.js';

const NOW = new Date('2026-03-03T12:00:00Z');

describe('toIsoDate', () => {
  it.each([
    ['Tue, 03 Mar 2026 10:00:00 GMT', '2026-03-03T10:00:00.000Z'],
    ['Tue, 03 Mar 2026 10:00:00 +0100', '2026-03-03T09:00:00.000Z'],
    ['2026-03-03T10:00:00Z', '2026-03-03T10:00:00.000Z'],
    ['2026-03-03T10:00:00.250+02:00', '2026-03-03T08:00:00.250Z'],
    ['  2026-03-03T10:00:00Z  ', '2026-03-03T10:00:00.000Z'],
    // Localised RFC 822: weekday and month names in the publisher's language.
    ['Seg, 02 Fev 2026 09:30:00 -0300', '2026-02-02T12:30:00.000Z'],
    ['mar., 03 févr. 2026 10:00:00 +0100', '2026-02-03T09:00:00.000Z'],
    ['Di, 03 Mrz 2026 10:00:00 +0100', '2026-03-03T09:00:00.000Z'],
    // Named zones Date.parse does not know.
    ['Tue, 03 Mar 2026 10:00:00 CEST', '2026-03-03T08:00:00.000Z'],
    ['Tue, 03 Mar 2026 10:00:00 IST', '2026-03-03T04:30:00.000Z'],
  ])('reads %j as %j', (text, iso) => {
    expect(toIsoDate(text, NOW)).toBe(iso);
  });

  it.each([
    ['absent', undefined],
    ['null', null],
    ['an object', { date: '2026-03-03' }],
    ['empty text', '   '],
    ['text that is no date', 'yesterday afternoon'],
    ['a date before the Unix epoch', '1969-12-31T23:59:59Z'],
    ['a 1900 placeholder', 'Mon, 01 Jan 1900 00:00:00 GMT'],
    ['year 0000, which Date.parse reads as 2000', 'Sat, 01 Jan 0000 00:00:00 GMT'],
    ['a date more than a year ahead', '2027-06-01T00:00:00Z'],
  ])('refuses %s', (_label, value) => {
    expect(toIsoDate(value, NOW)).toBeNull();
  });

  it('keeps a date up to a year ahead (clock skew, time-zone slips)', () => {
    expect(toIsoDate('2026-12-31T00:00:00Z', NOW)).toBe('2026-12-31T00:00:00.000Z');
  });

  it('does not take a bare millisecond count for a date (no feed format writes one)', () => {
    expect(toIsoDate(Date.parse('2026-03-01T00:00:00Z'), NOW)).toBeNull();
  });
});
