import fc from 'fast-check';

/**
 * `npm test` fuzzes with a fixed seed so CI is repeatable (a new counterexample must not fail an unrelated
 * change); `npm run fuzz` (FEEDMERGE_FUZZ_RUNS set) explores with a fresh seed each time, printed on failure.
 * FEEDMERGE_FUZZ_SEED replays a given seed.
 */
const seed = process.env['FEEDMERGE_FUZZ_SEED'];
if (seed !== undefined) fc.configureGlobal({ seed: Number(seed) });
else if (process.env['FEEDMERGE_FUZZ_RUNS'] === undefined) fc.configureGlobal({ seed: 20261124 });
