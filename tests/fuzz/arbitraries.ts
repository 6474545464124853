import fc from 'fast-check';
import { SCRIPT_LINKS, SCRIPT_PAYLOADS } from '../reliability/payloads.js';

/** Runs per property: small by default so `npm test` stays quick; `npm run fuzz` sets FEEDMERGE_FUZZ_RUNS=20000. */
export const FUZZ_RUNS = Math.max(1, Number(process.env.FEEDMERGE_FUZZ_RUNS) || 150);

/** Fragments that break naive readers and writers: markup, CDATA ends, entities, controls, surrogates, RTL marks. */
const NASTY = [
  ...SCRIPT_PAYLOADS,
  ...SCRIPT_LINKS,
  ']]>',
  '<![CDATA[',
  '&',
  '&amp;',
  '&lt;',
  '&#0;',
  '&#x1F;',
  '&#xD800;',
  '&nbsp;',
  '&bogus;',
  '<',
  '>',
  '"',
  "'",
  '\u0000',
  '\u0008',
  '\u000b',
  '\u001b',
  '\u007f',
  '\u0085',
  '\u2028',
  '\u202e',
  '\ufeff',
  '\ufffe',
  '\uffff',
  '\ud800',
  '\udfff',
  '😀',
  'é',
  '\r\n',
  '\t',
  '[...]',
  '…',
  '<!--',
  '-->',
  '<?xml',
  '<!DOCTYPE',
  '<!ENTITY',
  '%',
  'http://',
  '//evil',
];

/** Text mixing arbitrary Unicode (lone surrogates included) with the nasty fragments. */
export const nastyText: fc.Arbitrary<string> = fc
  .array(fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), fc.constantFrom(...NASTY), fc.string({ maxLength: 20 })), { maxLength: 12 })
  .map((parts) => parts.join(''));

/** A date string a feed might carry: valid, absurd, localised or garbage. */
export const feedDate: fc.Arbitrary<string> = fc.oneof(
  fc.date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.date({ noInvalidDate: true }).map((d) => d.toUTCString()),
  fc.constantFrom('0000-01-01T00:00:00Z', '99999-12-31', 'Mon, 01 Jan 0000 00:00:00 GMT', '', 'yesterday', '1e20', '2026-02-30'),
  nastyText,
);
