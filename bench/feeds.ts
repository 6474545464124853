/**
 * Feed reading throughput (issue 5): parse + store (feedmerge's pipeline: charset, detection, rss-parser,
 * cleaning, identity, SQLite upsert through the store) against rss-parser's raw parse of the same documents,
 * the floor that parser sets. Target: the pipeline within 2x of the raw parse.
 * Run: `npx tsx bench/feeds.ts` (or `npm run bench feeds`).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Parser from 'rss-parser';
import { parseFeed } from '../src/sources/feed/parse.js';
import { SqliteStore as Store } from '../src/store/index.js';

const FIXTURES = fileURLToPath(new URL('../tests/fixtures/feeds/', import.meta.url));
/** Enough rounds for a few seconds of work on the 2-core machine, so timer noise stays below 1%. */
const ROUNDS = 20;

interface Doc {
  readonly name: string;
  readonly body: Buffer;
  readonly text: string;
}

function loadDocuments(): Doc[] {
  const docs: Doc[] = [];
  for (const folder of ['real', 'own']) {
    for (const name of readdirSync(join(FIXTURES, folder))) {
      if (name === 'LICENSE' || name.endsWith('.expected.json')) continue;
      const body = readFileSync(join(FIXTURES, folder, name));
      docs.push({ name: `${folder}/${name}`, body, text: body.toString('utf8') });
    }
  }
  return docs;
}

async function rawParse(docs: readonly Doc[], rounds: number): Promise<{ ms: number; items: number }> {
  let items = 0;
  const start = performance.now();
  for (let round = 0; round < rounds; round += 1) {
    for (const doc of docs) {
      try {
        items += (await new Parser().parseString(doc.text)).items.length;
      } catch {
        // rss-parser refuses JSON Feed and HTML; the pipeline refuses those too.
      }
    }
  }
  return { ms: performance.now() - start, items };
}

async function pipeline(docs: readonly Doc[], store: Store | null, rounds: readonly number[]): Promise<{ ms: number; items: number }> {
  let items = 0;
  const now = new Date().toISOString();
  const start = performance.now();
  for (const round of rounds) {
    for (const doc of docs) {
      // A fresh source per round and document, so every round inserts rather than finds its items unchanged.
      const url = `https://bench.example/${round}/${doc.name}`;
      let parsed;
      try {
        parsed = await parseFeed(doc.body, { url });
      } catch {
        continue;
      }
      items += parsed.items.length;
      if (store) {
        store.transaction(() => {
          store.sources.declare({ kind: 'feed', url, name: doc.name, origin: 'config' }, now);
          store.items.upsert(url, parsed.items, now);
        });
      }
    }
  }
  return { ms: performance.now() - start, items };
}

/** Prints raw parse, parse-only and parse+store throughput and their ratios. */
export async function main(): Promise<void> {
  const docs = loadDocuments();
  const dir = mkdtempSync(join(tmpdir(), 'feedmerge-bench-'));
  const store = Store.open(join(dir, 'bench.db'));
  try {
    await rawParse(docs.slice(0, 5), 1); // warm-up: JIT and module loading out of the figures
    await pipeline(docs.slice(0, 5), null, [-1]);
    // The three measurements alternate round by round, so load from other processes hits all of them alike.
    const raw = { ms: 0, items: 0 };
    const parseOnly = { ms: 0, items: 0 };
    const full = { ms: 0, items: 0 };
    const add = (total: { ms: number; items: number }, part: { ms: number; items: number }): void => {
      total.ms += part.ms;
      total.items += part.items;
    };
    for (let round = 0; round < ROUNDS; round += 1) {
      add(raw, await rawParse(docs, 1));
      add(parseOnly, await pipeline(docs, null, [round]));
      add(full, await pipeline(docs, store, [round]));
    }
    const rate = (r: { ms: number; items: number }): string => `${Math.round((r.items / r.ms) * 1000).toLocaleString('en')} items/s`;
    console.log(
      `documents: ${docs.length} (${ROUNDS} rounds, ${Math.round(docs.reduce((n, d) => n + d.body.length, 0) / 1024)} KiB a round)`,
    );
    console.log(`rss-parser raw parse:        ${rate(raw)}  (${raw.items} items, ${raw.ms.toFixed(0)} ms)`);
    console.log(`feedmerge parse:             ${rate(parseOnly)}  (${parseOnly.items} items, ${parseOnly.ms.toFixed(0)} ms)`);
    console.log(`feedmerge parse + store:     ${rate(full)}  (${full.items} items, ${full.ms.toFixed(0)} ms, SQLite via src/store)`);
    // Time per item, so that documents only one side reads (JSON Feed) do not skew the ratio.
    const perItem = (r: { ms: number; items: number }): number => r.ms / r.items;
    console.log(`ratio parse / raw:           ${(perItem(parseOnly) / perItem(raw)).toFixed(2)}x`);
    console.log(`ratio parse+store / raw:     ${(perItem(full) / perItem(raw)).toFixed(2)}x  (target <= 2x)`);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
